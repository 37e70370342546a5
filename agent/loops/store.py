"""The loop guard's database side (blocking: called in worker threads). Registration is one transaction:
the ticket and port checks, the loop-test row and its journal entry; the partial unique indexes of
``agent.models.loops`` decide a race, and the loser is told which loop holds the circuit or port.

Every state change is a compare-and-set (``UPDATE ... WHERE state = <the state read>``) written with its
journal entry (环测时在系统中追加打环点等信息), so the job, a cancel and the reaper never both move one loop.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from agent import journal
from agent.db import unit_of_work
from agent.enums import JournalKind, LoopState, TicketStatus
from agent.errors import LoopGuardError, NotFound, Unavailable
from agent.inventory.targets import device_target, resolve_circuit
from agent.loops.errors import LoopBusy, ServiceAffectingUnconfirmed, SharedPortUnconfirmed
from agent.loops.rules import LoopLimits, may_move, service_up_evidence, unconfirmed_circuits
from agent.models import CircuitHealthRow, Device, Diagnosis, LoopTest, Port, Segment, Ticket
from agent.models.sla import OutboxRow
from agent.tickets import Actor
from collectors.target import DeviceTarget

ACTIVE = LoopState.active()
WORKED = (TicketStatus.IN_PROGRESS, TicketStatus.REOPENED)
REGISTER_ATTEMPTS = 8  # SQLite's writer lock can refuse an upgrade at once (a stale snapshot): look again


@dataclass(frozen=True)
class LoopRequest:
    device: str
    port: str
    mode: str = "remote"
    hold_seconds: int | None = None  # None: the configured maximum
    confirm_shared: tuple[str, ...] = ()  # the other circuits of a shared port, named by the requester
    authorised_by: str | None = None
    localisation_id: int | None = None
    confirm_service_affecting: bool = False  # the circuit is up and the requester accepts interrupting it


@dataclass(frozen=True)
class LoopWork:
    """What the job needs to touch the devices: the looped port and the port across the segment."""

    loop_id: int
    ticket_id: int
    device: str
    port: str
    mode: str
    hold_s: int
    segment: int | None
    target: DeviceTarget
    observer: DeviceTarget | None
    observer_port: str | None
    observer_sensitivity_dbm: float | None
    segment_budget_db: float | None


def _point_text(loop: LoopTest) -> str:
    return f"{loop.device_name} {loop.port_name}（{loop.mode}）"


def _loop_data(loop: LoopTest, state: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {"loop_test_id": loop.id, "loop_point": {"device": loop.device_name, "port": loop.port_name},
            "mode": loop.mode, "segment": loop.segment, "state": state, "at": at.isoformat(),
            "observer": {"device": loop.observer_device, "port": loop.observer_port}, **extra}


NOTIFY_PREFIX = "loop."  # webhook kinds: loop.requested, loop.set, ..., loop.clear_failed ("*" gets them all)


def _notify(s: Session, webhooks: dict[str, list[str]] | None, loop: LoopTest, state: str, at: datetime, seq: int,
            text: str, data: dict[str, Any]) -> int:
    """One outbox row per webhook URL configured for ``loop.<state>`` (or "*"), in the transaction of the
    state change: the notification exists iff the change was committed. ``seq`` (the history length) makes
    each change its own idempotency key (a failed clear can fail again)."""
    kind = f"{NOTIFY_PREFIX}{state}"
    urls = list(dict.fromkeys([*(webhooks or {}).get(kind, []), *(webhooks or {}).get("*", [])]))
    if not urls:
        return 0
    key = f"loop:{loop.id}:{seq}:{state}"
    payload = {"idempotencyKey": key, "kind": kind, "ticketId": loop.ticket_id, "circuitId": loop.circuit_id,
               "loopTestId": loop.id, "href": f"/api/v1/loop-tests/{loop.id}", "state": state, "at": at.isoformat(),
               "loopPoint": {"device": loop.device_name, "port": loop.port_name}, "mode": loop.mode,
               "level": data.get("level", "info"), "text": text}
    s.execute(insert(OutboxRow), [dict(idempotency_key=key, kind=kind, url=url, ticket_id=loop.ticket_id, payload=payload,
                                       created_at=at, attempts=0, next_attempt_at=at) for url in urls])
    return len(urls)


def find_active(s: Session, circuit_id: str, device: str, port: str) -> LoopTest | None:
    return s.scalar(select(LoopTest).where(LoopTest.state.in_(ACTIVE), or_(
        LoopTest.circuit_id == circuit_id, (LoopTest.device_name == device) & (LoopTest.port_name == port)))
        .order_by(LoopTest.id))


def circuits_on_port(s: Session, device: str, port: str) -> list[str]:
    port_id = s.scalar(select(Port.id).join(Device).where(Device.name == device, Port.name == port))
    if port_id is None:
        return []
    return sorted(set(s.scalars(select(Segment.circuit_id).where(
        or_(Segment.a_port_id == port_id, Segment.z_port_id == port_id)))))


def circuit_up_evidence(s: Session, ticket: Ticket) -> str | None:
    """Why the ticket's circuit is taken to be up (its latest health grade, the ticket's latest triage)."""
    row = s.get(CircuitHealthRow, ticket.circuit_id)
    triage = s.execute(select(Diagnosis.verdict, Diagnosis.created_at, Diagnosis.playbook)
                       .where(Diagnosis.ticket_id == ticket.id, Diagnosis.playbook != "loop_test")
                       .order_by(Diagnosis.id.desc()).limit(1)).first()
    return service_up_evidence((row.grade, row.graded_at) if row is not None else None,
                               (str(triage.verdict), triage.created_at) if triage is not None else None)


def register(factory: sessionmaker[Session], now: datetime, ticket_id: int, req: LoopRequest, actor: Actor,
             limits: LoopLimits, owner: str, webhooks: dict[str, list[str]] | None = None) -> int:
    """The loop-test row in state ``requested`` with its journal entry, or the guard's refusal."""
    hold = limits.hold_for(req.hold_seconds)
    for _attempt in range(REGISTER_ATTEMPTS):
        try:
            with unit_of_work(factory) as s:
                return _register(s, now, ticket_id, req, actor, limits, owner, hold, webhooks)
        except IntegrityError:
            with factory() as s:
                ticket = s.get(Ticket, ticket_id)
                busy = find_active(s, ticket.circuit_id, req.device, req.port) if ticket else None
                if busy is not None:
                    raise LoopBusy(busy, ticket.circuit_id) from None
        except OperationalError:
            continue
    raise Unavailable("the loop-test store is busy; retry the request", retry_after=1)


