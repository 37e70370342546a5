"""Every assessment rate (考核) of the source, per period and branch, each with the cases behind it.

The source (四, 考核制度) names two groups: resource-check timeliness (资源核查及时率), activation
timeliness (业务开通及时率), fault-handling timeliness (故障处理及时率) and the three reports'
timeliness (三个报告提供及时率); activation cycle time (业务开通周期), quarterly-report timeliness
(季报上报及时性) and response-work completion (响应工作完成情况).

What each counts here:

- ``faultHandlingTimeliness``: the fault-handling limit (rule 7's clock on fault time, net of approved
  suspensions) decided in the period: repaired in time or its limit passed (the SLA engine's replay).
- ``reportsTimeliness``: the reports faultline keeps with a due date: the fault report (rule 10), the
  operation report (运行分析报告) and the quarterly report (季报) — the source does not list the three,
  so the part of each kind is given (``parts``) and the rate is over all of them.
- ``quarterlyReportTimeliness``: the quarterly reports decided in the period.
- ``responseWorkCompletion``: the response center's tracked work raised in the period (optimisation
  requests): completed (done, or decided against) by the period's end.
- ``resourceCheckTimeliness``, ``activationTimeliness``, ``activationCycleTime``: from the circuit
  orders and resource checks, through an ``OrderRates`` provider passed to ``assess`` (the API passes
  ``agent.orders.rates.OrderRateCases``); without one these say ``available: false`` with the reason.

A deadline case is decided when it is done (on time if done by its due time) or, undone, when its due
time passes (late); it counts in the period it was decided in — the SLA KPIs' rule.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.models import Circuit, OptimisationRequest, PeriodReport, Ticket
from agent.sla import SlaEngine
from agent.sla.model import ClockKind

NOT_AVAILABLE = ("not available: no circuit-order source was given (agent.orders.rates.OrderRateCases "
                 "provides the resource checks and circuit orders)")


@dataclass(frozen=True)
class Case:
    """One case behind a rate: what (``ref``), whose (``branch``), decided when, in time or not."""

    ref: str
    branch: str | None
    decided_at: datetime
    on_time: bool
    due_at: datetime | None = None
    done_at: datetime | None = None
    value: float | None = None  # for an average (activation cycle time, days)
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        iso = lambda t: t.isoformat() if t else None  # noqa: E731
        return {"ref": self.ref, "branch": self.branch, "decidedAt": iso(self.decided_at), "onTime": self.on_time,
                "dueAt": iso(self.due_at), "doneAt": iso(self.done_at), "value": self.value, "detail": self.detail}


@dataclass(frozen=True)
class Rate:
    key: str
    label_zh: str
    label_en: str
    cases: tuple[Case, ...] = ()
    kind: str = "rate"  # rate (on time / decided) | average (mean of the cases' values)
    available: bool = True
    reason: str | None = None  # why not available
    parts: dict[str, Rate] = field(default_factory=dict)

    @property
    def on_time(self) -> int:
        return sum(1 for c in self.cases if c.on_time)

    @property
    def late(self) -> int:
        return len(self.cases) - self.on_time

    @property
    def value(self) -> float | None:
        """The rate (0..1), or the average; None with no case (nothing decided) or not available."""
        if not self.available or not self.cases:
            return None
        if self.kind == "average":
            values = [c.value for c in self.cases if c.value is not None]
            return sum(values) / len(values) if values else None
        return self.on_time / len(self.cases)

    def only(self, branch: str | None) -> Rate:
        if branch is None:
            return self
        return Rate(self.key, self.label_zh, self.label_en, tuple(c for c in self.cases if c.branch == branch),
                    self.kind, self.available, self.reason, {k: p.only(branch) for k, p in self.parts.items()})

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "labelZh": self.label_zh, "labelEn": self.label_en, "kind": self.kind,
                "available": self.available, "reason": self.reason, "value": self.value,
                "onTime": self.on_time, "late": self.late, "total": len(self.cases),
                "cases": [c.to_dict() for c in self.cases],
                "parts": {k: p.to_dict() for k, p in self.parts.items()}}


class OrderRates(Protocol):
    """What the circuit-order part provides (agent/orders, agent/checks): the cases of its rates.

    ``resource_check_cases``: resource checks (资源核查) decided in [start, end) against their limit;
    ``activation_cases``: circuit activations (业务开通) decided in the period against their limit
    (extensions applied); ``activation_cycle_cases``: activations completed in the period, each with
    ``Case.value`` = its cycle time in days (业务开通周期)."""

    def resource_check_cases(self, session: Session, start: datetime, end: datetime, now: datetime) -> list[Case]: ...

    def activation_cases(self, session: Session, start: datetime, end: datetime, now: datetime) -> list[Case]: ...

    def activation_cycle_cases(self, session: Session, start: datetime, end: datetime, now: datetime) -> list[Case]: ...


LABELS: dict[str, tuple[str, str, str]] = {
    "resourceCheckTimeliness": ("资源核查及时率", "resource-check timeliness", "rate"),
    "activationTimeliness": ("业务开通及时率", "activation timeliness", "rate"),
    "faultHandlingTimeliness": ("故障处理及时率", "fault-handling timeliness", "rate"),
    "reportsTimeliness": ("三个报告提供及时率", "the three reports' timeliness", "rate"),
    "activationCycleTime": ("业务开通周期（天）", "activation cycle time (days)", "average"),
    "quarterlyReportTimeliness": ("季报上报及时性", "quarterly-report timeliness", "rate"),
    "responseWorkCompletion": ("响应工作完成情况", "response-work completion", "rate"),
}
REPORT_PARTS = {"faultReport": ("故障报告", "fault reports"), "operationReport": ("运行分析报告", "operation reports"),
                "quarterlyReport": ("季报", "quarterly reports")}


def rate(key: str, cases: Iterable[Case], **kw: Any) -> Rate:
    zh, en, kind = LABELS[key]
    return Rate(key, zh, en, tuple(sorted(cases, key=lambda c: (c.decided_at, c.ref))), kind, **kw)


def unavailable(key: str) -> Rate:
    return rate(key, (), available=False, reason=NOT_AVAILABLE)


def deadline_case(ref: str, branch: str | None, due_at: datetime, done_at: datetime | None, start: datetime,
                  end: datetime, now: datetime, **detail: Any) -> Case | None:
    """The case of one deadline if it was decided in [start, end) by ``now``, else None."""
    if done_at is not None and done_at <= now:
        decided, on_time = done_at, done_at <= due_at
    elif due_at <= now:
        decided, on_time, done_at = due_at, False, None
    else:
        return None
    if not start <= decided < end:
        return None
    return Case(ref, branch, decided, on_time, due_at, done_at, detail=detail)


def completion_case(ref: str, branch: str | None, raised_at: datetime, completed_at: datetime | None,
                    start: datetime, end: datetime, **detail: Any) -> Case | None:
    """Work raised in [start, end): completed if finished by the period's end."""
    if not start <= raised_at < end:
        return None
    done = completed_at is not None and completed_at < end
    return Case(ref, branch, raised_at, done, None, completed_at if done else None, detail=detail)


