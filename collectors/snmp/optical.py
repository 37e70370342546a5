"""Decoders of vendor optical tables into ``OpticalReading`` (pure: walked tables in, readings out).

Each decoder is named by the MIB it reads; a platform profile says which one applies. Every decoder
returns ``(device port name, ifIndex or None, reading)`` triples; the collector renames the port to
the inventory's name.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from collectors.enums import Method, PowerUnit
from collectors.readings import OpticalReading, Source, Thresholds
from collectors.snmp import oids
from collectors.snmp.mapping import PortMap, Tables
from collectors.thresholds import sanitize

Decoded = list[tuple[str, int | None, OpticalReading]]
Decoder = Callable[[Tables, PortMap, str, datetime, Sequence[tuple[str, str]]], Decoded]

# Huawei: these raw values mean "not present / not supported" in every optical column.
_HW_ABSENT = {-1, 0, 2147483647, -2147483648}
_HW_TEMP_ABSENT = {-255, 2147483647, -2147483648}


def _int_col(tables: Tables, column: str) -> dict[str, int]:
    return {k: v for k, v in tables.get(column, {}).items() if isinstance(v, int)}


def port_speed_bps(tables: Tables, if_index: int | None) -> int | None:
    """ifHighSpeed (Mbit/s, walked with the optical columns) of a port, in bit/s; None when unknown."""
    if if_index is None:
        return None
    value = tables.get(oids.IF_HIGH_SPEED, {}).get(str(if_index))
    return value * 1_000_000 if isinstance(value, int) and value > 0 else None


def uw_to_dbm(microwatts: float) -> float | None:
    return 10.0 * math.log10(microwatts / 1000.0) if microwatts > 0 else None


def _finish(
    device: str,
    port: str,
    time: datetime,
    ref: str,
    raw: str,
    *,
    rx: float | None,
    tx: float | None,
    rx_th: Thresholds,
    tx_th: Thresholds,
    notes: list[str],
    module: str | None = None,
    rx_lanes: tuple[float | None, ...] = (),
    tx_lanes: tuple[float | None, ...] = (),
    temperature: float | None = None,
    bias_ma: float | None = None,
    voltage: float | None = None,
    speed_bps: int | None = None,
) -> OpticalReading:
    # bogus thresholds fall back to the defaults of the module class, guessed from the module text
    # or else the port speed (a 10G port: 10GBASE-LR, -14.4 dBm sensitivity), never blindly "generic"
    rx_th, rx_notes = sanitize(rx_th, kind="rx", module=module, speed_bps=speed_bps)
    tx_th, tx_notes = sanitize(tx_th, kind="tx", module=module, speed_bps=speed_bps)
    return OpticalReading(
        device=device,
        port=port,
        rx_dbm=None if rx is None else round(rx, 6),
        tx_dbm=None if tx is None else round(tx, 6),
        source=Source(device, port, Method.SNMP, ref, raw, time),
        rx_lanes_dbm=rx_lanes,
        tx_lanes_dbm=tx_lanes,
        rx_thresholds=rx_th,
        tx_thresholds=tx_th,
        temperature_c=temperature,
        bias_ma=bias_ma,
        voltage_v=voltage,
        module=module,
        notes=tuple(notes) + rx_notes + tx_notes,
    )


# -- HUAWEI-ENTITY-EXTENT-MIB ------------------------------------------------------------------
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
        for index, raw in _int_col(tables, column).items():
            parsed = _hw_lanes(lanes.get(index))
            if raw in _HW_ABSENT or raw <= 0 or len(parsed) != 1 or parsed[0] is None:
                continue
            as_uw = uw_to_dbm(raw)
            votes += 1 if as_uw is not None and abs(as_uw - parsed[0]) < abs(raw / 100.0 - parsed[0]) else -1
    if votes:
        return PowerUnit.MICROWATT if votes > 0 else PowerUnit.CENTI_DBM
    for column in (oids.HW_RX_POWER, oids.HW_TX_POWER):
        if any(v < 0 and v not in _HW_ABSENT for v in _int_col(tables, column).values()):
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
    tables: Tables, pmap: PortMap, device: str, time: datetime, patterns: Sequence[tuple[str, str]] = ()
) -> Decoded:
    unit = huawei_power_unit(tables)
    cols = {c: _int_col(tables, c) for c in (
        oids.HW_RX_POWER, oids.HW_TX_POWER, oids.HW_RX_LOW_ALARM, oids.HW_RX_HIGH_ALARM,
        oids.HW_TX_LOW_ALARM, oids.HW_TX_HIGH_ALARM, oids.HW_RX_LOW_WARN, oids.HW_RX_HIGH_WARN,
        oids.HW_TX_LOW_WARN, oids.HW_TX_HIGH_WARN, oids.HW_TEMPERATURE, oids.HW_VOLTAGE, oids.HW_BIAS,
    )}
    out: Decoded = []
    for index in sorted(set(cols[oids.HW_RX_POWER]) | set(cols[oids.HW_TX_POWER]), key=_num):
        rx_raw = cols[oids.HW_RX_POWER].get(index)
        tx_raw = cols[oids.HW_TX_POWER].get(index)
        rx, tx = _hw_power(rx_raw, unit), _hw_power(tx_raw, unit)
        if rx is None and tx is None:
            continue  # no module, or a module without diagnostics
        if not index.isdigit():
            continue
        port = pmap.port_for_entity(int(index), patterns=patterns)
        if port is None:
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
        out.append((name, if_index, _finish(
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


def _num(index: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in index.split("."))


# -- CISCO-ENTITY-SENSOR-MIB --------------------------------------------------------------------
SENSOR_DBM, SENSOR_CELSIUS, SENSOR_VOLTS_DC, SENSOR_AMPERES = 14, 8, 4, 5
_LANE = re.compile(r"lane\s*(\d+)", re.IGNORECASE)
_RX = re.compile(r"receive|\brx\b|-rx\b|\brx\s", re.IGNORECASE)
_TX = re.compile(r"transmit|\btx\b|-tx\b|\btx\s", re.IGNORECASE)


def cisco_scaled(value: int, scale: int | None, precision: int | None) -> float:
    """entSensorValue with its SensorDataScale (8 = milli, 9 = units, ...) and precision."""
    exponent = ((scale or 9) - 9) * 3 - (precision or 0)
    return value * (10.0**exponent)


def decode_cisco_sensor(
    tables: Tables, pmap: PortMap, device: str, time: datetime, patterns: Sequence[tuple[str, str]] = ()
) -> Decoded:
    types = _int_col(tables, oids.CISCO_SENSOR_TYPE)
    scales = _int_col(tables, oids.CISCO_SENSOR_SCALE)
    precisions = _int_col(tables, oids.CISCO_SENSOR_PRECISION)
    values = _int_col(tables, oids.CISCO_SENSOR_VALUE)
    thresholds = _cisco_thresholds(tables)

    by_port: dict[tuple[str, int | None], dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for index, kind in types.items():
        if kind not in (SENSOR_DBM, SENSOR_CELSIUS, SENSOR_VOLTS_DC, SENSOR_AMPERES) or not index.isdigit():
            continue
        name = pmap.ent_name.get(int(index), "")
        if kind == SENSOR_DBM:
            role = "rx" if _RX.search(name) else "tx" if _TX.search(name) else None
        else:
            role = {SENSOR_CELSIUS: "temp", SENSOR_VOLTS_DC: "volt", SENSOR_AMPERES: "bias"}[kind]
        if role is None or index not in values:
            continue
        port = pmap.port_for_entity(int(index), patterns=patterns)
        if port is None:
            continue
        by_port[port][role].append((int(index), name))

    out: Decoded = []
    for (port_name, if_index), roles in by_port.items():
        if not roles.get("rx") and not roles.get("tx"):
            continue  # temperature of a board, not of a transceiver

        def value_of(sensor: int) -> float:
            key = str(sensor)
            return round(cisco_scaled(values[key], scales.get(key), precisions.get(key)), 5)

        def lanes(role: str) -> tuple[list[float], int | None]:
            sensors = sorted(roles.get(role, []), key=lambda s: int(m.group(1)) if (m := _LANE.search(s[1])) else 0)
            return [value_of(s) for s, _ in sensors], (sensors[0][0] if sensors else None)

        rx_lanes, rx_sensor = lanes("rx")
        tx_lanes, tx_sensor = lanes("tx")
        notes: list[str] = []
        if len(rx_lanes) > 1 or len(tx_lanes) > 1:
            notes.append("multi-lane module: rx/tx dBm are the weakest lane")
        one = lambda role: roles[role][0][0] if roles.get(role) else None  # noqa: E731
        temp_sensor, volt_sensor, bias_sensor = one("temp"), one("volt"), one("bias")
        bias = value_of(bias_sensor) if bias_sensor else None
        raw_parts = [f"{s}={values[str(s)]}/scale{scales.get(str(s))}/prec{precisions.get(str(s))}"
                     for role in ("rx", "tx") for s, _ in roles.get(role, [])]
        out.append((port_name, if_index, _finish(
            device, port_name, time,
            f"{oids.CISCO_SENSOR_VALUE}.{{{','.join(str(s) for r in ('rx', 'tx') for s, _ in roles.get(r, []))}}}",
            " ".join(raw_parts),
            rx=min(rx_lanes) if rx_lanes else None,
            tx=min(tx_lanes) if tx_lanes else None,
            rx_th=_threshold_set(thresholds, rx_sensor, scales, precisions),
            tx_th=_threshold_set(thresholds, tx_sensor, scales, precisions),
            notes=notes,
            rx_lanes=tuple(rx_lanes) if len(rx_lanes) > 1 else (),
            tx_lanes=tuple(tx_lanes) if len(tx_lanes) > 1 else (),
            temperature=value_of(temp_sensor) if temp_sensor else None,
            voltage=value_of(volt_sensor) if volt_sensor else None,
            bias_ma=None if bias is None else round(bias * 1000.0, 4),
            speed_bps=port_speed_bps(tables, if_index),
        )))
    return out


def _cisco_thresholds(tables: Tables) -> dict[int, list[tuple[int, int, int]]]:
    """sensor -> [(severity, relation, raw value)]"""
    sev = tables.get(oids.CISCO_THRESHOLD_SEVERITY, {})
    rel = tables.get(oids.CISCO_THRESHOLD_RELATION, {})
    val = tables.get(oids.CISCO_THRESHOLD_VALUE, {})
    out: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for index, value in val.items():
        s, r = sev.get(index), rel.get(index)
        sensor = index.split(".", 1)[0]
        if isinstance(value, int) and isinstance(s, int) and isinstance(r, int) and sensor.isdigit():
            out[int(sensor)].append((s, r, value))
    return out


def _threshold_set(
    thresholds: Mapping[int, list[tuple[int, int, int]]],
    sensor: int | None,
    scales: Mapping[str, int],
    precisions: Mapping[str, int],
) -> Thresholds:
    if sensor is None:
        return Thresholds()
    found: dict[str, float] = {}
    for severity, relation, raw in thresholds.get(sensor, []):
        value = round(cisco_scaled(raw, scales.get(str(sensor)), precisions.get(str(sensor))), 5)
        side = "low" if relation in (1, 2) else "high" if relation in (3, 4) else None
        level = "warning" if severity == 10 else "alarm"  # minor(10) warns; major/critical alarm
        if side:
            found.setdefault(f"{side}_{level}", value)
    return Thresholds(**found)


# -- JUNIPER-DOM-MIB ------------------------------------------------------------------------------
def decode_juniper_dom(
    tables: Tables, pmap: PortMap, device: str, time: datetime, patterns: Sequence[tuple[str, str]] = ()
) -> Decoded:
    c = {col: _int_col(tables, col) for col in (
        oids.JNX_RX_POWER, oids.JNX_TX_POWER, oids.JNX_BIAS, oids.JNX_TEMPERATURE, oids.JNX_VOLTAGE,
        oids.JNX_RX_HIGH_ALARM, oids.JNX_RX_LOW_ALARM, oids.JNX_RX_HIGH_WARN, oids.JNX_RX_LOW_WARN,
        oids.JNX_TX_HIGH_ALARM, oids.JNX_TX_LOW_ALARM, oids.JNX_TX_HIGH_WARN, oids.JNX_TX_LOW_WARN,
    )}
    lanes_rx: dict[str, dict[int, float]] = defaultdict(dict)
    lanes_tx: dict[str, dict[int, float]] = defaultdict(dict)
    for column, store in ((oids.JNX_LANE_RX, lanes_rx), (oids.JNX_LANE_TX, lanes_tx)):
        for index, value in _int_col(tables, column).items():
            if_index, _, lane = index.partition(".")
            if lane.isdigit():
                store[if_index][int(lane)] = value / 100.0
    out: Decoded = []
    for index in sorted(c[oids.JNX_RX_POWER], key=_num):
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
        out.append((name, if_index, _finish(
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


DECODERS: dict[str, tuple[Decoder, tuple[str, ...]]] = {
    # decoder name -> (function, columns it needs walked, besides the port map)
    "huawei_entity_extent": (decode_huawei, (
        oids.HW_TEMPERATURE, oids.HW_VOLTAGE, oids.HW_BIAS, oids.HW_RX_POWER, oids.HW_TX_POWER,
        oids.HW_RX_LOW_ALARM, oids.HW_RX_HIGH_ALARM, oids.HW_TX_LOW_ALARM, oids.HW_TX_HIGH_ALARM,
        oids.HW_RX_LOW_WARN, oids.HW_RX_HIGH_WARN, oids.HW_TX_LOW_WARN, oids.HW_TX_HIGH_WARN,
        oids.HW_LANE_RX, oids.HW_LANE_TX, oids.IF_HIGH_SPEED, oids.SYS_DESCR_COLUMN, oids.SYS_OBJECT_ID_COLUMN,
    )),
    "cisco_entity_sensor": (decode_cisco_sensor, (
        oids.CISCO_SENSOR_TYPE, oids.CISCO_SENSOR_SCALE, oids.CISCO_SENSOR_PRECISION, oids.CISCO_SENSOR_VALUE,
        oids.CISCO_THRESHOLD_SEVERITY, oids.CISCO_THRESHOLD_RELATION, oids.CISCO_THRESHOLD_VALUE, oids.IF_HIGH_SPEED,
    )),
    "juniper_dom": (decode_juniper_dom, (
        oids.JNX_RX_POWER, oids.JNX_TX_POWER, oids.JNX_BIAS, oids.JNX_TEMPERATURE, oids.JNX_VOLTAGE,
        oids.JNX_RX_HIGH_ALARM, oids.JNX_RX_LOW_ALARM, oids.JNX_RX_HIGH_WARN, oids.JNX_RX_LOW_WARN,
        oids.JNX_TX_HIGH_ALARM, oids.JNX_TX_LOW_ALARM, oids.JNX_TX_HIGH_WARN, oids.JNX_TX_LOW_WARN,
        oids.JNX_LANE_RX, oids.JNX_LANE_TX, oids.IF_HIGH_SPEED,
    )),
}

# The columns of each table that describe the module, not its current state: thresholds, sensor type,
# scale and precision, the device model (Huawei power encoding). A poller keeps them per device
# (collectors.snmp.facts.FactCache) and walks only the other columns in steady state.
STATIC_COLUMNS: dict[str, frozenset[str]] = {
    "huawei_entity_extent": frozenset({
        oids.HW_RX_LOW_ALARM, oids.HW_RX_HIGH_ALARM, oids.HW_TX_LOW_ALARM, oids.HW_TX_HIGH_ALARM,
        oids.HW_RX_LOW_WARN, oids.HW_RX_HIGH_WARN, oids.HW_TX_LOW_WARN, oids.HW_TX_HIGH_WARN,
        oids.SYS_DESCR_COLUMN, oids.SYS_OBJECT_ID_COLUMN,
    }),
    "cisco_entity_sensor": frozenset({
        oids.CISCO_SENSOR_TYPE, oids.CISCO_SENSOR_SCALE, oids.CISCO_SENSOR_PRECISION,
        oids.CISCO_THRESHOLD_SEVERITY, oids.CISCO_THRESHOLD_RELATION, oids.CISCO_THRESHOLD_VALUE,
    }),
    "juniper_dom": frozenset({
        oids.JNX_RX_HIGH_ALARM, oids.JNX_RX_LOW_ALARM, oids.JNX_RX_HIGH_WARN, oids.JNX_RX_LOW_WARN,
        oids.JNX_TX_HIGH_ALARM, oids.JNX_TX_LOW_ALARM, oids.JNX_TX_HIGH_WARN, oids.JNX_TX_LOW_WARN,
    }),
}
# Live columns whose row set is the set of modules / sensors: when it differs from the one seen with
# the cached facts, a module came or went and the facts are re-read.
ROW_COLUMNS: dict[str, tuple[str, ...]] = {
    "huawei_entity_extent": (oids.HW_RX_POWER, oids.HW_TX_POWER),
    "cisco_entity_sensor": (oids.CISCO_SENSOR_VALUE,),
    "juniper_dom": (oids.JNX_RX_POWER, oids.JNX_LANE_RX),
}
