"""Planned cutovers (割接): the approval chain, register/approve, list, and the approved windows
triage passes on.

A cutover that affects enterprise circuits needs approval before it excuses anything (DOMAIN): a
registered but unapproved cutover is listed, never passed to the diagnosis. The caller's unit of
work commits.

The approval chain as the source draws it (售后服务, 割接管理), one ``CutoverState`` per step, every
decision a ``CutoverDecision`` row:

    apply (branch 分公司运维部 -> province 省公司运维部)                      -> applied
    assess_impact (province, from the inventory: circuits over the elements)
        no enterprise circuit -> approved (正常网络割接流程)        | some -> plan_review
    review_plan (province customer response center 省客响中心: the customer-impact plan)
        not acceptable -> plan_rejected | international -> international_review | else -> customer_consent
    international_decision (the group's international customer service 集团国际客服部)
        refused -> window_refused (the branch is told to move the window; the chain ends)
        approved -> customer_consent
    customer_consent (the customer manager 客户经理 asks the customer; the branch records it)
        refused -> customer_refused (the branch works with the customer and applies again)
        consented -> approved

A refused or rejected application is final: the branch applies again (a new reference). The
legacy ``approve`` (the province approving outright) still works on an application that was not
refused. Only ``approved`` windows are passed to triage (``approved_windows``), as before.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from agent.errors import InvalidInput, InvalidTransition, NotFound
from agent.models import (
    Circuit,
    Cutover,
    CutoverCircuit,
    CutoverDecision,
    Device,
    Port,
    Segment,
)
from agent.tickets import Actor
from diagnosis.ticket import CutoverWindow


@dataclass(frozen=True)
class CutoverIn:
    reference: str
    starts_at: datetime
    ends_at: datetime
    circuits: tuple[str, ...]
    description: str = ""
    approved: bool = False  # registered already approved: the registering actor is the approver
    branch: str | None = None
    elements: tuple[tuple[str, str | None], ...] = field(default_factory=tuple)  # (device, port or None)


class CutoverState(StrEnum):
    APPLIED = "applied"  # the branch applied; the province has not assessed the impact yet
    PLAN_REVIEW = "plan_review"  # enterprise customers affected: the customer-impact plan is reviewed
    INTERNATIONAL_REVIEW = "international_review"  # waits for the group's international customer service
    CUSTOMER_CONSENT = "customer_consent"  # the customer manager asks the customer
    APPROVED = "approved"  # the window excuses faults on its circuits
    PLAN_REJECTED = "plan_rejected"
    WINDOW_REFUSED = "window_refused"  # the international CS refused: move the window, apply again
    CUSTOMER_REFUSED = "customer_refused"  # the customer refused: work with the customer, apply again

    @property
    def final(self) -> bool:
        return self in (CutoverState.APPROVED, CutoverState.PLAN_REJECTED, CutoverState.WINDOW_REFUSED,
                        CutoverState.CUSTOMER_REFUSED)


class CutoverStep(StrEnum):
    APPLY = "apply"
    ASSESS_IMPACT = "assess_impact"
    REVIEW_PLAN = "review_plan"
    INTERNATIONAL = "international_decision"
    CUSTOMER_CONSENT = "customer_consent"
    APPROVE = "approve"  # the province approving outright (registration with approval, legacy route)


S, STEP = CutoverState, CutoverStep
# The step each state waits for (None: the chain has ended).
NEXT_STEP: dict[CutoverState, CutoverStep | None] = {
    S.APPLIED: STEP.ASSESS_IMPACT, S.PLAN_REVIEW: STEP.REVIEW_PLAN, S.INTERNATIONAL_REVIEW: STEP.INTERNATIONAL,
    S.CUSTOMER_CONSENT: STEP.CUSTOMER_CONSENT, S.APPROVED: None, S.PLAN_REJECTED: None, S.WINDOW_REFUSED: None,
    S.CUSTOMER_REFUSED: None,
}


def register(session: Session, req: CutoverIn, actor: Actor, now: datetime) -> Cutover:
    problems = []
    if req.ends_at <= req.starts_at:
        problems.append({"loc": "end", "msg": "the cutover must end after it starts"})
    circuits = tuple(dict.fromkeys(req.circuits))
    if not circuits and not req.elements:
        problems.append({"loc": "circuits", "msg": "name at least one affected circuit (or the network elements)"})
    known = set(session.scalars(select(Circuit.id).where(Circuit.id.in_(circuits)))) if circuits else set()
    unknown = [c for c in circuits if c not in known]
    if unknown:
        problems.append({"loc": "circuits", "msg": f"not in the inventory: {', '.join(unknown)}"})
    if session.scalar(select(Cutover.id).where(Cutover.reference == req.reference)) is not None:
        problems.append({"loc": "reference", "msg": f"cutover {req.reference} is already registered"})
    problems += _unknown_elements(session, req.elements)
    if problems:
        raise InvalidInput(problems)
    row = Cutover(reference=req.reference, description=req.description, starts_at=req.starts_at, ends_at=req.ends_at,
                  created_at=now, created_by=actor.name, approved_by=actor.name if req.approved else None,
                  approved_at=now if req.approved else None,
                  state=(S.APPROVED if req.approved else S.APPLIED).value, branch=req.branch,
                  elements=[{"device": d, "port": p} for d, p in req.elements] or None,
                  circuits=[CutoverCircuit(circuit_id=c) for c in circuits])
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same reference
        raise InvalidInput([{"loc": "reference", "msg": f"cutover {req.reference} is already registered"}]) from exc
    _record(session, row, actor, now, STEP.APPLY, "applied", S.APPLIED, S.APPLIED,
            f"{req.branch or actor.name} 申请割接 {req.reference}（{req.starts_at.isoformat()} .. {req.ends_at.isoformat()}）"
            f" / cutover applied for", {"circuits": list(circuits), "elements": row.elements or []})
    if req.approved:
        _record(session, row, actor, now, STEP.APPROVE, "approved", S.APPLIED, S.APPROVED,
                "登记即批准 / registered as approved")
    return row


def _unknown_elements(session: Session, elements: Sequence[tuple[str, str | None]]) -> list[dict[str, str]]:
    problems = []
    for i, (device, port) in enumerate(elements):
        dev = session.scalar(select(Device).where(Device.name == device))
        if dev is None:
            problems.append({"loc": f"elements.{i}", "msg": f"device {device} is not in the inventory"})
        elif port is not None and not any(p.name == port for p in dev.ports):
            problems.append({"loc": f"elements.{i}", "msg": f"{device} has no port {port} in the inventory"})
    return problems


def circuits_over(session: Session, elements: Sequence[tuple[str, str | None]]) -> list[str]:
    """The circuits whose path (a segment's A or Z port) runs over any of the elements."""
    if not elements:
        return []
    conditions = [(Device.name == d) & (Port.name == p) if p is not None else (Device.name == d) for d, p in elements]
    ports = select(Port.id).join(Device, Port.device_id == Device.id).where(or_(*conditions))
    return list(session.scalars(select(Segment.circuit_id).where(
        or_(Segment.a_port_id.in_(ports), Segment.z_port_id.in_(ports))).distinct().order_by(Segment.circuit_id)))


def approve(session: Session, cutover_id: int, actor: Actor, now: datetime) -> Cutover:
    """The province approves outright (idempotent); a refused application stays refused."""
    row = get(session, cutover_id)
    if row.approved_by is None:
        state = S(row.state)
        if state.final:
            raise InvalidTransition(STEP.APPROVE.value, state.value, [],
                                    f"cutover {row.reference} ended as {state.value}: the branch applies again")
        _decide(session, row, actor, now, STEP.APPROVE, "approved", state, S.APPROVED,
                "省公司直接批准割接 / approved outright by the province")
    return row


# --- the approval chain ----------------------------------------------------------------------------
def _record(session: Session, row: Cutover, actor: Actor, now: datetime, step: CutoverStep, outcome: str,
            before: CutoverState, after: CutoverState, text: str, data: dict[str, Any] | None = None) -> None:
    session.add(CutoverDecision(cutover_id=row.id, at=now, step=step.value, outcome=outcome, from_state=before.value,
                                to_state=after.value, actor=actor.name, role=actor.role.value, text=text, data=data))


def _decide(session: Session, row: Cutover, actor: Actor, now: datetime, step: CutoverStep, outcome: str,
            before: CutoverState, after: CutoverState, text: str, data: dict[str, Any] | None = None,
            **fields: Any) -> Cutover:
    """Move the chain one step: compare-and-set on the state, so two deciders racing on one application
    cannot both decide it; the decision row in the same transaction."""
    values = {"state": after.value, **fields}
    if after is S.APPROVED:
        values.update(approved_by=actor.name, approved_at=now)
    moved = session.execute(update(Cutover).where(Cutover.id == row.id, Cutover.state == before.value)
                            .values(**values).execution_options(synchronize_session=False)).rowcount
    if not moved:
        session.refresh(row)
        raise InvalidTransition(step.value, row.state, _allowed(row),
                                f"cutover {row.reference} is {row.state} now, no longer {before.value}")
    _record(session, row, actor, now, step, outcome, before, after, text, data)
    session.flush()
    session.refresh(row)
    return row


def _allowed(row: Cutover) -> list[str]:
    nxt = NEXT_STEP[S(row.state)]
    return [nxt.value] if nxt is not None else []


def _at_step(row: Cutover, step: CutoverStep) -> CutoverState:
    state = S(row.state)
    if NEXT_STEP[state] is not step:
        raise InvalidTransition(step.value, state.value, _allowed(row),
                                f"cutover {row.reference} is {state.value}: "
                                + (f"it waits for {NEXT_STEP[state].value}" if NEXT_STEP[state] else "its chain has ended"))
    return state


def assess_impact(session: Session, cutover_id: int, actor: Actor, now: datetime) -> Cutover:
    """The province decides from the inventory whether enterprise customers are affected."""
    row = get(session, cutover_id)
    state = _at_step(row, STEP.ASSESS_IMPACT)
    elements = [(e["device"], e.get("port")) for e in row.elements or []]
    named = [c.circuit_id for c in row.circuits]
    found = circuits_over(session, elements)
    affected = sorted(set(named) | set(found))
    for c in found:
        if c not in named:
            row.circuits.append(CutoverCircuit(circuit_id=c))
    customers = sorted(set(session.scalars(select(Circuit.customer_id).where(Circuit.id.in_(affected))))) if affected else []
    data = {"circuits": affected, "fromInventory": found, "named": named, "customers": customers}
    if not affected:
        return _decide(session, row, actor, now, STEP.ASSESS_IMPACT, "not_affected", state, S.APPROVED,
                       "不影响大客户，执行正常网络割接流程 / no enterprise customer affected: normal cutover",
                       data, affects_customers=False)
    return _decide(session, row, actor, now, STEP.ASSESS_IMPACT, "affected", state, S.PLAN_REVIEW,
                   f"影响大客户电路 {', '.join(affected)}（客户 {', '.join(customers)}），转省客响中心审核方案 / "
                   f"enterprise circuits affected: the customer-impact plan goes to review", data, affects_customers=True)


def review_plan(session: Session, cutover_id: int, actor: Actor, now: datetime, *, approved: bool,
                international: bool, note: str | None = None) -> Cutover:
    row = get(session, cutover_id)
    state = _at_step(row, STEP.REVIEW_PLAN)
    data = {"international": international, "note": note}
    if not approved:
        return _decide(session, row, actor, now, STEP.REVIEW_PLAN, "rejected", state, S.PLAN_REJECTED,
                       "客户影响方案不合格 / customer-impact plan not acceptable" + (f": {note}" if note else ""),
                       data, international=international)
    after = S.INTERNATIONAL_REVIEW if international else S.CUSTOMER_CONSENT
    text = ("方案合格；国际电路，提交集团国际客服部审批 / plan accepted; international circuit: to the group's "
            "international customer service" if international else
            "方案合格，下发割接批复，由客户经理通知用户 / plan accepted: the customer manager asks the customer")
    return _decide(session, row, actor, now, STEP.REVIEW_PLAN, "accepted", state, after,
                   text + (f": {note}" if note else ""), data, international=international)


def international_decision(session: Session, cutover_id: int, actor: Actor, now: datetime, *, approved: bool,
                           approver: str, note: str | None = None) -> Cutover:
    row = get(session, cutover_id)
    state = _at_step(row, STEP.INTERNATIONAL)
    data = {"approver": approver, "note": note}
    if not approved:
        return _decide(session, row, actor, now, STEP.INTERNATIONAL, "refused", state, S.WINDOW_REFUSED,
                       f"集团国际客服部（{approver}）不同意割接，通知分公司调整时间 / refused by the group's international "
                       f"customer service: the branch moves the window and applies again" + (f": {note}" if note else ""),
                       data)
    return _decide(session, row, actor, now, STEP.INTERNATIONAL, "approved", state, S.CUSTOMER_CONSENT,
                   f"集团国际客服部（{approver}）同意割接，下发批复至分公司 / approved by the group's international customer "
                   f"service" + (f": {note}" if note else ""), data)


def customer_consent(session: Session, cutover_id: int, actor: Actor, now: datetime, *, consented: bool,
                     customer_manager: str, customer_person: str, note: str | None = None) -> Cutover:
    row = get(session, cutover_id)
    state = _at_step(row, STEP.CUSTOMER_CONSENT)
    data = {"customerManager": customer_manager, "customerPerson": customer_person, "note": note}
    if not consented:
        return _decide(session, row, actor, now, STEP.CUSTOMER_CONSENT, "refused", state, S.CUSTOMER_REFUSED,
                       f"用户（{customer_person}，客户经理 {customer_manager}）不同意割接，割接终止 / the customer refused: "
                       f"the cutover stops" + (f": {note}" if note else ""), data)
    return _decide(session, row, actor, now, STEP.CUSTOMER_CONSENT, "consented", state, S.APPROVED,
                   f"用户（{customer_person}，客户经理 {customer_manager}）同意割接，转入正常网络割接流程 / the customer "
                   f"consented: approved" + (f": {note}" if note else ""), data)


def decisions(session: Session, cutover_id: int) -> Sequence[CutoverDecision]:
    return session.scalars(select(CutoverDecision).where(CutoverDecision.cutover_id == cutover_id)
                           .order_by(CutoverDecision.at, CutoverDecision.id)).all()


def next_step(row: Cutover) -> CutoverStep | None:
    """The step the application waits for (None: the chain has ended)."""
    return NEXT_STEP[S(row.state)]


def get(session: Session, cutover_id: int) -> Cutover:
    row = session.get(Cutover, cutover_id, options=[selectinload(Cutover.circuits)])
    if row is None:
        raise NotFound(f"cutover {cutover_id} not found")
    return row


def listing(session: Session, *, circuit: str | None = None, active_at: datetime | None = None) -> Sequence[Cutover]:
    q = select(Cutover).options(selectinload(Cutover.circuits)).order_by(Cutover.starts_at, Cutover.id)
    if circuit is not None:
        q = q.where(Cutover.id.in_(select(CutoverCircuit.cutover_id).where(CutoverCircuit.circuit_id == circuit)))
    if active_at is not None:
        q = q.where(Cutover.starts_at <= active_at, Cutover.ends_at >= active_at)
    return session.scalars(q).all()


def approved_windows(session: Session, circuit_id: str, start: datetime, end: datetime) -> tuple[CutoverWindow, ...]:
    """The approved cutovers on this circuit that overlap [start, end], as the diagnosis takes them."""
    rows = session.scalars(
        select(Cutover).join(CutoverCircuit).where(
            CutoverCircuit.circuit_id == circuit_id, Cutover.approved_by.is_not(None),
            Cutover.starts_at <= end, Cutover.ends_at >= start).order_by(Cutover.starts_at)).all()
    return tuple(CutoverWindow(start=r.starts_at, end=r.ends_at, reference=r.reference) for r in rows)
