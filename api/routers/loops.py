"""Loop tests (环测/打环) as jobs: request (202), read, list the active ones, cancel, retry a clear;
localisation along the diagnosis's plan (automatic or guided)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from agent.errors import Forbidden, InvalidInput
from agent.loops import LoopRequest
from agent.loops import store as loop_store
from agent.policy import Permission, may
from agent.tickets import Actor
from api.deps import DB_INT_MAX, LoopGuardDep, SessionDep, TicketId, require
from api.loop_schemas import LocalisationOut, LoopTestIn, LoopTestOut
from api.problems import responses

router = APIRouter(tags=["loop tests"], responses=responses(401, 403))
LoopTestId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="the loop test's id")]
LocalisationId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="the localisation's id")]


@router.post("/api/v1/tickets/{ticket_id}/loop-tests", status_code=202, response_model=LoopTestOut | LocalisationOut,
             responses=responses(404, 409, 422, 503),  # 409: the guard refused (the active loop named)
             summary="Request a loop test (打环) at a port of the ticket's circuit, or localise the faulty segment")
async def request_loop_test(ticket_id: TicketId, body: LoopTestIn, response: Response,
                            actor: Annotated[Actor, require(Permission.LOOP_TEST)], guard: LoopGuardDep):
    if body.localise or body.guided:
        if not may(actor.role, Permission.LOOP_LOCALISE):
            raise Forbidden(f"role {actor.role.value} may not localise by loop tests")
        result = await guard.localiser.start(ticket_id, actor, guided=body.guided, hold_seconds=body.holdSeconds,
                                             confirm_shared=tuple(body.confirmSharedCircuits),
                                             authorised_by=body.authorisedBy,
                                             confirm_service_affecting=body.confirmServiceAffecting)
        response.headers["Location"] = result["href"]
        return result
    if body.device is None or body.port is None:
        raise InvalidInput([{"loc": "device", "msg": "a loop point (device and port) is required unless localise is true"}])
    result = await guard.request(ticket_id, LoopRequest(body.device, body.port, body.mode, body.holdSeconds,
                                                        tuple(body.confirmSharedCircuits), body.authorisedBy,
                                                        confirm_service_affecting=body.confirmServiceAffecting), actor)
    response.headers["Location"] = result["href"]
    return result


@router.get("/api/v1/tickets/{ticket_id}/loop-tests", response_model=list[LoopTestOut], responses=responses(404, 422),
            summary="Loop tests of a ticket, with their loop points, states and results")
def ticket_loop_tests(ticket_id: TicketId, request: Request, session: SessionDep,
                      actor: Annotated[Actor, require(Permission.READ)]):
    request.app.state.services.tickets.get(session, ticket_id)
    return loop_store.loop_tests_of(session, ticket_id)


@router.get("/api/v1/loop-tests", response_model=list[LoopTestOut], responses=responses(422),
            summary="Loop tests, newest first; active=true: every loop that is or may be on a device (for the NOC)")
def loop_tests(session: SessionDep, actor: Annotated[Actor, require(Permission.READ)],
               active: Annotated[bool | None, Query()] = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200):
    return loop_store.listed(session, active=active, limit=limit)


@router.get("/api/v1/loop-tests/{loop_test_id}", response_model=LoopTestOut, responses=responses(404, 422),
            summary="One loop test")
def loop_test(loop_test_id: LoopTestId, session: SessionDep,
              actor: Annotated[Actor, require(Permission.READ)]):
    return loop_store.resource(loop_store.get(session, loop_test_id))


@router.post("/api/v1/loop-tests/{loop_test_id}/cancel", response_model=LoopTestOut, responses=responses(404, 409, 422, 503),
             summary="Cancel: the loop is cleared at once (read back from the device)")
async def cancel(loop_test_id: LoopTestId, actor: Annotated[Actor, require(Permission.LOOP_TEST)], guard: LoopGuardDep):
    return await guard.cancel(loop_test_id, actor)


@router.post("/api/v1/loop-tests/{loop_test_id}/clear", response_model=LoopTestOut, responses=responses(404, 409, 422, 503),
             summary="Retry a failed clear now (the reaper also retries with back-off)")
async def retry_clear(loop_test_id: LoopTestId, actor: Annotated[Actor, require(Permission.LOOP_TEST)], guard: LoopGuardDep):
    return await guard.retry_clear(loop_test_id, actor)


@router.get("/api/v1/loop-localisations/{localisation_id}", response_model=LocalisationOut, responses=responses(404, 422, 503),
            summary="A localisation: its plan, loop tests, next point and conclusion")
async def localisation(localisation_id: LocalisationId, actor: Annotated[Actor, require(Permission.READ)], guard: LoopGuardDep):
    return await guard.localiser.get(localisation_id)
