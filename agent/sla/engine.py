"""``SlaEngine``: the one object the rest of faultline talks to about SLA clocks (see ``agent.sla``)."""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from agent import journal
from agent.clock import Clock
from agent.models.sla import SlaClockRow, SlaEventRow
from agent.sla import store
from agent.sla.calendar import WorkingDayCalendar
from agent.sla.clocks import compute_clocks
from agent.sla.errors import HistoryError
from agent.sla.kpis import DecidedTicket, KpiReport, compute_kpis, decided_outcomes
from agent.sla.model import (
    DEFAULT_TIER,
    ClockKind,
    ClockState,
    ClockView,
    NotificationKind,
    SlaEvent,
    SlaRules,
    TicketClocks,
    tier_of,
)
from agent.sla.model import (
    SlaEventKind as K,
)
from agent.sla.notify import Notification, emit
from agent.sla.sweep import FiredEvent, sweep

log = logging.getLogger("faultline.sla")

# How long after its last event a ticket can still decide an obligation (a report due after a long
# holiday); tickets quieter than this are not replayed for a KPI window unless a clock is still open.
KPI_LOOKBACK = timedelta(days=21)

JournalSink = Callable[..., Any]


def _lead_journal(session: Session, ticket_id: int, **kw: Any) -> Any:
    return journal.append(session, ticket_id, **kw)


@dataclass(frozen=True)
class UpcomingClock:
    ticket_id: int
    clock: ClockKind
    state: ClockState
    due_at: datetime
    remaining_seconds: float


