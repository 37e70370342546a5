"""Triage results and re-runs (loop tests: api/routers/loops.py)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request

from agent.policy import Permission
from agent.tickets import Actor
from agent.triage.service import diagnoses_of
from api.deps import SessionDep, TicketId, TriageDep, require

router = APIRouter(prefix="/api/v1/tickets", tags=["triage"])


@router.get("/{ticket_id}/diagnoses", summary="Triage results of a ticket: verdict, suspected segments, evidence")
def diagnoses(ticket_id: TicketId, request: Request, session: SessionDep, actor: Actor = require(Permission.READ)) -> list[dict[str, Any]]:
    request.app.state.services.tickets.get(session, ticket_id)
    return diagnoses_of(session, ticket_id)


@router.post("/{ticket_id}/triage", status_code=200, summary="Re-run triage now and return its diagnosis")
async def rerun(ticket_id: TicketId, request: Request, actor: Annotated[Actor, require(Permission.TRIAGE_RERUN)],
                triage: TriageDep) -> dict[str, Any]:
    services = request.app.state.services
    with services.session_factory() as s:
        services.tickets.get(s, ticket_id)
    result = await triage.run(ticket_id, reason=f"requested by {actor.name}")
    with services.session_factory() as s:
        found = [d for d in diagnoses_of(s, ticket_id) if d["id"] == result.diagnosis_id]
    if not found:
        raise HTTPException(422, "triage could not run for this ticket; see its journal")
    return found[0]
