"""The sweep: find due clocks through ``sla_clock.next_due_at`` and fire each due milestone exactly once.

Exactly once, by construction:
- a milestone is fired by inserting its key into ``sla_fired`` (unique on ticket, clock, seq, milestone)
  with ON CONFLICT DO NOTHING ... RETURNING; only the inserting transaction writes the journal entry
  and the outbox notification, and all three commit together or not at all (a crash refires later);
- on PostgreSQL the due clock rows are taken with FOR UPDATE SKIP LOCKED, so concurrent sweepers
  share the work instead of queueing on each other, and each fires only the milestones of the clock
  rows it holds. On SQLite the single writer serialises sweepers; a loser's write fails and is retried
  by its next sweep.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Select, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from agent import journal
from agent.models.sla import SlaClockRow, SlaFiredRow
from agent.sla import store, texts
from agent.sla.clocks import compute_clocks
from agent.sla.errors import HistoryError
from agent.sla.model import (
    MILESTONE_NOTIFICATION,
    ClockKind,
    Milestone,
    MilestoneKind,
    TicketClocks,
)
from agent.sla.notify import Notification, emit_many

if TYPE_CHECKING:
    from agent.sla.engine import SlaEngine

log = logging.getLogger("faultline.sla.sweep")

MAX_BATCHES_PER_SWEEP = 50  # a catch-up after downtime is spread over several sweeps beyond this


@dataclass(frozen=True)
class FiredEvent:
    ticket_id: int
    clock: ClockKind
    seq: int
    milestone: MilestoneKind
    due_at: datetime
    fired_at: datetime

    @property
    def key(self) -> str:
        return f"ticket-{self.ticket_id}:{self.clock.value}:{self.seq}:{self.milestone.value}"


def due_clocks_query(now: datetime, batch: int, postgres: bool) -> Select:
    """The clock rows due at ``now``, earliest first, through ``ix_sla_clock_next_due_at``."""
    stmt = select(SlaClockRow).where(SlaClockRow.next_due_at < now).order_by(SlaClockRow.next_due_at).limit(batch)
    return stmt.with_for_update(skip_locked=True) if postgres else stmt


def sweep(engine: SlaEngine, factory: sessionmaker[Session], now: datetime, batch: int = 500) -> list[FiredEvent]:
    """Fire everything due at ``now``; returns what this process fired."""
    out: list[FiredEvent] = []
    for _ in range(MAX_BATCHES_PER_SWEEP):
        try:
            fired, taken = _sweep_batch(engine, factory, now, batch)
        except OperationalError as exc:
            # SQLite: another writer won (busy / stale snapshot). Nothing was committed; next sweep retries.
            log.warning("SLA sweep batch rolled back, retried by the next sweep: %s", exc.orig)
            break
        out.extend(fired)
        if taken < batch:
            break
    return out


def _sweep_batch(engine: SlaEngine, factory: sessionmaker[Session], now: datetime, batch: int):
    with factory() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        rows = list(session.scalars(due_clocks_query(now, batch, postgres)))
        if not rows:
            return [], 0
        by_ticket: dict[int, list[SlaClockRow]] = defaultdict(list)
        for row in rows:
            by_ticket[row.ticket_id].append(row)
        loaded = store.resumable_histories(session, by_ticket)
        hist = {t: events for t, (events, _) in loaded.items()}
        fired = store.fired_keys(session, by_ticket)
        computed: dict[int, TicketClocks] = {}
        due: list[tuple[int, Milestone]] = []
        for ticket_id, owned in by_ticket.items():
            kinds = {r.kind for r in owned}
            try:
                tc = _replay(engine, session, hist, ticket_id, loaded.get(ticket_id, ([], None))[1], now)
            except Exception as exc:  # noqa: BLE001 - one bad history must not stop every other ticket's sweep
                log.error("SLA ticket %s: history cannot be replayed (%s: %s); its clocks are set aside until "
                          "its next event", ticket_id, type(exc).__name__, exc)
                for r in owned:
                    r.next_due_at = None
                continue
            computed[ticket_id] = tc
            due += [(ticket_id, m) for m in tc.milestones
                    if m.due_at < now and m.clock.value in kinds and m.key not in fired[ticket_id]]
        claimed = _claim(session, postgres, due, now, engine.worker_id)
        out: list[FiredEvent] = []
        notes: list[Notification] = []
        entries: list[dict] = []
        leaders = engine.escalated_leaders(session, {t for t, m in due if m.kind is MilestoneKind.ESCALATION
                                                     and (t, *m.key) in claimed})
        with session.no_autoflush:
            for ticket_id, m in due:
                if (ticket_id, *m.key) in claimed:
                    note = _fire(engine, session, ticket_id, m, computed[ticket_id], hist[ticket_id], now,
                                 leaders.get(ticket_id))
                    notes.append(note)
                    entries.append(dict(ticket_id=ticket_id, at=now, kind=f"sla_{m.kind.value}", text=note.text,
                                        data=note.data))
                    out.append(FiredEvent(ticket_id, m.clock, m.seq, m.kind, m.due_at, now))
                fired[ticket_id].add(m.key)  # fired here or, if the claim lost, by someone else
            for ticket_id, tc in computed.items():
                owned = by_ticket[ticket_id]
                store.project(session, ticket_id, tc, fired[ticket_id], now, rows=owned,
                              only_kinds={r.kind for r in owned})
        if engine.journal_in_bulk:
            journal.append_many(session, entries)
        else:
            for e in entries:
                engine.journal(session, e.pop("ticket_id"), **e)
        emit_many(session, engine.cfg.webhooks, notes)
        session.commit()
        return out, len(rows)


def _replay(engine: SlaEngine, session: Session, hist: dict, ticket_id: int, mark, now: datetime) -> TicketClocks:
    """The ticket's clocks, replayed from its progress checkpoint when it has a usable one."""
    if mark is not None and mark.at <= now:
        try:
            return compute_clocks(hist[ticket_id], engine.rules_for(hist[ticket_id]), engine.calendar, now, resume=mark)
        except HistoryError as exc:
            log.warning("SLA ticket %s: replay from the progress checkpoint failed (%s); full replay", ticket_id, exc)
    if mark is not None:  # the history was read without the entries before the checkpoint
        hist[ticket_id] = store.histories(session, [ticket_id]).get(ticket_id, [])
    events = hist.get(ticket_id, [])
    return compute_clocks(events, engine.rules_for(events), engine.calendar, now)


