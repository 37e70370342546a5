"""The rules of circuit activation (电路开通) as pure functions: no database, no clock (``now`` is passed).

Source, section 六 售中服务流程 (sales-phase service), in short:

- R1 the center splits the order's overall time limit into limits of each department's steps and
  controls them end to end ("对开通中涉及的各个操作部门的操作时限进行细化、分解 ... 并进行全程管控");
- R2 the order comes from the province's O&M customer response center through the electronic O&M
  system; the branch's O&M allocates resources, dispatches the order and configures data ("接受调单");
- R3 departments: group customer department (customer coordination), network construction (the
  customer's access construction), O&M (dispatch, data configuration, activation and test, the test
  report, acceptance of the access works) ("跟踪进展 (1)");
- R4 the center asks each step about orders due soon and warns them (预警) ("并对其提出预警");
- R5 strict control of the activation time, no overtime ("严格控制电路开通时间,避免超时");
- R6 delay (延期): only for customer-caused delay; a non-customer cause is always counted as an
  activation overtime ("由于客户原因造成的,可以提交延期申请。非客户原因 ... 一律按电路超时开通考核");
- R7 the request must be filed before the limit, else the circuit counts as overtime; when a circuit
  needs several extensions, each request not filed in time counts one overtime, cumulatively
  ("延期申请需在电路开通时限前提出,否则视为电路超时。如该电路需多次延期,每次未按时提出申请均视为一次
  电路超时,次数累计");
- R8 the chain: branch construction -> branch group customer department -> province group customer
  department (copy to the branch center, which reports to the province O&M center, which files it in
  the group dispatch system); the province group customer department files it in the group one-stop
  system; once extended there, the changed order comes down through the O&M system ("延期协调 1) 2)");
- R9 test and completion (测试报竣): see agent/orders/acceptance.py.

Assessment (四 考核制度): resource-check timeliness (资源核查及时率), activation timeliness (业务开通及时率),
activation cycle time (业务开通周期): ``kpis``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

LIMITS_FILE = Path(__file__).with_name("limits.yaml")


class Step(StrEnum):
    """The steps of an order, in the source's order (R2, R3, R9)."""

    RESOURCE_ALLOCATION = "resource_allocation"  # 资源分配
    DISPATCH = "dispatch"  # 调单派发
    ACCESS_CONSTRUCTION = "access_construction"  # 接入工程
    DATA_CONFIGURATION = "data_configuration"  # 数据制作
    ACTIVATION_TEST = "activation_test"  # 开通与测试
    CUSTOMER_COORDINATION = "customer_coordination"  # 客户协调
    COMPLETION_REPORT = "completion_report"  # 报竣


class Department(StrEnum):
    OM = "operations_maintenance"  # 运行维护部
    CONSTRUCTION = "network_construction"  # 网络建设部
    GROUP_CUSTOMER = "group_customer"  # 集团客户部


# R3: who does each step
STEP_DEPARTMENT: dict[Step, Department] = {
    Step.RESOURCE_ALLOCATION: Department.OM,
    Step.DISPATCH: Department.OM,
    Step.ACCESS_CONSTRUCTION: Department.CONSTRUCTION,
    Step.DATA_CONFIGURATION: Department.OM,
    Step.ACTIVATION_TEST: Department.OM,
    Step.CUSTOMER_COORDINATION: Department.GROUP_CUSTOMER,
    Step.COMPLETION_REPORT: Department.OM,
}

STEP_ZH: dict[Step, str] = {
    Step.RESOURCE_ALLOCATION: "资源分配", Step.DISPATCH: "调单派发", Step.ACCESS_CONSTRUCTION: "接入工程",
    Step.DATA_CONFIGURATION: "数据制作", Step.ACTIVATION_TEST: "开通与测试",
    Step.CUSTOMER_COORDINATION: "客户协调", Step.COMPLETION_REPORT: "报竣",
}


class OfficeRole(StrEnum):
    """The branch's role on this order, named in the order (R9): 主调局 / 被调局."""

    LEAD = "lead"  # 主调局: local and end-to-end test reports, directs the end-to-end test, reports completion
    COOPERATING = "cooperating"  # 被调局: the local test report only, assists the far end's end-to-end test


