"""HUAWEI-ENTITY-EXTENT-MIB hwOpticalModuleInfoTable (indexed by the port's entPhysicalIndex)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from collectors.enums import PowerUnit
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
    uw_to_dbm,
)

# these raw values mean "not present / not supported" in every optical column
_HW_ABSENT = {-1, 0, 2147483647, -2147483648}
_HW_TEMP_ABSENT = {-255, 2147483647, -2147483648}


def _hw_lanes(text: object) -> tuple[float | None, ...]:
    if not isinstance(text, str) or not text.strip():
        return ()
    lanes: list[float | None] = []
    for part in text.split(","):
        try:
            lanes.append(round(float(part) / 100.0, 4))
        except ValueError:
            lanes.append(None)
    return tuple(lanes)


# Which encoding a Huawei model uses for hwEntityOpticalRx/TxPower when the values alone do not say
# (all positive, no lane strings): VRP5 S-series switches send microwatts, VRP8 (NE, CX, ATN), AR
# routers and CloudEngine 0.01 dBm as the MIB says. Matched on sysDescr, then on sysObjectID.
HUAWEI_UNIT_BY_MODEL: tuple[tuple[str, PowerUnit], ...] = (
    (r"\bVersion 8\.|\b(?:NE\d|NetEngine|CX\d|ATN\s?\d|AR\d|CE\d|CloudEngine)", PowerUnit.CENTI_DBM),
    (r"\bS\d{4}", PowerUnit.MICROWATT),
)
HUAWEI_UNIT_BY_OBJECT_ID: tuple[tuple[str, PowerUnit], ...] = (
    ("1.3.6.1.4.1.2011.2.224.", PowerUnit.CENTI_DBM),   # AR routers
    ("1.3.6.1.4.1.2011.2.23.", PowerUnit.MICROWATT),    # S-series (Quidway) switches
)


def huawei_model_unit(tables: Tables) -> PowerUnit | None:
    """The encoding the device's model implies (None: the model is not one we know)."""
    descr = next(iter(tables.get(oids.SYS_DESCR_COLUMN, {}).values()), None)
    if isinstance(descr, str):
        for pattern, unit in HUAWEI_UNIT_BY_MODEL:
            if re.search(pattern, descr):
                return unit
    object_id = next(iter(tables.get(oids.SYS_OBJECT_ID_COLUMN, {}).values()), None)
    if isinstance(object_id, str):
        for prefix, unit in HUAWEI_UNIT_BY_OBJECT_ID:
            if object_id.startswith(prefix):
                return unit
    return None


def huawei_power_unit(tables: Tables) -> PowerUnit:
    """VRP5 S-switches report positive microwatts, VRP8/AR 0.01 dBm (as the MIB says), per device.

    Evidence in order: the lane strings (always 0.01 dBm) compared with the integer column read both
    ways; any negative power on the device (uW cannot be negative); the model (sysDescr/sysObjectID,
    ``HUAWEI_UNIT_BY_MODEL``); only then the sign rule (all positive: microwatts). A positive value
    alone proves nothing: NE8000 Tx +256 is +2.56 dBm, and a +1.00 dBm Tx (100) read as uW would be
    -10 dBm.
    """
    votes = 0
    for column, lane_column in ((oids.HW_RX_POWER, oids.HW_LANE_RX), (oids.HW_TX_POWER, oids.HW_LANE_TX)):
        lanes = tables.get(lane_column, {})
        for index, raw in int_col(tables, column).items():
            parsed = _hw_lanes(lanes.get(index))
            if raw in _HW_ABSENT or raw <= 0 or len(parsed) != 1 or parsed[0] is None:
                continue
            as_uw = uw_to_dbm(raw)
            votes += 1 if as_uw is not None and abs(as_uw - parsed[0]) < abs(raw / 100.0 - parsed[0]) else -1
    if votes:
        return PowerUnit.MICROWATT if votes > 0 else PowerUnit.CENTI_DBM
    for column in (oids.HW_RX_POWER, oids.HW_TX_POWER):
        if any(v < 0 and v not in _HW_ABSENT for v in int_col(tables, column).values()):
            return PowerUnit.CENTI_DBM
    return huawei_model_unit(tables) or PowerUnit.MICROWATT


def _hw_bias_ma(raw: int | None) -> float | None:
    # The MIB says uA and VRP5 obeys (5232 = 5.232 mA); VRP8 routers send mA (NE8000: 34). Laser bias
    # lives between ~1 and ~150 mA, so a value under 1000 can only be mA.
    if raw is None or raw in _HW_ABSENT:
        return None
    return float(raw) if raw < 1000 else raw / 1000.0


def _hw_power(raw: int | None, unit: PowerUnit) -> float | None:
    if raw is None or raw in _HW_ABSENT:
        return None
    if unit is PowerUnit.MICROWATT:
        return uw_to_dbm(raw)
    return raw / 100.0


def _hw_threshold(raw: int | None) -> float | None:
    return None if raw is None or raw in (-1, 2147483647, -2147483648) else raw / 100.0


