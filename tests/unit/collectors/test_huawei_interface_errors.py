"""Huawei 'display interface' error and discard counters in the three VRP5 block layouts (AR/lab
inline "Discard: N,  Total Error: N"; S-switch "Discard: N,  Pause: N" + "Total Error: N" alone; AR
xDSL "Packet Errors: N,  Packet Discards: N"), read from the real captures and checked against a
regex reading of each Input/Output block. The captures' counters are all zero, so each is also read
with distinct numbers written into those fields: a value read from the wrong line shows up."""
from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest

from collectors.cli.parse import parse_records, to_interfaces
from collectors.portnames import same_interface
from collectors.profiles import get_profile

from .test_cli_fixtures import read

pytestmark = pytest.mark.fixtures
READ_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
CAPTURES = ["huawei_vrp_display_interface", "huawei_vrp_display_interface1", "huawei_vrp_display_interface2",
            "ix-rnp-100G_s6730_100ge0-0-3_down"]
PORT_LINE = re.compile(r"^(\S+) current state", re.M)
# field -> (block, pattern) in the text's own words
FIELDS = {
    "in_errors": ("Input", re.compile(r"(?:Total Error|Packet Errors)\s*:\s*(\d+)")),
    "in_discards": ("Input", re.compile(r"(?<!Packet )Discards?\s*:\s*(\d+)")),
    "out_errors": ("Output", re.compile(r"(?:Total Error|Packet Errors)\s*:\s*(\d+)")),
    "out_discards": ("Output", re.compile(r"(?<!Packet )Discards?\s*:\s*(\d+)")),
}


def blocks(text: str) -> dict[str, dict[str, str]]:
    """port -> {"Input": its Input block, "Output": its Output block} (VRP5 layouts: 'Input:  N packets')."""
    starts = [(m.start(), m.group(1)) for m in PORT_LINE.finditer(text)]
    out = {}
    for i, (start, port) in enumerate(starts):
        body = text[start: starts[i + 1][0] if i + 1 < len(starts) else len(text)]
        inp = re.search(r"^Input:\s+\d+ [Pp]ackets", body, re.M)
        outp = re.search(r"^Output:\s*\d+ [Pp]ackets", body, re.M)
        if inp and outp and outp.start() > inp.start():
            out[port] = {"Input": body[inp.start(): outp.start()], "Output": body[outp.start():]}
    return out


def expected(text: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for port, parts in blocks(text).items():
        for field, (block, pattern) in FIELDS.items():
            if m := pattern.search(parts[block]):
                out.setdefault(port, {})[field] = int(m.group(1))
    return out


def counters(text: str) -> dict[str, object]:
    parser = get_profile("huawei_vrp").parsers["display_interface"]
    _, samples = to_interfaces(parse_records("huawei_vrp", parser, text), parser, "d", "c", READ_AT)
    return {c.port: c for c in samples}


def renumbered(text: str) -> str:
    """The capture with a distinct number in every error/discard field (widths kept)."""
    numbers = itertools.count(101)
    return re.sub(r"((?:Total Error|Packet Errors|Packet Discards|Discard)\s*:\s*)0\b",
                  lambda m: m.group(1) + str(next(numbers)), text)


@pytest.mark.parametrize("name", CAPTURES)
@pytest.mark.parametrize("variant", ["as captured", "renumbered"])
def test_error_and_discard_counters_match_the_text(fixtures_dir, name, variant):
    text = read(fixtures_dir, "huawei_vrp", "display_interface", name + ".raw")
    if variant == "renumbered":
        text = renumbered(text)
    want = expected(text)
    assert any("in_errors" in fields for fields in want.values()), "the capture shows input errors"
    got = counters(text)
    for port, fields in want.items():
        sample = next((c for p, c in got.items() if same_interface(p, port)), None)
        assert sample is not None, port
        for field, value in fields.items():
            assert getattr(sample, field) == value, (port, field, value, getattr(sample, field))


def test_each_layout_is_in_the_captures(fixtures_dir):
    """The three layouts the template knows, each seen in a real capture."""
    texts = {n: read(fixtures_dir, "huawei_vrp", "display_interface", n + ".raw") for n in CAPTURES}
    assert re.search(r"Discard:\s+\d+,\s+Total Error:", texts["huawei_vrp_display_interface"])  # AR GE
    assert re.search(r"Packet Errors:\s+\d+,\s+Packet Discards:", texts["huawei_vrp_display_interface"])  # AR xDSL
    assert re.search(r"Discard:\s+\d+,\s+Pause:.*\n\s*\n?\s*Total Error:", texts["huawei_vrp_display_interface2"])  # S
