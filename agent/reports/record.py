"""The record of one fault, read from the database in one place: the ticket, its circuit and customer,
journal, suspensions, participants, diagnoses, loop tests and the SLA clocks at ``now``.

``FaultRecord`` holds the rows as read (transient ORM objects will do); ``agent.reports.fault.draft``
turns it into the report without I/O, so the drafting is tested on hand-made records and the
reading on a real database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.models import (
    Circuit,
    Diagnosis,
    JournalEntry,
    LoopLocalisation,
    LoopTest,
    Participant,
    Suspension,
    Ticket,
)
from agent.sla import SlaEngine, TicketClocks
from agent.sla.model import tier_of

# how far back the report looks for earlier faults on the same circuit (the preventive actions)
RECURRENCE_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class FaultRecord:
    ticket: Ticket
    circuit: Circuit | None
    journal: list[JournalEntry]
    suspensions: list[Suspension]
    participants: list[Participant]
    diagnoses: list[Diagnosis]  # oldest first
    loop_tests: list[LoopTest]
    localisations: list[LoopLocalisation]
    clocks: TicketClocks | None  # None: the SLA engine never saw the ticket
    now: datetime
    timezone: str
    fault_time_limit: timedelta = timedelta(minutes=180)  # SlaRules.fault_time_limit
    tier: str = "default"  # the service-level tier the ticket arrived with
    earlier_faults: int = 0  # other tickets on the circuit in RECURRENCE_WINDOW before this one
    resolution_seq: int = 0


def load_record(session: Session, ticket: Ticket, sla: SlaEngine, now: datetime, timezone: str) -> FaultRecord:
    tid = ticket.id
    circuit = session.get(Circuit, ticket.circuit_id) if ticket.circuit_id else None
    rows = lambda model, order: list(session.scalars(select(model).where(model.ticket_id == tid).order_by(*order)))  # noqa: E731
    history = sla.history(session, tid)
    rules = sla.rules_for(history)  # the ticket's service-level tier
    tc = sla.compute(session, tid, now)
    earlier = session.scalar(select(func.count(Ticket.id)).where(
        Ticket.circuit_id == ticket.circuit_id, Ticket.id != tid,
        Ticket.created_at >= ticket.created_at - RECURRENCE_WINDOW, Ticket.created_at <= ticket.created_at)) or 0
    resolutions = [] if tc is None else [c for c in tc.clocks if c.kind.value == "report"]
    return FaultRecord(
        ticket=ticket, circuit=circuit,
        journal=rows(JournalEntry, (JournalEntry.at, JournalEntry.id)),
        suspensions=rows(Suspension, (Suspension.id,)),
        participants=rows(Participant, (Participant.id,)),
        diagnoses=rows(Diagnosis, (Diagnosis.created_at, Diagnosis.id)),
        loop_tests=rows(LoopTest, (LoopTest.id,)),
        localisations=rows(LoopLocalisation, (LoopLocalisation.id,)),
        clocks=tc, now=now, timezone=timezone, fault_time_limit=rules.fault_time_limit,
        tier=tier_of(history), earlier_faults=earlier,
        resolution_seq=resolutions[0].seq if resolutions else ticket.reopen_count,
    )
