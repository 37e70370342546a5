"""CISCO-ENTITY-SENSOR-MIB entSensorValueTable + entSensorThresholdTable (one sensor per entity)."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from collectors.readings import Thresholds
from collectors.snmp import oids
from collectors.snmp.mapping import PortMap, Tables
from collectors.snmp.optical._common import Decoded, OpticalMib, finish, int_col, port_speed_bps

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
    types = int_col(tables, oids.CISCO_SENSOR_TYPE)
    scales = int_col(tables, oids.CISCO_SENSOR_SCALE)
    precisions = int_col(tables, oids.CISCO_SENSOR_PRECISION)
    values = int_col(tables, oids.CISCO_SENSOR_VALUE)
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
        out.append((port_name, if_index, finish(
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


CISCO_ENTITY_SENSOR = OpticalMib(
    name="cisco_entity_sensor",
    decode=decode_cisco_sensor,
    columns=(
        oids.CISCO_SENSOR_TYPE, oids.CISCO_SENSOR_SCALE, oids.CISCO_SENSOR_PRECISION, oids.CISCO_SENSOR_VALUE,
        oids.CISCO_THRESHOLD_SEVERITY, oids.CISCO_THRESHOLD_RELATION, oids.CISCO_THRESHOLD_VALUE, oids.IF_HIGH_SPEED,
    ),
    static_columns=frozenset({
        oids.CISCO_SENSOR_TYPE, oids.CISCO_SENSOR_SCALE, oids.CISCO_SENSOR_PRECISION,
        oids.CISCO_THRESHOLD_SEVERITY, oids.CISCO_THRESHOLD_RELATION, oids.CISCO_THRESHOLD_VALUE,
    }),
    row_columns=(oids.CISCO_SENSOR_VALUE,),
)
