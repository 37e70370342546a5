"""CISCO-ENTITY-SENSOR-MIB thresholds: alarm vs warning by severity and relation (pure)."""
from __future__ import annotations

import pytest

from collectors.readings import Thresholds
from collectors.snmp.optical.cisco import sensor_thresholds

LE, GE, LT, GT, EQ = 2, 4, 1, 3, 5
MINOR, MAJOR, CRITICAL = 10, 20, 30


@pytest.mark.parametrize("rows", [
    # IOS-XE (c8500, isr4321 recordings): critical alarm, minor warning, highs first
    [(CRITICAL, GE, 0.5), (MINOR, GE, 0.0), (MINOR, LE, -11.4), (CRITICAL, LE, -14.4)],
    # NX-OS (n3k recording): major alarm then minor warning, per side
    [(MAJOR, GE, 0.5), (MINOR, GE, 0.0), (MAJOR, LE, -14.4), (MINOR, LE, -11.4)],
    # major warnings listed before critical alarms: the layout the old "first non-minor" rule misread
    [(CRITICAL, GE, 0.5), (MAJOR, GE, 0.0), (MAJOR, LE, -11.4), (CRITICAL, LE, -14.4)],
    # IOS-XR (ncs55a2 recording): minor warnings, major alarms, critical rows unset (0/0)
    [(MINOR, LE, -11.4), (MINOR, GE, 0.0), (MAJOR, LE, -14.4), (MAJOR, GE, 0.5), (CRITICAL, LE, 0.0),
     (CRITICAL, GE, 0.0)],
    # strict relations, and an equalTo row that bounds no side
    [(CRITICAL, GT, 0.5), (MINOR, GT, 0.0), (MINOR, LT, -11.4), (CRITICAL, LT, -14.4), (MAJOR, EQ, -5.0)],
])
def test_alarm_is_the_highest_severity_of_each_side_and_warning_the_lower(rows):
    for order in (rows, rows[::-1]):  # the row order a platform serves never matters
        got, notes = sensor_thresholds(order)
        assert got == Thresholds(low_alarm=-14.4, low_warning=-11.4, high_warning=0.0, high_alarm=0.5)
        assert notes == ()


def test_a_10g_lr_receiver_at_minus_12_5_is_a_warning_not_below_its_sensitivity():
    th, _ = sensor_thresholds([(CRITICAL, GE, 0.5), (MAJOR, GE, 0.0), (MAJOR, LE, -11.4), (CRITICAL, LE, -14.4)])
    assert th.classify(-12.5) == "low_warning"
    assert th.classify(-14.5) == "low_alarm"


def test_one_threshold_per_side_is_an_alarm_unless_minor():
    assert sensor_thresholds([(MAJOR, LE, -14.4), (CRITICAL, GE, 0.5)])[0] == Thresholds(low_alarm=-14.4, high_alarm=0.5)
    assert sensor_thresholds([(MINOR, LE, -11.4)])[0] == Thresholds(low_warning=-11.4)


def test_three_severities_on_a_side_alarm_at_the_top_warning_at_the_bottom():
    th, _ = sensor_thresholds([(MINOR, LE, -10.0), (MAJOR, LE, -12.0), (CRITICAL, LE, -14.0)])
    assert (th.low_alarm, th.low_warning) == (-14.0, -10.0)


def test_an_inverted_severity_is_ignored_and_said_while_an_all_zero_table_is_left_for_the_sanity_check():
    th, notes = sensor_thresholds([(MINOR, LE, -11.4), (MINOR, GE, 0.0), (CRITICAL, LE, 5.0), (CRITICAL, GE, -20.0)])
    assert th == Thresholds(low_warning=-11.4, high_warning=0.0)
    assert notes and "critical" in notes[0] and "5" in notes[0]
    # nothing but placeholders: kept, so collectors.thresholds replaces them with class defaults, loudly
    th, _ = sensor_thresholds([(CRITICAL, LE, 0.0), (CRITICAL, GE, 0.0)])
    assert th == Thresholds(low_alarm=0.0, high_alarm=0.0)


def test_a_module_level_rx_sensor_beside_four_lane_sensors_is_not_a_fifth_lane():
    from datetime import UTC, datetime

    from collectors.snmp import oids
    from collectors.snmp.mapping import PortMap
    from collectors.snmp.optical.cisco import decode_cisco_sensor

    port = "HundredGigE0/0/0/24"
    names = {"101": f"{port} Receive Power Sensor"}  # the whole module
    names |= {str(101 + lane): f"{port} Lane {lane} Receive Power Sensor" for lane in range(1, 5)}
    values = {"101": -20, "102": -25, "103": -31, "104": -27, "105": -26}  # 0.1 dBm
    tables = {
        oids.IF_DESCR: {"5": port}, oids.ENT_NAME: names,
        oids.CISCO_SENSOR_TYPE: dict.fromkeys(names, 14), oids.CISCO_SENSOR_SCALE: dict.fromkeys(names, 9),
        oids.CISCO_SENSOR_PRECISION: dict.fromkeys(names, 1), oids.CISCO_SENSOR_VALUE: values,
    }
    [(name, if_index, reading)] = decode_cisco_sensor(tables, PortMap.from_tables(tables), "d", datetime.now(UTC))
    assert (name, if_index) == (port, 5)
    assert reading.rx_lanes_dbm == (-2.5, -3.1, -2.7, -2.6)
    assert reading.rx_dbm == -3.1  # the weakest lane
    assert any("module-level sensor" in n and "-2.0 dBm" in n and "4 lane sensors" in n for n in reading.notes)


def test_power_sensors_of_no_listed_port_are_handed_back_not_dropped():
    from datetime import UTC, datetime

    from collectors.snmp import oids
    from collectors.snmp.mapping import PortMap
    from collectors.snmp.optical.cisco import decode_cisco_sensor

    names = {"7": "subslot 0/0 transceiver 0 Rx Power Sensor", "8": "Chassis Temperature Sensor"}
    tables = {oids.ENT_NAME: names, oids.CISCO_SENSOR_TYPE: {"7": 14, "8": 8}, oids.CISCO_SENSOR_VALUE: {"7": -50, "8": 40}}
    unplaced: list[str] = []
    assert decode_cisco_sensor(tables, PortMap.from_tables(tables), "d", datetime.now(UTC), (), unplaced) == []
    assert unplaced == ["sensor 7 'subslot 0/0 transceiver 0 Rx Power Sensor'"]  # a board's temperature is no port's
