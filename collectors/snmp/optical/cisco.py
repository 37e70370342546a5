"""CISCO-ENTITY-SENSOR-MIB entSensorValueTable + entSensorThresholdTable (one sensor per entity)."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
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
)

SENSOR_DBM, SENSOR_CELSIUS, SENSOR_VOLTS_DC, SENSOR_AMPERES = 14, 8, 4, 5
_LANE = re.compile(r"lane\s*(\d+)", re.IGNORECASE)
_RX = re.compile(r"receive|\brx\b|-rx\b|\brx\s", re.IGNORECASE)
_TX = re.compile(r"transmit|\btx\b|-tx\b|\btx\s", re.IGNORECASE)


def cisco_scaled(value: int, scale: int | None, precision: int | None) -> float:
    """entSensorValue with its SensorDataScale (8 = milli, 9 = units, ...) and precision."""
    exponent = ((scale or 9) - 9) * 3 - (precision or 0)
    return value * (10.0**exponent)


def decode_cisco_sensor(
    tables: Tables, pmap: PortMap, device: str, time: datetime, patterns: Sequence[tuple[str, str]] = (),
    unplaced: list[str] | None = None,
) -> Decoded:
    """One reading per port with an Rx or Tx power sensor; ``unplaced`` (when given) gets the power
    sensors that belong to no port the device lists."""
    types = int_col(tables, oids.CISCO_SENSOR_TYPE)
    scales = int_col(tables, oids.CISCO_SENSOR_SCALE)
    precisions = int_col(tables, oids.CISCO_SENSOR_PRECISION)
    values = int_col(tables, oids.CISCO_SENSOR_VALUE)
    thresholds = _cisco_thresholds(tables)

    by_port: dict[tuple[str, int | None], dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    # port (by the sensors' names) -> port the entity tree put them under -> sensor indexes
    misplaced: dict[tuple[str, int | None], dict[str, list[str]]] = defaultdict(dict)
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
        port, tree_port = pmap.port_for_sensor(int(index), patterns=patterns)
        if port is None:
            if role in ("rx", "tx") and unplaced is not None:
                unplaced.append(f"sensor {index} {name!r}")
            continue
        by_port[port][role].append((int(index), name))
        if tree_port is not None:
            misplaced[port].setdefault(tree_port, []).append(index)

    out: Decoded = []
    for (port_name, if_index), roles in by_port.items():
        if not roles.get("rx") and not roles.get("tx"):
            continue  # temperature of a board, not of a transceiver

        def value_of(sensor: int) -> float:
            key = str(sensor)
            return round(cisco_scaled(values[key], scales.get(key), precisions.get(key)), 5)

        notes: list[str] = [
            f"sensors {', '.join(sensors)} are named after {port_name} but contained under {tree_port} in the"
            f" entity tree: read as {port_name}, as their names say"
            for tree_port, sensors in misplaced.get((port_name, if_index), {}).items()]

        def lanes(role: str) -> tuple[list[float], int | None]:
            sensors = roles.get(role, [])
            numbered = sorted(((s, n) for s, n in sensors if _LANE.search(n)),
                              key=lambda s: int(_LANE.search(s[1]).group(1)))  # type: ignore[union-attr]
            module_level = [(s, n) for s, n in sensors if not _LANE.search(n)]
            if numbered and module_level:
                # a whole-module sensor beside per-lane ones is not one more lane
                for s, n in module_level:
                    notes.append(f"{role} module-level sensor {n!r} ({value_of(s)} dBm) beside {len(numbered)}"
                                 " lane sensors: not counted as a lane")
                return [value_of(s) for s, _ in numbered], numbered[0][0]
            ordered = numbered or module_level
            return [value_of(s) for s, _ in ordered], (ordered[0][0] if ordered else None)

        rx_lanes, rx_sensor = lanes("rx")
        tx_lanes, tx_sensor = lanes("tx")
        if len(rx_lanes) > 1 or len(tx_lanes) > 1:
            notes.append("multi-lane module: rx/tx dBm are the weakest lane")
        rx_th, rx_th_notes = _threshold_set(thresholds, rx_sensor, scales, precisions)
        tx_th, tx_th_notes = _threshold_set(thresholds, tx_sensor, scales, precisions)
        one = lambda role: roles[role][0][0] if roles.get(role) else None  # noqa: E731
        temp_sensor, volt_sensor, bias_sensor = one("temp"), one("volt"), one("bias")
        bias = value_of(bias_sensor) if bias_sensor else None
        raw_parts = [f"{s}={values[str(s)]}/scale{scales.get(str(s))}/prec{precisions.get(str(s))}"
                     for role in ("rx", "tx") for s, _ in roles.get(role, [])]
        # the threshold rows the limits were chosen from: severity/relation/value per row
        raw_parts += [f"thresholds{s}=" + ",".join(f"{sev}/{rel}/{raw}" for sev, rel, raw in thresholds.get(s, []))
                      for s in (rx_sensor, tx_sensor) if s is not None and thresholds.get(s)]
        out.append((port_name, if_index, finish(
            device, port_name, time,
            f"{oids.CISCO_SENSOR_VALUE}.{{{','.join(str(s) for r in ('rx', 'tx') for s, _ in roles.get(r, []))}}}",
            " ".join(raw_parts),
            rx=min(rx_lanes) if rx_lanes else None,
            tx=min(tx_lanes) if tx_lanes else None,
            rx_th=rx_th,
            tx_th=tx_th,
            notes=notes + [f"rx {n}" for n in rx_th_notes] + [f"tx {n}" for n in tx_th_notes],
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


# entSensorThresholdRelation: which side of the normal range a threshold bounds
_LOW_RELATIONS = {1: "lessThan", 2: "lessOrEqual"}
_HIGH_RELATIONS = {3: "greaterThan", 4: "greaterOrEqual"}
_SEVERITY = {1: "other", 10: "minor", 20: "major", 30: "critical"}


def sensor_thresholds(rows: Sequence[tuple[int, int, float]]) -> tuple[Thresholds, tuple[str, ...]]:
    """A sensor's alarm and warning limits from its entSensorThresholdTable rows
    ``(entSensorThresholdSeverity, entSensorThresholdRelation, scaled value)``, as the MIB defines them.

    Each side (low: lessThan/lessOrEqual, high: greaterThan/greaterOrEqual) is read on its own: the
    row of the highest severity is that side's alarm, the lowest severity below it its warning, and a
    side with one severity is an alarm unless that severity is minor (a warning). Row order and which
    severities a platform uses do not matter: IOS-XE serves critical alarms with minor warnings,
    NX-OS and IOS major alarms with minor warnings, others major warnings with critical alarms.
    A severity whose low limit is not below its high limit is no window at all (IOS-XR serves its
    critical rows as 0/0, unset) and is left out while another severity gives one; equalTo/notEqualTo
    rows bound no side.
    """
    notes: list[str] = []
    sides: dict[str, dict[int, list[float]]] = {"low": {}, "high": {}}
    for severity, relation, value in rows:
        side = "low" if relation in _LOW_RELATIONS else "high" if relation in _HIGH_RELATIONS else None
        if side is not None:
            sides[side].setdefault(severity, []).append(value)
    empty = [sev for sev in set(sides["low"]) & set(sides["high"])
             if max(sides["low"][sev]) >= min(sides["high"][sev])]
    if len(empty) < len(set(sides["low"]) | set(sides["high"])):
        for severity in empty:
            low, high = max(sides["low"][severity]), min(sides["high"][severity])
            if low > high:
                notes.append(f"{_SEVERITY.get(severity, severity)} thresholds ignored: low {low:g} above high {high:g}")
            del sides["low"][severity], sides["high"][severity]
    # else no severity forms a window (every row 0, say): kept as served, so the sanity check
    # (collectors.thresholds) replaces them with the module class's defaults and says so
    found: dict[str, float] = {}
    for side, by_severity in sides.items():
        if not by_severity:
            continue
        # the limit met first on each side: the highest low limit, the lowest high limit
        first = max if side == "low" else min
        ranked = sorted(by_severity)  # ascending severity
        top = ranked[-1]
        if len(ranked) == 1 and top == 10:
            found[f"{side}_warning"] = first(by_severity[top])
            continue
        found[f"{side}_alarm"] = first(by_severity[top])
        if len(ranked) > 1:
            found[f"{side}_warning"] = first(by_severity[ranked[0]])
    return Thresholds(**found), tuple(notes)


def _threshold_set(
    thresholds: Mapping[int, list[tuple[int, int, int]]],
    sensor: int | None,
    scales: Mapping[str, int],
    precisions: Mapping[str, int],
) -> tuple[Thresholds, tuple[str, ...]]:
    if sensor is None:
        return Thresholds(), ()
    scale, precision = scales.get(str(sensor)), precisions.get(str(sensor))
    return sensor_thresholds([(severity, relation, round(cisco_scaled(raw, scale, precision), 5))
                              for severity, relation, raw in thresholds.get(sensor, [])])


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
