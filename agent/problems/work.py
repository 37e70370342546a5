"""Work on a service problem, done once and recorded everywhere (rules 4 and 8): acknowledging it,
progress written into every child ticket through the ticket service's own progress action (so each
child's 30-minute progress clock is met by it), resolving it (each working child resolved with the
problem's cause; each still confirms its own restoration, rule 9, before it is returned), and an
officer's link or unlink of a ticket. The caller commits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from agent.enums import ProblemLinkState, ProblemStatus, TicketStatus
from agent.errors import InvalidInput, InvalidTransition, NotFound
from agent.models import ServiceProblem, Ticket
from agent.problems import rules
from agent.problems import store as st
from agent.tickets import Actor, TicketService, allowed_actions

PS = ProblemStatus
_ACK_FROM = frozenset({PS.SUBMITTED})
_WORK_FROM = frozenset(PS.open())


@dataclass
class ChildOutcome:
    """What a problem-level action did to each child ticket (done, or skipped and why)."""

    done: list[int] = field(default_factory=list)
    skipped: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"applied": [str(t) for t in self.done], "skipped": self.skipped}


def get(session: Session, problem_id: int, *, for_update: bool = False) -> ServiceProblem:
    q = session.query(ServiceProblem).filter(ServiceProblem.id == problem_id)
    problem = (q.with_for_update() if for_update else q).one_or_none()
    if problem is None:
        raise NotFound(f"service problem {problem_id} not found")
    return problem


def _refuse(problem: ServiceProblem, action: str, allowed: frozenset[ProblemStatus]) -> None:
    if PS(problem.status) not in allowed:
        raise InvalidTransition(action, problem.status, sorted(allowed_problem_actions(problem)),
                                f"'{action}' is not allowed while the service problem is {problem.status}")


def allowed_problem_actions(problem: ServiceProblem) -> list[str]:
    status = PS(problem.status)
    out = []
    if status in _ACK_FROM:
        out.append("acknowledge")
    if status in _WORK_FROM:
        out += ["progress", "resolve"]
    return out


def _status(problem: ServiceProblem, to: ProblemStatus, at: datetime, reason: str) -> None:
    if problem.status != to.value:
        problem.status, problem.status_changed_at, problem.status_change_reason = to.value, at, reason[:500]


def acknowledge(session: Session, problem: ServiceProblem, actor: Actor, now: datetime, note: str | None = None) -> None:
    _refuse(problem, "acknowledge", _ACK_FROM)
    problem.acknowledged_at, problem.acknowledged_by = now, actor.name
    _status(problem, PS.ACKNOWLEDGED, now, f"acknowledged by {actor.name}")
    st.record(session, problem, now, "acknowledged", f"{actor.name} 受理故障问题 / acknowledged" + (f": {note}" if note else ""),
              {"note": note}, author=actor.name, role=actor.role.value)


def add_progress(session: Session, problem: ServiceProblem, actor: Actor, tickets: TicketService, text: str,
                 participants: list[dict[str, str]] | None = None) -> ChildOutcome:
    """One progress entry on the problem, appended to each child as that child's own progress (追加进展)."""
    _refuse(problem, "progress", _WORK_FROM)
    if not text.strip():
        raise InvalidInput([{"loc": "text", "msg": "progress needs a text", "type": "blank"}])
    now = tickets.clock.now()
    out = ChildOutcome()
    child_text = f"[故障问题 #{problem.id} / service problem #{problem.id}] {text}"
    for child in st.children(session, problem):
        ticket = tickets.get(session, child.id, for_update=True)
        if "progress" not in allowed_actions(ticket, actor.role):
            out.skipped.append({"ticket": str(ticket.id), "status": ticket.status,
                                "reason": f"progress is not open to {actor.role.value} while the ticket is {ticket.status}"})
            continue
        tickets.add_progress(session, ticket, actor, child_text, participants)
        out.done.append(ticket.id)
    _status(problem, PS.IN_PROGRESS, now, "progress recorded")
    st.record(session, problem, now, "progress", text, {"tickets": [str(t) for t in out.done], "skipped": out.skipped,
                                                        "participants": participants or []},
              author=actor.name, role=actor.role.value)
    return out