_PG_CLAIM = text(
    "INSERT INTO sla_fired (ticket_id, clock, seq, milestone, due_at, fired_at, fired_by) "
    "SELECT t, c, q, m, d, :now, :worker FROM unnest(CAST(:t AS integer[]), CAST(:c AS varchar[]), "
    "CAST(:q AS integer[]), CAST(:m AS varchar[]), CAST(:d AS timestamptz[])) AS claim(t, c, q, m, d) "
    "ON CONFLICT ON CONSTRAINT uq_sla_fired_key DO NOTHING RETURNING ticket_id, clock, seq, milestone"
)


def _claim(session: Session, postgres: bool, due: list[tuple[int, Milestone]], now: datetime,
           worker: str) -> set[tuple[int, str, int, str]]:
    """Insert the claims; returns the keys this transaction won (the others were fired already)."""
    won: set[tuple[int, str, int, str]] = set()
    if not due:
        return won
    if postgres:
        # one statement of fixed shape (arrays), whatever the number of claims: parsed once, not
        # rebuilt as a multi-row VALUES list per sweep
        rows = session.connection().execute(_PG_CLAIM, dict(
            t=[t for t, _ in due], c=[m.clock.value for _, m in due], q=[m.seq for _, m in due],
            m=[m.kind.value for _, m in due], d=[m.due_at for _, m in due], now=now, worker=worker))
        won.update(tuple(r) for r in rows)
        return won
    stmt = (
        sqlite.insert(SlaFiredRow.__table__)
        .on_conflict_do_nothing(index_elements=["ticket_id", "clock", "seq", "milestone"])
        .returning(SlaFiredRow.ticket_id, SlaFiredRow.clock, SlaFiredRow.seq, SlaFiredRow.milestone)
    )
    # executemany with RETURNING: SQLAlchemy batches it into multi-row INSERTs ("insertmanyvalues")
    values = [dict(ticket_id=t, clock=m.clock.value, seq=m.seq, milestone=m.kind.value, due_at=m.due_at,
                   fired_at=now, fired_by=worker) for t, m in due]
    won.update(tuple(r) for r in session.connection().execute(stmt, values))
    return won


def _fire(engine: SlaEngine, session: Session, ticket_id: int, m: Milestone, tc: TicketClocks, history,
          now, leaders: set[str] | None) -> Notification:
    """The notification of a claimed milestone (its text and data are also the journal entry's); the
    escalated leaders become participants (rule 8)."""
    created = history[0].data if history else {}
    branch = created.get("branch")
    contacts = engine.escalation_contacts(branch, m.clock) if m.kind is MilestoneKind.ESCALATION else []
    view = next((c for c in tc.clocks if c.kind is m.clock), None)
    wording = texts.describe(m, engine.rules_for(history), view, contacts, engine.calendar)
    key = f"ticket-{ticket_id}:{m.clock.value}:{m.seq}:{m.kind.value}"
    data = {
        "clock": m.clock.value, "seq": m.seq, "milestone": m.kind.value, "dueAt": m.due_at.isoformat(),
        "externalId": created.get("externalId"), "circuitId": created.get("circuitId"), "branch": branch,
    }
    if contacts:
        data["contacts"] = contacts
        data["level"] = 1 if m.clock is ClockKind.ESCALATION_L1 else 2
        engine.record_escalated_leaders(session, ticket_id, contacts, now, known=leaders)
    if m.kind is MilestoneKind.REPORT_DUE:
        data["reportDueAt"] = m.detail["report_due_at"].isoformat()
        data["workingDays"] = m.detail["working_days"]
    return Notification(MILESTONE_NOTIFICATION[m.kind], key, ticket_id, now, wording, data)