@dataclass(frozen=True)
class Assessment:
    start: datetime
    end: datetime
    branch: str | None
    rates: dict[str, Rate]
    branches: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "branch": self.branch,
                "branches": self.branches, "rates": {k: r.to_dict() for k, r in self.rates.items()}}


def combine(start: datetime, end: datetime, branch: str | None, fault: list[Case], fault_reports: list[Case],
            operation_reports: list[Case], quarterly_reports: list[Case], work: list[Case],
            orders: OrderRates | None = None, order_cases: dict[str, list[Case]] | None = None) -> Assessment:
    """The rates from their cases (pure: the hand-computed tests call it directly)."""
    parts = {"faultReport": fault_reports, "operationReport": operation_reports, "quarterlyReport": quarterly_reports}
    reports = rate("reportsTimeliness", [c for cs in parts.values() for c in cs], parts={
        k: Rate(k, *REPORT_PARTS[k], tuple(sorted(cs, key=lambda c: (c.decided_at, c.ref)))) for k, cs in parts.items()})
    rates = {"faultHandlingTimeliness": rate("faultHandlingTimeliness", fault), "reportsTimeliness": reports,
             "quarterlyReportTimeliness": rate("quarterlyReportTimeliness", quarterly_reports),
             "responseWorkCompletion": rate("responseWorkCompletion", work)}
    for key in ("resourceCheckTimeliness", "activationTimeliness", "activationCycleTime"):
        rates[key] = rate(key, (order_cases or {}).get(key, ())) if orders is not None else unavailable(key)
    every = {c.branch for r in rates.values() for c in r.cases if c.branch}
    ordered = {k: rates[k].only(branch) for k in LABELS}
    return Assessment(start, end, branch, ordered, sorted(every))


