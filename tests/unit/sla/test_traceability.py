"""Every duty rule (DOMAIN.md, "The duty rules (SLA)", rules 1-10) is named by a test and mapped to code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
RULES = range(1, 11)


def _test_names() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "tests").rglob("test_*.py"):
        names |= set(re.findall(r"^def (test_rule\d+_\w+)", path.read_text(encoding="utf-8"), re.M))
    return names


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_has_a_test_naming_it(rule):
    assert [n for n in _test_names() if n.startswith(f"test_rule{rule}_")], f"no test named test_rule{rule}_*"


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_is_in_the_traceability_table(rule):
    table = (REPO / "agent" / "sla" / "README.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| {rule} \| (.+)$", table, re.M)
    assert row is not None, f"rule {rule} missing in agent/sla/README.md"
    assert "test" in row.group(1) and "`" in row.group(1), f"rule {rule}: no code or test named in its row"
