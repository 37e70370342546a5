"""Service problems (TMF656): one cause, many tickets. List and read them, acknowledge, append progress
(written into every child ticket), resolve (children resolved, each still confirms its restoration);
link a ticket to a problem or take it out."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import func, select

from agent.enums import ProblemStatus
from agent.models import ServiceProblem
from agent.policy import Permission
from agent.problems import store as problem_store
from agent.problems import view, work
from agent.tickets import Actor
from api.deps import DB_INT_MAX, Offset, SessionDep, TicketId, TicketsDep, require
from api.problem_schemas import (
    ProblemAcknowledgeIn,
    ProblemActionOut,
    ProblemListOut,
    ProblemOut,
    ProblemProgressIn,
    ProblemResolveIn,
    TicketProblemIn,
    TicketProblemOut,
)
from api.problems import responses

router = APIRouter(tags=["service problems"], responses=responses(401, 403, 422))
ProblemId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="the service problem's id")]


def _detail(request: Request, session, problem: ServiceProblem) -> dict[str, Any]:
    services = request.app.state.services
    return view.detail(session, problem, services.sla.clocks_for, services.clock.now())


@router.get("/api/v1/problems", response_model=ProblemListOut, summary="Service problems, newest first; filter by status")
def list_problems(session: SessionDep, actor: Annotated[Actor, require(Permission.READ)],
                  status: Annotated[ProblemStatus | None, Query()] = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Offset = 0):
    stmt = select(ServiceProblem)
    if status is not None:
        stmt = stmt.where(ServiceProblem.status == status.value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(ServiceProblem.id.desc()).limit(limit).offset(offset)).all()
    return {"total": total, "limit": limit, "offset": offset,
            "items": [view.summary(p, len(problem_store.circuits_using(session, problem_store.root_of(p)))) for p in rows]}


@router.get("/api/v1/problems/{problem_id}", response_model=ProblemOut, responses=responses(404),
            summary="One service problem: root cause, affected circuits and customers (with contacts), child "
                    "tickets, tickets kept apart and why, underlying alarms, tracking record")
def get_problem(problem_id: ProblemId, request: Request, session: SessionDep,
                actor: Annotated[Actor, require(Permission.READ)]):
    return _detail(request, session, work.get(session, problem_id))


@router.post("/api/v1/problems/{problem_id}/acknowledge", response_model=ProblemActionOut,
             summary="Acknowledge (受理) the service problem", responses=responses(404, 409))
def acknowledge(problem_id: ProblemId, body: ProblemAcknowledgeIn, request: Request, session: SessionDep,
                actor: Annotated[Actor, require(Permission.PROBLEM_ACKNOWLEDGE)]):
    problem = work.get(session, problem_id, for_update=True)
    work.acknowledge(session, problem, actor, request.app.state.services.clock.now(), body.note)
    session.commit()
    return {"problem": _detail(request, session, problem)}


@router.post("/api/v1/problems/{problem_id}/progress", response_model=ProblemActionOut, responses=responses(404),
             summary="追加进展 on the problem: appended to every child ticket as its own progress (its progress clock met)")
def progress(problem_id: ProblemId, body: ProblemProgressIn, request: Request, session: SessionDep, tickets: TicketsDep,
             actor: Annotated[Actor, require(Permission.PROBLEM_PROGRESS)]):
    problem = work.get(session, problem_id, for_update=True)
    outcome = work.add_progress(session, problem, actor, tickets, body.text, [p.model_dump() for p in body.participants])
    session.commit()
    return {"problem": _detail(request, session, problem), "children": outcome.to_dict()}


@router.post("/api/v1/problems/{problem_id}/resolve", response_model=ProblemActionOut, responses=responses(404),
             summary="Resolve with a cause: each working child resolved with it; each still needs its own "
                     "restoration confirmation (rule 9) before it is returned")
def resolve(problem_id: ProblemId, body: ProblemResolveIn, request: Request, session: SessionDep, tickets: TicketsDep,
            actor: Annotated[Actor, require(Permission.PROBLEM_RESOLVE)]):
    problem = work.get(session, problem_id, for_update=True)
    outcome = work.resolve(session, problem, actor, tickets, body.cause)
    session.commit()
    return {"problem": _detail(request, session, problem), "children": outcome.to_dict()}


@router.get("/api/v1/tickets/{ticket_id}/problem", response_model=TicketProblemOut, responses=responses(404),
            summary="The service problem the ticket is a child of (null when none)")
def ticket_problem(ticket_id: TicketId, request: Request, session: SessionDep, tickets: TicketsDep,
                   actor: Annotated[Actor, require(Permission.READ)]):
    tickets.get(session, ticket_id)
    problem = problem_store.linked_problem(session, ticket_id)
    return {"ticket": str(ticket_id), "problem": _detail(request, session, problem) if problem else None}


@router.post("/api/v1/tickets/{ticket_id}/problem", response_model=TicketProblemOut,
             summary="Link the ticket to a service problem by hand, or unlink it (journalled on both)",
             responses=responses(404, 409))
def link_ticket(ticket_id: TicketId, body: TicketProblemIn, request: Request, session: SessionDep, tickets: TicketsDep,
                actor: Annotated[Actor, require(Permission.PROBLEM_LINK)]):
    from agent.errors import InvalidInput

    if body.unlink == (body.problemId is not None):
        raise InvalidInput([{"loc": "problemId", "msg": "give either problemId (link) or unlink: true", "type": "choice"}])
    ticket = tickets.get(session, ticket_id, for_update=True)
    now = request.app.state.services.clock.now()
    if body.unlink:
        work.unlink(session, ticket, actor, now, body.reason)
        problem = None
    else:
        problem = work.get(session, body.problemId, for_update=True)
        work.link(session, problem, ticket, actor, now, body.reason)
    session.commit()
    return {"ticket": str(ticket_id), "problem": _detail(request, session, problem) if problem else None}
