"""The loop-test panel of the ticket page (环测): the loop points of the diagnosis's plan, each loop test
of the ticket with its states as they happen (requested -> setting -> set -> measuring -> clearing ->
cleared), the localisation along the plan (automatic, or guided one point at a time) and its conclusion.

The buttons follow agent.policy: a loop at one point, its cancel and a retried clear for the roles of
``LOOP_TEST``; the localisation for those of ``LOOP_LOCALISE``. The posts go through the same
``LoopGuard`` the JSON routes use (api/routers/loops.py), with the API's own request model.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from agent.errors import FaultlineError
from agent.loops import LoopRequest
from agent.loops import store as loop_store
from agent.policy import Permission, may
from agent.triage.service import diagnoses_of
from api.deps import DB_INT_MAX, PageUser, PageUserDep, ServicesDep, TicketId
from api.loop_schemas import LoopTestIn
from api.pages.loop_view import loop_panel
from api.pages.posting import read_form
from api.pages.render import render
from api.pages.ticket import as_page_dict, render_ticket

router = APIRouter(include_in_schema=False)
LoopTestId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]


def _panel_for(services, ticket_id: int, user: PageUser) -> dict[str, Any]:
    with services.session_factory() as s:
        ticket = services.tickets.get(s, ticket_id)
        return loop_panel(services, s, ticket, [as_page_dict(d) for d in diagnoses_of(s, ticket.id)], user)


@router.get("/tickets/{ticket_id}/loops")
def loops_fragment(ticket_id: TicketId, request: Request, services: ServicesDep, user: PageUserDep) -> Response:
    """The panel alone: the page swaps it in once a second while a loop or a localisation runs."""
    try:
        panel = _panel_for(services, ticket_id, user)
    except FaultlineError as exc:
        return render(request, "error.html", status_code=exc.status, user=user, message="not_found", detail=str(exc))
    return render(request, "loops.html", user=user, loops=panel)


def _body(form: dict[str, str], **extra: Any) -> LoopTestIn:
    """The posted form as the API's request model (the same validation as the JSON body)."""
    values: dict[str, Any] = {k: v.strip() for k, v in form.items() if k in ("device", "port", "mode", "authorisedBy")
                              and v.strip()}
    if form.get("holdSeconds", "").strip():
        values["holdSeconds"] = form["holdSeconds"].strip()
    if form.get("confirmShared") in ("on", "1", "true"):
        values["confirmSharedCircuits"] = [c for c in form.get("shared", "").split(",") if c]
    if form.get("confirmServiceAffecting") in ("on", "1", "true"):
        values["confirmServiceAffecting"] = True
    return LoopTestIn.model_validate({**values, **extra})


async def _refused(request: Request, services, ticket_id: int, user: PageUser, status: int, detail: str) -> Response:
    return await render_ticket(request, services, ticket_id, user, status, detail, "loops")


def _back(ticket_id: int) -> RedirectResponse:
    return RedirectResponse(f"/tickets/{ticket_id}#loops", status_code=303)


@router.post("/tickets/{ticket_id}/loops")
async def request_loop(ticket_id: TicketId, request: Request, services: ServicesDep, user: PageUserDep) -> Response:
    """A loop at one point of the plan (or any port the form names: the guard checks it is the circuit's)."""
    form = await read_form(request, user.csrf)
    try:
        body = _body(form)
        if body.device is None or body.port is None:
            raise ValueError("a loop point (device and port) is required")
    except (ValidationError, ValueError) as exc:
        return await _refused(request, services, ticket_id, user, 422, _words(exc))
    if services.loops is None:
        return await _refused(request, services, ticket_id, user, 503, "loop tests are not available in this process")
    try:
        await services.loops.request(ticket_id, LoopRequest(body.device, body.port, body.mode, body.holdSeconds,
                                                            tuple(body.confirmSharedCircuits), body.authorisedBy,
                                                            confirm_service_affecting=body.confirmServiceAffecting),
                                     user.actor)  # the guard checks the role, the ticket's state, the port
    except FaultlineError as exc:
        return await _refused(request, services, ticket_id, user, exc.status, str(exc))
    return _back(ticket_id)


@router.post("/tickets/{ticket_id}/loops/localise")
async def localise(ticket_id: TicketId, request: Request, services: ServicesDep, user: PageUserDep) -> Response:
    """Localise along the plan: ``guided=1`` tests the next point only (press again for the next)."""
    form = await read_form(request, user.csrf)
    guided = form.get("guided") in ("1", "on", "true")
    try:
        body = _body({k: v for k, v in form.items() if k not in ("device", "port", "mode")},
                     localise=not guided, guided=guided)
    except ValidationError as exc:
        return await _refused(request, services, ticket_id, user, 422, _words(exc))
    if not may(user.actor.role, Permission.LOOP_LOCALISE):
        return await _refused(request, services, ticket_id, user, 403,
                              f"role {user.actor.role.value} may not localise by loop tests")
    if services.loops is None:
        return await _refused(request, services, ticket_id, user, 503, "loop tests are not available in this process")
    try:
        await services.loops.localiser.start(ticket_id, user.actor, guided=guided, hold_seconds=body.holdSeconds,
                                             confirm_shared=tuple(body.confirmSharedCircuits),
                                             authorised_by=body.authorisedBy,
                                             confirm_service_affecting=body.confirmServiceAffecting)
    except FaultlineError as exc:
        return await _refused(request, services, ticket_id, user, exc.status, str(exc))
    return _back(ticket_id)


@router.post("/loop-tests/{loop_test_id}/{step}")
async def loop_step(loop_test_id: LoopTestId, step: str, request: Request, services: ServicesDep,
                    user: PageUserDep) -> Response:
    """Cancel a loop (cleared at once) or retry a failed clear."""
    await read_form(request, user.csrf)
    if step not in ("cancel", "clear"):
        return render(request, "error.html", status_code=404, user=user, message="not_found", detail=step)
    with services.session_factory() as s:
        try:
            ticket_id = loop_store.get(s, loop_test_id).ticket_id
        except FaultlineError as exc:
            return render(request, "error.html", status_code=exc.status, user=user, message="not_found", detail=str(exc))
    if not may(user.actor.role, Permission.LOOP_TEST):
        return await _refused(request, services, ticket_id, user, 403, f"role {user.actor.role.value} may not run loop tests")
    if services.loops is None:
        return await _refused(request, services, ticket_id, user, 503, "loop tests are not available in this process")
    try:
        if step == "cancel":
            await services.loops.cancel(loop_test_id, user.actor)
        else:
            await services.loops.retry_clear(loop_test_id, user.actor)
    except FaultlineError as exc:
        return await _refused(request, services, ticket_id, user, exc.status, str(exc))
    return _back(ticket_id)


def _words(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return str(exc)
