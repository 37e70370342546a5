"""Request and response models of resource checks (api/routers/checks.py) and circuit orders
(api/routers/orders.py), on the shared camelCase bases of api/schemas/base.py."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from agent.checks.service import overdue_steps
from agent.models import CircuitOrder, ResourceCheck
from agent.orders.rules import DelayCause, OfficeRole, step_timing
from api.schemas.base import In, Instant, Out

Name = Annotated[str, Field(min_length=1, max_length=200)]
Id64 = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/-]+$")]
Note = Annotated[str, Field(max_length=4000)]
PortName = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9/:._-]+$")]


class JournalOut(Out):
    at: Instant
    author: str
    role: str
    kind: str
    text: str
    data: dict[str, Any] | None


# --- resource checks -------------------------------------------------------------------------------
class HopIn(In):
    a_device: Id64
    a_port: PortName
    z_device: Id64
    z_port: PortName


class CheckIn(In):
    upstream_id: Id64 | None = Field(None, description="the requester's id: the same id posted again is the same check")
    customer: Name
    a_site: Name
    z_site: Name
    service_type: Annotated[str, Field(min_length=1, max_length=32)]
    rate_mbps: float = Field(gt=0, le=400000)
    wanted_date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    access_device: Id64 | None = Field(None, description="the proposed access device (read for a free port)")
    access_km: float | None = Field(None, ge=0, le=200, description="length of the new access fibre")
    access_connectors: int = Field(2, ge=0, le=50)
    access_splices: int = Field(0, ge=0, le=200)
    path: list[HopIn] = Field(default_factory=list, max_length=20, description="existing segments the circuit rides")


class DistributeIn(In):
    departments: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        None, max_length=20, description="the configured departments (orders.checkDepartments) when absent")


class AnswerIn(In):
    department: Annotated[str, Field(min_length=1, max_length=64)]
    fits: bool
    answer: Note


class FeedbackIn(In):
    note: Note | None = None


class CheckItemOut(Out):
    department: str
    sent_at: Instant
    due_at: Instant
    answered_at: Instant | None
    answered_by: str | None
    fits: bool | None
    answer: str | None
    chase_count: int
    last_chased_at: Instant | None


class CheckOut(Out):
    id: int
    upstream_id: str | None
    customer: str
    a_site: str
    z_site: str
    service_type: str
    rate_mbps: float
    wanted_date: str | None
    access_device: str | None
    proposal: dict[str, Any] | None
    state: Literal["requested", "distributed", "collected", "fed_back"]
    requested_at: Instant
    requested_by: str
    distribute_due_at: Instant
    due_at: Instant
    distributed_at: Instant | None
    fed_back_at: Instant | None
    fits: bool | None
    reasons: list[str] | None
    measurement: dict[str, Any] | None = Field(description="the answer read from the network: port, why, readings")
    ledger: dict[str, Any] | None
    items: list[CheckItemOut]
    overdue: list[str] = Field(description="steps late now (distribute, answer:<department>, feed_back)")
    journal: list[JournalOut] = Field(default_factory=list)

    @classmethod
    def of(cls, check: ResourceCheck, now: datetime, journal=()) -> CheckOut:
        fields = {name: getattr(check, name) for name in cls.model_fields if name not in ("items", "overdue", "journal")}
        return cls.model_validate({**fields, "items": [CheckItemOut.model_validate(i) for i in check.items],
                                   "overdue": overdue_steps(check, now),
                                   "journal": [JournalOut.model_validate(j) for j in journal]})


class CheckListOut(Out):
    checks: list[CheckOut]


# --- orders ---------------------------------------------------------------------------------------
class SegmentEndIn(In):
    device: Id64
    port: PortName


class DesignSegmentIn(In):
    a: SegmentEndIn
    z: SegmentEndIn
    length_km: float = Field(ge=0, le=2000)
    connectors: int = Field(2, ge=0, le=50)
    splices: int = Field(0, ge=0, le=500)


class DesignIn(In):
    segments: list[DesignSegmentIn] = Field(default_factory=list, max_length=30)


class OrderIn(In):
    upstream_id: Id64 = Field(description="the province's order id (调单号): the same id and revision is the same order")
    revision: int = Field(1, ge=1, le=1000, description="a higher revision is a changed order (变更调单)")
    circuit_id: Id64
    customer_id: Id64
    customer_name: Name
    service_type: Annotated[str, Field(min_length=1, max_length=32)]
    rate_mbps: float = Field(gt=0, le=400000)
    office_role: OfficeRole
    lead_office: Name | None = None
    cooperating_office: Name | None = None
    due_at: AwareDatetime | None = Field(None, description="the overall limit; the service type's default when absent")
    design: DesignIn = Field(default_factory=DesignIn)
    resource_check_id: int | None = Field(None, ge=1, le=2**31 - 1)


class StepOut(Out):
    step: str
    department: str
    starts_at: Instant
    warn_at: Instant
    due_at: Instant
    done_at: Instant | None
    done_by: str | None
    note: str | None
    warned_at: Instant | None
    escalated_at: Instant | None
    timing: Literal["on_time", "warning", "overdue"]


class StepsOut(Out):
    steps: list[StepOut]


class StepDoneIn(In):
    note: Note | None = None


class PeriodOut(Out):
    seq: int
    due_at: Instant
    origin: str
    excused: bool
    overtime_counted_at: Instant | None


class DelayIn(In):
    cause: DelayCause
    reason: Note
    requested_due_at: AwareDatetime


class DelaySubmitIn(In):
    note: Note | None = None


class DelayDecisionIn(In):
    approve: bool
    new_due_at: AwareDatetime | None = None
    note: Note | None = None


class DelayOut(Out):
    id: int
    cause: str
    reason: str
    filed_at: Instant
    filed_by: str
    limit_at: Instant
    requested_due_at: Instant
    state: Literal["refused", "filed", "submitted", "approved", "rejected"]
    refusal: str | None
    approved_due_at: Instant | None
    decided_at: Instant | None
    decided_by: str | None
    chain: list[dict[str, Any]]


class DelaysOut(Out):
    delay_requests: list[DelayOut]


class TestIn(In):
    scope: Literal["local", "end_to_end"]


class SignIn(In):
    signer: Name


class TestOut(Out):
    id: int
    order_id: int
    scope: str
    template: str
    state: Literal["measuring", "passed", "failed", "error", "completed"]
    started_at: Instant
    finished_at: Instant | None
    window_seconds: float
    progress: float
    indicators: list[dict[str, Any]] | None
    readings: dict[str, Any] | None
    error: str | None
    tester: str | None
    tester_signed_at: Instant | None
    customer_signer: str | None
    customer_signed_at: Instant | None
    completed_at: Instant | None


class TestsOut(Out):
    tests: list[TestOut]


class OrderOut(Out):
    id: int
    upstream_id: str
    revision: int
    outcome: str | None = Field(None, description="of an intake: created | existing | changed")
    circuit_id: str
    customer_id: str
    customer_name: str
    service_type: str
    rate_mbps: float
    office_role: str
    lead_office: str | None
    cooperating_office: str | None
    state: Literal["in_progress", "completed", "cancelled"]
    received_at: Instant
    original_due_at: Instant
    due_at: Instant
    completed_at: Instant | None
    overtimes: int
    resource_check_id: int | None
    design: dict[str, Any]
    ledger: dict[str, Any]
    steps: list[StepOut]
    periods: list[PeriodOut]
    delay_requests: list[DelayOut]
    tests: list[TestOut]
    journal: list[JournalOut] = Field(default_factory=list)

    @classmethod
    def of(cls, order: CircuitOrder, now: datetime, outcome: str | None = None, journal=()) -> OrderOut:
        return cls.model_validate({
            **{c: getattr(order, c) for c in ("id", "upstream_id", "revision", "circuit_id", "customer_id", "customer_name",
                                              "service_type", "rate_mbps", "office_role", "lead_office", "cooperating_office",
                                              "state", "received_at", "original_due_at", "due_at", "completed_at",
                                              "overtimes", "resource_check_id", "design", "ledger")},
            "outcome": outcome, "steps": [step_out(s, now) for s in order.steps],
            "periods": [PeriodOut.model_validate(p) for p in order.periods],
            "delay_requests": [DelayOut.model_validate(d) for d in order.delay_requests],
            "tests": [TestOut.model_validate(t) for t in order.tests],
            "journal": [JournalOut.model_validate(j) for j in journal]})


def step_out(s, now: datetime) -> StepOut:
    return StepOut.model_validate({**{c: getattr(s, c) for c in StepOut.model_fields if c != "timing"},
                                   "timing": step_timing(s.warn_at, s.due_at, s.done_at, now).value})


class OrderListOut(Out):
    orders: list[OrderOut]


class KpisOut(Out):
    resource_checks_due: int
    resource_checks_on_time: int
    resource_check_timeliness: float | None = Field(description="资源核查及时率")
    orders_completed: int
    orders_on_time: int
    activation_timeliness: float | None = Field(description="业务开通及时率")
    activation_cycle_hours: float | None = Field(description="业务开通周期, mean receipt to completion")
    overtimes: int



