"""Silence is the defect: over EVERY capture of a read command, the port rows / port blocks and alarm
rows are counted by a line classifier written here from the layouts (not the templates, not the
profiles' own ``rows`` patterns), and the parser must return that many readings / records - or raise
a ParseError (or, when every port says it has no light values, Unsupported) carrying the raw text."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from collectors.cli.parse import parse_records, to_optical
from collectors.errors import ParseError, Unsupported
from collectors.portnames import same_interface
from collectors.profiles import get_profile

from .capture_rows import cisco_dom_rows
from .fixture_cases import cases
from .test_cli_fixtures import CAPTURES, read

pytestmark = pytest.mark.fixtures
READ_AT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
NUM = r"[-+]?\d+(?:\.\d+)?"

# Port blocks: (line that opens a port's block, group 1 = port; what in the block is a light value)
BLOCKS = {
    "show_interface_transceiver_details": (r"^(\S+\d/\d+)\s*$", rf"^\s+(?:Rx|Tx) Power\s+{NUM}\s+dBm"),
    "show_controllers_hundredgige": (r"^Operational data for interface (\S+):", rf"^\s+\d\d\s+\S+\s+{NUM}\s+{NUM}\s+{NUM}"),
    "display_transceiver_verbose": (r"^\s*(\S+) transceiver information:", rf"(?i)^\s*(?:current )?[rt]x power\s*\(dbm\)\s*:\s*(?:{NUM}|-inf)"),
    "display_transceiver_diagnosis_interface": (r"^Port (\S+) transceiver diagnostic", rf"^(?:Rx|Tx)Power\S*\s+{NUM}"),
    "show_interfaces_diagnostics_optics": (r"^Physical interface: (\S+)", rf"(?:Receiver signal average optical power|Laser receiver power|Laser output power)\s*:.*{NUM} dBm"),
    "show_opticalinfo": (r"^Interface\s*:\s*(\S+)", rf"[RT]xPower\(dBm\)\s*:\s*{NUM}"),
}
# Alarm rows: a log line with a %FACILITY-SEVERITY-MNEMONIC tag, a dated table row
ALARM_ROWS = {
    "show_logging": r"%[A-Z][\w-]*-\d-\w+",
    "show_chassis_alarms": r"^\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b",
    "display_alarm_active": r"^\s*\d+(?:/|\s+0x)",
    "display_alarm_history": r"^\s*\d+(?:/|\s+0x)",
}


def optical_ports(folder: str, text: str) -> tuple[list[str], list[str]]:
    """(ports with a light value, ports the output lists without one), by layout."""
    if folder == "show_interfaces_transceiver":
        lit: list[str] = []
        dark: list[str] = []
        for m in re.finditer(r"^show interfaces? (\S+) transceiver|^IDPROM for transceiver (\S+):", text, re.M):
            port = m.group(1) or m.group(2)
            if not any(same_interface(port, p) for p in lit) and re.search(rf"Rx power Network Lane\[\d+\]\s*=\s*{NUM}", text):
                lit.append(port)
        for port, row in cisco_dom_rows(text):
            if any(same_interface(port, p) for p in lit + dark):
                continue
            (lit if re.fullmatch(NUM, row["rx"] or "") or re.fullmatch(NUM, row["tx"] or "") else dark).append(port)
        return lit, dark
    opener, value = BLOCKS[folder]
    starts = [(m.start(), m.group(1)) for m in re.finditer(opener, text, re.M)]
    lit, dark = [], []
    for i, (start, port) in enumerate(starts):
        block = text[start: starts[i + 1][0] if i + 1 < len(starts) else len(text)]
        if any(same_interface(port, p) for p in lit + dark):
            continue
        (lit if re.search(value, block, re.M) else dark).append(port)
    return lit, dark


def _ports_equal(got: list[str], expected: list[str]) -> bool:
    return len(got) == len(expected) and all(any(same_interface(g, e) for g in got) for e in expected)


# optical and alarm captures (interface captures: see test_cli_values' CRC test and the report on brief tables)
READ = [c for c in CAPTURES if get_profile(c[0]).parsers[c[1]].reading in ("optical", "alarms")]


@pytest.mark.parametrize(("platform", "folder", "name"), cases(READ, 3))
def test_every_row_of_every_capture_is_read_or_the_parse_says_why(fixtures_dir, platform, folder, name):
    parser = get_profile(platform).parsers[folder]
    text = read(fixtures_dir, platform, folder, name)
    if parser.reading == "alarms":
        rows = len(re.findall(ALARM_ROWS[folder], text, re.M))
        assert rows, "every alarm capture has rows"
        try:
            records = parse_records(platform, parser, text)
        except ParseError as exc:
            assert exc.raw == text
            return
        assert len(records) == rows
        return
    lit, dark = optical_ports(folder, text)
    assert lit or dark, "every optical capture names ports"
    try:
        records = parse_records(platform, parser, text)
    except Unsupported as exc:
        assert exc.raw == text and not lit, f"light values on {lit} reported as no optics"
        return
    except ParseError as exc:
        assert exc.raw == text
        pytest.fail(f"{name}: the capture's rows raise the silence error: {exc}")
    readings = to_optical(records, parser, "d", parser.command, READ_AT)
    assert _ports_equal([r.port for r in readings], lit), (sorted(r.port for r in readings), lit, dark)


def test_a_dropped_row_is_an_error_with_the_raw_text(fixtures_dir):
    """A row the template cannot read (an unknown mark after the Rx column) is not skipped silently."""
    parser = get_profile("cisco_ios").parsers["show_interfaces_transceiver"]
    text = read(fixtures_dir, "cisco_ios", "show_interfaces_transceiver", "napalm_low_rx_power.raw")
    broken = text.replace("-27.4 --", "-27.4 ?!")
    with pytest.raises(ParseError) as caught:
        parse_records("cisco_ios", parser, broken + "\nTe0/12       24.0       3.22      -6.8      -2.4\n")
    assert caught.value.raw.endswith("-2.4\n") and "Gi0/11" in str(caught.value)


def test_an_alarm_table_with_rows_and_no_records_is_an_error():
    parser = get_profile("huawei_vrp").parsers["display_alarm_active"]
    text = "  1/Independent/2026-12-03 07:21:18/-/0x8520003/hwIfMonitorCrcErrorRising/Major\n"  # cut short
    with pytest.raises(ParseError) as caught:
        parse_records("huawei_vrp", parser, text)
    assert caught.value.raw == text


NXOS_DAC = """\
Ethernet1/1
    transceiver is present
    type is SFP-H10GB-CU3.45M
    name is CISCO-TYCO
    cisco id is 3

DOM is not supported
"""


def test_nxos_copper_port_is_not_optical_not_a_parse_error():
    parser = get_profile("cisco_nxos").parsers["show_interface_transceiver_details"]
    with pytest.raises(Unsupported, match="not optical.*Ethernet1/1.*DOM is not supported") as caught:
        parse_records("cisco_nxos", parser, NXOS_DAC)
    assert caught.value.raw == NXOS_DAC


def test_nxos_mixed_table_reads_optics_and_names_the_copper_ports(fixtures_dir):
    parser = get_profile("cisco_nxos").parsers["show_interface_transceiver_details"]
    text = read(fixtures_dir, "cisco_nxos", "show_interface_transceiver_details", "napalm_nexus3548.raw")
    records = parse_records("cisco_nxos", parser, text)
    no_dom = {r["interface"] for r in records if r.get("no_optics")}
    blocks = re.split(r"^(?=Ethernet\S+\s*$)", text, flags=re.M)
    said = {b.split()[0] for b in blocks if re.search(r"DOM is not supported|transceiver is not present", b)}
    assert no_dom and no_dom == said
    assert to_optical(records, parser, "d", "c", READ_AT)  # the optical ports still give readings
