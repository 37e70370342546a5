"""The duty board's rows (值班看板): open tickets with their SLA clocks, soonest deadline first.

Read from the SLA engine's clock projection (``sla_clock``, the table the sweep and the overdue filter
use) in two queries, not by replaying every history: the board must render 1,000 open tickets fast.
The rows are plain dataclasses, a thin adapter that a response model can replace later.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.models import Circuit, Customer, Ticket
from agent.models.sla import SlaClockRow
from agent.sla import ClockKind, ClockState, SlaEngine
from agent.telemetry.assurance import marks as assurance_marks
from agent.tickets import OPEN

# How long before its deadline a clock without a warning milestone of its own turns amber. A display
# choice (the rules' own warning, e.g. sign at 5 of 10 minutes, is used where the engine has one).
AMBER_LEAD = timedelta(minutes=10)
_KIND_ORDER = {k.value: i for i, k in enumerate(ClockKind)}


@dataclass(frozen=True)
class BoardClock:
    kind: str
    state: str
    due_at: datetime | None
    amber_at: datetime | None
    met_at: datetime | None
    remaining_seconds: float | None

    @property
    def owed(self) -> bool:
        """Still to be done: running, paused, or breached and not yet satisfied."""
        return self.state in (ClockState.RUNNING, ClockState.PAUSED) or (
            self.state == ClockState.BREACHED and self.met_at is None)


@dataclass(frozen=True)
class BoardRow:
    ticket_id: int
    external_id: str
    circuit_id: str
    customer: str | None
    kind: str
    symptom: str
    status: str
    reported_at: datetime
    clocks: list[BoardClock] = field(default_factory=list)
    assurance: tuple[str, ...] = ()  # the active key-assurance periods (重保) covering its circuit

    @property
    def next_due_at(self) -> datetime | None:
        dues = [c.due_at for c in self.clocks if c.owed and c.due_at is not None]
        return min(dues) if dues else None


@dataclass(frozen=True)
class BoardFilters:
    status: str | None = None
    circuit: str | None = None
    customer: str | None = None
    overdue: bool = False


def clock_of(row: SlaClockRow | tuple) -> BoardClock:
    kind, state, due, warn, met, remaining = row
    return BoardClock(kind, state, due, warn or (due - AMBER_LEAD if due else None), met, remaining)


def board_rows(session: Session, sla: SlaEngine, now: datetime, filters: BoardFilters = BoardFilters(),
               limit: int = 2000) -> list[BoardRow]:
    open_states = [s.value for s in OPEN]
    stmt = (select(Ticket.id, Ticket.external_id, Ticket.circuit_id, Customer.name, Ticket.kind, Ticket.symptom,
                   Ticket.status, Ticket.reported_at)
            .outerjoin(Circuit, Circuit.id == Ticket.circuit_id).outerjoin(Customer, Customer.id == Circuit.customer_id)
            .where(Ticket.status.in_(open_states)))
    if filters.status:
        stmt = stmt.where(Ticket.status == filters.status)
    if filters.circuit:
        stmt = stmt.where(Ticket.circuit_id.contains(filters.circuit, autoescape=True))
    if filters.customer:
        stmt = stmt.where(Customer.name.contains(filters.customer, autoescape=True))
    if filters.overdue:
        stmt = stmt.where(Ticket.id.in_(sla.overdue_ticket_ids_query(now)))
    tickets = session.execute(stmt.limit(limit)).all()
    ids = select(Ticket.id).where(Ticket.status.in_(open_states))
    clocks: dict[int, list[BoardClock]] = defaultdict(list)
    for ticket_id, *row in session.execute(
            select(SlaClockRow.ticket_id, SlaClockRow.kind, SlaClockRow.state, SlaClockRow.due_at, SlaClockRow.warn_at,
                   SlaClockRow.met_at, SlaClockRow.remaining_seconds).where(SlaClockRow.ticket_id.in_(ids))):
        clocks[ticket_id].append(clock_of(row))
    marked = assurance_marks(session, {t[2] for t in tickets}, now)
    rows = [BoardRow(t[0], *t[1:], clocks=sorted(clocks.get(t[0], []), key=lambda c: _KIND_ORDER.get(c.kind, 99)),
                     assurance=tuple(marked.get(t[2], ())))
            for t in tickets]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    rows.sort(key=lambda r: (r.next_due_at or far, r.ticket_id))
    return rows
