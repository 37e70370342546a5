"""Circuit orders (电路调单): intake from the province, steps with their limits, the sweep that warns
and escalates, delay requests up the chain and back, completion. The rules are agent/orders/rules.py;
this module keeps the record (every change journalled) inside the caller's transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from agent.clock import Clock
from agent.errors import Forbidden, InvalidInput
from agent.models import CircuitOrder, DelayRequest, OrderLimitPeriod, OrderStep, ResourceCheck
from agent.orders import rules
from agent.orders.errors import OrderConflict, UnknownOrder
from agent.orders.journal import Event, Notice, notify, record
from agent.orders.rules import DelayCause, OfficeRole, Step
from agent.policy import Permission, may
from agent.tickets import Actor

# Which permission completes a step: the department that does it (source 六 跟踪进展 (1)).
STEP_PERMISSION = {
    rules.Department.OM: Permission.ORDER_STEP_OM,
    rules.Department.CONSTRUCTION: Permission.ORDER_STEP_CONSTRUCTION,
    rules.Department.GROUP_CUSTOMER: Permission.ORDER_STEP_CUSTOMER,
}


class OrderOutcome(StrEnum):
    CREATED = "created"
    EXISTING = "existing"  # the same upstream id and revision: the same order
    CHANGED = "changed"  # a higher revision of it: a changed order (变更调单)


@dataclass(frozen=True)
class OrderIntake:
    """An order as the province sends it (the electronic O&M system's dispatch flow)."""

    upstream_id: str
    circuit_id: str
    customer_id: str
    customer_name: str
    service_type: str
    rate_mbps: float
    office_role: OfficeRole
    lead_office: str | None = None
    cooperating_office: str | None = None
    due_at: datetime | None = None  # the overall limit; the service type's default when absent
    revision: int = 1
    design: dict[str, Any] = field(default_factory=dict)  # the circuit's path: {"segments": [...]}
    resource_check_id: int | None = None


@dataclass(frozen=True)
class SweepResult:
    warnings: int = 0
    overdue: int = 0
    overtimes: int = 0


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


class OrderService:
    def __init__(self, settings, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self.plans = rules.load_limits(settings.orders.limits_file)

    @property
    def webhooks(self) -> dict[str, list[str]]:
        return self.settings.sla.webhooks

    # -- intake --------------------------------------------------------------------------------
    def receive(self, session: Session, req: OrderIntake, actor: Actor) -> tuple[CircuitOrder, OrderOutcome]:
        """Idempotent on the upstream id: the same order posted again is the same order; a higher
        revision is a changed order (变更调单, R8) and its new limit becomes the order's limit."""
        now = self.clock.now()
        existing = session.scalar(select(CircuitOrder).where(CircuitOrder.upstream_id == req.upstream_id))
        if existing is not None:
            if req.revision <= existing.revision:
                return existing, OrderOutcome.EXISTING
            self._change(session, existing, req, actor, now)
            return existing, OrderOutcome.CHANGED
        plan = rules.plan_for(self.plans, req.service_type)
        due = req.due_at or now + timedelta(hours=plan.default_limit_hours)
        if due <= now:
            raise InvalidInput([{"loc": "dueAt", "msg": f"the order's limit {due.isoformat()} is not after now", "type": "value_error"}])
        if req.resource_check_id is not None and session.get(ResourceCheck, req.resource_check_id) is None:
            raise InvalidInput([{"loc": "resourceCheckId", "msg": f"no resource check {req.resource_check_id}", "type": "value_error"}])
        order = CircuitOrder(
            upstream_id=req.upstream_id, revision=req.revision, circuit_id=req.circuit_id, customer_id=req.customer_id,
            customer_name=req.customer_name, service_type=req.service_type, rate_mbps=req.rate_mbps,
            office_role=req.office_role.value, lead_office=req.lead_office, cooperating_office=req.cooperating_office,
            state="in_progress", received_at=now, original_due_at=due, due_at=due, overtimes=0,
            resource_check_id=req.resource_check_id, design=req.design,
            ledger={"order": req.upstream_id, "circuit": req.circuit_id, "received_at": now.isoformat(),
                    "due_at": due.isoformat(), "entries": []})
        for seq, lim in enumerate(rules.split_limit(now, due, plan)):
            order.steps.append(OrderStep(seq=seq, step=lim.step.value, department=lim.department.value,
                                         starts_at=lim.starts_at, warn_at=lim.warn_at, due_at=lim.due_at))
        order.periods.append(OrderLimitPeriod(seq=0, due_at=due, origin="original", excused=False))
        session.add(order)
        session.flush()
        record(session, at=now, kind=Event.ORDER_RECEIVED, order_id=order.id, author=actor.name, role=actor.role,
               text=f"order {req.upstream_id} received ({req.office_role.value} office): circuit {req.circuit_id}, "
                    f"{req.service_type} {req.rate_mbps:g} Mbps, limit {due.isoformat()}",
               data={"limit": due.isoformat(), "steps": [{"step": s.step, "dueAt": s.due_at.isoformat()} for s in order.steps]})
        return order, OrderOutcome.CREATED

    def _change(self, session: Session, order: CircuitOrder, req: OrderIntake, actor: Actor, now: datetime) -> None:
        order.revision = req.revision
        if req.design:
            order.design = req.design
        if req.due_at is not None and req.due_at != order.due_at:
            self._move_limit(session, order, req.due_at, "changed_order", now)
        record(session, at=now, kind=Event.ORDER_CHANGED, order_id=order.id, author=actor.name, role=actor.role,
               text=f"changed order (变更调单) revision {req.revision}; limit {order.due_at.isoformat()}",
               data={"revision": req.revision, "limit": order.due_at.isoformat()})

    def _move_limit(self, session: Session, order: CircuitOrder, new_due: datetime, origin: str, now: datetime) -> None:
        plan = rules.plan_for(self.plans, order.service_type)
        current = [rules.StepLimit(Step(s.step), rules.Department(s.department), s.starts_at, s.due_at, s.warn_at)
                   for s in order.steps]
        done = {Step(s.step) for s in order.steps if s.done_at is not None}
        try:
            moved = {lim.step.value: lim for lim in rules.rescale(current, order.due_at, new_due, plan, done)}
        except ValueError as exc:
            raise InvalidInput([{"loc": "dueAt", "msg": f"{new_due.isoformat()}: {exc}", "type": "value_error"}]) from exc
        for s in order.steps:
            if s.done_at is None:
                lim = moved[s.step]
                s.starts_at, s.warn_at, s.due_at = lim.starts_at, lim.warn_at, lim.due_at
                if s.warn_at > now:
                    s.warned_at = None  # a new limit gets its own warning
                if s.due_at > now:
                    s.escalated_at = None
        order.due_at = new_due
        order.periods.append(OrderLimitPeriod(seq=len(order.periods), due_at=new_due, origin=origin, excused=False))

    # -- reading -------------------------------------------------------------------------------
    def get(self, session: Session, order_id: int) -> CircuitOrder:
        order = session.scalar(select(CircuitOrder).where(CircuitOrder.id == order_id).options(
            selectinload(CircuitOrder.steps), selectinload(CircuitOrder.periods),
            selectinload(CircuitOrder.delay_requests), selectinload(CircuitOrder.tests)))
        if order is None:
            raise UnknownOrder(f"no circuit order {order_id}")
        return order

    def timing(self, step: OrderStep, now: datetime | None = None) -> rules.StepTiming:
        return rules.step_timing(step.warn_at, step.due_at, step.done_at, now or self.clock.now())

    # -- steps ---------------------------------------------------------------------------------
    def complete_step(self, session: Session, order: CircuitOrder, step: Step, actor: Actor,
                      note: str | None = None) -> OrderStep:
        row = next(s for s in order.steps if s.step == step.value)
        permission = STEP_PERMISSION[rules.Department(row.department)]
        if not may(actor.role, permission):
            raise Forbidden(f"{actor.role} may not complete the {step.value} step (done by {row.department})")
        if order.state != "in_progress":
            raise OrderConflict(f"order {order.upstream_id} is {order.state}")
        if row.done_at is not None:
            raise OrderConflict(f"step {step.value} was done at {row.done_at.isoformat()} by {row.done_by}")
        if step == Step.COMPLETION_REPORT:
            raise OrderConflict("the completion report (报竣) is made by completing the order with its passed test reports")
        now = self.clock.now()
        row.done_at, row.done_by, row.note = now, actor.name, note
        timing = self.timing(row, now)
        record(session, at=now, kind=Event.STEP_DONE, order_id=order.id, author=actor.name, role=actor.role,
               text=f"{step.value} ({rules.STEP_ZH[step]}) done, {timing.value} (limit {row.due_at.isoformat()})"
                    + (f": {note}" if note else ""),
               data={"step": step.value, "timing": timing.value, "dueAt": row.due_at.isoformat()})
        self._ledger(order, now, f"{step.value} done by {actor.name}")
        return row

    def _ledger(self, order: CircuitOrder, at: datetime, entry: str, **extra: Any) -> None:
        ledger = dict(order.ledger)
        ledger["entries"] = [*ledger.get("entries", []), {"at": at.isoformat(), "entry": entry}]
        ledger.update(extra)
        order.ledger = ledger

    # -- the sweep (预警, escalation, overtime) ------------------------------------------------
    def sweep(self, session: Session) -> SweepResult:
        """Warn the steps whose warning time came, escalate the overdue ones and count overtimes, each
        once (R4, R5, R7); every event journalled and sent to the webhooks."""
        now = self.clock.now()
        warnings = overdue = overtimes = 0
        orders = session.scalars(select(CircuitOrder).where(CircuitOrder.state == "in_progress").options(
            selectinload(CircuitOrder.steps), selectinload(CircuitOrder.periods))).all()
        for order in orders:
            for s in order.steps:
                if s.done_at is not None:
                    continue
                if s.warned_at is None and s.warn_at <= now < s.due_at:
                    s.warned_at = now
                    warnings += 1
                    left = s.due_at - now
                    text = (f"预警: {s.step} ({rules.STEP_ZH[Step(s.step)]}, {s.department}) due {s.due_at.isoformat()}, "
                            f"{left.total_seconds() / 3600:.1f} h left")
                    record(session, at=now, kind=Event.STEP_WARNING, order_id=order.id, text=text,
                           data={"step": s.step, "dueAt": s.due_at.isoformat()})
                    notify(session, self.webhooks, Notice.STEP_WARNING, f"order:{order.id}:{s.step}:warn:{s.due_at.isoformat()}",
                           now, {"orderId": order.id, "upstreamId": order.upstream_id, "step": s.step,
                                 "department": s.department, "dueAt": s.due_at.isoformat(), "text": text})
                if s.escalated_at is None and now > s.due_at:
                    s.escalated_at = now
                    s.warned_at = s.warned_at or now
                    overdue += 1
                    text = (f"overdue: {s.step} ({rules.STEP_ZH[Step(s.step)]}, {s.department}) was due "
                            f"{s.due_at.isoformat()}; escalated to the customer response center")
                    record(session, at=now, kind=Event.STEP_OVERDUE, order_id=order.id, text=text,
                           data={"step": s.step, "dueAt": s.due_at.isoformat()})
                    notify(session, self.webhooks, Notice.STEP_OVERDUE, f"order:{order.id}:{s.step}:overdue:{s.due_at.isoformat()}",
                           now, {"orderId": order.id, "upstreamId": order.upstream_id, "step": s.step,
                                 "department": s.department, "dueAt": s.due_at.isoformat(), "text": text})
            overtimes += self._count_overtimes(session, order, now)
        return SweepResult(warnings, overdue, overtimes)

    def _count_overtimes(self, session: Session, order: CircuitOrder, now: datetime) -> int:
        moment = order.completed_at or now
        counted = 0
        for p in order.periods:
            if p.overtime_counted_at is None and not p.excused and moment > p.due_at:
                p.overtime_counted_at = now
                counted += 1
                text = (f"电路超时: the limit {p.due_at.isoformat()} ({p.origin}) passed with the order not completed "
                        "and no customer-caused delay request filed before it")
                record(session, at=now, kind=Event.OVERTIME, order_id=order.id, text=text,
                       data={"limit": p.due_at.isoformat(), "origin": p.origin})
                notify(session, self.webhooks, Notice.OVERTIME, f"order:{order.id}:overtime:{p.seq}", now,
                       {"orderId": order.id, "upstreamId": order.upstream_id, "limit": p.due_at.isoformat(), "text": text})
        order.overtimes = rules.missed_limits([rules.LimitPeriod(p.due_at, p.excused) for p in order.periods],
                                              order.completed_at, now)
        return counted

    # -- delay requests (R6-R8) ----------------------------------------------------------------
    def request_delay(self, session: Session, order: CircuitOrder, cause: DelayCause, reason: str,
                      requested_due_at: datetime, actor: Actor) -> DelayRequest:
        """File a delay request (延期申请). A refused one is recorded too (with why): it is the evidence
        of the overtime it counts."""
        if order.state != "in_progress":
            raise OrderConflict(f"order {order.upstream_id} is {order.state}")
        if not reason.strip():
            raise InvalidInput([{"loc": "reason", "msg": "a delay request needs its reason", "type": "value_error"}])
        if requested_due_at <= order.due_at:
            raise InvalidInput([{"loc": "requestedDueAt", "msg": f"not after the current limit {order.due_at.isoformat()}",
                                 "type": "value_error"}])
        if any(r.state in ("filed", "submitted") for r in order.delay_requests):
            raise OrderConflict("a delay request of this order is still going up the chain")
        now = self.clock.now()
        judged = rules.judge_delay_request(cause, now, order.due_at)
        chain = [{"at": now.isoformat(), "by": actor.name, "role": actor.role,
                  "hop": "branch network construction -> branch group customer department -> province group customer "
                         "department; copy to the branch customer response center -> province O&M customer response center"}]
        req = DelayRequest(cause=cause.value, reason=reason.strip(), filed_at=now, filed_by=actor.name, limit_at=order.due_at,
                           requested_due_at=requested_due_at, state="filed" if judged.accepted else "refused",
                           refusal=judged.refusal.value if judged.refusal else None, chain=chain if judged.accepted else [])
        order.delay_requests.append(req)
        session.flush()
        if judged.accepted:
            order.periods[-1].excused = True
            record(session, at=now, kind=Event.DELAY_FILED, order_id=order.id, author=actor.name, role=actor.role,
                   text=f"delay request #{req.id} filed (customer-caused, before the limit {order.due_at.isoformat()}): "
                        f"{req.reason}; asks for {requested_due_at.isoformat()}",
                   data={"request": req.id, "requestedDueAt": requested_due_at.isoformat()})
            notify(session, self.webhooks, Notice.DELAY_REQUEST, f"order:{order.id}:delay:{req.id}", now,
                   {"orderId": order.id, "upstreamId": order.upstream_id, "requestId": req.id, "reason": req.reason,
                    "limit": order.due_at.isoformat(), "requestedDueAt": requested_due_at.isoformat()})
        else:
            record(session, at=now, kind=Event.DELAY_REFUSED, order_id=order.id, author=actor.name, role=actor.role,
                   text=f"delay request #{req.id} refused: {judged.reason_en} ({judged.reason_zh})",
                   data={"request": req.id, "refusal": req.refusal})
            self._count_overtimes(session, order, now)
        return req

    def _request(self, order: CircuitOrder, request_id: int) -> DelayRequest:
        req = next((r for r in order.delay_requests if r.id == request_id), None)
        if req is None:
            raise UnknownOrder(f"order {order.id} has no delay request {request_id}")
        return req

    def submit_delay(self, session: Session, order: CircuitOrder, request_id: int, actor: Actor,
                     note: str | None = None) -> DelayRequest:
        """The province files it in the group's dispatch and one-stop systems (R8)."""
        req = self._request(order, request_id)
        if req.state != "filed":
            raise OrderConflict(f"delay request {req.id} is {req.state}, not filed")
        now = self.clock.now()
        req.state = "submitted"
        req.chain = [*req.chain, {"at": now.isoformat(), "by": actor.name, "role": actor.role,
                                  "hop": "province: filed in the group dispatch system and the group one-stop system"
                                         + (f" ({note})" if note else "")}]
        record(session, at=now, kind=Event.DELAY_SUBMITTED, order_id=order.id, author=actor.name, role=actor.role,
               text=f"delay request #{req.id} submitted to the group's systems", data={"request": req.id})
        return req

    def decide_delay(self, session: Session, order: CircuitOrder, request_id: int, approve: bool, actor: Actor,
                     new_due_at: datetime | None = None, note: str | None = None) -> DelayRequest:
        """The group's decision comes back (the changed order, R8): approved moves the order's limit."""
        req = self._request(order, request_id)
        if req.state not in ("filed", "submitted"):
            raise OrderConflict(f"delay request {req.id} is {req.state}")
        now = self.clock.now()
        req.decided_at, req.decided_by = now, actor.name
        hop = {"at": now.isoformat(), "by": actor.name, "role": actor.role,
               "hop": ("approved" if approve else "rejected") + " by the group; the changed order comes down through the O&M system"
                      + (f" ({note})" if note else "")}
        req.chain = [*req.chain, hop]
        if approve:
            due = new_due_at or req.requested_due_at
            if due <= req.limit_at:
                raise InvalidInput([{"loc": "newDueAt", "msg": "an approved delay must move the limit later", "type": "value_error"}])
            req.state, req.approved_due_at = "approved", due
            old = order.due_at
            self._move_limit(session, order, due, "delay", now)
            record(session, at=now, kind=Event.DELAY_APPROVED, order_id=order.id, author=actor.name, role=actor.role,
                   text=f"delay request #{req.id} approved: limit {old.isoformat()} -> {due.isoformat()}",
                   data={"request": req.id, "from": old.isoformat(), "to": due.isoformat()})
            self._ledger(order, now, f"limit moved to {due.isoformat()} (delay #{req.id})", due_at=due.isoformat())
        else:
            req.state = "rejected"
            order.periods[-1].excused = False  # the limit stands; passing it is overtime
            record(session, at=now, kind=Event.DELAY_REJECTED, order_id=order.id, author=actor.name, role=actor.role,
                   text=f"delay request #{req.id} rejected; the limit {order.due_at.isoformat()} stands",
                   data={"request": req.id})
            self._count_overtimes(session, order, now)
        return req

    # -- completion (报竣) -----------------------------------------------------------------------
    def complete(self, session: Session, order: CircuitOrder, actor: Actor, reports: list[dict[str, Any]]) -> CircuitOrder:
        """Mark the order completed (called by the acceptance tests once the reports are signed)."""
        now = self.clock.now()
        report_step = next(s for s in order.steps if s.step == Step.COMPLETION_REPORT.value)
        report_step.done_at, report_step.done_by = now, actor.name
        order.state, order.completed_at = "completed", now
        self._count_overtimes(session, order, now)
        scope = "end-to-end (全程报竣)" if order.office_role == OfficeRole.LEAD.value else "local (本地报竣)"
        text = (f"order {order.upstream_id} completed, {scope}; {order.overtimes} overtime(s); cycle "
                f"{(now - order.received_at).total_seconds() / 3600:.1f} h")
        self._ledger(order, now, text, completed_at=now.isoformat(), overtimes=order.overtimes)
        record(session, at=now, kind=Event.ORDER_COMPLETED, order_id=order.id, author=actor.name, role=actor.role, text=text,
               data={"overtimes": order.overtimes, "reports": [r["id"] for r in reports]})
        notify(session, self.webhooks, Notice.COMPLETED, f"order:{order.id}:completed", now,
               {"orderId": order.id, "upstreamId": order.upstream_id, "circuitId": order.circuit_id,
                "officeRole": order.office_role, "completedAt": now.isoformat(), "overtimes": order.overtimes,
                "testReports": reports, "ledger": order.ledger, "text": text})
        return order

    # -- KPIs ------------------------------------------------------------------------------------
    def kpis(self, session: Session) -> rules.Kpis:
        now = self.clock.now()
        checks = [rules.CheckRecord(c.requested_at, c.due_at, c.fed_back_at) for c in session.scalars(select(ResourceCheck))]
        orders = []
        for o in session.scalars(select(CircuitOrder).where(CircuitOrder.state != "cancelled").options(
                selectinload(CircuitOrder.periods))):
            over = rules.missed_limits([rules.LimitPeriod(p.due_at, p.excused) for p in o.periods], o.completed_at, now)
            orders.append(rules.OrderRecord(o.received_at, o.completed_at, over))
        return rules.kpis(checks, orders, now)