class DelayCause(StrEnum):
    CUSTOMER = "customer"  # 客户原因
    OTHER = "other"  # anything else: never a delay (R6)


class StepTiming(StrEnum):
    ON_TIME = "on_time"
    WARNING = "warning"  # 预警: less than the warning share of the step's duration left
    OVERDUE = "overdue"


# --- limits (R1) --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LimitPlan:
    """One service type's default overall limit, step shares and warning share."""

    default_limit_hours: float
    warn_before_fraction: float
    shares: tuple[tuple[Step, float], ...]

    def __post_init__(self) -> None:
        total = sum(s for _, s in self.shares)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"step shares must add up to 1, not {total:g}")
        if [s for s, _ in self.shares] != list(Step):
            raise ValueError("step shares must name every step once, in the source's order: " + ", ".join(Step))
        if not 0 < self.warn_before_fraction < 1:
            raise ValueError("warn_before_fraction must be between 0 and 1")


def load_limits(path: Path | None = None) -> dict[str, LimitPlan]:
    """The limit plans per service type ("defaults" for the others) from the data file."""
    data = yaml.safe_load((path or LIMITS_FILE).read_text(encoding="utf-8"))
    base = data["defaults"]
    plans = {"defaults": _plan(base, base)}
    for service_type, own in (data.get("service_types") or {}).items():
        plans[service_type] = _plan(own or {}, base)
    return plans


def _plan(own: Mapping[str, Any], base: Mapping[str, Any]) -> LimitPlan:
    shares = own.get("shares") or base["shares"]
    return LimitPlan(float(own.get("default_limit_hours", base["default_limit_hours"])),
                     float(own.get("warn_before_fraction", base["warn_before_fraction"])),
                     tuple((Step(k), float(v)) for k, v in shares.items()))


def plan_for(plans: Mapping[str, LimitPlan], service_type: str) -> LimitPlan:
    return plans.get(service_type) or plans["defaults"]


@dataclass(frozen=True)
class StepLimit:
    step: Step
    department: Department
    starts_at: datetime
    due_at: datetime
    warn_at: datetime


def split_limit(received_at: datetime, due_at: datetime, plan: LimitPlan) -> list[StepLimit]:
    """R1: each step's limit, one after the other, the last one ending at the order's limit."""
    if due_at <= received_at:
        raise ValueError("the order's limit is not after its receipt")
    total = due_at - received_at
    limits, start, cumulative = [], received_at, 0.0
    for i, (step, share) in enumerate(plan.shares):
        cumulative += share
        end = due_at if i == len(plan.shares) - 1 else received_at + total * cumulative
        limits.append(StepLimit(step, STEP_DEPARTMENT[step], start, end,
                                end - (end - start) * plan.warn_before_fraction))
        start = end
    return limits


def rescale(limits: Sequence[StepLimit], old_due: datetime, new_due: datetime, plan: LimitPlan,
            done: set[Step]) -> list[StepLimit]:
    """An approved delay (R8) moves the order's limit: the steps not yet done share the new remaining
    time in their own proportions; done steps keep their limits."""
    open_steps = [lim for lim in limits if lim.step not in done]
    if not open_steps:
        return list(limits)
    start = open_steps[0].starts_at
    if new_due <= start:
        raise ValueError("the new limit is before the open steps start")
    shares = dict(plan.shares)
    open_total = sum(shares[lim.step] for lim in open_steps)
    out = [lim for lim in limits if lim.step in done]
    cumulative, begin = 0.0, start
    for i, lim in enumerate(open_steps):
        cumulative += shares[lim.step] / open_total
        end = new_due if i == len(open_steps) - 1 else start + (new_due - start) * cumulative
        out.append(StepLimit(lim.step, lim.department, begin, end, end - (end - begin) * plan.warn_before_fraction))
        begin = end
    order = list(Step)
    return sorted(out, key=lambda lim: order.index(lim.step))


def step_timing(warn_at: datetime, due_at: datetime, done_at: datetime | None, now: datetime) -> StepTiming:
    """R4/R5: a step done by its limit is on time; an open one warns from ``warn_at`` and is overdue
    after ``due_at`` (a step done late stays overdue: it counts)."""
    moment = done_at or now
    if moment > due_at:
        return StepTiming.OVERDUE
    if done_at is None and now >= warn_at:
        return StepTiming.WARNING
    return StepTiming.ON_TIME


