"""Triage results and re-runs; loop tests behind the guard."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from agent.loops import LoopRequest, loop_tests_of
from agent.policy import Permission
from agent.tickets import Actor
from agent.triage.service import diagnoses_of
from api.deps import LoopGuardDep, SessionDep, TicketId, TriageDep, require

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


class LoopTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._\-]+$")
    port: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z][A-Za-z0-9/.:_\-]*$")
    mode: str = Field("remote", pattern="^(local|remote)$")
    holdSeconds: int = Field(120, ge=1, le=900)


@router.post("/{ticket_id}/loop-tests", summary="Run a loop test (打环) at a port of the ticket's circuit; always cleared")
async def loop_test(ticket_id: TicketId, body: LoopTestIn, actor: Annotated[Actor, require(Permission.LOOP_TEST)],
                    guard: LoopGuardDep) -> dict[str, Any]:
    return await guard.run(ticket_id, LoopRequest(body.device, body.port, body.mode, body.holdSeconds), actor)


@router.get("/{ticket_id}/loop-tests", summary="Loop tests of a ticket, with their loop points and results")
def loop_tests(ticket_id: TicketId, request: Request, session: SessionDep, actor: Actor = require(Permission.READ)) -> list[dict[str, Any]]:
    request.app.state.services.tickets.get(session, ticket_id)
    return loop_tests_of(session, ticket_id)