def _register(s: Session, now: datetime, ticket_id: int, req: LoopRequest, actor: Actor, limits: LoopLimits,
              owner: str, hold: int, webhooks: dict[str, list[str]] | None = None) -> int:
    ticket = s.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    if ticket.status not in WORKED:
        raise LoopGuardError(f"a loop test needs a ticket being worked (inProgress or reopened); it is {ticket.status}")
    resolved = resolve_circuit(s, ticket.circuit_id)
    # The looped port and the port across its segment, which observes the reflection.
    found = next(((seg, a, z) for seg in resolved.path.segments for a, z in ((seg.a, seg.z), (seg.z, seg.a))
                  if (a.device, a.port) == (req.device, req.port)), None)
    if found is None:
        raise LoopGuardError(f"{req.device} {req.port} is not a port of circuit {ticket.circuit_id}'s path")
    seg, _end, peer = found
    # A clear_failed loop anywhere on the circuit or port blocks, like any active one; said before inserting
    # so the common refusal needs no failed insert.
    busy = find_active(s, ticket.circuit_id, req.device, req.port)
    if busy is not None:
        raise LoopBusy(busy, ticket.circuit_id)
    others = [c for c in circuits_on_port(s, req.device, req.port) if c != ticket.circuit_id]
    missing = unconfirmed_circuits(others, req.confirm_shared)
    if missing:
        raise SharedPortUnconfirmed(req.device, req.port, missing)
    up = None if req.confirm_service_affecting else circuit_up_evidence(s, ticket)
    if up is not None:
        raise ServiceAffectingUnconfirmed(ticket.circuit_id, up)
    loop = LoopTest(ticket_id=ticket.id, circuit_id=ticket.circuit_id, device_name=req.device, port_name=req.port,
                    mode=req.mode, state=LoopState.REQUESTED, requested_by=actor.name, requested_at=now,
                    max_hold_seconds=hold, segment=seg.index, observer_device=peer.device, observer_port=peer.port,
                    history=[{"state": LoopState.REQUESTED.value, "at": now.isoformat()}], owner=owner,
                    deadline_at=limits.deadline(now, hold), clear_attempts=0, shared_circuits=others or None,
                    authorised_by=req.authorised_by, localisation_id=req.localisation_id)
    s.add(loop)
    s.flush()  # the partial unique indexes decide here
    shared = f"；同端口承载电路 {', '.join(others)} 已确认 / shared with {', '.join(others)}, confirmed" if others else ""
    text = (f"申请环测：打环点 {_point_text(loop)}，观察端 {peer.device} {peer.port}，保持 {hold} s{shared} / "
            f"loop test requested at {req.device} {req.port} ({req.mode}), observed from {peer.device} "
            f"{peer.port}, hold {hold} s")
    data = _loop_data(loop, LoopState.REQUESTED, now, hold_seconds=hold, shared_circuits=others,
                      authorised_by=req.authorised_by, localisation_id=req.localisation_id)
    journal.append(s, ticket.id, at=now, kind=JournalKind.LOOP_REQUESTED, author=actor.name, role=actor.role.value,
                   text=text, data=data)
    _notify(s, webhooks, loop, LoopState.REQUESTED.value, now, 1, text, data)
    return loop.id