class SlaEngine:
    """SLA clocks of the duty rules; built once per process from settings and a clock."""

    def __init__(self, settings, clock: Clock, *, journal: JournalSink | None = None,
                 worker_id: str | None = None) -> None:
        self.settings, self.clock = settings, clock
        self.cfg = settings.sla
        self.rules = SlaRules.from_settings(settings.sla)  # the default tier: the source's durations
        self.tier_rules = {name: SlaRules.from_settings(settings.sla, name) for name in settings.sla.tiers}
        self.calendar = WorkingDayCalendar(settings.timezone, settings.sla.report_day_end,
                                           holiday_files=settings.sla.holiday_files)
        self.journal: JournalSink = journal or _lead_journal
        # the sweep writes its journal entries in one statement unless a sink was given (tests, hosts)
        self.journal_in_bulk = journal is None
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"

    # --- called by the lifecycle service, inside its transaction ---------------------------------
    def on_ticket_event(self, session: Session, ticket: Any, event: K | str, at: datetime,
                        data: dict[str, Any] | None = None) -> None:
        """Record one lifecycle event and recompute the ticket's clocks (no commit: the caller's). The
        lifecycle's actions name their event themselves (agent/tickets/lifecycle.py ``sla_event``)."""
        kind = K(event)  # an unknown event is a programming error, never silently ignored
        payload = dict(data or {})
        if kind is K.CREATED:
            payload.update(self._ticket_facts(session, ticket))
        elif not self._has_history(session, ticket.id):
            # A ticket from before the SLA engine was installed: its clocks start from its creation.
            created_at = getattr(ticket, "created_at", None) or at
            log.warning("SLA ticket %s had no clock history; starting it from its creation at %s",
                        ticket.id, created_at.isoformat())
            session.add(SlaEventRow(ticket_id=ticket.id, kind=K.CREATED.value, at=min(created_at, at),
                                    data=self._ticket_facts(session, ticket) | {"backfilled": True}))
        self.record_event(session, ticket.id, kind, at, payload)
        if kind in (K.SUSPENSION_APPROVED, K.SUSPENSION_REJECTED):
            self._notify_suspension(session, ticket, kind, at, payload)

    def record_event(self, session: Session, ticket_id: int, kind: K, at: datetime,
                     data: dict[str, Any] | None = None) -> TicketClocks | None:
        row = SlaEventRow(ticket_id=ticket_id, kind=kind.value, at=at, data=data or None)
        session.add(row)
        session.flush()
        now = max(at, self.clock.now())
        try:
            events = self.history(session, ticket_id)
            tc = compute_clocks(events, self.rules_for(events), self.calendar, now)
        except HistoryError as exc:
            # The lifecycle action itself stands; the clocks of this ticket stay as they were.
            log.error("SLA ticket %s: clocks not recomputed after %s: %s", ticket_id, kind.value, exc)
            return None
        fired = store.fired_keys(session, [ticket_id])[ticket_id]
        store.project(session, ticket_id, tc, fired, now)
        return tc

    def rules_for(self, events) -> SlaRules:
        """The durations of the ticket's service-level tier (the one it arrived with)."""
        tier = tier_of(events)
        rules = self.tier_rules.get(tier)
        if rules is None:
            if tier != DEFAULT_TIER:
                log.warning("SLA tier %r of a ticket is no longer configured: the default durations apply", tier)
            return self.rules
        return rules

    def _has_history(self, session: Session, ticket_id: int) -> bool:
        return session.scalar(select(SlaEventRow.id).where(SlaEventRow.ticket_id == ticket_id).limit(1)) is not None

    def _ticket_facts(self, session: Session, ticket: Any) -> dict[str, Any]:
        facts: dict[str, Any] = {"externalId": getattr(ticket, "external_id", None),
                                 "circuitId": getattr(ticket, "circuit_id", None), "branch": None,
                                 "tier": DEFAULT_TIER}
        if facts["circuitId"]:
            from agent.models import Circuit

            circuit = session.get(Circuit, facts["circuitId"])
            if circuit is not None:
                facts["branch"] = circuit.lead_office  # the lead office (主调局) is the branch in charge
                facts["tier"] = self.cfg.customer_tiers.get(circuit.customer_id, DEFAULT_TIER)
        return facts

    def _notify_suspension(self, session: Session, ticket: Any, kind: K, at: datetime, data: dict) -> None:
        approved = kind is K.SUSPENSION_APPROVED
        note_kind = NotificationKind.SUSPENSION_APPROVED if approved else NotificationKind.SUSPENSION_REJECTED
        ref = data.get("suspension_id") or at.isoformat()
        text = ("挂起已批准 / suspension approved: SLA clocks paused" if approved
                else "挂起被驳回 / suspension rejected: SLA clocks keep running")
        emit(session, self.cfg.webhooks, Notification(
            note_kind, f"ticket-{ticket.id}:{note_kind.value}:{ref}", ticket.id, at, text,
            {"externalId": getattr(ticket, "external_id", None), "suspensionId": data.get("suspension_id"),
             "note": data.get("note")},
        ))

    # --- reading --------------------------------------------------------------------------------
    def history(self, session: Session, ticket_id: int) -> list[SlaEvent]:
        return store.histories(session, [ticket_id]).get(ticket_id, [])

    def compute(self, session: Session, ticket_id: int, now: datetime) -> TicketClocks | None:
        events = self.history(session, ticket_id)
        return compute_clocks(events, self.rules_for(events), self.calendar, now) if events else None

    def clocks_for(self, session: Session, ticket_id: int, now: datetime) -> list[ClockView]:
        """Every started clock of the ticket at ``now`` (empty for a ticket the engine never saw)."""
        tc = self.compute(session, ticket_id, now)
        return list(tc.clocks) if tc else []

    def owed_report(self, session: Session, ticket_id: int, now: datetime) -> ClockView | None:
        """The ticket's report clock while a fault report is owed (rule 10), else None."""
        tc = self.compute(session, ticket_id, now)
        report = tc.clock(ClockKind.REPORT) if tc else None
        return report if report is not None and report.met_at is None else None

    def overdue_ticket_ids_query(self, now: datetime) -> Select:
        """Ids of tickets with an obligation past its deadline and still owed (for ``?overdue=true``)."""
        return select(SlaClockRow.ticket_id).where(
            or_(
                and_(SlaClockRow.state == ClockState.BREACHED.value, SlaClockRow.met_at.is_(None)),
                and_(SlaClockRow.state == ClockState.RUNNING.value, SlaClockRow.due_at < now),
            )
        ).distinct()

    def upcoming(self, session: Session, now: datetime, within: timedelta, limit: int = 500) -> list[UpcomingClock]:
        """Running clocks falling due in (now, now + within], soonest first (the duty board)."""
        rows = session.execute(
            select(SlaClockRow.ticket_id, SlaClockRow.kind, SlaClockRow.state, SlaClockRow.due_at)
            .where(SlaClockRow.state == ClockState.RUNNING.value, SlaClockRow.due_at > now,
                   SlaClockRow.due_at <= now + within)
            .order_by(SlaClockRow.due_at).limit(limit)
        ).all()
        return [UpcomingClock(t, ClockKind(k), ClockState(s), d, (d - now).total_seconds()) for t, k, s, d in rows]

    def _window_histories(self, session: Session, start: datetime, horizon: datetime) -> tuple[set[int], dict]:
        recent = select(SlaEventRow.ticket_id).where(SlaEventRow.at >= start - KPI_LOOKBACK,
                                                     SlaEventRow.at < horizon).distinct()
        still_open = select(SlaClockRow.ticket_id).where(
            SlaClockRow.state.in_([ClockState.RUNNING.value, ClockState.PAUSED.value])).distinct()
        ids = set(session.scalars(recent)) | set(session.scalars(still_open))
        return ids, store.histories(session, ids)

    def decided(self, session: Session, start: datetime, end: datetime, now: datetime) -> list[DecidedTicket]:
        """Each ticket's obligations decided in [start, end), with its branch and tier (the assessment's cases)."""
        horizon = min(end, now)
        ids, hist = self._window_histories(session, start, horizon)
        return decided_outcomes({i: hist[i] for i in ids if hist.get(i)}, self.rules_for, self.calendar, start, end,
                                horizon)

    def kpis(self, session: Session, start: datetime, end: datetime, now: datetime) -> KpiReport:
        """Timeliness rates of obligations decided in [start, end), replayed from the histories."""
        horizon = min(end, now)
        ids, hist = self._window_histories(session, start, horizon)
        replayed = [i for i in sorted(ids) if hist.get(i)]
        return compute_kpis((hist[i] for i in replayed), self.rules_for, self.calendar, start, end, horizon,
                            ticket_ids=replayed)

    # --- the sweep --------------------------------------------------------------------------------
    def sweep(self, factory: sessionmaker[Session], now: datetime | None = None, batch: int = 500) -> list[FiredEvent]:
        """Fire every milestone due at ``now`` exactly once (journal + notification)."""
        return sweep(self, factory, now or self.clock.now(), batch)

    def escalation_contacts(self, branch: str | None, clock: ClockKind) -> list[str]:
        table = self.cfg.escalation_contacts
        entry = table.get(branch or "") or table.get("default")
        if entry is None:
            return []
        return list(entry.level1 if clock is ClockKind.ESCALATION_L1 else entry.level2)

    def escalated_leaders(self, session: Session, ticket_ids) -> dict[int, set[str]]:
        """Leaders already recorded as participants (rule 8), per ticket, in one query."""
        from agent.models import Participant

        known: dict[int, set[str]] = {t: set() for t in ticket_ids}
        if known:
            for ticket_id, name in session.execute(select(Participant.ticket_id, Participant.name).where(
                    Participant.ticket_id.in_(list(known)), Participant.party_role == "escalated_leader")):
                known[ticket_id].add(name)
        return known

    def record_escalated_leaders(self, session: Session, ticket_id: int, contacts: list[str], at: datetime,
                                 known: set[str] | None = None) -> None:
        """Rule 8: an escalated leader is a participant of the ticket. ``known``: the names recorded
        already (read once per sweep batch); it is updated with the ones added here."""
        from agent.models import Participant

        if known is None:
            known = self.escalated_leaders(session, [ticket_id])[ticket_id]
        for name in contacts:
            if name not in known:
                known.add(name)
                session.add(Participant(ticket_id=ticket_id, name=name, party_role="escalated_leader",
                                        organisation=None, contact=None, added_at=at))
