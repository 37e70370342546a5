"""What a notification means (pure): a trap's variable bindings in, alarm facts out.

Which trap OID means what is data (``TRAP_TABLE``). Most traps say raise or clear by their OID; two
vendor families carry the meaning in their values:

- Cisco CISCO-ENTITY-SENSOR-MIB ``entSensorThresholdNotification`` (.9.9.91.2.0.1, objects
  entSensorThresholdValue, entSensorValue, entSensorThresholdSeverity) and, since the 2013 revision,
  ``entSensorThresholdRecoveryNotification`` (.9.9.91.2.0.2, same objects) for the clear. Which
  sensor it is (Rx/Tx power, temperature, laser bias, voltage) comes from entSensorType /
  entPhysicalName in the varbinds when a sender adds them, else from a ``SensorResolver`` (the
  device's sensor table, see ``sensor_catalog``). Low or high threshold: entSensorThresholdRelation
  (varbind or resolver); without it, a value under the limit is a low threshold and above it a high
  one. Senders that predate the recovery notification (no severity varbind) use .2.0.1 for both
  directions, so there a value back above the limit is read as the clear of a low threshold.
- Huawei HUAWEI-ENTITY-TRAP-MIB ``hwOpticalInvalid`` / ``hwOpticalInvalidResume`` (.219.2.4.5 / .6,
  objects hwEntityPhysicalIndex .219.1.1, entPhysicalName, hwEntityTrapFaultID .219.1.3): the fault id
  says which threshold (Huawei alarm reference ENTITYTRAP/4/OPTICALINVALID: 136193 output power too
  high, 136194 output too low, 136195 input too high, 136196 input too low); another id is a module
  fault; a trap without the fault id keeps the old reading, receive power low.
- Huawei HUAWEI-IF-EXT-MIB ``hwIfMonitorCrcErrorRising`` / ``hwIfMonitorCrcErrorResume`` (.41.4.1 /
  .41.4.2, objects of hwIfMonitorTable .41.1.7.1.1 indexed by the interface's ifIndex:
  hwIfMonitorCrcErrorStatistics .2, hwIfMonitorCrcErrorThreshold .3, hwIfMonitorCrcErrorInterval .4,
  hwIfMonitorName .19): CRC errors over the configured threshold on the port hwIfMonitorName names,
  else the port of the row's ifIndex.
- Juniper JUNIPER-DOM-MIB ``jnxDomAlarmSet`` / ``jnxDomAlarmCleared`` (.2636.4.18.0.1 / .2, objects
  ifDescr, jnxDomLastAlarms, jnxDomCurrentAlarms, jnxDomCurrentAlarmDate): the BITS that changed
  between last and current say which DOM alarms were set or cleared (one fact per bit).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from collectors.enums import AlarmType, ProbableCause, Severity
from collectors.snmp import oids

CISCO_SENSOR_THRESHOLD = "1.3.6.1.4.1.9.9.91.2.0.1"
CISCO_SENSOR_RECOVERY = "1.3.6.1.4.1.9.9.91.2.0.2"
JNX_DOM_ALARM_SET = "1.3.6.1.4.1.2636.4.18.0.1"
JNX_DOM_ALARM_CLEARED = "1.3.6.1.4.1.2636.4.18.0.2"
HW_ENTITY_PHYSICAL_INDEX = "1.3.6.1.4.1.2011.5.25.219.1.1"  # hwEntityPhysicalIndex
HW_TRAP_FAULT_ID = "1.3.6.1.4.1.2011.5.25.219.1.3"  # hwEntityTrapFaultID
HW_IF_MONITOR = "1.3.6.1.4.1.2011.5.25.41.1.7.1.1"  # hwIfMonitorEntry, indexed by ifIndex
HW_IF_MONITOR_CRC_STATISTICS = HW_IF_MONITOR + ".2"
HW_IF_MONITOR_CRC_THRESHOLD = HW_IF_MONITOR + ".3"
HW_IF_MONITOR_CRC_INTERVAL = HW_IF_MONITOR + ".4"
HW_IF_MONITOR_NAME = HW_IF_MONITOR + ".19"
JNX_DOM_CURRENT_ALARMS = oids.JNX_DOM + ".1"
JNX_DOM_LAST_ALARMS = oids.JNX_DOM + ".3"


@dataclass(frozen=True, slots=True)
class TrapKind:
    """What one notification OID means."""

    cause: ProbableCause
    clear: bool | None  # None: decided from the values carried
    alarm_type: AlarmType = AlarmType.COMMUNICATIONS
    severity: Severity = Severity.MAJOR
    name: str = ""
    decode: str | None = None  # a VARBIND_DECODERS key: the meaning is in the varbinds, not the OID


TRAP_TABLE: Mapping[str, TrapKind] = MappingProxyType({
    oids.LINK_DOWN: TrapKind(ProbableCause.LINK_DOWN, False, name="linkDown"),
    oids.LINK_UP: TrapKind(ProbableCause.LINK_DOWN, True, name="linkUp"),
    "1.3.6.1.4.1.2011.5.25.219.2.4.5": TrapKind(ProbableCause.RX_POWER_LOW, False, severity=Severity.CRITICAL,
                                                name="hwOpticalInvalid", decode="huawei_optical"),
    "1.3.6.1.4.1.2011.5.25.219.2.4.6": TrapKind(ProbableCause.RX_POWER_LOW, True, name="hwOpticalInvalidResume",
                                                decode="huawei_optical"),
    CISCO_SENSOR_THRESHOLD: TrapKind(ProbableCause.RX_POWER_LOW, False, severity=Severity.CRITICAL,
                                     name="entSensorThresholdNotification", decode="cisco_sensor"),
    CISCO_SENSOR_RECOVERY: TrapKind(ProbableCause.RX_POWER_LOW, True, name="entSensorThresholdRecoveryNotification",
                                    decode="cisco_sensor"),
    "1.3.6.1.4.1.2011.5.25.41.4.1": TrapKind(ProbableCause.CRC_ERRORS, False, name="hwIfMonitorCrcErrorRising",
                                             decode="huawei_if_monitor"),
    "1.3.6.1.4.1.2011.5.25.41.4.2": TrapKind(ProbableCause.CRC_ERRORS, True, name="hwIfMonitorCrcErrorResume",
                                             decode="huawei_if_monitor"),
    JNX_DOM_ALARM_SET: TrapKind(ProbableCause.UNKNOWN, False, name="jnxDomAlarmSet", decode="juniper_dom"),
    JNX_DOM_ALARM_CLEARED: TrapKind(ProbableCause.UNKNOWN, True, name="jnxDomAlarmCleared", decode="juniper_dom"),
})


@dataclass(frozen=True, slots=True)
class Fact:
    """One raise or clear a trap reports (a Juniper trap can report several)."""

    cause: ProbableCause
    clear: bool
    severity: Severity
    alarm_type: AlarmType
    specific_problem: str
    sensor: int | None = None  # Cisco entPhysicalIndex of the sensor (to find its port)
    entity: int | None = None  # Huawei entPhysicalIndex of the port/module entity (to find its port)
    port: str | None = None  # the port as the trap names it (Huawei hwIfMonitorName)
    if_index: int | None = None  # the port's ifIndex where the trap carries it in an index


# -- Cisco entity sensors ----------------------------------------------------------------------------
SENSOR_KINDS = ("rx_power", "tx_power", "temperature", "bias", "voltage")


@dataclass(frozen=True, slots=True)
class SensorInfo:
    """What the device says about one sensor: its kind and each threshold's relation
    (entSensorThresholdRelation: 1 lessThan, 2 lessOrEqual, 3 greaterThan, 4 greaterOrEqual, 5 equalTo,
    6 notEqualTo), by threshold index."""

    kind: str | None
    relations: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))


SensorResolver = Callable[[str, int], SensorInfo | None]  # (device, entPhysicalIndex) -> sensor facts

# entSensorType (SensorDataType): voltsAC 3, voltsDC 4, amperes 5, celsius 8, dBm 14
_TYPE_KIND = {3: "voltage", 4: "voltage", 5: "bias", 8: "temperature"}
_CAUSES = {
    "rx_power": (ProbableCause.RX_POWER_LOW, ProbableCause.RX_POWER_HIGH, AlarmType.COMMUNICATIONS),
    "tx_power": (ProbableCause.TX_POWER_LOW, ProbableCause.TX_POWER_HIGH, AlarmType.COMMUNICATIONS),
    "temperature": (ProbableCause.TEMPERATURE_LOW, ProbableCause.TEMPERATURE_HIGH, AlarmType.ENVIRONMENTAL),
    "bias": (ProbableCause.LASER_BIAS_LOW, ProbableCause.LASER_BIAS_HIGH, AlarmType.EQUIPMENT),
    "voltage": (ProbableCause.VOLTAGE_LOW, ProbableCause.VOLTAGE_HIGH, AlarmType.EQUIPMENT),
}
_CISCO_SEVERITY = {1: Severity.INDETERMINATE, 10: Severity.MINOR, 20: Severity.MAJOR, 30: Severity.CRITICAL}
_LOW_RELATIONS, _HIGH_RELATIONS = (1, 2), (3, 4)


def sensor_kind(sensor_type: int | None, name: str | None) -> str | None:
    """A sensor's kind from its entSensorType and entPhysicalName/Descr ("Te1/1 Receive Power Sensor");
    None when they do not say (a dBm sensor whose name gives no direction)."""
    text = (name or "").lower()
    if sensor_type == 14 or (sensor_type is None and "power" in text):
        if re.search(r"\brx\b|receive|input", text):
            return "rx_power"
        if re.search(r"\btx\b|transmit|output", text):
            return "tx_power"
        return None
    if sensor_type in _TYPE_KIND:
        return _TYPE_KIND[sensor_type]
    if sensor_type is None:
        for word, kind in (("temp", "temperature"), ("bias", "bias"), ("volt", "voltage")):
            if word in text:
                return kind
    return None


def sensor_catalog(tables: Mapping[str, Mapping[str, Any]]) -> dict[int, SensorInfo]:
    """Sensor facts of one device from walked columns (entSensorType, entPhysicalName,
    entSensorThresholdRelation): what a ``SensorResolver`` answers for that device."""
    types = tables.get(oids.CISCO_SENSOR_TYPE, {})
    names = tables.get(oids.ENT_NAME, {})
    relations: dict[int, dict[int, int]] = {}
    for suffix, relation in tables.get(oids.CISCO_THRESHOLD_RELATION, {}).items():
        sensor, _, index = suffix.partition(".")
        if sensor.isdigit() and index.isdigit() and isinstance(relation, int):
            relations.setdefault(int(sensor), {})[int(index)] = relation
    out: dict[int, SensorInfo] = {}
    for suffix, sensor_type in types.items():
        if not suffix.isdigit():
            continue
        sensor = int(suffix)
        name = names.get(suffix)
        out[sensor] = SensorInfo(sensor_kind(sensor_type if isinstance(sensor_type, int) else None,
                                             name if isinstance(name, str) else None),
                                 MappingProxyType(relations.get(sensor, {})))
    return out


def _indexed(values: Mapping[str, Any], column: str) -> list[tuple[str, Any]]:
    start = column + "."
    return [(k[len(start):], v) for k, v in values.items() if k.startswith(start)]


def _cisco_sensor(kind: TrapKind, values: Mapping[str, Any], device: str,
                  sensors: SensorResolver | None) -> list[Fact]:
    value_rows = [(s, v) for s, v in _indexed(values, oids.CISCO_SENSOR_VALUE) if s.isdigit() and isinstance(v, int)]
    limit_rows = [(s, v) for s, v in _indexed(values, oids.CISCO_THRESHOLD_VALUE) if isinstance(v, int)]
    if not value_rows or not limit_rows:
        return []
    sensor, value = int(value_rows[0][0]), value_rows[0][1]
    suffix, limit = limit_rows[0]
    index = int(suffix.rpartition(".")[2]) if suffix.rpartition(".")[2].isdigit() else None
    info = sensors(device, sensor) if sensors else None

    sensor_type = next((v for s, v in _indexed(values, oids.CISCO_SENSOR_TYPE) if s == str(sensor)), None)
    name = next((v for col in (oids.ENT_NAME, oids.ENT_DESCR) for s, v in _indexed(values, col)
                 if s == str(sensor) and isinstance(v, str)), None)
    what = sensor_kind(sensor_type if isinstance(sensor_type, int) else None, name) \
        if (sensor_type is not None or name) else None
    what = what or (info.kind if info else None)
    notes = []
    if what is None:
        what = "rx_power"  # what the receiver assumed before sensors were told apart
        notes.append("sensor kind unknown, read as receive power")

    relation = next((v for s, v in _indexed(values, oids.CISCO_THRESHOLD_RELATION) if s == suffix), None)
    if not isinstance(relation, int) and info is not None and index is not None:
        relation = info.relations.get(index)
    severity_raw = next((v for s, v in _indexed(values, oids.CISCO_THRESHOLD_SEVERITY) if s == suffix), None)
    modern = severity_raw is not None or kind.clear is True  # the 2013 MIB: .2.0.1 raises, .2.0.2 clears

    if relation in _LOW_RELATIONS or relation in _HIGH_RELATIONS:
        high = relation in _HIGH_RELATIONS
        crossed = {1: value < limit, 2: value <= limit, 3: value > limit, 4: value >= limit}[relation]
        clear = kind.clear if modern else not crossed
    elif modern:
        clear = bool(kind.clear)
        # raised: the value is past the limit; recovered: it is back on the good side
        high = (value > limit) if not clear else (value < limit)
    else:  # an old sender with neither relation nor severity: a low threshold, clear once back above
        high, clear = False, value >= limit
        notes.append("threshold relation unknown, read as a low threshold")
    low_cause, high_cause, alarm_type = _CAUSES[what]
    if clear:
        severity = Severity.CLEARED
    elif isinstance(severity_raw, int):
        severity = _CISCO_SEVERITY.get(severity_raw, kind.severity)
    else:
        severity = kind.severity
    detail = f"{kind.name} {what} {'high' if high else 'low'} value={value} threshold={limit}"
    if notes:
        detail += " (" + "; ".join(notes) + ")"
    return [Fact(high_cause if high else low_cause, clear, severity, alarm_type, detail, sensor)]


# -- Huawei optical module -----------------------------------------------------------------------
HW_OPTICAL_FAULTS: Mapping[int, tuple[ProbableCause, str]] = MappingProxyType({
    136193: (ProbableCause.TX_POWER_HIGH, "output optical power too high"),
    136194: (ProbableCause.TX_POWER_LOW, "output optical power too low"),
    136195: (ProbableCause.RX_POWER_HIGH, "input optical power too high"),
    136196: (ProbableCause.RX_POWER_LOW, "input optical power too low"),
})


def _scalar(values: Mapping[str, Any], oid: str) -> Any:
    """A notification object sent bare, as ``.0`` or with an index (senders differ)."""
    if oid in values:
        return values[oid]
    return next((v for k, v in values.items() if k.startswith(oid + ".")), None)


def huawei_entity(values: Mapping[str, Any]) -> int | None:
    """The entPhysicalIndex a Huawei entity trap is about: hwEntityPhysicalIndex, else the index of the
    entPhysicalName varbind."""
    index = _scalar(values, HW_ENTITY_PHYSICAL_INDEX)
    if isinstance(index, int) and index > 0:
        return index
    for suffix, _ in _indexed(values, oids.ENT_NAME):
        if suffix.isdigit():
            return int(suffix)
    return None


def _huawei_optical(kind: TrapKind, values: Mapping[str, Any]) -> list[Fact]:
    fault = _scalar(values, HW_TRAP_FAULT_ID)
    clear = bool(kind.clear)
    if isinstance(fault, int) and fault in HW_OPTICAL_FAULTS:
        cause, text = HW_OPTICAL_FAULTS[fault]
        detail = f"{kind.name} fault id {fault}: {text}"
    elif isinstance(fault, int):
        cause, detail = ProbableCause.EQUIPMENT_FAULT, f"{kind.name} fault id {fault}: optical module invalid"
    else:
        cause, detail = ProbableCause.RX_POWER_LOW, f"{kind.name} (no fault id, read as receive power low)"
    alarm_type = AlarmType.EQUIPMENT if cause is ProbableCause.EQUIPMENT_FAULT else AlarmType.COMMUNICATIONS
    if clear:
        severity = Severity.CLEARED
    else:
        severity = Severity.CRITICAL if cause is ProbableCause.RX_POWER_LOW else Severity.MAJOR
    return [Fact(cause, clear, severity, alarm_type, detail, entity=huawei_entity(values))]


# -- Huawei interface monitor (CRC) ----------------------------------------------------------------
def _huawei_if_monitor(kind: TrapKind, values: Mapping[str, Any]) -> list[Fact]:
    columns = {column: _indexed(values, column) for column in (
        HW_IF_MONITOR_NAME, HW_IF_MONITOR_CRC_STATISTICS, HW_IF_MONITOR_CRC_THRESHOLD, HW_IF_MONITOR_CRC_INTERVAL)}
    first = lambda column: next((v for _, v in columns[column]), None)  # noqa: E731
    name = first(HW_IF_MONITOR_NAME)
    row = next((suffix for rows in columns.values() for suffix, _ in rows if suffix.isdigit()), None)
    count, threshold, interval = (first(c) for c in (HW_IF_MONITOR_CRC_STATISTICS, HW_IF_MONITOR_CRC_THRESHOLD,
                                                     HW_IF_MONITOR_CRC_INTERVAL))
    detail = f"{kind.name} {count} CRC errors in {interval} s (threshold {threshold})"
    if not isinstance(name, str) or not name.strip():
        detail += " (no hwIfMonitorName: port from the row's ifIndex)" if row else " (no port in the trap)"
    return [Fact(kind.cause, bool(kind.clear), Severity.CLEARED if kind.clear else kind.severity, kind.alarm_type,
                 detail, port=name.strip() if isinstance(name, str) and name.strip() else None,
                 if_index=int(row) if row else None)]


# -- Juniper DOM ----------------------------------------------------------------------------------
# JnxDomAlarmId bit -> (cause, alarm type); bit 0 is the first octet's most significant bit
_JNX_BITS: Mapping[int, tuple[ProbableCause, AlarmType, str]] = MappingProxyType({
    0: (ProbableCause.LOSS_OF_SIGNAL, AlarmType.COMMUNICATIONS, "domRxLossSignalAlarm"),
    3: (ProbableCause.RX_POWER_HIGH, AlarmType.COMMUNICATIONS, "domRxLaserPowerHighAlarm"),
    4: (ProbableCause.RX_POWER_LOW, AlarmType.COMMUNICATIONS, "domRxLaserPowerLowAlarm"),
    5: (ProbableCause.LASER_BIAS_HIGH, AlarmType.EQUIPMENT, "domTxLaserBiasCurrentHighAlarm"),
    6: (ProbableCause.LASER_BIAS_LOW, AlarmType.EQUIPMENT, "domTxLaserBiasCurrentLowAlarm"),
    7: (ProbableCause.TX_POWER_HIGH, AlarmType.COMMUNICATIONS, "domTxLaserOutputPowerHighAlarm"),
    8: (ProbableCause.TX_POWER_LOW, AlarmType.COMMUNICATIONS, "domTxLaserOutputPowerLowAlarm"),
    11: (ProbableCause.EQUIPMENT_FAULT, AlarmType.EQUIPMENT, "domTxLaserFaultAlarm"),
    13: (ProbableCause.TEMPERATURE_HIGH, AlarmType.ENVIRONMENTAL, "domModuleTemperatureHighAlarm"),
    14: (ProbableCause.TEMPERATURE_LOW, AlarmType.ENVIRONMENTAL, "domModuleTemperatureLowAlarm"),
    18: (ProbableCause.TRANSCEIVER_ABSENT, AlarmType.EQUIPMENT, "domModuleRemovedAlarm"),
    19: (ProbableCause.VOLTAGE_HIGH, AlarmType.EQUIPMENT, "domModuleVoltageHighAlarm"),
    20: (ProbableCause.VOLTAGE_LOW, AlarmType.EQUIPMENT, "domModuleVoltageLowAlarm"),
})


def bits(value: Any) -> frozenset[int]:
    """Bit numbers set in a BITS value as ``adapter.to_python`` hands it over (text, or "0x" + hex
    when the octets are not UTF-8)."""
    if not isinstance(value, str):
        return frozenset()
    if value.startswith("0x") and re.fullmatch(r"0x(?:[0-9a-fA-F]{2})+", value):
        raw = bytes.fromhex(value[2:])
    else:
        raw = value.encode("utf-8")
    return frozenset(i * 8 + b for i, octet in enumerate(raw) for b in range(8) if octet & (0x80 >> b))


def _juniper_dom(kind: TrapKind, values: Mapping[str, Any]) -> list[Fact]:
    current = next((bits(v) for _, v in _indexed(values, JNX_DOM_CURRENT_ALARMS)), None)
    last = next((bits(v) for _, v in _indexed(values, JNX_DOM_LAST_ALARMS)), frozenset())
    if current is None:
        return []
    changed = (current - last or current) if not kind.clear else (last - current or last)
    out = []
    for bit in sorted(changed):
        if bit not in _JNX_BITS:
            continue
        cause, alarm_type, name = _JNX_BITS[bit]
        severity = Severity.CLEARED if kind.clear else (
            Severity.CRITICAL if cause in (ProbableCause.LOSS_OF_SIGNAL, ProbableCause.TRANSCEIVER_ABSENT)
            else Severity.MAJOR)
        out.append(Fact(cause, bool(kind.clear), severity, alarm_type, f"{kind.name} {name}"))
    return out


# How a TrapKind with ``decode`` set reads its varbinds, by that name: one entry per vendor family.
VarbindDecoder = Callable[[TrapKind, Mapping[str, Any], str, "SensorResolver | None"], list[Fact]]
VARBIND_DECODERS: Mapping[str, VarbindDecoder] = MappingProxyType({
    "cisco_sensor": _cisco_sensor,
    "juniper_dom": lambda kind, values, _device, _sensors: _juniper_dom(kind, values),
    "huawei_optical": lambda kind, values, _device, _sensors: _huawei_optical(kind, values),
    "huawei_if_monitor": lambda kind, values, _device, _sensors: _huawei_if_monitor(kind, values),
})


def facts(kind: TrapKind, values: Mapping[str, Any], device: str, sensors: SensorResolver | None = None) -> list[Fact]:
    """The raises/clears one trap of ``kind`` reports (empty: nothing we track)."""
    if kind.decode is not None:
        return VARBIND_DECODERS[kind.decode](kind, values, device, sensors)
    assert kind.clear is not None
    return [Fact(kind.cause, kind.clear, Severity.CLEARED if kind.clear else kind.severity, kind.alarm_type, kind.name)]