def add_loop_result(session: Session, problem: ServiceProblem, actor: Actor, tickets: TicketService, ticket_id: int,
                    loop_id: int, text: str, result: dict) -> ChildOutcome:
    """A loop test of one child is the problem's (rules 4 and 8): its result goes into the problem's
    journal and into every child's as that child's own progress (its progress clock met, as by a
    progress entry on the problem); a child whose state does not take progress gets the result as a
    journal entry alone."""
    from agent import journal
    from agent.enums import JournalKind

    now = tickets.clock.now()
    out = ChildOutcome()
    where = f"工单 #{ticket_id} 环测 #{loop_id} / loop test #{loop_id} on ticket #{ticket_id}"
    child_text = f"[故障问题 #{problem.id} / service problem #{problem.id}] {text}（{where}）"
    for child in st.children(session, problem):
        ticket = tickets.get(session, child.id, for_update=True)
        if "progress" in allowed_actions(ticket, actor.role):
            tickets.add_progress(session, ticket, actor, child_text)
            out.done.append(ticket.id)
            continue
        out.skipped.append({"ticket": str(ticket.id), "status": ticket.status,
                            "reason": f"progress is not open to {actor.role.value} while the ticket is {ticket.status}"})
        if ticket.id != ticket_id:  # the tested ticket has the result in its journal already
            journal.append(session, ticket.id, at=now, kind=JournalKind.LOOP_RESULT, author=actor.name,
                           role=actor.role.value, text=child_text,
                           data={"problem_id": problem.id, "from_ticket": ticket_id, "loop_id": loop_id, "result": result})
    if PS(problem.status) in (PS.SUBMITTED, PS.ACKNOWLEDGED):
        _status(problem, PS.IN_PROGRESS, now, "loop test result recorded")
    st.record(session, problem, now, "loop_result", f"{text}（{where}）",
              {"ticket_id": str(ticket_id), "loop_id": loop_id, "result": result,
               "tickets": [str(t) for t in out.done], "skipped": out.skipped},
              author=actor.name, role=actor.role.value)
    return out


def resolve(session: Session, problem: ServiceProblem, actor: Actor, tickets: TicketService, cause: str) -> ChildOutcome:
    """The cause repaired: every working child is resolved with the cause (its own restoration
    confirmation, rule 9, still gates its return); a child not in a working state is told in its journal."""
    _refuse(problem, "resolve", _WORK_FROM)
    cause = tickets._require_cause(cause, "resolve")  # the same rule 5 test as a ticket's own resolve
    now = tickets.clock.now()
    out = ChildOutcome()
    for child in st.children(session, problem):
        ticket = tickets.get(session, child.id, for_update=True)
        if "resolve" in allowed_actions(ticket, actor.role):
            tickets.resolve(session, ticket, actor, f"{cause}（故障问题 #{problem.id} / service problem #{problem.id}）")
            out.done.append(ticket.id)
        else:
            out.skipped.append({"ticket": str(ticket.id), "status": ticket.status,
                                "reason": f"resolve is not open to {actor.role.value} while the ticket is {ticket.status}"})
            _propose(session, ticket, problem, actor, cause, now)
    problem.resolved_at, problem.resolved_by, problem.resolution_cause = now, actor.name, cause
    _status(problem, PS.RESOLVED, now, cause)
    st.record(session, problem, now, "resolved", f"故障问题已修复 / resolved: {cause}",
              {"cause": cause, "tickets": [str(t) for t in out.done], "skipped": out.skipped},
              author=actor.name, role=actor.role.value)
    return out


def _propose(session: Session, ticket: Ticket, problem: ServiceProblem, actor: Actor, cause: str, now: datetime) -> None:
    from agent import journal
    from agent.enums import JournalKind

    journal.append(session, ticket.id, at=now, kind=JournalKind.PROBLEM_RESOLUTION_PROPOSED, author=actor.name,
                   role=actor.role.value,
                   text=f"故障问题 #{problem.id} 已修复，建议修复本单：{cause} / service problem #{problem.id} resolved: "
                        f"resolve this ticket with its cause once it is worked ({ticket.status} now)",
                   data={"problem_id": problem.id, "cause": cause})


def link(session: Session, problem: ServiceProblem, ticket: Ticket, actor: Actor, now: datetime, reason: str) -> None:
    """An officer links a ticket by hand (moving it from another problem, if it was a child there)."""
    if PS(problem.status) not in _WORK_FROM:
        raise InvalidTransition("link", problem.status, allowed_problem_actions(problem),
                                f"tickets join an open service problem; #{problem.id} is {problem.status}")
    if TicketStatus(ticket.status) not in {TicketStatus(s) for s in st.OPEN_TICKET_STATES}:
        raise InvalidTransition("link", ticket.status, [], f"ticket #{ticket.id} is {ticket.status}: only open tickets join")
    current = st.linked_problem(session, ticket.id)
    if current is not None and current.id == problem.id:
        return
    if current is not None:
        st.set_link(session, current, ticket, ProblemLinkState.UNLINKED, how="manual",
                    reason_zh=f"人工移至故障问题 #{problem.id}", reason_en=f"moved to service problem #{problem.id} by hand",
                    at=now, author=actor.name, role=actor.role.value)
    if not rules.on_path(st.root_of(problem), st.path_hops(session, ticket.circuit_id)):
        reason = f"{reason} (its circuit's path does not use {st.root_of(problem).label})"
    st.set_link(session, problem, ticket, ProblemLinkState.LINKED, how="manual", reason_zh=reason, reason_en=reason,
                at=now, author=actor.name, role=actor.role.value)


def unlink(session: Session, ticket: Ticket, actor: Actor, now: datetime, reason: str) -> ServiceProblem:
    """An officer takes a ticket out of its problem; grouping never puts it back on its own."""
    current = st.linked_problem(session, ticket.id)
    if current is None:
        raise InvalidTransition("unlink", ticket.status, [], f"ticket #{ticket.id} is linked to no service problem")
    st.set_link(session, current, ticket, ProblemLinkState.UNLINKED, how="manual", reason_zh=reason, reason_en=reason,
                at=now, author=actor.name, role=actor.role.value)
    return current
