"""The ticket lifecycle's rules as data and pure functions (no database, no clock): which action
starts from which state, who may perform it, what else it needs, and the night window of rule 9.
``agent.tickets.TicketService`` enforces them; ``allowed_actions`` tells a caller what it may do now.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from agent.enums import Role, TicketKind
from agent.enums import TicketStatus as S
from agent.models import Ticket
from agent.policy import roles_for
from agent.sla.model import SlaEventKind
from agent.sla.model import SlaEventKind as K

WORKING = frozenset({S.IN_PROGRESS, S.REOPENED})
OPEN = frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.REOPENED, S.HELD})


@dataclass(frozen=True)
class Action:
    name: str
    from_states: frozenset[S]
    label_zh: str
    sla_event: SlaEventKind  # what the SLA clocks record when it is done (agent/sla)

    @property
    def roles(self) -> frozenset[Role]:
        """Who may perform it: agent.policy's table, the one place roles are given rights."""
        return roles_for(self.name)


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("sign", frozenset({S.ACKNOWLEDGED}), "签收", K.SIGNED),
    Action("dispatch", WORKING | {S.HELD}, "派单", K.DISPATCHED),
    Action("contact", WORKING | {S.HELD}, "联系用户结果", K.CUSTOMER_CONTACTED),
    Action("progress", WORKING | {S.HELD}, "追加进展", K.PROGRESS),
    Action("request_suspension", WORKING, "申请挂起", K.SUSPENSION_REQUESTED),
    Action("approve_suspension", WORKING, "批准挂起", K.SUSPENSION_APPROVED),
    Action("reject_suspension", WORKING, "驳回挂起", K.SUSPENSION_REJECTED),
    Action("resume", frozenset({S.HELD}), "解挂", K.RESUMED),
    Action("resolve", WORKING, "修复", K.RESOLVED),
    Action("confirm_restoration", frozenset({S.RESOLVED}), "确认恢复", K.RESTORATION_CONFIRMED),
    Action("close", frozenset({S.RESOLVED}) | WORKING, "返单", K.CLOSED),
    Action("reopen", frozenset({S.RESOLVED, S.CLOSED}), "重开", K.REOPENED),
)}

# "Circuit not accepted" is never an acceptable note (DOMAIN, interruption procedure step 5).
UNACCEPTABLE_CAUSES = ("电路未验收", "未验收", "circuit not accepted", "not accepted")
MIN_CAUSE_CHARS = 4
RESTORATION_METHODS = ("customer_service", "noc_alarm_cleared")


def is_night(at: datetime, tz: str, start: time, end: time) -> bool:
    """Whether ``at`` falls in the night window [start, end) of local time in ``tz`` (may wrap midnight)."""
    local = at.astimezone(ZoneInfo(tz)).time()
    return start <= local < end if start < end else (local >= start or local < end)


def _precondition_met(ticket: Ticket, action: str) -> bool:
    """The rules beyond the state that TicketService enforces, so that allowedActions tells the truth."""
    status = S(ticket.status)
    if action == "contact":
        return ticket.dispatched_at is not None  # rule 3: the maintainer contacts after dispatch
    if action == "request_suspension":
        return ticket.pending_suspension is None
    if action in ("approve_suspension", "reject_suspension"):
        return ticket.pending_suspension is not None
    if action == "close":
        if status == S.RESOLVED:
            return ticket.restoration_confirmed_at is not None  # rule 9
        return ticket.kind == TicketKind.ASSIST_CHECK  # an interruption is resolved first
    return True


def allowed_actions(ticket: Ticket, role: Role | None = None) -> list[str]:
    """What ``role`` (anyone, when None) may do now: the state, the role and the action's own rules."""
    return [a.name for a in ACTIONS.values()
            if S(ticket.status) in a.from_states and (role is None or role in a.roles) and _precondition_met(ticket, a.name)]
