"""Trouble tickets: intake, lifecycle actions, listing, journal."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import func, select

from agent.enums import IntakeOutcome, TicketKind, TicketStatus
from agent.models import Ticket
from agent.policy import Permission
from agent.sla import ClockView
from agent.tickets import Actor, Intake, TicketService
from api import schemas as sc
from api.deps import CurrentActor, Offset, SessionDep, TicketId, TicketsDep, require
from api.problems import responses

# Every route here takes a token and parameters or a body.
router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"], responses=responses(401, 403, 422))
# A lifecycle action: the ticket may not exist, and its state may refuse the action.
ACTION = {"response_model": sc.TicketWithClocks, "responses": responses(404, 409)}


def _svc(request: Request) -> TicketService:
    return request.app.state.services.tickets


def _clocks(request: Request, session, ticket: Ticket) -> list[ClockView]:
    services = request.app.state.services
    return services.sla.clocks_for(session, ticket.id, services.clock.now())


@router.post("", status_code=201, response_model=sc.IntakeOut, responses=responses(503),
             summary="Intake a fault ticket from the upstream system (idempotent on externalId)")
def create_ticket(body: sc.TicketCreate, request: Request, response: Response, session: SessionDep, svc: TicketsDep,
                  actor: Actor = require(Permission.TICKET_INTAKE)) -> sc.IntakeOut:
    intake = Intake(external_id=body.external_id, kind=body.ticket_type, symptom=body.symptom,
                    circuit_id=body.circuit_id, reported_at=body.reported_date, description=body.description,
                    reporter_contact=body.reporter_contact, observed_impact=body.observed_impact,
                    severity=body.severity, channel=body.channel)
    ticket, outcome = svc.receive(session, intake, actor)
    if outcome != IntakeOutcome.CREATED:
        response.status_code = 200
    return sc.IntakeOut.with_clocks(ticket, actor.role, _clocks(request, session, ticket), intake_outcome=outcome)


@router.get("", response_model=sc.TicketPage, summary="List tickets with filters and pagination")
def list_tickets(request: Request, session: SessionDep, actor: Actor = require(Permission.READ),
                 status: Annotated[TicketStatus | None, Query()] = None,
                 circuit: Annotated[str | None, Query(max_length=64)] = None,
                 kind: Annotated[TicketKind | None, Query()] = None,
                 overdue: Annotated[bool | None, Query()] = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50,
                 offset: Offset = 0) -> sc.TicketPage:
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
    return sc.TicketPage(total=total, limit=limit, offset=offset, items=[sc.TicketOut.of(t, actor.role) for t in rows])


@router.get("/{ticket_id}", response_model=sc.TicketDetail, responses=responses(404),
            summary="One ticket with its SLA clocks and journal")
def get_ticket(ticket_id: TicketId, request: Request, session: SessionDep,
               actor: Actor = require(Permission.READ)) -> sc.TicketDetail:
    ticket = _svc(request).get(session, ticket_id)
    return sc.TicketDetail.detail(ticket, actor.role, _clocks(request, session, ticket))


@router.get("/{ticket_id}/journal", response_model=list[sc.JournalOut], responses=responses(404),
            summary="The ticket's append-only journal (追加信息)")
def get_journal(ticket_id: TicketId, request: Request, session: SessionDep,
                actor: Actor = require(Permission.READ)) -> list[sc.JournalOut]:
    return [sc.JournalOut.model_validate(j) for j in _svc(request).get(session, ticket_id).journal]


def _act(request: Request, session, ticket_id: int, actor: Actor, fn) -> sc.TicketWithClocks:
    svc = _svc(request)
    ticket = svc.get(session, ticket_id, for_update=True)
    fn(svc, ticket)
    session.commit()
    session.refresh(ticket)
    return sc.TicketWithClocks.with_clocks(ticket, actor.role, _clocks(request, session, ticket))


@router.post("/{ticket_id}/sign", **ACTION, summary="签收: sign the ticket")
def sign(ticket_id: TicketId, body: sc.SignIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.sign(session, t, actor, body.note))


@router.post("/{ticket_id}/dispatch", **ACTION, summary="派单: dispatch to the specialty and the contractor together")
def dispatch(ticket_id: TicketId, body: sc.DispatchIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor,
                lambda s, t: s.dispatch(session, t, actor, body.specialty, body.contractor, body.note))


@router.post("/{ticket_id}/customer-contact", **ACTION, summary="Record the result of contacting the reporting customer")
def contact(ticket_id: TicketId, body: sc.ContactIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor,
                lambda s, t: s.record_contact(session, t, actor, body.customer_person, body.result, body.contact))


@router.post("/{ticket_id}/progress", **ACTION, summary="追加进展: append progress")
def progress(ticket_id: TicketId, body: sc.ProgressIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.add_progress(
        session, t, actor, body.text, [p.model_dump() for p in body.participants]))


@router.post("/{ticket_id}/suspension", **ACTION, summary="申请挂起: request suspension")
def request_suspension(ticket_id: TicketId, body: sc.SuspensionRequestIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.request_suspension(
        session, t, actor, body.reason, body.local_fault, body.customer_consent))


@router.post("/{ticket_id}/suspension/approve", **ACTION, summary="批准挂起 (province role)")
def approve_suspension(ticket_id: TicketId, body: sc.DecisionIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.decide_suspension(session, t, actor, True, body.note))


@router.post("/{ticket_id}/suspension/reject", **ACTION, summary="驳回挂起 (province role)")
def reject_suspension(ticket_id: TicketId, body: sc.DecisionIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.decide_suspension(session, t, actor, False, body.note))


@router.post("/{ticket_id}/resume", **ACTION, summary="解挂: resume a held ticket")
def resume(ticket_id: TicketId, body: sc.DecisionIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.resume(session, t, actor, body.note))


@router.post("/{ticket_id}/resolve", **ACTION, summary="Resolve with a cause")
def resolve(ticket_id: TicketId, body: sc.CauseIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.resolve(session, t, actor, body.cause))


@router.post("/{ticket_id}/restoration", **ACTION, summary="Record restoration confirmation (rule 9)")
def restoration(ticket_id: TicketId, body: sc.RestorationIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.confirm_restoration(
        session, t, actor, body.method, body.confirmed_by, body.note, body.customer_unreachable))


@router.post("/{ticket_id}/close", **ACTION, summary="返单: return the ticket with a clear cause")
def close(ticket_id: TicketId, body: sc.CauseIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.close(session, t, actor, body.cause))


@router.post("/{ticket_id}/reopen", **ACTION, summary="Reopen a resolved or closed ticket (MEF 124)")
def reopen(ticket_id: TicketId, body: sc.ReasonIn, request: Request, session: SessionDep, actor: CurrentActor):
    return _act(request, session, ticket_id, actor, lambda s, t: s.reopen(session, t, actor, body.reason))
