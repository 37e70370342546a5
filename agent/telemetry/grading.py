"""Circuit health grades (电路健康) from the latest polled readings, after every poll.

Each circuit is judged by the diagnosis itself (playbook 2, the line-quality check: loss against
budget, Rx margin, error rates, utilisation against the contracted rate, status, flapping) over the
poller's latest readings of its ports, the stored alarms of its ports in the triage window, and the
rates between the last two polls; ``diagnosis.health`` turns the findings into a grade. What the
diagnosis does not see is added as reasons: an active alarm on a path port and an open ticket on the
circuit (degraded), an early warning inside the horizon (the grade stays, the date is listed).

A circuit changing grade is an event: a ``health_event`` row (no ticket journal: there may be no
ticket) and, for a turn to degraded or down and the recovery from it, an outbox row per configured
webhook (settings.sla.webhooks, kinds ``circuit.degraded`` / ``circuit.down`` / ``circuit.recovered``,
or "*"), delivered by the SLA's webhook sender, in the same transaction as the new grade.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from agent.alarms.store import as_record
from agent.db import unit_of_work
from agent.evidence import observations
from agent.inventory.targets import ResolvedCircuit, resolve_circuits
from agent.models import Alarm, CircuitHealthRow, HealthEvent, PortTrend, Ticket
from agent.models.sla import OutboxRow
from agent.polling import PolledState
from agent.tickets import OPEN
from collectors import DeviceSurvey
from collectors import readings as cr
from diagnosis.engine import diagnose
from diagnosis.enums import Grade
from diagnosis.health import RANK, CircuitGrade, Reason, grade
from diagnosis.ticket import TicketContext

log = logging.getLogger("faultline.health")


class HealthNotice(StrEnum):
    """Outbox kinds of a circuit's change of grade."""

    DEGRADED = "circuit.degraded"
    DOWN = "circuit.down"
    RECOVERED = "circuit.recovered"


_NOTICE = {Grade.DEGRADED: HealthNotice.DEGRADED, Grade.DOWN: HealthNotice.DOWN}
_TROUBLE = (Grade.DEGRADED, Grade.DOWN)


def _only_ports(survey: DeviceSurvey, names: set[str]) -> DeviceSurvey:
    keep = lambda items: tuple(i for i in items if i.port is None or i.port in names)  # noqa: E731
    return replace(survey, optical=keep(survey.optical), interfaces=keep(survey.interfaces),
                   counters=keep(survey.counters), alarms=keep(survey.alarms), errors=keep(survey.errors))


def circuit_observations(resolved: ResolvedCircuit, state: PolledState, alarms: dict[str, list[cr.AlarmRecord]]):
    """The circuit's share of the latest polls, as the evidence path maps any reading (one mapping)."""
    surveys, missing = [], {}
    ports = {(d, p) for t in resolved.targets for d, p in ((t.name, r.name) for r in t.ports)}
    for t in resolved.targets:
        sv = state.surveys.get(t.name)
        if sv is not None:
            surveys.append(_only_ports(sv, {p.name for p in t.ports}))
        else:
            missing[t.name] = state.missing.get(t.name, "not polled yet")
    second = {k: v for k, v in state.second.items() if k in ports}
    stored = [a for t in resolved.targets for a in alarms.get(t.name, ())
              if a.port is None or (a.device, a.port) in ports]
    return observations(surveys, second, resolved.speeds(), stored, missing)


@dataclass(frozen=True)
class ActiveAlarm:
    device: str
    port: str | None
    cause: str  # the probable cause (and specific problem), as the diagnosis names the alarm
    severity: str


