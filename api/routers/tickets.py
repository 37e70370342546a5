"""Trouble tickets: intake, lifecycle actions, listing, journal."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import func, select

from agent.enums import IntakeOutcome, TicketKind, TicketStatus
from agent.models import Ticket
from agent.policy import Permission
from agent.tickets import Actor, Intake, TicketService
from api import schemas as sc
from api.deps import CurrentActor, Offset, SessionDep, TicketId, TicketsDep, require

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])



def _svc(request: Request) -> TicketService:
    return request.app.state.services.tickets


def _clocks(request: Request, session, ticket: Ticket) -> list[dict[str, Any]]:
    services = request.app.state.services
    return [c if isinstance(c, dict) else c.to_dict() for c in services.sla.clocks_for(session, ticket.id, services.clock.now())]


def _out(request: Request, session, ticket: Ticket, actor: Actor, journal: bool = False) -> dict[str, Any]:
    return sc.ticket_out(ticket, role=actor.role, journal=journal, clocks=_clocks(request, session, ticket))


@router.post("", status_code=201, summary="Intake a fault ticket from the upstream system (idempotent on externalId)")
def create_ticket(body: sc.TicketCreate, request: Request, response: Response, session: SessionDep, svc: TicketsDep,
                  actor: Actor = require(Permission.TICKET_INTAKE)) -> dict[str, Any]:
    intake = Intake(external_id=body.externalId, kind=body.ticketType, symptom=body.symptom, circuit_id=body.circuitId,
                    reported_at=body.reportedDate, description=body.description, reporter_contact=body.reporterContact,
                    observed_impact=body.observedImpact, severity=body.severity, channel=body.channel)
    ticket, outcome = svc.receive(session, intake, actor)
    if outcome != IntakeOutcome.CREATED:
        response.status_code = 200
    body_out = _out(request, session, ticket, actor)
    body_out["intakeOutcome"] = outcome.value
    return body_out


@router.get("", summary="List tickets with filters and pagination")
def list_tickets(request: Request, session: SessionDep, actor: Actor = require(Permission.READ),
                 status: Annotated[TicketStatus | None, Query()] = None,
                 circuit: Annotated[str | None, Query(max_length=64)] = None,
                 kind: Annotated[TicketKind | None, Query()] = None,
                 overdue: Annotated[bool | None, Query()] = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50,
                 offset: Offset = 0) -> dict[str, Any]:
    stmt = select(Ticket)
    if status is not None:
        stmt = stmt.where(Ticket.status == status.value)
    if circuit is not None:
        stmt = stmt.where(Ticket.circuit_id == circuit)
    if kind is not None:
        stmt = stmt.where(Ticket.kind == kind.value)
    if overdue is not None:
        ids = request.app.state.services.sla.overdue_ticket_ids_query(request.app.state.services.clock.now())
        stmt = stmt.where(Ticket.id.in_(ids) if overdue else Ticket.id.not_in(ids))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Ticket.id.desc()).limit(limit).offset(offset)).all()
    return {"total": total, "limit": limit, "offset": offset,
            "items": [sc.ticket_out(t, role=actor.role) for t in rows]}


@router.get("/{ticket_id}", summary="One ticket with its SLA clocks and journal")
def get_ticket(ticket_id: TicketId, request: Request, session: SessionDep, actor: Actor = require(Permission.READ)) -> dict[str, Any]:
    return _out(request, session, _svc(request).get(session, ticket_id), actor, journal=True)


@router.get("/{ticket_id}/journal", summary="The ticket's append-only journal (追加信息)")
def get_journal(ticket_id: TicketId, request: Request, session: SessionDep, actor: Actor = require(Permission.READ)) -> list[dict[str, Any]]:
    t = _svc(request).get(session, ticket_id)
    return [sc.JournalOut(id=j.id, date=j.at, author=j.author, role=j.role, kind=j.kind, text=j.text, data=j.data).model_dump()
            for j in t.journal]


def _act(request: Request, session, ticket_id: int, actor: Actor, fn) -> dict[str, Any]:
    svc = _svc(request)
    ticket = svc.get(session, ticket_id, for_update=True)
    fn(svc, ticket)
    session.commit()
    session.refresh(ticket)
    return _out(request, session, ticket, actor)


@router.post("/{ticket_id}/sign", summary="签收: sign the ticket")
def sign(ticket_id: TicketId, body: sc.SignIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.sign(session, t, actor, body.note))


@router.post("/{ticket_id}/dispatch", summary="派单: dispatch to the specialty and the contractor together")
def dispatch(ticket_id: TicketId, body: sc.DispatchIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor,
                lambda s, t: s.dispatch(session, t, actor, body.specialty, body.contractor, body.note))


@router.post("/{ticket_id}/customer-contact", summary="Record the result of contacting the reporting customer")
def contact(ticket_id: TicketId, body: sc.ContactIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor,
                lambda s, t: s.record_contact(session, t, actor, body.customerPerson, body.result, body.contact))


@router.post("/{ticket_id}/progress", summary="追加进展: append progress")
def progress(ticket_id: TicketId, body: sc.ProgressIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.add_progress(
        session, t, actor, body.text, [p.model_dump() for p in body.participants]))


@router.post("/{ticket_id}/suspension", summary="申请挂起: request suspension")
def request_suspension(ticket_id: TicketId, body: sc.SuspensionRequestIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.request_suspension(
        session, t, actor, body.reason, body.localFault, body.customerConsent))


@router.post("/{ticket_id}/suspension/approve", summary="批准挂起 (province role)")
def approve_suspension(ticket_id: TicketId, body: sc.DecisionIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.decide_suspension(session, t, actor, True, body.note))


@router.post("/{ticket_id}/suspension/reject", summary="驳回挂起 (province role)")
def reject_suspension(ticket_id: TicketId, body: sc.DecisionIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.decide_suspension(session, t, actor, False, body.note))


@router.post("/{ticket_id}/resume", summary="解挂: resume a held ticket")
def resume(ticket_id: TicketId, body: sc.DecisionIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.resume(session, t, actor, body.note))


@router.post("/{ticket_id}/resolve", summary="Resolve with a cause")
def resolve(ticket_id: TicketId, body: sc.CauseIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.resolve(session, t, actor, body.cause))


@router.post("/{ticket_id}/restoration", summary="Record restoration confirmation (rule 9)")
def restoration(ticket_id: TicketId, body: sc.RestorationIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.confirm_restoration(
        session, t, actor, body.method, body.confirmedBy, body.note, body.customerUnreachable))


@router.post("/{ticket_id}/close", summary="返单: return the ticket with a clear cause")
def close(ticket_id: TicketId, body: sc.CauseIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.close(session, t, actor, body.cause))


@router.post("/{ticket_id}/reopen", summary="Reopen a resolved or closed ticket (MEF 124)")
def reopen(ticket_id: TicketId, body: sc.ReasonIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.reopen(session, t, actor, body.reason))
