"""Triage results and re-runs; loop tests behind the guard."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from agent.loops import LoopRequest, loop_tests_of
from agent.models import Diagnosis
from agent.policy import Permission
from agent.tickets import Actor
from agent.triage.service import diagnoses_of
from api.deps import LoopGuardDep, SessionDep, TicketId, TriageDep, require
from api.problems import responses
from api.schemas import DiagnosisOut

router = APIRouter(prefix="/api/v1/tickets", tags=["triage"])


@router.get("/{ticket_id}/diagnoses", response_model=list[DiagnosisOut], responses=responses(401, 403, 404, 422),
            summary="Triage results of a ticket, oldest first: verdict, suspected segments, evidence "
                    "(docs/diagnosis-json.md)")
def diagnoses(ticket_id: TicketId, request: Request, session: SessionDep,
              actor: Actor = require(Permission.READ)) -> list[DiagnosisOut]:
    request.app.state.services.tickets.get(session, ticket_id)
    return [DiagnosisOut.of(d) for d in diagnoses_of(session, ticket_id)]


@router.post("/{ticket_id}/triage", status_code=200, response_model=DiagnosisOut,
             responses=responses(401, 403, 404, 422, 503), summary="Re-run triage now and return its diagnosis")
async def rerun(ticket_id: TicketId, request: Request, actor: Annotated[Actor, require(Permission.TRIAGE_RERUN)],
                triage: TriageDep) -> DiagnosisOut:
    services = request.app.state.services
    with services.session_factory() as s:
        services.tickets.get(s, ticket_id)
    result = await triage.run(ticket_id, reason=f"requested by {actor.name}")
    if result.diagnosis_id is None:
        raise HTTPException(422, "triage could not run for this ticket; see its journal")
    with services.session_factory() as s:
        return DiagnosisOut.of(s.get(Diagnosis, result.diagnosis_id))


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
