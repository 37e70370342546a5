"""Assessment figures (考核): timeliness rates computed from the clocks' decided obligations.

An obligation counts in the window in which it was decided: when it was met, or when its deadline
passed unmet. Because the clocks run on fault time, a suspended ticket is judged on its unsuspended
time only. A rate is None when nothing was decided in the window.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from agent.sla.clocks import compute_clocks
from agent.sla.errors import HistoryError
from agent.sla.model import ClockKind as C
from agent.sla.model import Outcome, ReportCalendar, SlaEvent, SlaRules, tier_of

log = logging.getLogger("faultline.sla.kpis")

KPI_CLOCKS: dict[str, tuple[C, str]] = {
    "faultHandlingTimeliness": (C.RESOLUTION, "故障处理及时率"),
    "signTimeliness": (C.SIGN, "签收及时率"),
    "contactFeedbackTimeliness": (C.CONTACT, "联系用户结果反馈及时率"),
    "progressCompliance": (C.PROGRESS, "进展追加及时率"),
    "reportTimeliness": (C.REPORT, "故障报告提交及时率"),
}


@dataclass(frozen=True)
class Kpi:
    label_zh: str
    on_time: int
    late: int

    @property
    def total(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> float | None:
        return self.on_time / self.total if self.total else None


@dataclass(frozen=True)
class KpiReport:
    start: datetime
    end: datetime
    tickets: int  # tickets replayed
    kpis: dict[str, Kpi]
    # the same rates per service-level tier (each ticket judged on its own tier's durations)
    by_tier: dict[str, dict[str, Kpi]] = field(default_factory=dict)
    # the tickets behind each figure (given ``ticket_ids``): KPI name -> (on time, late) ticket ids
    behind: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)


def compute_kpis(histories: Iterable[list[SlaEvent]], rules: SlaRules | Callable[[list[SlaEvent]], SlaRules],
                 calendar: ReportCalendar, start: datetime, end: datetime, now: datetime,
                 ticket_ids: Iterable[int] | None = None) -> KpiReport:
    """``rules``: one set for every ticket, or a function of the ticket's history (its tier's).
    ``ticket_ids``: each history's ticket, in the same order; the report then names the tickets behind
    each count (``behind``)."""
    rules_for = rules if callable(rules) else (lambda _h: rules)
    counts = {name: [0, 0] for name in KPI_CLOCKS}
    ids = iter(ticket_ids) if ticket_ids is not None else None
    behind: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in KPI_CLOCKS} if ids else {}
    tiers: dict[str, dict[str, list[int]]] = {}
    by_clock = {clock: name for name, (clock, _) in KPI_CLOCKS.items()}
    n = 0
    for history in histories:
        ticket_id = next(ids) if ids is not None else None
        # A KPI window that ends in the past replays each history only up to its end: a ticket that
        # arrived later (still open, so still listed) decided nothing in the window.
        history = [e for e in history if e.at <= now]
        if not history:
            continue
        try:
            tc = compute_clocks(history, rules_for(history), calendar, now)
        except HistoryError as exc:
            log.error("KPI: a ticket history cannot be replayed and is left out: %s", exc)
            continue
        n += 1
        tier = tiers.setdefault(tier_of(history), {name: [0, 0] for name in KPI_CLOCKS})
        for o in tc.outcomes:
            name = by_clock.get(o.clock)
            if name is not None and start <= o.decided_at < end:
                counts[name][0 if o.on_time else 1] += 1
                tier[name][0 if o.on_time else 1] += 1
                if ticket_id is not None:
                    behind[name][0 if o.on_time else 1].append(ticket_id)
    kpis = lambda c: {name: Kpi(KPI_CLOCKS[name][1], *c[name]) for name in KPI_CLOCKS}  # noqa: E731
    return KpiReport(start, end, n, kpis(counts), {t: kpis(c) for t, c in sorted(tiers.items())}, behind)


@dataclass(frozen=True)
class DecidedTicket:
    """One ticket's obligations decided in a window, with the facts its ``created`` event recorded."""

    ticket_id: int
    branch: str | None
    tier: str
    circuit_id: str | None
    outcomes: tuple[Outcome, ...]
    fault_seconds: float


def decided_outcomes(histories: dict[int, list[SlaEvent]], rules: Callable[[list[SlaEvent]], SlaRules],
                     calendar: ReportCalendar, start: datetime, end: datetime, now: datetime) -> list[DecidedTicket]:
    """Per ticket, the obligations decided in [start, end) (the same replay as ``compute_kpis``), so an
    assessment lists the cases behind each rate."""
    out = []
    for ticket_id in sorted(histories):
        history = [e for e in histories[ticket_id] if e.at <= now]
        if not history:
            continue
        try:
            tc = compute_clocks(history, rules(history), calendar, now)
        except HistoryError as exc:
            log.error("assessment: ticket %s's history cannot be replayed and is left out: %s", ticket_id, exc)
            continue
        created = next((e.data for e in history if e.kind.value == "created"), {}) or {}
        decided = tuple(o for o in tc.outcomes if start <= o.decided_at < end)
        out.append(DecidedTicket(ticket_id, created.get("branch"), tier_of(history), created.get("circuitId"),
                                 decided, tc.fault_seconds))
    return out