# --- delay requests (R6, R7) ----------------------------------------------------------------------
class DelayRefusal(StrEnum):
    NOT_CUSTOMER_CAUSED = "not_customer_caused"  # R6: counted as overtime, never a delay
    AFTER_LIMIT = "after_limit"  # R7: filed after the limit: the circuit is over time


@dataclass(frozen=True)
class DelayJudgement:
    accepted: bool
    refusal: DelayRefusal | None
    reason_en: str
    reason_zh: str


def judge_delay_request(cause: DelayCause, filed_at: datetime, limit_at: datetime) -> DelayJudgement:
    """Whether a delay request (延期申请) may go up the chain (R6, R7)."""
    if cause != DelayCause.CUSTOMER:
        return DelayJudgement(False, DelayRefusal.NOT_CUSTOMER_CAUSED,
                              "only a customer-caused delay may be requested; a delay for any other cause "
                              "is counted as activation overtime",
                              "非客户原因导致电路不能按时开通，一律按电路超时开通考核")
    if filed_at >= limit_at:
        return DelayJudgement(False, DelayRefusal.AFTER_LIMIT,
                              f"filed at {filed_at.isoformat()}, after the order's limit {limit_at.isoformat()}: "
                              "counted as an activation overtime",
                              "延期申请未在电路开通时限前提出，视为电路超时")
    return DelayJudgement(True, None, "customer-caused and filed before the limit", "客户原因，且在时限前提出")


@dataclass(frozen=True)
class LimitPeriod:
    """One limit the order had (the original, or one set by an approved delay or a changed order).
    ``excused``: a customer-caused delay request was filed before it ran out and is still pending or
    was approved (a rejected request leaves the limit standing: passing it is overtime)."""

    due_at: datetime
    excused: bool = False


def missed_limits(periods: Sequence[LimitPeriod], completed_at: datetime | None, now: datetime) -> int:
    """R7: overtimes counted so far. A limit that ran out with the order not completed and no delay
    request filed before it counts one; each such limit counts again (次数累计). A limit excused by a
    timely request counts nothing."""
    moment = completed_at or now
    return sum(1 for p in periods if moment > p.due_at and not p.excused)


# --- KPIs (四 考核制度) ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckRecord:
    """A resource check for the KPI: when it was asked, due and answered (fed back)."""

    requested_at: datetime
    due_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class OrderRecord:
    received_at: datetime
    completed_at: datetime | None
    overtimes: int  # counted by ``missed_limits`` and non-customer lateness


@dataclass(frozen=True)
class Kpis:
    resource_checks_due: int
    resource_checks_on_time: int
    resource_check_timeliness: float | None  # 资源核查及时率
    orders_completed: int
    orders_on_time: int
    activation_timeliness: float | None  # 业务开通及时率
    activation_cycle_hours: float | None  # 业务开通周期 (mean, receipt to completion)
    overtimes: int
    notes: tuple[str, ...] = field(default=())


def kpis(checks: Sequence[CheckRecord], orders: Sequence[OrderRecord], now: datetime) -> Kpis:
    """Timeliness counts what is due: an answered check, or an unanswered one past its due time (it is
    late already); an open check still within its time is not counted yet. Activation: completed
    orders, on time when they completed with no overtime; cycle time: mean receipt-to-completion."""
    due = [c for c in checks if c.answered_at is not None or now > c.due_at]
    on_time = [c for c in due if c.answered_at is not None and c.answered_at <= c.due_at]
    done = [o for o in orders if o.completed_at is not None]
    punctual = [o for o in done if o.overtimes == 0]
    cycle = [(o.completed_at - o.received_at) / timedelta(hours=1) for o in done]  # type: ignore[operator]
    return Kpis(
        resource_checks_due=len(due), resource_checks_on_time=len(on_time),
        resource_check_timeliness=round(len(on_time) / len(due), 4) if due else None,
        orders_completed=len(done), orders_on_time=len(punctual),
        activation_timeliness=round(len(punctual) / len(done), 4) if done else None,
        activation_cycle_hours=round(sum(cycle) / len(cycle), 2) if cycle else None,
        overtimes=sum(o.overtimes for o in orders))