def extra_reasons(resolved: ResolvedCircuit, active: Iterable[ActiveAlarm], tickets: Iterable[int],
                  warnings: Iterable[PortTrend]) -> list[Reason]:
    """Active alarms on the path's ports, open tickets, early warnings: what the grade adds to the diagnosis."""
    segment_of = {end.key: seg.index for seg, end in resolved.path.ports()}
    out = []
    for a in active:
        seg = segment_of.get((a.device, a.port)) if a.port else None
        where = f"{a.device} {a.port}" if a.port else a.device
        out.append(Reason(Grade.DEGRADED, "active_alarm", f"{where} 有未清除告警：{a.cause}（{a.severity}）",
                          f"active alarm on {where}: {a.cause} ({a.severity})", seg, a.device, a.port))
    for ticket_id in tickets:
        out.append(Reason(Grade.DEGRADED, "open_ticket", f"故障单 {ticket_id} 未关闭", f"fault ticket {ticket_id} is open"))
    for w in warnings:
        when = f"{w.first_crossing:%Y-%m-%d}" if w.first_crossing else "?"
        limit = next((c for c in w.crossings if c.get("at") and c.get("withinHorizon")), {})
        out.append(Reason(Grade.OK, "early_warning",
                          f"{w.device_name} {w.port_name} {w.metric} 每天 {w.slope_per_day:+.2f}，预计 {when} 越过"
                          f"{limit.get('limit', '')} {limit.get('value', '')}",
                          f"{w.device_name} {w.port_name} {w.metric} trending {w.slope_per_day:+.2f}/day: projected to "
                          f"cross its {limit.get('limit', '')} {limit.get('value', '')} on {when}",
                          segment_of.get((w.device_name, w.port_name)), w.device_name, w.port_name))
    return out


def grade_circuit(resolved: ResolvedCircuit, state: PolledState, alarms: dict[str, list[cr.AlarmRecord]],
                  tickets: Iterable[int], warnings: Iterable[PortTrend], now: datetime, window_start: datetime
                  ) -> CircuitGrade:
    obs = circuit_observations(resolved, state, alarms)
    ctx = TicketContext(kind="assist_check", symptom="latency_or_errors", reported_at=now, now=now,
                        window_start=window_start, ticket_id=f"health:{resolved.path.circuit_id}")
    result = diagnose(resolved.path, obs, ctx)
    ports = {end.key for _, end in resolved.path.ports()}
    active = [a for a in obs.alarms if a.cleared_at is None and a.port is not None and (a.device, a.port) in ports]
    # one reason per alarm, however many sources reported it
    unique = list(dict.fromkeys(ActiveAlarm(a.device, a.port, a.name, a.severity) for a in active))
    return grade(result, [s.index for s in resolved.path.segments],
                 extra_reasons(resolved, unique, tickets, warnings))


def reason_json(r: Reason) -> dict[str, Any]:
    return {"grade": r.grade.value, "code": r.code, "segment": r.segment, "device": r.device, "port": r.port,
            "zh": r.text_zh, "en": r.text_en}


@dataclass(frozen=True)
class GradeReport:
    at: datetime
    circuits: int
    changed: int
    notified: int
    duration_s: float
    by_grade: dict[str, int]