def decode_huawei(
    tables: Tables, pmap: PortMap, device: str, time: datetime, patterns: Sequence[tuple[str, str]] = (),
    unplaced: list[str] | None = None,
) -> Decoded:
    unit = huawei_power_unit(tables)
    cols = {c: int_col(tables, c) for c in (
        oids.HW_RX_POWER, oids.HW_TX_POWER, oids.HW_RX_LOW_ALARM, oids.HW_RX_HIGH_ALARM,
        oids.HW_TX_LOW_ALARM, oids.HW_TX_HIGH_ALARM, oids.HW_RX_LOW_WARN, oids.HW_RX_HIGH_WARN,
        oids.HW_TX_LOW_WARN, oids.HW_TX_HIGH_WARN, oids.HW_TEMPERATURE, oids.HW_VOLTAGE, oids.HW_BIAS,
    )}
    out: Decoded = []
    for index in sorted(set(cols[oids.HW_RX_POWER]) | set(cols[oids.HW_TX_POWER]), key=row_order):
        rx_raw = cols[oids.HW_RX_POWER].get(index)
        tx_raw = cols[oids.HW_TX_POWER].get(index)
        rx, tx = _hw_power(rx_raw, unit), _hw_power(tx_raw, unit)
        if rx is None and tx is None:
            continue  # no module, or a module without diagnostics
        if not index.isdigit():
            continue
        port = pmap.port_for_entity(int(index), patterns=patterns)
        if port is None:
            if unplaced is not None:
                unplaced.append(f"entity {index} {pmap.ent_name.get(int(index), '')!r} rx={rx_raw} tx={tx_raw}")
            continue
        name, if_index = port
        g = {c: v.get(index) for c, v in cols.items()}
        notes = [f"power reported in {unit.value}"] if unit is PowerUnit.MICROWATT else []
        temp = g[oids.HW_TEMPERATURE]
        volt = g[oids.HW_VOLTAGE]
        bias = g[oids.HW_BIAS]
        raw = (
            f"rx={rx_raw} tx={tx_raw} rxLowAlarm={g[oids.HW_RX_LOW_ALARM]} rxHighAlarm={g[oids.HW_RX_HIGH_ALARM]}"
            f" txLowAlarm={g[oids.HW_TX_LOW_ALARM]} txHighAlarm={g[oids.HW_TX_HIGH_ALARM]}"
            f" laneRx={tables.get(oids.HW_LANE_RX, {}).get(index)!r} laneTx={tables.get(oids.HW_LANE_TX, {}).get(index)!r}"
        )
        out.append((name, if_index, finish(
            device, name, time, f"{oids.HW_OPT}.{{8,9,13-16,20-23,32,33}}.{index}", raw,
            rx=rx, tx=tx,
            rx_th=Thresholds(_hw_threshold(g[oids.HW_RX_LOW_ALARM]), _hw_threshold(g[oids.HW_RX_LOW_WARN]),
                             _hw_threshold(g[oids.HW_RX_HIGH_WARN]), _hw_threshold(g[oids.HW_RX_HIGH_ALARM])),
            tx_th=Thresholds(_hw_threshold(g[oids.HW_TX_LOW_ALARM]), _hw_threshold(g[oids.HW_TX_LOW_WARN]),
                             _hw_threshold(g[oids.HW_TX_HIGH_WARN]), _hw_threshold(g[oids.HW_TX_HIGH_ALARM])),
            notes=notes,
            rx_lanes=_hw_lanes(tables.get(oids.HW_LANE_RX, {}).get(index)),
            tx_lanes=_hw_lanes(tables.get(oids.HW_LANE_TX, {}).get(index)),
            temperature=None if temp is None or temp in _HW_TEMP_ABSENT else float(temp),
            voltage=None if volt is None or volt in _HW_ABSENT else volt / 1000.0,
            bias_ma=_hw_bias_ma(bias),
            speed_bps=port_speed_bps(tables, if_index),
        )))
    return out


HUAWEI_ENTITY_EXTENT = OpticalMib(
    name="huawei_entity_extent",
    decode=decode_huawei,
    columns=(
        oids.HW_TEMPERATURE, oids.HW_VOLTAGE, oids.HW_BIAS, oids.HW_RX_POWER, oids.HW_TX_POWER,
        oids.HW_RX_LOW_ALARM, oids.HW_RX_HIGH_ALARM, oids.HW_TX_LOW_ALARM, oids.HW_TX_HIGH_ALARM,
        oids.HW_RX_LOW_WARN, oids.HW_RX_HIGH_WARN, oids.HW_TX_LOW_WARN, oids.HW_TX_HIGH_WARN,
        oids.HW_LANE_RX, oids.HW_LANE_TX, oids.IF_HIGH_SPEED, oids.SYS_DESCR_COLUMN, oids.SYS_OBJECT_ID_COLUMN,
    ),
    static_columns=frozenset({
        oids.HW_RX_LOW_ALARM, oids.HW_RX_HIGH_ALARM, oids.HW_TX_LOW_ALARM, oids.HW_TX_HIGH_ALARM,
        oids.HW_RX_LOW_WARN, oids.HW_RX_HIGH_WARN, oids.HW_TX_LOW_WARN, oids.HW_TX_HIGH_WARN,
        oids.SYS_DESCR_COLUMN, oids.SYS_OBJECT_ID_COLUMN,
    }),
    row_columns=(oids.HW_RX_POWER, oids.HW_TX_POWER),
)
