"""Which SNMPv2c notification each link event becomes, per vendor.

- IF-MIB linkDown 1.3.6.1.6.3.1.1.5.3 / linkUp .4 with ifIndex, ifAdminStatus, ifOperStatus, ifDescr.
- Huawei optical: HUAWEI-ENTITY-TRAP-MIB hwOpticalInvalid 1.3.6.1.4.1.2011.5.25.219.2.4.5 and
  hwOpticalInvalidResume .2.4.6, EntityTrapFaultID 136196 = "receive power below the lower
  threshold" (Huawei alarm reference, ENTITYTRAP/4/OPTICALINVALID). Varbinds: the MIB's objects
  hwEntityPhysicalIndex (.219.1.1), entPhysicalName of the port entity and hwEntityTrapFaultID
  (.219.1.3), then the port's hwEntityOpticalRxPower (0.01 dBm); the scalars are sent without an
  instance suffix (receivers accept bare, ".0" and indexed forms).
- Cisco optical: CISCO-ENTITY-SENSOR-MIB (2013 revision, as current IOS sends it)
  entSensorThresholdNotification 1.3.6.1.4.1.9.9.91.2.0.1 for the raise, objects entSensorThresholdValue,
  entSensorValue, entSensorThresholdSeverity; entSensorThresholdRecoveryNotification .2.0.2 for the
  clear, objects entSensorValue, entSensorThresholdSeverity, entSensorThresholdValue. Of the Rx power
  sensor (0.1 dBm), low alarm threshold (index 4, severity critical(30), as in the sensor tables).
- Tx power low (an ageing laser below nominal - 4 dB, the low alarm threshold the lab reports): the
  same Huawei hwOpticalInvalid / Resume with EntityTrapFaultID 136194 and hwEntityOpticalTxPower; on
  Cisco the threshold / recovery notification of the Tx power sensor.
- Huawei CRC: HUAWEI-IF-EXT-MIB hwIfMonitorCrcErrorRising 1.3.6.1.4.1.2011.5.25.41.4.1 / Resume .4.2
  with hwIfMonitorCrcErrorStatistics/Threshold/Interval/Name (....41.1.7.1.1.2/.3/.4/.19.<ifIndex>).
- ZTE: link traps only (no optical MIB in the lab, see snmp/mib.py).
"""
from __future__ import annotations

from typing import Any

from pysnmp.proto import rfc1902

from lab.enums import LinkEventKind, Vendor
from lab.model import CRC_ALARM_INTERVAL_S, CRC_ALARM_THRESHOLD, LinkEvent, Model
from lab.physics import TX_LOW_ALARM_BELOW_NOMINAL_DB
from lab.snmp.mib import centi_dbm, tenth_dbm

COLD_START = "1.3.6.1.6.3.1.1.5.1"  # sent when a powered-off device comes back
LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
LINK_UP = "1.3.6.1.6.3.1.1.5.4"
HW_OPTICAL_INVALID = "1.3.6.1.4.1.2011.5.25.219.2.4.5"
HW_OPTICAL_INVALID_RESUME = "1.3.6.1.4.1.2011.5.25.219.2.4.6"
HW_ENTITY_PHYSICAL_INDEX = "1.3.6.1.4.1.2011.5.25.219.1.1"  # hwEntityPhysicalIndex
HW_TRAP_FAULT_ID = "1.3.6.1.4.1.2011.5.25.219.1.3"  # hwEntityTrapFaultID
FAULT_RX_LOW = 136196
FAULT_TX_LOW = 136194  # "the output power is too low" (Huawei alarm reference, ENTITYTRAP/4/OPTICALINVALID)
CISCO_SENSOR_THRESHOLD = "1.3.6.1.4.1.9.9.91.2.0.1"
CISCO_SENSOR_RECOVERY = "1.3.6.1.4.1.9.9.91.2.0.2"
CISCO_SENSOR_VALUE = "1.3.6.1.4.1.9.9.91.1.1.1.1.4"
CISCO_THRESHOLD_SEVERITY = "1.3.6.1.4.1.9.9.91.1.2.1.1.2"
CISCO_THRESHOLD_VALUE = "1.3.6.1.4.1.9.9.91.1.2.1.1.4"
CISCO_LOW_ALARM = 4  # entSensorThresholdIndex of the low alarm threshold in the lab's sensor tables
CISCO_CRITICAL = 30  # CSensorThresholdSeverity critical, the low alarm's severity there
HW_CRC_RISING = "1.3.6.1.4.1.2011.5.25.41.4.1"
HW_CRC_RESUME = "1.3.6.1.4.1.2011.5.25.41.4.2"
HW_IF_MONITOR = "1.3.6.1.4.1.2011.5.25.41.1.7.1.1"


