"""Resource checks (资源核查), source 五 售前 4, its flow step by step:

    集团客户部提出核查需求          the group customer department asks (``request``)
    客户响应中心分发核查单给相关部门  the center distributes check items to the departments, fixed network and
    (含移动与固网)                  mobile (settings ``orders.check_departments``) (``distribute``)
    运行维护部负责反馈现有网络是否    O&M answers whether the existing network can carry it; here also read from
    具备开通资源                    the devices (``measure``: agent/checks/measure.py)
    相关单位反馈要求核查的内容        each department answers its item (``answer``)
    客户响应中心负责核查结果的收集、  the center collects, and chases late answers (催办: ``sweep``)
    咨询与进度催办
    客户响应中心反馈是否符合要求;    the center feeds back fits / does not fit with the reasons and files the
    反馈资源核查结果,整理台帐,流程结束  ledger row (台帐) (``feed_back``); the flow ends

Each step is due at a time from settings; the sweep journals late ones once (the KPI counts them:
agent/orders/rules.py ``kpis``)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from agent.checks import rules
from agent.checks.measure import CheckSpec, Hop, measure
from agent.clock import Clock
from agent.errors import InvalidInput
from agent.models import ActivationJournalEntry, ResourceCheck, ResourceCheckItem
from agent.orders.errors import OrderConflict, UnknownCheck
from agent.orders.journal import Event, Notice, notify, record
from agent.tickets import Actor


@dataclass(frozen=True)
class CheckRequest:
    customer: str
    a_site: str
    z_site: str
    service_type: str
    rate_mbps: float
    wanted_date: str | None = None
    upstream_id: str | None = None
    access_device: str | None = None
    access_km: float | None = None
    access_connectors: int = 2
    access_splices: int = 0
    path: list[dict[str, str]] = field(default_factory=list)  # existing hops: aDevice, aPort, zDevice, zPort


@dataclass(frozen=True)
class CheckSweep:
    chased: int = 0
    overdue: int = 0


class CheckService:
    def __init__(self, settings, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self.cfg = settings.orders
        self.classes = rules.load_module_classes()

    def request(self, session: Session, req: CheckRequest, actor: Actor) -> tuple[ResourceCheck, bool]:
        """A check request; idempotent on the upstream id when one is given. (check, created)."""
        if req.upstream_id:
            existing = session.scalar(select(ResourceCheck).where(ResourceCheck.upstream_id == req.upstream_id))
            if existing is not None:
                return existing, False
        now = self.clock.now()
        check = ResourceCheck(
            upstream_id=req.upstream_id, customer=req.customer, a_site=req.a_site, z_site=req.z_site,
            service_type=req.service_type, rate_mbps=req.rate_mbps, wanted_date=req.wanted_date,
            access_device=req.access_device,
            proposal={"accessKm": req.access_km, "accessConnectors": req.access_connectors,
                      "accessSplices": req.access_splices, "path": list(req.path)},
            state="requested", requested_at=now, requested_by=actor.name,
            distribute_due_at=now + timedelta(minutes=self.cfg.check_distribute_minutes),
            due_at=now + timedelta(hours=self.cfg.check_feedback_hours))
        session.add(check)
        session.flush()
        record(session, at=now, kind=Event.CHECK_REQUESTED, check_id=check.id, author=actor.name, role=actor.role,
               text=f"resource check for {req.customer}: {req.a_site} - {req.z_site}, {req.service_type} {req.rate_mbps:g} Mbps"
                    + (f", wanted {req.wanted_date}" if req.wanted_date else "") + f"; result due {check.due_at.isoformat()}")
        return check, True

    def get(self, session: Session, check_id: int) -> ResourceCheck:
        check = session.scalar(select(ResourceCheck).where(ResourceCheck.id == check_id).options(
            selectinload(ResourceCheck.items)))
        if check is None:
            raise UnknownCheck(f"no resource check {check_id}")
        return check

    def distribute(self, session: Session, check: ResourceCheck, actor: Actor,
                   departments: list[str] | None = None) -> ResourceCheck:
        if check.state != "requested":
            raise OrderConflict(f"resource check {check.id} is {check.state}: its items were distributed")
        names = departments or list(self.cfg.check_departments)
        unknown = [d for d in names if d not in self.cfg.check_departments]
        if unknown:
            raise InvalidInput([{"loc": "departments", "msg": f"not a configured department: {', '.join(unknown)}",
                                 "type": "value_error"}])
        now = self.clock.now()
        for d in names:
            check.items.append(ResourceCheckItem(department=d, sent_at=now, chase_count=0,
                                                 due_at=now + timedelta(hours=self.cfg.check_answer_hours)))
        check.state, check.distributed_at = "distributed", now
        record(session, at=now, kind=Event.CHECK_DISTRIBUTED, check_id=check.id, author=actor.name, role=actor.role,
               text=f"check items sent to {', '.join(names)}"
                    + (" (late)" if now > check.distribute_due_at else ""), data={"departments": names})
        return check

    def answer(self, session: Session, check: ResourceCheck, department: str, fits: bool, answer: str,
               actor: Actor) -> ResourceCheckItem:
        item = next((i for i in check.items if i.department == department), None)
        if item is None:
            raise UnknownCheck(f"resource check {check.id} has no item for {department}")
        if item.answered_at is not None:
            raise OrderConflict(f"{department} answered at {item.answered_at.isoformat()}")
        if not answer.strip():
            raise InvalidInput([{"loc": "answer", "msg": "the answer needs its text", "type": "value_error"}])
        now = self.clock.now()
        item.answered_at, item.answered_by, item.fits, item.answer = now, actor.name, fits, answer.strip()
        if all(i.answered_at is not None for i in check.items):
            check.state = "collected"
        record(session, at=now, kind=Event.CHECK_ANSWERED, check_id=check.id, author=actor.name, role=actor.role,
               text=f"{department}: {'fits' if fits else 'does not fit'}: {item.answer}"
                    + (" (late)" if now > item.due_at else ""), data={"department": department, "fits": fits})
        return item

    async def measure(self, factory, collector, check_id: int, actor: Actor) -> dict[str, Any]:
        """Read the devices for the check (port, module, path budget, uplink utilisation) and attach the
        answer with its readings to the check, journalled. Database work runs off the event loop."""
        spec = await asyncio.to_thread(self._spec, factory, check_id)
        m = await measure(factory, collector, spec, classes=self.classes, min_margin_db=self.cfg.min_rx_margin_db,
                          max_utilisation=self.cfg.uplink_max_utilisation,
                          counter_interval_s=self.settings.triage_counter_interval_seconds,
                          timeout_s=self.settings.triage_deadline_seconds)
        result = m.as_json()
        await asyncio.to_thread(self._attach, factory, check_id, spec, m, result, actor)
        return result

    def _spec(self, factory, check_id: int) -> CheckSpec:
        with factory() as s:
            check = self.get(s, check_id)
            if not check.access_device:
                raise InvalidInput([{"loc": "accessDevice", "msg": "the check names no access device to read",
                                     "type": "value_error"}])
            p = check.proposal or {}
            return CheckSpec(check.access_device, check.rate_mbps, p.get("accessKm"), p.get("accessConnectors", 2),
                             p.get("accessSplices", 0),
                             tuple(Hop(h["aDevice"], h["aPort"], h["zDevice"], h["zPort"]) for h in p.get("path", [])))

    def _attach(self, factory, check_id: int, spec: CheckSpec, m, result: dict[str, Any], actor: Actor) -> None:
        with factory() as s:
            check = self.get(s, check_id)
            check.measurement = result
            text = (f"measured on {spec.access_device}: " + (f"port {m.port}" if m.port else "no port")
                    + (f" (fit a {m.needs_module})" if m.needs_module else "") + f"; {'fits' if m.fits else 'does not fit'}"
                    + ("" if m.fits else ": " + "; ".join(m.reasons)))
            record(s, at=self.clock.now(), kind=Event.CHECK_MEASURED, check_id=check.id, author=actor.name,
                   role=actor.role, text=text, data={"port": m.port, "fits": m.fits, "reasons": m.reasons})
            s.commit()

    def feed_back(self, session: Session, check: ResourceCheck, actor: Actor, note: str | None = None) -> ResourceCheck:
        """The result (fits or not, with the reasons) back to the requester, and the ledger row."""
        if check.state != "collected":
            missing = [i.department for i in check.items if i.answered_at is None]
            raise OrderConflict(f"resource check {check.id} is {check.state}"
                                + (f"; waiting for {', '.join(missing)}" if missing else ""))
        now = self.clock.now()
        reasons = [f"{i.department}: {i.answer}" for i in check.items if not i.fits]
        m = check.measurement
        if m is not None and not m["fits"]:
            reasons += [f"measured: {r}" for r in m["reasons"]]
        fits = not reasons
        check.fits, check.reasons, check.state, check.fed_back_at = fits, reasons, "fed_back", now
        check.ledger = {"check": check.id, "upstreamId": check.upstream_id, "customer": check.customer,
                        "sites": [check.a_site, check.z_site], "serviceType": check.service_type, "rateMbps": check.rate_mbps,
                        "requestedAt": check.requested_at.isoformat(), "fedBackAt": now.isoformat(),
                        "onTime": now <= check.due_at, "fits": fits, "reasons": reasons,
                        "port": m and m.get("port"), "needsModule": m and m.get("needs_module"),
                        "answers": {i.department: {"fits": i.fits, "answer": i.answer, "by": i.answered_by} for i in check.items},
                        "note": note}
        text = f"result fed back: {'fits' if fits else 'does not fit'}" + ("" if fits else ": " + "; ".join(reasons))
        record(session, at=now, kind=Event.CHECK_FED_BACK, check_id=check.id, author=actor.name, role=actor.role, text=text,
               data={"fits": fits, "onTime": now <= check.due_at})
        notify(session, self.settings.sla.webhooks, Notice.CHECK_RESULT, f"check:{check.id}:result", now,
               {"checkId": check.id, "upstreamId": check.upstream_id, "fits": fits, "reasons": reasons,
                "ledger": check.ledger, "text": text})
        return check

    def sweep(self, session: Session) -> CheckSweep:
        """Chase (催办) items past their due time, again every chase interval; journal a check whose
        result is late, once."""
        now = self.clock.now()
        chased = overdue = 0
        every = timedelta(hours=self.cfg.check_chase_interval_hours)
        for check in session.scalars(select(ResourceCheck).where(ResourceCheck.state != "fed_back").options(
                selectinload(ResourceCheck.items))):
            for item in check.items:
                if item.answered_at is None and now > item.due_at and (
                        item.last_chased_at is None or now - item.last_chased_at >= every):
                    item.chase_count += 1
                    item.last_chased_at = now
                    chased += 1
                    record(session, at=now, kind=Event.CHECK_CHASED, check_id=check.id,
                           text=f"催办 #{item.chase_count}: {item.department} has not answered (due {item.due_at.isoformat()})",
                           data={"department": item.department, "count": item.chase_count})
            if now > check.due_at and not session.scalar(select(exists().where(
                    ActivationJournalEntry.check_id == check.id, ActivationJournalEntry.kind == Event.CHECK_OVERDUE.value))):
                overdue += 1
                record(session, at=now, kind=Event.CHECK_OVERDUE, check_id=check.id,
                       text=f"the result was due {check.due_at.isoformat()} and is not fed back")
        return CheckSweep(chased, overdue)


def overdue_steps(check: ResourceCheck, now: datetime) -> list[str]:
    """Which of the check's steps are late now (for the duty console)."""
    late = []
    if check.distributed_at is None and now > check.distribute_due_at:
        late.append("distribute")
    late += [f"answer:{i.department}" for i in check.items if i.answered_at is None and now > i.due_at]
    if check.fed_back_at is None and now > check.due_at:
        late.append("feed_back")
    return late
