"""JUNIPER-DOM-MIB jnxDomCurrentTable and lane table (indexed by ifIndex)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from collectors.readings import Thresholds
from collectors.snmp import oids
from collectors.snmp.mapping import PortMap, Tables
from collectors.snmp.optical._common import (
    Decoded,
    OpticalMib,
    finish,
    int_col,
    port_speed_bps,
    row_order,
)


def decode_juniper_dom(
    tables: Tables, pmap: PortMap, device: str, time: datetime, patterns: Sequence[tuple[str, str]] = (),
    unplaced: list[str] | None = None,  # rows are ifIndexes: every row has its port
) -> Decoded:
    c = {col: int_col(tables, col) for col in (
        oids.JNX_RX_POWER, oids.JNX_TX_POWER, oids.JNX_BIAS, oids.JNX_TEMPERATURE, oids.JNX_VOLTAGE,
        oids.JNX_RX_HIGH_ALARM, oids.JNX_RX_LOW_ALARM, oids.JNX_RX_HIGH_WARN, oids.JNX_RX_LOW_WARN,
        oids.JNX_TX_HIGH_ALARM, oids.JNX_TX_LOW_ALARM, oids.JNX_TX_HIGH_WARN, oids.JNX_TX_LOW_WARN,
    )}
    lanes_rx: dict[str, dict[int, float]] = defaultdict(dict)
    lanes_tx: dict[str, dict[int, float]] = defaultdict(dict)
    for column, store in ((oids.JNX_LANE_RX, lanes_rx), (oids.JNX_LANE_TX, lanes_tx)):
        for index, value in int_col(tables, column).items():
            if_index, _, lane = index.partition(".")
            if lane.isdigit():
                store[if_index][int(lane)] = value / 100.0
    out: Decoded = []
    for index in sorted(c[oids.JNX_RX_POWER], key=row_order):
        g = {col: v.get(index) for col, v in c.items()}
        if not index.isdigit() or all(not v for v in g.values()):
            continue  # a DOM row of zeros: no transceiver in the port
        if_index = int(index)
        name = pmap.port_name(if_index) or f"ifIndex {if_index}"
        hundredth = lambda col: None if g[col] is None else g[col] / 100.0  # noqa: E731
        rx_l = tuple(v for _, v in sorted(lanes_rx.get(index, {}).items()))
        tx_l = tuple(v for _, v in sorted(lanes_tx.get(index, {}).items()))
        rx, tx = hundredth(oids.JNX_RX_POWER), hundredth(oids.JNX_TX_POWER)
        notes: list[str] = []
        if len(rx_l) > 1 or len(tx_l) > 1:
            # multi-lane modules report per lane; the module row then holds zeros
            rx = min(rx_l) if len(rx_l) > 1 else rx
            tx = min(tx_l) if len(tx_l) > 1 else tx
            notes.append("multi-lane module: rx/tx dBm are the weakest lane")
        raw = (f"rx={g[oids.JNX_RX_POWER]} tx={g[oids.JNX_TX_POWER]} rxLowAlarm={g[oids.JNX_RX_LOW_ALARM]}"
               f" rxHighAlarm={g[oids.JNX_RX_HIGH_ALARM]} txLowAlarm={g[oids.JNX_TX_LOW_ALARM]}"
               f" txHighAlarm={g[oids.JNX_TX_HIGH_ALARM]}")
        out.append((name, if_index, finish(
            device, name, time, f"{oids.JNX_DOM}.{{5,7,9-12,17-20}}.{index}", raw,
            rx=rx, tx=tx,
            rx_th=Thresholds(hundredth(oids.JNX_RX_LOW_ALARM), hundredth(oids.JNX_RX_LOW_WARN),
                             hundredth(oids.JNX_RX_HIGH_WARN), hundredth(oids.JNX_RX_HIGH_ALARM)),
            tx_th=Thresholds(hundredth(oids.JNX_TX_LOW_ALARM), hundredth(oids.JNX_TX_LOW_WARN),
                             hundredth(oids.JNX_TX_HIGH_WARN), hundredth(oids.JNX_TX_HIGH_ALARM)),
            notes=notes,
            rx_lanes=rx_l if len(rx_l) > 1 else (),
            tx_lanes=tx_l if len(tx_l) > 1 else (),
            temperature=None if g[oids.JNX_TEMPERATURE] is None else float(g[oids.JNX_TEMPERATURE]),
            bias_ma=None if g[oids.JNX_BIAS] is None else g[oids.JNX_BIAS] / 1000.0,
            voltage=None if g[oids.JNX_VOLTAGE] is None else g[oids.JNX_VOLTAGE] / 1000.0,
            speed_bps=port_speed_bps(tables, if_index),
        )))
    return out


JUNIPER_DOM = OpticalMib(
    name="juniper_dom",
    decode=decode_juniper_dom,
    columns=(
        oids.JNX_RX_POWER, oids.JNX_TX_POWER, oids.JNX_BIAS, oids.JNX_TEMPERATURE, oids.JNX_VOLTAGE,
        oids.JNX_RX_HIGH_ALARM, oids.JNX_RX_LOW_ALARM, oids.JNX_RX_HIGH_WARN, oids.JNX_RX_LOW_WARN,
        oids.JNX_TX_HIGH_ALARM, oids.JNX_TX_LOW_ALARM, oids.JNX_TX_HIGH_WARN, oids.JNX_TX_LOW_WARN,
        oids.JNX_LANE_RX, oids.JNX_LANE_TX, oids.IF_HIGH_SPEED,
    ),
    static_columns=frozenset({
        oids.JNX_RX_HIGH_ALARM, oids.JNX_RX_LOW_ALARM, oids.JNX_RX_HIGH_WARN, oids.JNX_RX_LOW_WARN,
        oids.JNX_TX_HIGH_ALARM, oids.JNX_TX_LOW_ALARM, oids.JNX_TX_HIGH_WARN, oids.JNX_TX_LOW_WARN,
    }),
    row_columns=(oids.JNX_RX_POWER, oids.JNX_LANE_RX),
    entity_indexed=False,  # rows are ifIndexes: no entity tree needed
)
