"""The duty board's rows (值班看板): open tickets with their SLA clocks, soonest deadline first.

Read from the SLA engine's clock projection (``sla_clock``, the table the sweep and the overdue filter
use) in two queries, not by replaying every history: the board must render 1,000 open tickets fast.
The rows are plain dataclasses, a thin adapter that a response model can replace later.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from agent.enums import ProblemLinkState
from agent.models import Circuit, Customer, ProblemTicket, ServiceProblem, Ticket
from agent.models.sla import SlaClockRow
from agent.sla import ClockKind, ClockState, SlaEngine
from agent.problems.store import OPEN_PROBLEM_STATES
from agent.telemetry.assurance import marks as assurance_marks
from agent.tickets import OPEN

# How long before its deadline a clock without a warning milestone of its own turns amber. A display
# choice (the rules' own warning, e.g. sign at 5 of 10 minutes, is used where the engine has one).
AMBER_LEAD = timedelta(minutes=10)
_KIND_ORDER = {k.value: i for i, k in enumerate(ClockKind)}
_OWED = (ClockState.RUNNING.value, ClockState.PAUSED.value)  # BoardClock.owed: these, or breached and not met
_BREACHED = ClockState.BREACHED.value


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
    next_due_at: datetime | None = None  # the soonest deadline still owed (computed once, in board_rows)
    problem_id: int | None = None  # the service problem the ticket is linked to
    assurance: tuple[str, ...] = ()  # the active key-assurance periods (重保) covering its circuit


def next_due(clocks: list[BoardClock]) -> datetime | None:
    dues = [c.due_at for c in clocks if c.owed and c.due_at is not None]
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


BOARD_LIMIT = 2000  # rows drawn; the soonest deadlines first, the page says how many are not shown


def board_rows(session: Session, sla: SlaEngine, now: datetime, filters: BoardFilters = BoardFilters(),
               limit: int = BOARD_LIMIT) -> list[BoardRow]:
    return board_page(session, sla, now, filters, limit)[0]


def board_page(session: Session, sla: SlaEngine, now: datetime, filters: BoardFilters = BoardFilters(),
               limit: int = BOARD_LIMIT) -> tuple[list[BoardRow], int]:
    """(the open tickets matching ``filters`` with the soonest next deadline first, at most ``limit``;
    how many match). When more match than are drawn, the cut is made on each ticket's earliest owed
    deadline first and only the drawn tickets' rows and clocks are read in full; otherwise all are read
    (three queries) and sorted here."""
    open_states = [s.value for s in OPEN]

    def matching(stmt):
        stmt = (stmt.outerjoin(Circuit, Circuit.id == Ticket.circuit_id)
                .outerjoin(Customer, Customer.id == Circuit.customer_id).where(Ticket.status.in_(open_states)))
        if filters.status:
            stmt = stmt.where(Ticket.status == filters.status)
        if filters.circuit:
            stmt = stmt.where(Ticket.circuit_id.contains(filters.circuit, autoescape=True))
        if filters.customer:
            stmt = stmt.where(Customer.name.contains(filters.customer, autoescape=True))
        if filters.overdue:
            stmt = stmt.where(Ticket.id.in_(sla.overdue_ticket_ids_query(now)))
        return stmt

    cols = (Ticket.id, Ticket.external_id, Ticket.circuit_id, Customer.name, Ticket.kind, Ticket.symptom,
            Ticket.status, Ticket.reported_at)
    total = session.scalar(select(func.count()).select_from(matching(select(Ticket.id)).subquery()))
    if total <= limit:  # all of them drawn: read them with their clocks, sort here
        chosen = matching(select(Ticket.id))
        tickets = {t[0]: t for t in session.execute(matching(select(*cols)))}
    else:
        # more than are drawn: each matching ticket's earliest owed deadline from four columns of its
        # clocks, the soonest kept; only those are read in full. Done here, not as a grouped query: on
        # tables not yet analysed (a fresh or bulk-loaded database) PostgreSQL planned that one as a
        # nested loop of ~4 ms per ticket (45 s for 10,000).
        # The instants are compared as the database gives them, unparsed (SQLite: the stored UTC text,
        # one format, so its order is the time order; PostgreSQL: datetimes): parsing 45,000 of them
        # was most of the cost.
        soonest: dict[int, Any] = {}
        for ticket_id, state, due, met in session.execute(
                select(SlaClockRow.ticket_id, SlaClockRow.state, type_coerce(SlaClockRow.due_at, String),
                       type_coerce(SlaClockRow.met_at, String))
                .where(SlaClockRow.ticket_id.in_(matching(select(Ticket.id))), SlaClockRow.due_at.is_not(None))):
            if state in _OWED or (state == _BREACHED and met is None):
                known = soonest.get(ticket_id)
                if known is None or due < known:
                    soonest[ticket_id] = due
        ids = session.scalars(matching(select(Ticket.id))).all()
        chosen = sorted(ids, key=lambda i: (i not in soonest, soonest.get(i, ""), i))[:limit]
        tickets = {t[0]: t for t in session.execute(matching(select(*cols)).where(Ticket.id.in_(chosen)))}
    clocks: dict[int, list[BoardClock]] = defaultdict(list)
    for ticket_id, *row in session.execute(
            select(SlaClockRow.ticket_id, SlaClockRow.kind, SlaClockRow.state, SlaClockRow.due_at, SlaClockRow.warn_at,
                   SlaClockRow.met_at, SlaClockRow.remaining_seconds).where(SlaClockRow.ticket_id.in_(chosen))):
        clocks[ticket_id].append(clock_of(row))
    problems = dict(session.execute(select(ProblemTicket.ticket_id, ProblemTicket.problem_id).where(
        ProblemTicket.ticket_id.in_(chosen), ProblemTicket.state == ProblemLinkState.LINKED.value)).all())
    marked = assurance_marks(session, {t[2] for t in tickets.values()}, now)
    rows = []
    for t in tickets.values():
        mine = sorted(clocks.get(t[0], []), key=lambda c: _KIND_ORDER.get(c.kind, 99))
        rows.append(BoardRow(t[0], *t[1:], clocks=mine, next_due_at=next_due(mine), problem_id=problems.get(t[0]),
                             assurance=tuple(marked.get(t[2], ()))))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    rows.sort(key=lambda r: (r.next_due_at or far, r.ticket_id))  # the database's order, when it cut
    return rows[:limit], total


@dataclass(frozen=True)
class ProblemChild:
    ticket_id: int
    circuit_id: str
    status: str


@dataclass(frozen=True)
class BoardProblem:
    """An open service problem (agent/problems) with its linked (child) tickets."""

    id: int
    name: str
    status: str
    category: str
    origin: str
    created_at: datetime
    resolution_proposed_at: datetime | None
    children: list[ProblemChild] = field(default_factory=list)


def board_problems(session: Session) -> list[BoardProblem]:
    """Open problems, newest first, each with its linked tickets: two queries whatever their number."""
    problems = session.execute(
        select(ServiceProblem.id, ServiceProblem.name, ServiceProblem.status, ServiceProblem.category,
               ServiceProblem.origin, ServiceProblem.created_at, ServiceProblem.resolution_proposed_at)
        .where(ServiceProblem.status.in_(OPEN_PROBLEM_STATES)).order_by(ServiceProblem.id.desc()).limit(200)).all()
    if not problems:
        return []
    children: dict[int, list[ProblemChild]] = defaultdict(list)
    for problem_id, ticket_id, circuit_id, status in session.execute(
            select(ProblemTicket.problem_id, Ticket.id, Ticket.circuit_id, Ticket.status)
            .join(Ticket, Ticket.id == ProblemTicket.ticket_id)
            .where(ProblemTicket.problem_id.in_([p[0] for p in problems]),
                   ProblemTicket.state == ProblemLinkState.LINKED.value).order_by(Ticket.id)):
        children[problem_id].append(ProblemChild(ticket_id, circuit_id, status))
    return [BoardProblem(*p, children=children.get(p[0], [])) for p in problems]
