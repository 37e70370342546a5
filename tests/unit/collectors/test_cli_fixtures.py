"""Every real CLI capture of a supported platform/command parses; ntc expected results match; and the
optical values read from each capture equal values this test extracts from the text by itself."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from collectors.cli.alarm_logs import LAYOUTS
from collectors.cli.parse import parse_records, to_interfaces, to_optical
from collectors.portnames import same_interface
from collectors.profiles import available, get_profile

pytestmark = pytest.mark.fixtures
READ_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)

# Capture folders of profiled platforms that the collectors deliberately do not read (yet).
NOT_READ = {
    ("cisco_ios", "ping"), ("cisco_ios", "show_controllers_t1"), ("cisco_ios", "show_interfaces_transceiver_detail"),
    ("cisco_nxos", "show_interface_counters_errors"), ("cisco_nxos", "show_interface_transceiver"),
    ("cisco_xr", "show_controllers_optics"),
    ("huawei_vrp", "display_device"), ("huawei_vrp", "display_transceiver_interface"), ("huawei_vrp", "virtual_cable_test"),
    ("juniper_junos", "show_interfaces_diagnostics_optics_display_xml"),
    ("juniper_junos", "show_interfaces_extensive"),
}


from .capture_rows import cisco_dom_rows, records_or_no_optics
from .fixture_cases import cases
from .fixture_cases import fixtures_root as _root


def captures() -> list[tuple[str, str, str]]:
    root = _root() / "cli"
    if not root.is_dir():
        return []
    out = []
    for raw in sorted(root.glob("*/*/*.raw")):
        platform, folder = raw.parent.parent.name, raw.parent.name
        if platform in available() and folder in get_profile(platform).parsers:
            out.append((platform, folder, raw.name))
    return out


CAPTURES = captures()


def read(fixtures_dir: Path, platform: str, folder: str, name: str) -> str:
    return (fixtures_dir / "cli" / platform / folder / name).read_text(encoding="utf-8", errors="replace")


def test_capture_folders_are_all_read_or_listed(fixtures_dir):
    folders = {(p.parent.name, p.name) for p in (fixtures_dir / "cli").glob("*/*") if p.is_dir()}
    profiled = {f for f in folders if f[0] in available()}
    read_ = {f for f in profiled if f[1] in get_profile(f[0]).parsers}
    assert profiled - read_ == NOT_READ
    assert len(CAPTURES) >= 30


@pytest.mark.parametrize(("platform", "folder", "name"), cases(CAPTURES, 3))
def test_every_capture_parses_into_readings(fixtures_dir, platform, folder, name):
    parser = get_profile(platform).parsers[folder]
    text = read(fixtures_dir, platform, folder, name)
    records = records_or_no_optics(platform, parser, text)
    assert records or not expected_rx(folder, text)
    if parser.reading == "interface":
        states, _ = to_interfaces(records, parser, "dev", parser.command, READ_AT)
        assert states and all(s.port for s in states)
    elif parser.reading == "alarms":
        events = LAYOUTS[parser.layout](records, "dev", parser.command, READ_AT)
        assert events and (any(e.port for e in events) or parser.layout == "junos_alarm")  # chassis alarms
    else:
        readings = to_optical(records, parser, "dev", parser.command, READ_AT)
        assert readings or not expected_rx(folder, text)


WITH_YML = [c for c in CAPTURES if get_profile(c[0]).parsers[c[1]].templates[0] == "ntc"
            and (_root() / "cli" / c[0] / c[1] / c[2].replace(".raw", ".yml")).exists()]


@pytest.mark.parametrize(("platform", "folder", "name"), cases(WITH_YML, 3))
def test_ntc_expected_results_match(fixtures_dir, platform, folder, name):
    expected_file = fixtures_dir / "cli" / platform / folder / name.replace(".raw", ".yml")
    parser = get_profile(platform).parsers[folder]
    expected = yaml.safe_load(expected_file.read_text(encoding="utf-8"))["parsed_sample"]
    records = parse_records(platform, parser, read(fixtures_dir, platform, folder, name))
    # merged parsers add our template's fields to ntc's records: ntc's own fields must be unchanged
    assert [{k: r.get(k) for k in e} for r, e in zip(records, expected, strict=True)] == expected


# -- optical values, extracted independently from the raw text ----------------------------------
_NUM = r"-?\d+(?:\.\d+)?"


def expected_rx(folder: str, text: str) -> dict[str, float]:
    """Port -> Rx dBm (weakest lane for multi-lane modules), read straight from the capture."""
    found: dict[str, list[float]] = {}

    def add(port: str | None, value: str) -> None:
        if port:
            found.setdefault(port, []).append(float(value))

    port: str | None = None
    lines = text.splitlines()
    if folder == "show_interfaces_transceiver":
        for line in lines:
            if m := re.match(r"show interfaces? (\S+) transceiver", line):
                port = m.group(1)
            elif m := re.match(rf"\s+Rx power Network Lane\[\d+\]\s*=\s*({_NUM}) dBm", line):
                add(port, m.group(1))
        for row_port, row in cisco_dom_rows(text):
            if any(same_interface(p, row_port) for p in found):
                continue  # the summary row of a module whose lanes were listed above
            if re.fullmatch(_NUM, row["rx"] or ""):
                add(row_port, row["rx"])
    elif folder == "show_interface_transceiver_details":
        for line in lines:
            if re.fullmatch(r"Ethernet\S+", line.strip()) and not line.startswith(" "):
                port = line.strip()
            elif m := re.match(rf"\s+Rx Power\s+({_NUM}) dBm", line):
                add(port, m.group(1))
    elif folder == "show_controllers_hundredgige":
        for line in lines:
            if m := re.match(r"Operational data for interface (\S+):", line):
                port = m.group(1)
            elif m := re.match(rf"\s+\d\d\s+\S+\s+{_NUM}\s+{_NUM}\s+({_NUM})\s+{_NUM}\s+{_NUM}\s*$", line):
                add(port, m.group(1))
    elif folder == "display_transceiver_verbose":
        in_rx = False
        for line in lines:
            if m := re.match(r"\s*(\S+) transceiver information:", line):
                port = m.group(1)
            if m := re.match(r"(?i)\s+(?:Current )?RX Power\s*\(dBm\)\s*:(.*)", line):
                in_rx = True
                for v in re.findall(rf"({_NUM})(?=[|(]|\s*$)", m.group(1)):
                    add(port, v)
            elif in_rx and re.match(r"\s+-?\d.*\(\s*Lane", line):
                for v in re.findall(rf"({_NUM})(?=[|(])", line):
                    add(port, v)
            else:
                in_rx = False
    elif folder == "display_transceiver_diagnosis_interface":
        in_rx = False
        for line in lines:
            if m := re.match(r"Port (\S+) transceiver diagnostic", line):
                port = m.group(1)
            if m := re.match(rf"RxPower\S*\s+({_NUM})", line):
                in_rx = True
                add(port, m.group(1))
            elif in_rx and (m := re.match(rf"\s+({_NUM})\s*\(lane", line)):
                add(port, m.group(1))
            else:
                in_rx = False
    elif folder == "show_interfaces_diagnostics_optics":
        for line in lines:
            if m := re.match(r"Physical interface: (\S+)", line):
                port = m.group(1)
            elif m := re.search(rf"(?:Receiver signal average optical power|Laser receiver power)\s*:.*/\s*({_NUM}) dBm", line):
                add(port, m.group(1))
    return {p: min(v) for p, v in found.items()}


OPTICAL = [c for c in CAPTURES if get_profile(c[0]).parsers[c[1]].reading == "optical"]


@pytest.mark.parametrize(("platform", "folder", "name"), cases(OPTICAL, 3))
def test_optical_values_match_the_text(fixtures_dir, platform, folder, name):
    parser = get_profile(platform).parsers[folder]
    text = read(fixtures_dir, platform, folder, name)
    readings = to_optical(records_or_no_optics(platform, parser, text), parser, "dev", parser.command, READ_AT)
    expected = expected_rx(folder, text)
    got = {r.port: r.rx_dbm for r in readings if r.rx_dbm is not None}
    assert got == pytest.approx(expected), (got, expected)
    for reading in readings:
        assert reading.source.method == "cli" and reading.source.ref == parser.command


@pytest.mark.parametrize(("folder", "name", "port", "rx", "state"), [
    ("display_transceiver_verbose", "misc-one-liners_s5730_10g-er_rx-los.raw", "XGigabitEthernet0/0/1", -33.98, "low_alarm"),
    ("display_transceiver_diagnosis_interface", "misc-one-liners_s5730_xge0-0-1_rx-abnormal.raw", "XGigabitEthernet0/0/1", -33.98, "low_alarm"),
])
def test_huawei_loss_of_signal_against_module_threshold(fixtures_dir, folder, name, port, rx, state):
    parser = get_profile("huawei_vrp").parsers[folder]
    reading = to_optical(parse_records("huawei_vrp", parser, read(fixtures_dir, "huawei_vrp", folder, name)), parser, "d", "c", READ_AT)[0]
    assert (reading.port, reading.rx_dbm, reading.rx_state) == (port, rx, state)
    assert reading.rx_thresholds.low_alarm == -19.79


def test_huawei_100g_bogus_thresholds_are_replaced(fixtures_dir):
    parser = get_profile("huawei_vrp").parsers["display_transceiver_verbose"]
    text = read(fixtures_dir, "huawei_vrp", "display_transceiver_verbose", "ix-rnp-100G_s6730_100ge0-0-3_lanes.raw")
    reading = to_optical(parse_records("huawei_vrp", parser, text), parser, "d", "c", READ_AT)[0]
    assert reading.rx_lanes_dbm == (-8.64, -40.0, -40.0, -40.0)
    assert any(n.startswith("bogus threshold replaced: rx") for n in reading.notes)  # low alarm 5.93 > warnings
    assert reading.rx_thresholds.low_alarm is not None and reading.rx_thresholds.low_alarm < -5
    assert reading.module == "100GBASE_SR4_QSFP28"


def test_vrp8_display_interface_reads_crc_speed_and_loopback(fixtures_dir):
    parser = get_profile("huawei_vrp").parsers["display_interface"]
    text = read(fixtures_dir, "huawei_vrp", "display_interface", "ix-rnp-100G_s6730_100ge0-0-3_down.raw")
    states, counters = to_interfaces(parse_records("huawei_vrp", parser, text), parser, "d", "c", READ_AT)
    assert (states[0].port, states[0].oper.value, states[0].speed_bps, states[0].loopback) == ("100GE0/0/3", "down", 100_000_000_000, "none")
    assert counters[0].in_crc == 0


def test_cisco_log_flap_history_pairs_down_and_up(fixtures_dir):
    from collectors.alarms import AlarmCorrelator

    parser = get_profile("cisco_ios").parsers["show_logging"]
    text = read(fixtures_dir, "cisco_ios", "show_logging", "cisco_ios_show_logging_1.raw")
    correlator = AlarmCorrelator()
    correlator.feed_all(LAYOUTS["cisco_syslog"](parse_records("cisco_ios", parser, text), "d", "show logging", READ_AT))
    [record] = correlator.records()
    assert record.port == "GigabitEthernet2/0/3" and record.probable_cause == "linkDown"
    assert (record.raised_at, record.cleared_at) == (datetime(2026, 6, 19, 3, 2, 31, tzinfo=UTC), datetime(2026, 6, 19, 3, 2, 37, tzinfo=UTC))


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Gi0/11", "GigabitEthernet0/11", True), ("Te1/49", "TenGigabitEthernet1/49", True),
    ("XGE0/0/1", "XGigabitEthernet0/0/1", True), ("Eth1/1", "Ethernet1/1", True),
    ("Gi0/1", "GigabitEthernet0/11", False), ("Te1/1", "GigabitEthernet1/1", False)])
def test_interface_name_equivalence(a, b, same):
    assert same_interface(a, b) is same
