"""Hypothesis fuzzing of every parser with mutated real captures: either readings come out or a
ParseError carrying the raw text; never another exception. The SNMP decoders get the same treatment
with mutated table values."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.cli.alarm_logs import LAYOUTS
from collectors.cli.parse import parse_records, to_interfaces, to_optical
from collectors.errors import ParseError, Unsupported
from collectors.profiles import available, get_profile
from collectors.snmp import oids
from collectors.snmp.interfaces import decode_counters, decode_states
from collectors.snmp.mapping import PortMap
from collectors.snmp.optical import OPTICAL_MIBS

from .fixture_cases import cases, fixtures_root

pytestmark = pytest.mark.fixtures
READ_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
ROOT = fixtures_root()


def _captures() -> list[tuple[str, str, str]]:
    out = []
    for raw in sorted((ROOT / "cli").glob("*/*/*.raw")):
        platform, folder = raw.parent.parent.name, raw.parent.name
        if platform in available() and folder in get_profile(platform).parsers:
            out.append((platform, folder, raw.read_text(encoding="utf-8", errors="replace")))
    return out


CAPTURES = _captures()


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            lines = [draw(st.text(max_size=40))]
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "garble", "insert", "truncate", "numbers", "swap"]))
        if action == "drop":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "garble":
            j = draw(st.integers(0, max(len(lines[i]) - 1, 0)))
            lines[i] = lines[i][:j] + draw(st.text(max_size=8)) + lines[i][j + 1:]
        elif action == "insert":
            lines.insert(i, draw(st.text(max_size=60)))
        elif action == "truncate":
            lines = lines[:i]
        elif action == "numbers":
            lines[i] = "".join(draw(st.sampled_from(["-", "9", ".", "N/A", "x", "|", "("])) if c.isdigit() else c
                               for c in lines[i])
        else:
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
    return "\n".join(lines)


def _exercise(platform: str, folder: str, text: str) -> None:
    parser = get_profile(platform).parsers[folder]
    try:
        records = parse_records(platform, parser, text, device="d")
    except (ParseError, Unsupported) as exc:  # Unsupported: every port says it has no optics
        assert exc.raw == text
        return
    if parser.reading == "optical":
        to_optical(records, parser, "d", parser.command, READ_AT)
    elif parser.reading == "interface":
        to_interfaces(records, parser, "d", parser.command, READ_AT)
    else:
        LAYOUTS[parser.layout](records, "d", parser.command, READ_AT)


@pytest.mark.parametrize(("platform", "folder", "text"), cases(CAPTURES, 3),
                         ids=[f"{p}/{f}/{i}" for i, (p, f, _) in enumerate(CAPTURES)] or None)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_captures_parse_or_raise_parse_error(fixtures_dir, platform, folder, text, data):
    _exercise(platform, folder, data.draw(mutated(text)))


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=300))
def test_random_text_in_every_parser(text):
    for platform in available():
        for folder in get_profile(platform).parsers:
            _exercise(platform, folder, text)


snmp_values = st.one_of(st.none(), st.integers(-(2**31), 2**31), st.integers(0, 2**64), st.text(max_size=12),
                        st.sampled_from(["1.3.6.1.2.1.2.2.1.1.7", "-270.19,-250", "", "0x00", ",,", "1.3.6"]))
indexes = st.sampled_from(["1", "3", "17240324", "516", "516.0", "1063", "1063.1", "x", "1.2.3"])
columns = st.sampled_from(sorted({c for mib in OPTICAL_MIBS.values() for c in mib.columns} | {
    oids.IF_DESCR, oids.IF_NAME, oids.ENT_NAME, oids.ENT_CONTAINED_IN, oids.ENT_ALIAS_MAPPING, oids.IF_ADMIN,
    oids.IF_OPER, oids.IF_HIGH_SPEED, oids.IF_HC_IN_OCTETS, oids.IF_IN_ERRORS, oids.DOT3_DUPLEX}))


@settings(max_examples=200, deadline=None)
@given(tables=st.dictionaries(columns, st.dictionaries(indexes, snmp_values, max_size=6), max_size=12))
def test_snmp_decoders_survive_any_table_contents(tables):
    pmap = PortMap.from_tables(tables)
    for mib in OPTICAL_MIBS.values():
        for _name, _idx, reading in mib.decode(tables, pmap, "d", READ_AT, (("subslot (\\d+)/(\\d+) transceiver (\\d+)", "{0}/{1}/{2}"),)):
            assert reading.source.raw
    decode_states(tables, pmap, "d", READ_AT)
    decode_counters(tables, pmap, "d", READ_AT)
