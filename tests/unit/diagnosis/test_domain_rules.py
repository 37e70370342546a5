"""Every rule of DOMAIN.md's procedures and optical facts is findable: `diagnosis.rules` names the
modules and tests, and this checks they exist and that the quotes are the source's words."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from diagnosis.rules import DOMAIN_RULES

HERE = Path(__file__).resolve().parent
SEED = HERE.parents[3] / "shared" / "seed" / "customer-response-center-workflow.zh.txt"


def _test_names() -> set[str]:
    names: set[str] = set()
    for file in HERE.glob("test_*.py"):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        names |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}
    return names


def test_every_domain_rule_names_existing_modules_and_tests() -> None:
    names = _test_names()
    missing = [(r.rule_id, t) for r in DOMAIN_RULES for t in r.tests if t not in names]
    assert missing == []
    for rule in DOMAIN_RULES:
        for module in rule.modules:
            importlib.import_module(f"diagnosis.{module}")
    assert len({r.rule_id for r in DOMAIN_RULES}) == len(DOMAIN_RULES)


def test_every_procedure_step_of_domain_md_is_covered() -> None:
    ids = {r.rule_id for r in DOMAIN_RULES}
    assert {"assist-flap-1", "assist-flap-2", "assist-flap-3", "assist-quality-1", "assist-quality-2a",
            "assist-quality-2b", "assist-quality-2c", "assist-quality-3"} <= ids
    assert {f"interruption-{n}" for n in range(1, 7)} <= ids


def test_quotes_are_the_sources_own_words() -> None:
    if not SEED.is_file():
        pytest.skip(f"source document {SEED} not present in this checkout")
    text = SEED.read_text(encoding="utf-8")
    assert [r.rule_id for r in DOMAIN_RULES if r.quote_zh not in text] == []


def test_readme_lists_every_verdict_and_every_rule() -> None:
    from diagnosis import Verdict

    readme = (HERE.parents[2] / "diagnosis" / "README.md").read_text(encoding="utf-8")
    assert [v.value for v in Verdict if f"`{v.value}`" not in readme] == []
    assert [r.rule_id for r in DOMAIN_RULES if f"| {r.rule_id} |" not in readme] == []
