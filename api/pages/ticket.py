"""The ticket page (工单): header and clocks, the diagnosis first, the circuit path, the journal, and
the forms of the lifecycle actions the user may take now, posted through the same TicketService."""
from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from agent.errors import FaultlineError, NotFound
from agent.models import Circuit
from agent.problems.store import linked_problem
from agent.tickets import allowed_actions
from agent.triage.service import diagnoses_of
from api.deps import PageUser, PageUserDep, ServicesDep, TicketId
from api.pages.actions import FORMS
from api.pages.board_view import clock_of
from api.pages.drafts import deciding_evidence, evidence_words, progress_draft
from api.pages.i18n import LANG_COOKIE, pick_language
from api.pages.loop_view import loop_panel
from api.pages.path_view import path_of
from api.pages.posting import read_form
from api.pages.render import render

router = APIRouter(include_in_schema=False)


def as_page_dict(row) -> dict[str, Any]:
    """A stored diagnosis as the templates read it: the stored data (snake_case, as diagnosis.result
    writes it) under the row's columns."""
    return {"id": row.id, "createdAt": row.created_at, "playbook": row.playbook, "verdict": row.verdict,
            "summary": row.summary, "durationMs": row.duration_ms,
            **{k: v for k, v in (row.data or {}).items() if k not in ("verdict", "playbook")}}


def ticket_view(services, session, ticket_id: int, user: PageUser, lang: str) -> dict[str, Any]:
    """Everything the ticket page draws, from the services the JSON routes use."""
    ticket = services.tickets.get(session, ticket_id)
    now = services.clock.now()
    clocks = [clock_of((c.kind.value, c.state.value, c.due_at, c.warn_at, c.met_at, c.remaining_seconds))
              for c in services.sla.clocks_for(session, ticket.id, now)]
    diagnoses = [as_page_dict(d) for d in diagnoses_of(session, ticket.id)]
    latest = diagnoses[-1] if diagnoses else None
    deciding, rest = deciding_evidence(latest) if latest else ([], [])
    actions = [FORMS[a] for a in allowed_actions(ticket, user.actor.role) if a in FORMS]
    circuit = session.get(Circuit, ticket.circuit_id)
    return {
        "ticket": ticket, "clocks": clocks, "journal": list(ticket.journal), "diagnosis": latest,
        "earlier": diagnoses[:-1], "deciding": deciding, "rest": rest, "actions": actions,
        "customer": circuit.customer.name if circuit is not None else None,
        "draft": progress_draft(latest, lang, services.settings.timezone),
        "path": path_of(session, ticket.circuit_id, latest),
        "loops": loop_panel(services, session, ticket, diagnoses, user),
        "problem": linked_problem(session, ticket.id),
    }


def _ticket_html(request: Request, services, ticket_id: int, user: PageUser, status_code: int = 200,
                 error: str | None = None, failed_action: str | None = None, form: dict | None = None) -> Response:
    lang = pick_language(request.cookies.get(LANG_COOKIE), None)
    with services.session_factory() as s:
        try:
            view = ticket_view(services, s, ticket_id, user, lang)
        except NotFound:
            return render(request, "error.html", status_code=404, user=user, message="not_found", detail=str(ticket_id))
        return render(request, "ticket.html", status_code=status_code, user=user, error=error,
                      failed_action=failed_action, form=form or {}, words=evidence_words, **view)


async def render_ticket(request: Request, services, ticket_id: int, user: PageUser, status_code: int = 200,
                        error: str | None = None, failed_action: str | None = None, form: dict | None = None) -> Response:
    """The ticket page (from an async route: the database reads and the rendering in a worker thread)."""
    return await asyncio.to_thread(_ticket_html, request, services, ticket_id, user, status_code, error,
                                   failed_action, form)


@router.get("/tickets/{ticket_id}")
def ticket_page(ticket_id: TicketId, request: Request, services: ServicesDep, user: PageUserDep) -> Response:
    return _ticket_html(request, services, ticket_id, user)


@router.post("/tickets/{ticket_id}/actions/{action}")
async def ticket_action(ticket_id: TicketId, action: str, request: Request, services: ServicesDep,
                        user: PageUserDep) -> Response:
    form = await read_form(request, user.csrf)
    spec = FORMS.get(action)
    if spec is None:
        return render(request, "error.html", status_code=404, user=user, message="not_found", detail=action)
    try:
        body = spec.parse(form)
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return await render_ticket(request, services, ticket_id, user, 422, detail, action, form)
    try:
        with services.session_factory() as s:
            svc = services.tickets
            ticket = svc.get(s, ticket_id, for_update=True)
            spec.call(svc, s, ticket, user.actor, body)  # the service checks the role and the state
            s.commit()
    except FaultlineError as exc:  # Forbidden 403, InvalidTransition 409, InvalidInput 422, NotFound 404
        return await render_ticket(request, services, ticket_id, user, exc.status, str(exc), action, form)
    return RedirectResponse(f"/tickets/{ticket_id}", status_code=303)
