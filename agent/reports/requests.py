"""Optimisation requests (网络优化需求): raised from a recurring-fault proposal with its evidence, the
construction decision recorded, tracked to the end (open -> in_progress -> done, or rejected)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.errors import InvalidInput, NotFound
from agent.models import OptimisationRequest
from agent.reports.errors import ReportConflict
from agent.reports.optimisation import Proposal
from agent.tickets import Actor

OPEN, IN_PROGRESS, DONE, REJECTED = "open", "in_progress", "done", "rejected"
MOVES = {OPEN: {IN_PROGRESS, REJECTED, DONE}, IN_PROGRESS: {DONE, REJECTED}, DONE: set(), REJECTED: set()}


def _step(actor: Actor, now: datetime, state: str, note: str | None, **extra: Any) -> dict[str, Any]:
    return {"at": now.isoformat(), "state": state, "actor": actor.name, "role": actor.role.value, "note": note, **extra}


def raise_request(session: Session, proposal: Proposal, actor: Actor, now: datetime,
                  needs_construction: bool | None, note: str | None = None) -> OptimisationRequest:
    busy = session.scalar(select(OptimisationRequest).where(OptimisationRequest.key == proposal.key,
                                                            OptimisationRequest.state.in_([OPEN, IN_PROGRESS])))
    if busy is not None:
        raise ReportConflict(f"optimisation request {busy.id} for {proposal.key} is {busy.state} already")
    row = OptimisationRequest(key=proposal.key, kind=proposal.kind.value, subject=proposal.subject,
                              evidence=proposal.to_dict(rank=0), state=OPEN, needs_construction=needs_construction,
                              created_at=now, created_by=actor.name, updated_at=now,
                              history=[_step(actor, now, OPEN, note, needsConstruction=needs_construction)])
    session.add(row)
    session.flush()
    return row


def progress(session: Session, request_id: int, actor: Actor, now: datetime, state: str,
             needs_construction: bool | None = None, note: str | None = None) -> OptimisationRequest:
    row = session.get(OptimisationRequest, request_id)
    if row is None:
        raise NotFound(f"optimisation request {request_id} not found")
    if state not in MOVES[row.state]:
        raise InvalidInput([{"loc": "state", "msg": f"{row.state} -> {state} is not a step of a request "
                                                    f"(allowed: {', '.join(sorted(MOVES[row.state])) or 'none'})"}])
    if needs_construction is not None:
        row.needs_construction = needs_construction
    row.state, row.updated_at = state, now
    row.history = [*row.history, _step(actor, now, state, note, needsConstruction=row.needs_construction)]
    return row


def listing(session: Session) -> list[OptimisationRequest]:
    return list(session.scalars(select(OptimisationRequest).order_by(OptimisationRequest.id)))


def request_out(row: OptimisationRequest) -> dict[str, Any]:
    track = {True: "新建工程 / new construction", False: "运维优化 / O&M optimises", None: "待定 / not decided"}
    return {"id": row.id, "key": row.key, "kind": row.kind, "subject": row.subject, "state": row.state,
            "needsConstruction": row.needs_construction, "track": track[row.needs_construction],
            "evidence": row.evidence, "createdAt": row.created_at.isoformat(), "createdBy": row.created_by,
            "updatedAt": row.updated_at.isoformat(), "history": row.history}