def work_of(factory: sessionmaker[Session], loop_id: int) -> LoopWork:
    """The device targets of a registered loop (inventory credentials travel inside, masked in reprs)."""
    from diagnosis.budget import segment_budget

    with factory() as s:
        loop = s.get(LoopTest, loop_id)
        if loop is None:
            raise NotFound(f"loop test {loop_id} not found")
        dev = s.scalar(select(Device).where(Device.name == loop.device_name))
        if dev is None:
            raise NotFound(f"device {loop.device_name} is no longer in the inventory")
        port = next((p for p in dev.ports if p.name == loop.port_name), None)
        target = device_target(dev, [port] if port is not None else [])
        observer = sensitivity = budget = None
        if loop.observer_device:
            odev = s.scalar(select(Device).where(Device.name == loop.observer_device))
            oport = next((p for p in odev.ports if p.name == loop.observer_port), None) if odev else None
            if odev is not None and oport is not None:
                observer, sensitivity = device_target(odev, [oport]), oport.rx_sensitivity_dbm
        if loop.segment is not None:
            try:
                path = resolve_circuit(s, loop.circuit_id).path
                budget = segment_budget(path.segments[loop.segment]).budget_db
            except (LookupError, IndexError):
                budget = None
        return LoopWork(loop.id, loop.ticket_id, loop.device_name, loop.port_name, loop.mode, loop.max_hold_seconds,
                        loop.segment, target, observer, loop.observer_port, sensitivity, budget)


_KIND = {LoopState.SETTING: JournalKind.LOOP_SETTING, LoopState.SET: JournalKind.LOOP_SET,
         LoopState.MEASURING: JournalKind.LOOP_MEASURING, LoopState.CLEARING: JournalKind.LOOP_CLEARING,
         LoopState.CLEARED: JournalKind.LOOP_CLEARED, LoopState.NOT_SET: JournalKind.LOOP_NOT_SET,
         LoopState.CLEAR_FAILED: JournalKind.LOOP_CLEAR_FAILED}
_WORDS = {LoopState.SETTING: ("正在打环", "setting the loop"), LoopState.SET: ("已打环", "loop set"),
          LoopState.MEASURING: ("环回测量中", "measuring through the loop"), LoopState.CLEARING: ("正在拆环", "clearing the loop"),
          LoopState.CLEARED: ("已拆环（设备回读确认）", "loop cleared (read back from the device)"),
          LoopState.NOT_SET: ("未打上环，不占用电路", "loop not set: the device did not take it; nothing is held"),
          LoopState.CLEAR_FAILED: ("【告警】拆环失败，环可能仍在设备上，需人工处理", "ALARM: loop NOT cleared, it may still be on the device")}


def move(factory: sessionmaker[Session], now: datetime, loop_id: int, new: LoopState, actor: Actor, *,
         note: str = "", data: dict[str, Any] | None = None, webhooks: dict[str, list[str]] | None = None,
         **fields: Any) -> bool:
    """Compare-and-set the loop's state with its journal entry; False when someone else moved it first
    (or the move is not allowed from the state it is in)."""
    with unit_of_work(factory) as s:
        loop = s.get(LoopTest, loop_id)
        if loop is None or not may_move(loop.state, new):
            return False
        history = [*(loop.history or []), {"state": new.value, "at": now.isoformat(), **({"note": note} if note else {})}]
        changed = s.execute(update(LoopTest).where(LoopTest.id == loop_id, LoopTest.state == loop.state)
                            .values(state=new.value, history=history, **fields)).rowcount
        if not changed:
            return False
        zh, en = _WORDS[new]
        level = {"level": "alarm"} if new is LoopState.CLEAR_FAILED else {}
        text = f"{zh}：{_point_text(loop)} / {en}: {loop.device_name} {loop.port_name}" + (f" — {note}" if note else "")
        entry = _loop_data(loop, new, now, **level, **(data or {}), **({"note": note} if note else {}))
        journal.append(s, loop.ticket_id, at=now, kind=_KIND[new], author=actor.name, role=actor.role.value,
                       text=text, data=entry)
        _notify(s, webhooks, loop, new.value, now, len(history), text, entry)
        return True


