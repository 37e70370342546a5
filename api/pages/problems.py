"""The service problem page (服务故障): one cause, many tickets. The TMF656 view the JSON route returns
(agent.problems.view.detail: root, affected circuits and customers, child tickets with their next
escalation, tickets kept apart and why, alarms, tracking record) and the problem's own actions
(acknowledge, progress to every child, resolve every child) for the roles agent.policy gives them,
through the same agent.problems.work calls as api/routers/problems.py."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from agent.errors import FaultlineError
from agent.policy import Permission, may
from agent.problems import view, work
from api.deps import DB_INT_MAX, PageUser, PageUserDep, ServicesDep
from api.pages.posting import read_form
from api.pages.render import render
from api.problem_schemas import ProblemAcknowledgeIn, ProblemProgressIn, ProblemResolveIn

router = APIRouter(include_in_schema=False)
ProblemId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]

# action -> (permission, request model, the form's one field)
ACTIONS: dict[str, tuple[Permission, type[BaseModel], str]] = {
    "acknowledge": (Permission.PROBLEM_ACKNOWLEDGE, ProblemAcknowledgeIn, "note"),
    "progress": (Permission.PROBLEM_PROGRESS, ProblemProgressIn, "text"),
    "resolve": (Permission.PROBLEM_RESOLVE, ProblemResolveIn, "cause"),
}


def _page(request: Request, services, problem_id: int, user: PageUser, status_code: int = 200,
          error: str | None = None, outcome: dict[str, Any] | None = None) -> Response:
    with services.session_factory() as s:
        try:
            problem = work.get(s, problem_id)
        except FaultlineError as exc:
            return render(request, "error.html", status_code=exc.status, user=user, message="not_found", detail=str(exc))
        detail = view.detail(s, problem, services.sla.clocks_for, services.clock.now())
    actions = [a for a in detail["allowedActions"] if a in ACTIONS and may(user.actor.role, ACTIONS[a][0])]
    return render(request, "problem.html", status_code=status_code, user=user, p=detail, actions=actions,
                  error=error, outcome=outcome)


@router.get("/problems/{problem_id}")
def problem_page(problem_id: ProblemId, request: Request, services: ServicesDep, user: PageUserDep) -> Response:
    return _page(request, services, problem_id, user)


@router.post("/problems/{problem_id}/{action}")
async def problem_action(problem_id: ProblemId, action: str, request: Request, services: ServicesDep,
                         user: PageUserDep) -> Response:
    form = await read_form(request, user.csrf)
    spec = ACTIONS.get(action)
    if spec is None:
        return render(request, "error.html", status_code=404, user=user, message="not_found", detail=action)
    permission, model, name = spec
    if not may(user.actor.role, permission):
        return _page(request, services, problem_id, user, 403, f"{user.actor.role.value}: {permission.value}")
    try:
        body = model.model_validate({name: form[name].strip()} if form.get(name, "").strip() else {})
    except ValidationError as exc:
        return _page(request, services, problem_id, user, 422,
                     "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()))
    try:
        with services.session_factory() as s:
            problem = work.get(s, problem_id, for_update=True)
            if action == "acknowledge":
                work.acknowledge(s, problem, user.actor, services.clock.now(), body.note)
                outcome = None
            elif action == "progress":
                outcome = work.add_progress(s, problem, user.actor, services.tickets, body.text, []).to_dict()
            else:
                outcome = work.resolve(s, problem, user.actor, services.tickets, body.cause).to_dict()
            s.commit()
    except FaultlineError as exc:
        return _page(request, services, problem_id, user, exc.status, str(exc))
    if outcome and outcome.get("skipped"):  # say which children the work did not reach, and why
        return _page(request, services, problem_id, user, 200, None, outcome)
    return RedirectResponse(f"/problems/{problem_id}", status_code=303)
