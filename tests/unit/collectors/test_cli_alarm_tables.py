"""Alarm tables as devices print them (indented rows, descriptions continued on the next lines) and
the port of every alarm whose text names one, in any vendor's spelling and key=value form."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.cli.alarm_logs import LAYOUTS
from collectors.cli.parse import parse_records
from collectors.enums import ProbableCause
from collectors.portnames import find_port, is_port_name
from collectors.profiles import get_profile

READ_AT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)

# VRP8 (NE40E/NE8000 style): legend, then indented A/B/C/... rows; the second row's description runs
# over two lines; the port is in the alarm's own parameter list
VRP8_ACTIVE = """\
A/B/C/D/E/F/G/H/I/J
A=Sequence, B=RootKindFlag(Independent|RootCause|nonRootCause)
C=Generating time, D=Clearing time
E=ID, F=Name, G=Level, H=State
I=Description information for locating(Para info, Reason info)
J=RootCause alarm sequence(Only for nonRootCause alarm)
------------------------------------------------------------------------------
  1/Independent/2026-12-03 07:21:18+08:00/-/0x8520003/hwIfMonitorCrcErrorRising/Major/Start/OID 1.3.6.1.4.1.2011.5.25.41.4.1 The CRC error is rising. (hwIfMonitorIndex=7, hwIfMonitorCrcErrorStatistics=2720, hwIfMonitorCrcErrorThreshold=3, hwIfMonitorCrcErrorInterval=10, hwIfMonitorName=XGigabitEthernet0/0/8)
  2/Independent/2026-12-03 07:30:02+08:00/-/0x8130014/hwOpticalInvalid/Critical/Start/OID 1.3.6.1.4.1.2011.5.25.219.2.4.6 Optical Module is invalid.
    (EntityPhysicalIndex=16850186, PhysicalName="xgei-0/3/0/1", EntityTrapFaultID=136196, Reason=The input power is too low)
  3/Independent/2026-12-03 07:40:00+08:00/-/0x8130006/hwBoardFail/Major/Start/OID 1.3.6.1.4.1.2011.5.25.219.2.2.1 The board partially failed. (Slot=1, Reason=fan speed abnormal)
------------------------------------------------------------------------------
"""

# VRP5 S-series table, rows indented as printed, one description continued on the next line
VRP5_ACTIVE = """\
------------------------------------------------------------------------------
  Sequence   AlarmId    Severity Date Time  Description
------------------------------------------------------------------------------
  1          0x813005B  Critical 2026-12-03 06:53:06 The optical module of the
                                 interface is invalid. (EntPhysicalIndex=67, EntPhysicalName=GE0/0/1)
  2          0x8520003  Major    2026-12-03 07:00:00 The CRC error is rising. (hwIfMonitorName=XGE0/0/2)
------------------------------------------------------------------------------
"""


def events(key: str, text: str):
    parser = get_profile("huawei_vrp").parsers[key]
    return LAYOUTS[parser.layout](parse_records("huawei_vrp", parser, text), "d", parser.command, READ_AT)


def test_vrp8_indented_rows_each_alarm_on_its_port():
    got = [(e.port, e.cause, e.specific_problem) for e in events("display_alarm_active", VRP8_ACTIVE)]
    assert got == [
        ("XGigabitEthernet0/0/8", ProbableCause.CRC_ERRORS, "hwIfMonitorCrcErrorRising"),
        ("xgei-0/3/0/1", ProbableCause.RX_POWER_LOW, "hwOpticalInvalid"),  # text continued on the next line
        (None, ProbableCause.UNKNOWN, "hwBoardFail"),  # a board alarm names no port: device-level
    ]
    first = events("display_alarm_active", VRP8_ACTIVE)[0]
    assert first.time == datetime(2026, 12, 2, 23, 21, 18, tzinfo=UTC)  # +08:00 taken into account


def test_vrp5_indented_rows_with_continued_description():
    got = [(e.port, e.cause) for e in events("display_alarm_active", VRP5_ACTIVE)]
    assert got == [("GE0/0/1", ProbableCause.RX_POWER_LOW), ("XGE0/0/2", ProbableCause.CRC_ERRORS)]


@pytest.mark.parametrize(("text", "port"), [
    ("(hwIfMonitorIndex=7, hwIfMonitorName=XGigabitEthernet0/0/8)", "XGigabitEthernet0/0/8"),
    ('(EntityPhysicalIndex=16850186, PhysicalName="xgei-0/3/0/1")', "xgei-0/3/0/1"),
    ("InterfaceName=GE0/1/0, OperStatus=DOWN", "GE0/1/0"),
    ("hwPhysicalPortName: 100GE1/0/3; reason optical power low", "100GE1/0/3"),
    ("Interface TenGigabitEthernet1/1/1, changed state to down", "TenGigabitEthernet1/1/1"),
    ("port xxvgei-0/1/0/4 loss of signal", "xxvgei-0/1/0/4"),
    ("Rx loss of signal on et-0/0/2:1", "et-0/0/2:1"),
    ("Slot=1 board fault, OID 1.3.6.1.4.1.2011.5.25.219.2.2.1", None),
    ("SPMB 1 not online", None),
])
def test_the_port_an_alarm_text_names(text, port):
    assert find_port(text) == port


@pytest.mark.parametrize(("name", "port"), [
    ("GigabitEthernet0/0/1", True), ("XGE0/0/1", True), ("Te1/1/1", True), ("Hu2/0/0", True),
    ("Eth1/49", True), ("xgei-0/3/0/1", True), ("ge-0/0/0", True), ("100GE0/0/3", True),
    ("Gi0/0/0.100", True), ("0x8520003", False), ("1.3.6.1", False), ("Slot1", False), ("Major", False)])
def test_port_name_spellings(name, port):
    assert is_port_name(name) is port