def finish(factory: sessionmaker[Session], now: datetime, loop_id: int, result: dict[str, Any], actor: Actor, text: str) -> None:
    with unit_of_work(factory) as s:
        loop = s.get(LoopTest, loop_id)
        s.execute(update(LoopTest).where(LoopTest.id == loop_id).values(result=result))
        journal.append(s, loop.ticket_id, at=now, kind=JournalKind.LOOP_RESULT, author=actor.name, role=actor.role.value,
                       text=text, data=_loop_data(loop, loop.state, now, result=result))


def clear_failed(factory: sessionmaker[Session], now: datetime, loop_id: int, actor: Actor, error: str,
                 limits: LoopLimits, webhooks: dict[str, list[str]] | None = None) -> bool:
    with factory() as s:
        attempts = (s.scalar(select(LoopTest.clear_attempts).where(LoopTest.id == loop_id)) or 0) + 1
    retry_at = now + timedelta(seconds=limits.retry_delay(attempts))
    return move(factory, now, loop_id, LoopState.CLEAR_FAILED, actor,
                note=f"{error}; 第 {attempts} 次 / attempt {attempts}, next retry at {retry_at.isoformat()}",
                data={"attempt": attempts, "next_clear_at": retry_at.isoformat()}, webhooks=webhooks,
                clear_attempts=attempts, next_clear_at=retry_at, error=error[:2000])


def due_for_reaper(factory: sessionmaker[Session], now: datetime, running: Sequence[int]) -> list[int]:
    """Failed clears whose retry time came, and loops whose job's deadline passed without it ending
    (its process died) that no job of this process runs."""
    with factory() as s:
        rows = s.scalars(select(LoopTest.id).where(or_(
            (LoopTest.state == LoopState.CLEAR_FAILED) & (LoopTest.next_clear_at <= now),
            LoopTest.state.in_([st for st in ACTIVE if st is not LoopState.CLEAR_FAILED]) & (LoopTest.deadline_at <= now),
        )).order_by(LoopTest.id)).all()
    return [r for r in rows if r not in running]


def leftovers_of(factory: sessionmaker[Session], owner: str) -> list[int]:
    """Active loops this process (by its instance name) left behind when it died, and rows of the old
    schema without an owner: cleared at start-up without waiting for their deadline."""
    with factory() as s:
        return list(s.scalars(select(LoopTest.id).where(LoopTest.state.in_(ACTIVE), or_(
            LoopTest.owner == owner, LoopTest.owner.is_(None))).order_by(LoopTest.id)))


def get(s: Session, loop_id: int) -> LoopTest:
    loop = s.get(LoopTest, loop_id)
    if loop is None:
        raise NotFound(f"loop test {loop_id} not found")
    return loop


def resource(loop: LoopTest) -> dict[str, Any]:
    """The loop-test resource of the API (TMF653-like test job, our own fields)."""
    return {
        "id": loop.id, "href": f"/api/v1/loop-tests/{loop.id}", "ticketId": loop.ticket_id, "circuitId": loop.circuit_id,
        "loopPoint": {"device": loop.device_name, "port": loop.port_name}, "mode": loop.mode, "segment": loop.segment,
        "observer": {"device": loop.observer_device, "port": loop.observer_port} if loop.observer_device else None,
        "state": loop.state, "active": loop.state in ACTIVE, "holdSeconds": loop.max_hold_seconds,
        "requestedBy": loop.requested_by, "requestedAt": loop.requested_at, "setAt": loop.set_at,
        "clearedAt": loop.cleared_at, "deadlineAt": loop.deadline_at,
        "stateHistory": loop.history or [], "clearAttempts": loop.clear_attempts or 0, "nextClearAt": loop.next_clear_at,
        "error": loop.error, "sharedCircuits": loop.shared_circuits or [], "authorisedBy": loop.authorised_by,
        "cancelledBy": loop.cancelled_by, "localisationId": loop.localisation_id, "result": loop.result,
    }


def loop_tests_of(s: Session, ticket_id: int) -> list[dict[str, Any]]:
    rows = s.scalars(select(LoopTest).where(LoopTest.ticket_id == ticket_id).order_by(LoopTest.id)).all()
    return [resource(r) for r in rows]


def listed(s: Session, *, active: bool | None = None, limit: int = 200) -> list[dict[str, Any]]:
    q = select(LoopTest).order_by(LoopTest.id.desc()).limit(limit)
    if active is True:
        q = q.where(LoopTest.state.in_(ACTIVE))
    elif active is False:
        q = q.where(LoopTest.state.not_in(ACTIVE))
    return [resource(r) for r in s.scalars(q).all()]