def trap_for(event: LinkEvent, vendor: Vendor, model: Model) -> tuple[str, list[tuple[str, Any]]] | None:
    ps = model.port(event.device, event.port)
    i = ps.spec.if_index
    if event.kind in (LinkEventKind.LINK_DOWN, LinkEventKind.LINK_UP):
        oper = 1 if event.kind is LinkEventKind.LINK_UP else 2
        return (LINK_UP if oper == 1 else LINK_DOWN), [
            (f"1.3.6.1.2.1.2.2.1.1.{i}", rfc1902.Integer32(i)),
            (f"1.3.6.1.2.1.2.2.1.7.{i}", rfc1902.Integer32(1)),
            (f"1.3.6.1.2.1.2.2.1.8.{i}", rfc1902.Integer32(oper)),
            (f"1.3.6.1.2.1.2.2.1.2.{i}", rfc1902.OctetString(ps.spec.name)),
        ]
    if event.kind in (LinkEventKind.CRC_RISING, LinkEventKind.CRC_RESUME):
        if vendor is not Vendor.HUAWEI:
            return None
        model.settle(ps)
        return (HW_CRC_RISING if event.kind is LinkEventKind.CRC_RISING else HW_CRC_RESUME), [
            (f"{HW_IF_MONITOR}.2.{i}", rfc1902.Counter64(int(ps.counters["crc"]))),
            (f"{HW_IF_MONITOR}.3.{i}", rfc1902.Integer32(CRC_ALARM_THRESHOLD)),
            (f"{HW_IF_MONITOR}.4.{i}", rfc1902.Integer32(int(CRC_ALARM_INTERVAL_S))),
            (f"{HW_IF_MONITOR}.19.{i}", rfc1902.OctetString(ps.spec.name)),
        ]
    if not ps.spec.transceiver:
        return None
    if event.kind in (LinkEventKind.TX_LOW_ALARM, LinkEventKind.TX_LOW_CLEAR):
        return _tx_low_trap(event, vendor, ps)
    raised = event.kind is LinkEventKind.RX_LOW_ALARM
    if vendor is Vendor.HUAWEI:
        return _huawei_optical_trap(raised, ps, FAULT_RX_LOW, 8, event.rx_dbm)  # column 8: hwEntityOpticalRxPower
    if vendor is Vendor.CISCO:
        sensor = 1000 + 10 * i + 1 + 6  # Rx power sensor under the transceiver module (see mib.py)
        return _cisco_sensor_trap(raised, sensor, tenth_dbm(ps.spec.rx_sensitivity_dbm), tenth_dbm(event.rx_dbm))
    return None


def _huawei_optical_trap(raised: bool, ps: Any, fault_id: int, column: int, dbm: float) -> tuple[str, list[tuple[str, Any]]]:
    """hwOpticalInvalid or its resume for the port's transceiver entity, with the power column it is about."""
    ent = 16_000 + ps.spec.if_index
    return (HW_OPTICAL_INVALID if raised else HW_OPTICAL_INVALID_RESUME), [
        (HW_ENTITY_PHYSICAL_INDEX, rfc1902.Integer32(ent)),
        (f"1.3.6.1.2.1.47.1.1.1.1.7.{ent}", rfc1902.OctetString(ps.spec.name)),
        (HW_TRAP_FAULT_ID, rfc1902.Integer32(fault_id)),
        (f"1.3.6.1.4.1.2011.5.25.31.1.1.3.1.{column}.{ent}", rfc1902.Integer32(centi_dbm(dbm))),
    ]


def _cisco_sensor_trap(raised: bool, sensor: int, limit: int, value: int) -> tuple[str, list[tuple[str, Any]]]:
    """The raise or the recovery of a sensor's low alarm threshold, varbinds in the MIB's order."""
    key = f"{sensor}.{CISCO_LOW_ALARM}"
    threshold = (f"{CISCO_THRESHOLD_VALUE}.{key}", rfc1902.Integer32(limit))
    current = (f"{CISCO_SENSOR_VALUE}.{sensor}", rfc1902.Integer32(value))
    severity = (f"{CISCO_THRESHOLD_SEVERITY}.{key}", rfc1902.Integer32(CISCO_CRITICAL))
    if raised:
        return CISCO_SENSOR_THRESHOLD, [threshold, current, severity]
    return CISCO_SENSOR_RECOVERY, [current, severity, threshold]


def _tx_low_trap(event: LinkEvent, vendor: Vendor, ps: Any) -> tuple[str, list[tuple[str, Any]]] | None:
    i = ps.spec.if_index
    raised = event.kind is LinkEventKind.TX_LOW_ALARM
    if vendor is Vendor.HUAWEI:
        return _huawei_optical_trap(raised, ps, FAULT_TX_LOW, 9, event.tx_dbm)  # column 9: hwEntityOpticalTxPower
    if vendor is Vendor.CISCO:
        sensor = 1000 + 10 * i + 1 + 5  # Tx power sensor under the transceiver module (see mib.py)
        low = tenth_dbm(ps.spec.tx_dbm - TX_LOW_ALARM_BELOW_NOMINAL_DB)
        return _cisco_sensor_trap(raised, sensor, low, tenth_dbm(event.tx_dbm))
    return None
