"""The NOC's views (网管): live circuit health and the stored alarms (TMF642 shape). Read-only, any role."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from agent.alarms import query_alarms
from agent.policy import Permission
from agent.tickets import Actor
from api.deps import CircuitId, HealthDep, SessionDep, require
from api.problems import responses
from api.schemas import AlarmOut, CircuitHealthOut

router = APIRouter(prefix="/api/v1", tags=["noc"], responses=responses(401, 403, 422))

_NAME = r"^[A-Za-z0-9][A-Za-z0-9/.:_\-]*$"


@router.get("/circuits/{circuit_id}/health", response_model=CircuitHealthOut, responses=responses(404, 503),
            summary="Live health of a circuit: per-segment loss vs budget, Rx margins, oper status, utilisation, verdict")
async def health(circuit_id: CircuitId, actor: Annotated[Actor, require(Permission.READ)],
                 reader: HealthDep,
                 fresh: Annotated[bool, Query(description="true: new reads of the devices; false (default): a read "
                                                          "of a device made seconds ago (triage's) may be reused")] = False,
                 ) -> CircuitHealthOut:
    return CircuitHealthOut.of(await reader.read(circuit_id, fresh=fresh))


@router.get("/alarms", response_model=list[AlarmOut],
            summary="Stored alarms (TMF642), newest first; filter by device, port, active")
def alarms(session: SessionDep, actor: Actor = require(Permission.READ),
           device: Annotated[str | None, Query(max_length=128, pattern=_NAME)] = None,
           port: Annotated[str | None, Query(max_length=128, pattern=_NAME)] = None,
           active: Annotated[bool | None, Query(description="true: raised only; false: cleared only")] = None,
           limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> list[AlarmOut]:
    return [AlarmOut.of(a) for a in query_alarms(session, device=device, port=port, active=active, limit=limit)]
