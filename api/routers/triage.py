"""Triage results and re-runs (loop tests: api/routers/loops.py)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from agent.models import Diagnosis
from agent.policy import Permission
from agent.tickets import Actor
from agent.triage.service import diagnoses_of
from api.deps import SessionDep, TicketId, TriageDep, require
from api.problems import responses
from api.schemas import DiagnosisOut, LoopDiagnosisOut

router = APIRouter(prefix="/api/v1/tickets", tags=["triage"])


@router.get("/{ticket_id}/diagnoses", response_model=list[DiagnosisOut | LoopDiagnosisOut], responses=responses(401, 403, 404, 422),
            summary="Triage results of a ticket, oldest first: verdict, suspected segments, evidence "
                    "(docs/diagnosis-json.md)")
def diagnoses(ticket_id: TicketId, request: Request, session: SessionDep,
              actor: Actor = require(Permission.READ)) -> list[DiagnosisOut | LoopDiagnosisOut]:
    request.app.state.services.tickets.get(session, ticket_id)
    return [DiagnosisOut.of(d) for d in diagnoses_of(session, ticket_id)]


@router.post("/{ticket_id}/triage", status_code=200, response_model=DiagnosisOut,
             responses=responses(401, 403, 404, 422, 503), summary="Re-run triage now and return its diagnosis")
async def rerun(ticket_id: TicketId, request: Request, actor: Annotated[Actor, require(Permission.TRIAGE_RERUN)],
                triage: TriageDep,
                fresh: Annotated[bool, Query(description="read every device anew (default): no read another triage "
                                                         "made seconds ago is reused; false allows that reuse")] = True,
                ) -> DiagnosisOut:
    services = request.app.state.services
    with services.session_factory() as s:
        services.tickets.get(s, ticket_id)
    reason = f"requested by {actor.name}" + ("" if fresh else ", recent device reads allowed")
    result = await triage.run(ticket_id, reason=reason, fresh=fresh)
    if result.diagnosis_id is None:
        raise HTTPException(422, "triage could not run for this ticket; see its journal")
    with services.session_factory() as s:
        return DiagnosisOut.of(s.get(Diagnosis, result.diagnosis_id))
