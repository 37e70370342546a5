"""Recommended actions for the findings, in the order the duty officer should take them.

Which actions a verdict gets is its `diagnosis.verdicts` entry; this module only fills the texts'
placeholders ({port}, {segment}, {excess} ...) from the finding and the evidence, each computed only
when the action's text asks for it.
"""
from __future__ import annotations

from collections.abc import Callable
from string import Formatter

from diagnosis.context import Work
from diagnosis.enums import ActionCode, SiteKind, Verdict
from diagnosis.result import Contradiction, Finding, RecommendedAction
from diagnosis.verdicts import REGISTRY
from diagnosis.wording import ACTION_TEXTS, action, fmt_db

FlapCounts = dict[tuple[str, str], int]
Param = Callable[[Work, Finding, FlapCounts], tuple[str, str]]  # (zh, en)


def _same(text: str) -> tuple[str, str]:
    return text, text


def _port(work: Work, finding: Finding, _: FlapCounts) -> tuple[str, str]:
    return _same(f"{finding.device} {finding.port}" if finding.device else "")


def _segment(work: Work, finding: Finding, _: FlapCounts) -> tuple[str, str]:
    if finding.segment is None:
        return _same("")
    seg = work.segment(finding.segment)
    return _same(f"#{finding.segment} ({seg.a.label} → {seg.z.label})")


def _worst(work: Work, name: str, finding: Finding, *, lowest: bool = False, at_port: bool = False) -> float | None:
    values = [item.value for item in work.evidence
              if item.name == name and item.segment == finding.segment
              and isinstance(item.value, (int, float)) and not isinstance(item.value, bool)
              and (not at_port or finding.port is None or item.port == finding.port)]
    if not values:
        return None
    return float(min(values) if lowest else max(values))


def _number(value: float | None) -> tuple[str, str]:
    return _same(fmt_db(value) if value is not None else "?")


def _excess(work: Work, finding: Finding, _: FlapCounts) -> tuple[str, str]:
    return _number(_worst(work, "loss_over_budget_db", finding))


def _slope(work: Work, finding: Finding, _: FlapCounts) -> tuple[str, str]:
    return _number(_worst(work, "rx_trend_db_per_day", finding, lowest=True, at_port=True))


def _count(work: Work, finding: Finding, flap_counts: FlapCounts) -> tuple[str, str]:
    return _same(str(flap_counts.get((finding.device or "", finding.port or ""), 0)))


def _tx(work: Work, finding: Finding, _: FlapCounts) -> tuple[str, str]:
    return _number(_worst(work, "tx_power_dbm", finding, lowest=True, at_port=True))


def _tx_limit(work: Work, finding: Finding, _: FlapCounts) -> tuple[str, str]:
    limits = [item.limit for item in work.evidence if item.name == "tx_power_dbm"
              and item.segment == finding.segment and item.port == finding.port and item.limit is not None]
    return _number(limits[0] if limits else None)


def _cause(work: Work, finding: Finding, _: FlapCounts) -> tuple[str, str]:
    """DOMAIN.md interruption-6 names "loose port, degraded access fiber" as controllable causes;
    only a segment that reaches the access room or the customer is access fiber (issue 10 item 7)."""
    if finding.verdict == Verdict.FLAPPING_PORT:
        return "端口松动", "loose port"
    if finding.segment is not None and {SiteKind.ACCESS_ROOM, SiteKind.CUSTOMER_PREMISES} & set(
            work.segment(finding.segment).kinds):
        return "接入光纤劣化", "degraded access fiber"
    return "光纤劣化", "degraded fiber"


def contradiction_of(work: Work, finding: Finding) -> Contradiction | None:
    return next((c for c in work.contradictions
                 if (c.segment, c.device, c.port) == (finding.segment, finding.device, finding.port)
                 and finding.reason_en.endswith(c.text_en)), None)


def _what(work: Work, finding: Finding, _: FlapCounts) -> tuple[str, str]:
    found = contradiction_of(work, finding)
    return (found.text_zh, found.text_en) if found else (finding.reason_zh, finding.reason_en)


def _check(work: Work, finding: Finding, _: FlapCounts) -> tuple[str, str]:
    found = contradiction_of(work, finding)
    return (found.check_zh, found.check_en) if found else ("重新读取这些读数", "read them again")


_PARAMS: dict[str, Param] = {
    "port": _port, "segment": _segment, "excess": _excess, "slope": _slope, "count": _count,
    "tx": _tx, "tx_limit": _tx_limit, "cause": _cause, "what": _what, "check": _check,
}


def placeholders(code: ActionCode) -> tuple[str, ...]:
    """The parameters an action's texts ask for, in order of first use."""
    names = [name for text in ACTION_TEXTS[code] for _, name, _, _ in Formatter().parse(text) if name]
    return tuple(dict.fromkeys(names))


def actions_for(work: Work, finding: Finding, flap_counts: FlapCounts | None = None) -> list[RecommendedAction]:
    """The actions the finding's verdict recommends (its registry entry), filled in for the finding;
    none for a verdict whose actions the playbook adds as a conclusion."""
    entry = REGISTRY[finding.verdict]
    if not entry.per_finding:
        return []
    out = []
    for code in entry.actions:
        zh: dict[str, object] = {}
        en: dict[str, object] = {}
        for name in placeholders(code):
            zh[name], en[name] = _PARAMS[name](work, finding, flap_counts or {})
        out.append(action(code, zh=zh, **en))
    return out


def verdict_actions(verdict: Verdict, zh: dict[str, object] | None = None, **params: object) -> list[RecommendedAction]:
    """The registry's actions of a verdict reached as a conclusion, with the playbook's parameters."""
    return [action(code, zh=zh, **params) for code in REGISTRY[verdict].actions]


def settle_contradictions(work: Work) -> list[RecommendedAction]:
    """One "settle it" action per contradiction, whatever the verdict (issue 10 item 5)."""
    return [action(ActionCode.SETTLE_CONTRADICTION, zh={"what": c.text_zh, "check": c.check_zh},
                   what=c.text_en, check=c.check_en) for c in work.contradictions]