class HealthGrader:
    def __init__(self, services) -> None:
        self.services = services
        self.last: GradeReport | None = None

    async def grade(self, state: PolledState) -> GradeReport:
        return await asyncio.to_thread(self.grade_all, state)

    def grade_all(self, state: PolledState) -> GradeReport:
        t0 = time.perf_counter()
        settings = self.services.settings
        now = self.services.clock.now()
        window_start = now - timedelta(hours=settings.triage_lookback_hours)
        with unit_of_work(self.services.session_factory) as session:
            circuits = resolve_circuits(session)
            alarms = _alarms_since(session, window_start)
            tickets = _open_tickets(session)
            warnings = _warnings(session)
            rows = {r.circuit_id: r for r in session.scalars(select(CircuitHealthRow))}
            by_grade: dict[str, int] = {}
            changed = notified = 0
            for resolved in circuits:
                cid = resolved.path.circuit_id
                ports = {end.key for _, end in resolved.path.ports()}
                try:
                    g = grade_circuit(resolved, state, alarms, tickets.get(cid, ()),
                                      [w for key, ws in warnings.items() if key in ports for w in ws], now, window_start)
                except Exception as exc:  # one circuit's bad data never stops the others' grades
                    log.exception("grading %s failed", cid)
                    g = CircuitGrade(cid, Grade.UNKNOWN, "inconclusive_unreachable",
                                     (Reason(Grade.UNKNOWN, "grading_failed", f"评级失败：{exc}", f"grading failed: {exc}"),),
                                     ())
                by_grade[g.grade.value] = by_grade.get(g.grade.value, 0) + 1
                row = rows.get(cid)
                before = Grade(row.grade) if row is not None else None
                early = min((w.first_crossing for key, ws in warnings.items() if key in ports for w in ws
                             if w.flagged and w.first_crossing), default=None)
                values = dict(customer=resolved.path.customer, grade=g.grade.value, rank=g.rank, verdict=str(g.verdict),
                              reasons=[reason_json(r) for r in g.reasons],
                              segments=[{"index": s.index, "grade": s.grade.value,
                                         "reasons": [reason_json(r) for r in s.reasons]} for s in g.segments],
                              early_warning_at=early, graded_at=now)
                if row is None:
                    session.add(CircuitHealthRow(circuit_id=cid, since=now, **values))
                else:
                    for k, v in values.items():
                        setattr(row, k, v)
                    if before != g.grade:
                        row.since = now
                if before != g.grade:
                    changed += 1
                    session.add(HealthEvent(circuit_id=cid, at=now, from_grade=before and before.value,
                                            to_grade=g.grade.value, reasons=values["reasons"]))
                    notified += self._notify(session, cid, resolved.path.customer, before, g, now)
            for gone in set(rows) - {c.path.circuit_id for c in circuits}:
                session.delete(rows[gone])  # a circuit no longer in the inventory has no health
        self.last = GradeReport(now, len(circuits), changed, notified, round(time.perf_counter() - t0, 3), by_grade)
        log.info("graded %d circuits in %.1f s: %s; %d changed", len(circuits), self.last.duration_s, by_grade, changed)
        return self.last

    def _notify(self, session: Session, circuit_id: str, customer: str, before: Grade | None, g: CircuitGrade,
                now: datetime) -> int:
        if g.grade in _TROUBLE:
            kind = _NOTICE[g.grade]
        elif before in _TROUBLE and g.grade == Grade.OK:
            kind = HealthNotice.RECOVERED
        else:
            return 0
        hooks = self.services.settings.sla.webhooks
        urls = list(dict.fromkeys([*hooks.get(kind.value, []), *hooks.get("*", [])]))
        key = f"health:{circuit_id}:{g.grade.value}:{now.isoformat()}"
        payload = {"idempotencyKey": key, "kind": kind.value, "circuitId": circuit_id, "customer": customer,
                   "at": now.isoformat(), "from": before and before.value, "to": g.grade.value,
                   "verdict": str(g.verdict), "reasons": [reason_json(r) for r in g.reasons],
                   "text": f"{circuit_id} ({customer}) {before and before.value or 'new'} -> {g.grade.value}: "
                           + "; ".join(r.text_en for r in g.reasons[:3])}
        log.warning("circuit %s %s -> %s: %s", circuit_id, before, g.grade.value, payload["text"])
        if urls:
            session.execute(insert(OutboxRow), [dict(idempotency_key=key, kind=kind.value, url=url, ticket_id=None,
                                                     payload=payload, created_at=now, attempts=0, next_attempt_at=now)
                                                for url in urls])
        return len(urls)


def _alarms_since(session: Session, since: datetime) -> dict[str, list[cr.AlarmRecord]]:
    out: dict[str, list[cr.AlarmRecord]] = {}
    for a in session.scalars(select(Alarm).where(or_(Alarm.cleared_at.is_(None), Alarm.cleared_at >= since))):
        out.setdefault(a.device_name, []).append(as_record(a))
    return out


def _open_tickets(session: Session) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for cid, tid in session.execute(select(Ticket.circuit_id, Ticket.id).where(Ticket.status.in_([str(s) for s in OPEN]))
                                    .order_by(Ticket.id)):
        out.setdefault(cid, []).append(tid)
    return out


def _warnings(session: Session) -> dict[tuple[str, str], list[PortTrend]]:
    out: dict[tuple[str, str], list[PortTrend]] = {}
    for w in session.scalars(select(PortTrend).where(PortTrend.flagged.is_(True))):
        session.expunge(w)
        out.setdefault((w.device_name, w.port_name), []).append(w)
    return out


def rank_of(grade_value: str) -> int:
    return RANK[Grade(grade_value)]