# --- from the database ------------------------------------------------------------------------------
def customer_branches(session: Session) -> dict[str, str | None]:
    """Each customer's branch: the lead office (主调局) of its circuits (the first by circuit id)."""
    out: dict[str, str | None] = {}
    for customer_id, office in session.execute(select(Circuit.customer_id, Circuit.lead_office).order_by(Circuit.id)):
        out.setdefault(customer_id, office)
    return out


def assess(session: Session, sla: SlaEngine, start: datetime, end: datetime, now: datetime,
           branch: str | None = None, orders: OrderRates | None = None) -> Assessment:
    decided = sla.decided(session, start, end, now)
    externals = dict(session.execute(select(Ticket.id, Ticket.external_id).where(
        Ticket.id.in_([d.ticket_id for d in decided]))).all()) if decided else {}
    fault, fault_reports = [], []
    for d in decided:
        for o in d.outcomes:
            case = Case(f"ticket:{d.ticket_id}", d.branch, o.decided_at, o.on_time,
                        detail={"ticketId": d.ticket_id, "externalId": externals.get(d.ticket_id),
                                "circuitId": d.circuit_id, "tier": d.tier, "resolutionSeq": o.seq})
            if o.clock is ClockKind.RESOLUTION:
                fault.append(case)
            elif o.clock is ClockKind.REPORT:
                fault_reports.append(case)
    branches = customer_branches(session)
    op, quarterly = [], []
    for r in session.scalars(select(PeriodReport)):
        b = r.scope if r.kind == "quarterly" else branches.get(r.scope)
        case = deadline_case(f"{r.kind}-report:{r.id}", b, r.due_at, r.submitted_at, start, end, now,
                             reportId=r.id, scope=r.scope, periodStart=r.period_start.isoformat(),
                             periodEnd=r.period_end.isoformat())
        if case is not None:
            (quarterly if r.kind == "quarterly" else op).append(case)
    work = []
    for req in session.scalars(select(OptimisationRequest).where(OptimisationRequest.created_at >= start,
                                                                  OptimisationRequest.created_at < end)):
        finished = next((datetime.fromisoformat(h["at"]) for h in req.history if h.get("state") in ("done", "rejected")),
                        None)
        b = _request_branch(session, req)
        case = completion_case(f"optimisation-request:{req.id}", b, req.created_at, finished, start, end,
                               requestId=req.id, key=req.key, state=req.state)
        if case is not None:
            work.append(case)
    order_cases = None
    if orders is not None:
        order_cases = {"resourceCheckTimeliness": orders.resource_check_cases(session, start, end, now),
                       "activationTimeliness": orders.activation_cases(session, start, end, now),
                       "activationCycleTime": orders.activation_cycle_cases(session, start, end, now)}
    return combine(start, end, branch, fault, fault_reports, op, quarterly, work, orders, order_cases)


def _request_branch(session: Session, req: OptimisationRequest) -> str | None:
    """The branch of an optimisation request: the lead office of the first circuit of its evidence."""
    for cid in sorted((req.evidence or {}).get("circuits") or []):
        circuit = session.get(Circuit, cid)
        if circuit is not None:
            return circuit.lead_office
    return None
