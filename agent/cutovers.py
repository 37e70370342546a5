"""Planned cutovers (割接): register, approve, list, and the approved windows triage passes on.

A cutover that affects enterprise circuits needs approval before it excuses anything (DOMAIN): a
registered but unapproved cutover is listed, never passed to the diagnosis. The caller's unit of
work commits.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from agent.errors import InvalidInput, NotFound
from agent.models import Circuit, Cutover, CutoverCircuit
from agent.tickets import Actor
from diagnosis.ticket import CutoverWindow


@dataclass(frozen=True)
class CutoverIn:
    reference: str
    starts_at: datetime
    ends_at: datetime
    circuits: tuple[str, ...]
    description: str = ""
    approved: bool = False  # registered already approved: the registering actor is the approver


def register(session: Session, req: CutoverIn, actor: Actor, now: datetime) -> Cutover:
    problems = []
    if req.ends_at <= req.starts_at:
        problems.append({"loc": "end", "msg": "the cutover must end after it starts"})
    circuits = tuple(dict.fromkeys(req.circuits))
    if not circuits:
        problems.append({"loc": "circuits", "msg": "name at least one affected circuit"})
    known = set(session.scalars(select(Circuit.id).where(Circuit.id.in_(circuits)))) if circuits else set()
    unknown = [c for c in circuits if c not in known]
    if unknown:
        problems.append({"loc": "circuits", "msg": f"not in the inventory: {', '.join(unknown)}"})
    if session.scalar(select(Cutover.id).where(Cutover.reference == req.reference)) is not None:
        problems.append({"loc": "reference", "msg": f"cutover {req.reference} is already registered"})
    if problems:
        raise InvalidInput(problems)
    row = Cutover(reference=req.reference, description=req.description, starts_at=req.starts_at, ends_at=req.ends_at,
                  created_at=now, created_by=actor.name, approved_by=actor.name if req.approved else None,
                  approved_at=now if req.approved else None,
                  circuits=[CutoverCircuit(circuit_id=c) for c in circuits])
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same reference
        raise InvalidInput([{"loc": "reference", "msg": f"cutover {req.reference} is already registered"}]) from exc
    return row


def approve(session: Session, cutover_id: int, actor: Actor, now: datetime) -> Cutover:
    row = get(session, cutover_id)
    if row.approved_by is None:
        row.approved_by, row.approved_at = actor.name, now
    return row


def get(session: Session, cutover_id: int) -> Cutover:
    row = session.get(Cutover, cutover_id, options=[selectinload(Cutover.circuits)])
    if row is None:
        raise NotFound(f"cutover {cutover_id} not found")
    return row


def listing(session: Session, *, circuit: str | None = None, active_at: datetime | None = None) -> Sequence[Cutover]:
    q = select(Cutover).options(selectinload(Cutover.circuits)).order_by(Cutover.starts_at, Cutover.id)
    if circuit is not None:
        q = q.where(Cutover.id.in_(select(CutoverCircuit.cutover_id).where(CutoverCircuit.circuit_id == circuit)))
    if active_at is not None:
        q = q.where(Cutover.starts_at <= active_at, Cutover.ends_at >= active_at)
    return session.scalars(q).all()


def approved_windows(session: Session, circuit_id: str, start: datetime, end: datetime) -> tuple[CutoverWindow, ...]:
    """The approved cutovers on this circuit that overlap [start, end], as the diagnosis takes them."""
    rows = session.scalars(
        select(Cutover).join(CutoverCircuit).where(
            CutoverCircuit.circuit_id == circuit_id, Cutover.approved_by.is_not(None),
            Cutover.starts_at <= end, Cutover.ends_at >= start).order_by(Cutover.starts_at)).all()
    return tuple(CutoverWindow(start=r.starts_at, end=r.ends_at, reference=r.reference) for r in rows)
