"""Loop tests (环测/打环) behind a guard: who may loop, on which ticket and port, one loop per circuit,
a maximum hold time, and a loop that is always cleared — also after a crash (pending loops are
persisted before the device is touched and cleared at start-up).

Each loop point goes into the ticket's journal (环测时在系统中追加打环点等信息).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select

from agent import journal
from agent.db import unit_of_work
from agent.enums import JournalKind, LoopState, Role, TicketStatus
from agent.errors import Forbidden, LoopGuardError, NotFound
from agent.inventory.targets import device_target, resolve_circuit
from agent.models import Device, LoopTest, Ticket
from agent.tickets import Actor
from collectors.target import DeviceTarget

log = logging.getLogger("faultline.loops")

LOOP_ROLES = frozenset({Role.ENGINEER, Role.DUTY_OFFICER, Role.PROVINCE, Role.ADMIN})
ACTIVE = LoopState.active()
MAX_HOLD_SECONDS = 900


class LoopDriver(Protocol):
    async def set_loop(self, target: DeviceTarget, port: str, mode: str) -> str: ...

    async def clear_loop(self, target: DeviceTarget, port: str) -> str: ...

    async def port_light(self, target: DeviceTarget, port: str) -> dict[str, Any]:
        """{"oper_up": bool|None, "rx_dbm": float|None, "source": str}"""
        ...


@dataclass(frozen=True)
class LoopRequest:
    device: str
    port: str
    mode: str = "remote"
    hold_seconds: int = 120
    settle_seconds: float = 1.0


class LoopGuard:
    def __init__(self, services, driver: LoopDriver) -> None:
        self.services, self.driver = services, driver
        self._locks: dict[str, asyncio.Lock] = {}

    def _targets(self, s, ticket: Ticket, req: LoopRequest) -> tuple[DeviceTarget, DeviceTarget, str, int]:
        """The looped port's device, and the peer port across the segment that observes the reflection."""
        resolved = resolve_circuit(s, ticket.circuit_id)
        for seg in resolved.path.segments:
            for end, peer in ((seg.a, seg.z), (seg.z, seg.a)):
                if (end.device, end.port) == (req.device, req.port):
                    dev = s.scalar(select(Device).where(Device.name == end.device))
                    peer_dev = s.scalar(select(Device).where(Device.name == peer.device))
                    loop_port = next(p for p in dev.ports if p.name == end.port)
                    peer_port = next(p for p in peer_dev.ports if p.name == peer.port)
                    return device_target(dev, [loop_port]), device_target(peer_dev, [peer_port]), peer.port, seg.index
        raise LoopGuardError(f"{req.device} {req.port} is not a port of circuit {ticket.circuit_id}'s path")

    async def run(self, ticket_id: int, req: LoopRequest, actor: Actor) -> dict[str, Any]:
        if actor.role not in LOOP_ROLES:
            raise Forbidden(f"role {actor.role.value} may not run loop tests")
        if req.mode not in ("local", "remote"):
            raise LoopGuardError("mode must be local or remote")
        if not 1 <= req.hold_seconds <= MAX_HOLD_SECONDS:
            raise LoopGuardError(f"hold time must be between 1 and {MAX_HOLD_SECONDS} s")
        circuit_id, loop_id, target, peer, peer_port, seg_index = await asyncio.to_thread(
            self._register, ticket_id, req, actor)
        lock = self._locks.setdefault(circuit_id, asyncio.Lock())
        async with lock:
            return await self._execute(loop_id, ticket_id, target, peer, peer_port, seg_index, req, actor)

    def _register(self, ticket_id: int, req: LoopRequest, actor: Actor):
        """Guard checks and the pending loop row with its journal entry, in one transaction (a worker thread:
        database waits never hold up the event loop)."""
        clock = self.services.clock
        with unit_of_work(self.services.session_factory) as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"ticket {ticket_id} not found")
            if ticket.status not in (TicketStatus.IN_PROGRESS, TicketStatus.REOPENED):
                raise LoopGuardError(f"a loop test needs a ticket being worked (inProgress or reopened); it is {ticket.status}")
            target, peer, peer_port, seg_index = self._targets(s, ticket, req)
            busy = s.scalar(select(LoopTest).where(LoopTest.circuit_id == ticket.circuit_id, LoopTest.state.in_(ACTIVE)))
            if busy is not None:
                raise LoopGuardError(f"circuit {ticket.circuit_id} already has a loop on {busy.device_name} "
                                     f"{busy.port_name} (loop test {busy.id}, {busy.state}): one loop per circuit")
            loop = LoopTest(ticket_id=ticket.id, circuit_id=ticket.circuit_id, device_name=req.device,
                            port_name=req.port, mode=req.mode, state=LoopState.PENDING, requested_by=actor.name,
                            requested_at=clock.now(), max_hold_seconds=req.hold_seconds)
            s.add(loop)
            s.flush()
            loop_id = loop.id
            journal.append(s, ticket.id, at=clock.now(), kind=JournalKind.LOOP_REQUESTED, author=actor.name, role=actor.role.value,
                           text=f"申请环测：打环点 {req.device} {req.port}（{req.mode}），观察端 {peer.name} {peer_port} / "
                                f"loop test requested at {req.device} {req.port} ({req.mode}), observed from {peer.name} {peer_port}",
                           data={"loop_test_id": loop_id, "loop_point": {"device": req.device, "port": req.port},
                                 "mode": req.mode, "segment": seg_index, "observer": {"device": peer.name, "port": peer_port}})
        return ticket.circuit_id, loop_id, target, peer, peer_port, seg_index

    async def _execute(self, loop_id, ticket_id, target, peer, peer_port, seg_index, req, actor) -> dict[str, Any]:
        clock = self.services.clock
        result: dict[str, Any] = {"loopTestId": loop_id, "loopPoint": {"device": req.device, "port": req.port},
                                  "mode": req.mode, "segment": seg_index}
        try:
            try:
                await asyncio.wait_for(self.driver.set_loop(target, req.port, req.mode), timeout=req.hold_seconds)
            except Exception as exc:  # noqa: BLE001
                result.update(state=LoopState.FAILED, error=f"{type(exc).__name__}: {exc}")
                await asyncio.to_thread(self._finish, loop_id, ticket_id, "failed", result, actor,
                             f"打环失败 / loop could not be set on {req.device} {req.port}: {exc}")
                # the device may have applied part of it: clear anyway
                await self._clear(loop_id, ticket_id, target, req, actor, after_failure=True)
                return result
            await asyncio.to_thread(self._mark, loop_id, state=LoopState.SET, set_at=clock.now())
            await asyncio.to_thread(self._journal, ticket_id, JournalKind.LOOP_SET, actor,
                                    f"已打环 / loop set: {req.device} {req.port} ({req.mode})",
                          {"loop_test_id": loop_id, "loop_point": {"device": req.device, "port": req.port}})
            await asyncio.sleep(min(req.settle_seconds, req.hold_seconds))  # let the link settle before observing
            light = await asyncio.wait_for(self.driver.port_light(peer, peer_port), timeout=req.hold_seconds)
            returned = bool(light.get("oper_up")) and light.get("rx_dbm") is not None and light["rx_dbm"] > -40.0
            result.update(signalReturned=returned, observer={"device": peer.name, "port": peer_port, **light})
        except Exception as exc:  # noqa: BLE001 - the loop must still be cleared below
            result.update(error=f"{type(exc).__name__}: {exc}")
        finally:
            cleared = await self._clear(loop_id, ticket_id, target, req, actor)
            result["cleared"] = cleared
        verdict = ("信号返回：本段至打环点正常 / signal returned: the line up to the loop point is healthy"
                   if result.get("signalReturned") else
                   "信号未返回：故障在观察端与打环点之间 / no signal back: the fault lies between the observer and the loop point"
                   if "signalReturned" in result else "环测未完成 / loop test incomplete")
        result["state"] = LoopState.CLEARED if cleared else LoopState.CLEAR_FAILED
        result["conclusion"] = verdict
        await asyncio.to_thread(self._finish, loop_id, ticket_id, result["state"], result, actor,
                                f"环测结果 / loop test result at {req.device} {req.port}: {verdict}")
        return result

    async def _clear(self, loop_id, ticket_id, target, req, actor, after_failure: bool = False) -> bool:
        for attempt in range(3):
            try:
                await asyncio.wait_for(self.driver.clear_loop(target, req.port), timeout=60)
                await asyncio.to_thread(self._mark, loop_id, state=LoopState.CLEARED, cleared_at=self.services.clock.now())
                await asyncio.to_thread(self._journal, ticket_id, JournalKind.LOOP_CLEARED, actor,
                                        f"已拆环 / loop cleared: {req.device} {req.port}",
                              {"loop_test_id": loop_id, "attempt": attempt + 1})
                return True
            except Exception as exc:  # noqa: BLE001
                log.warning("clearing loop %s on %s %s failed (attempt %d): %s", loop_id, req.device, req.port,
                            attempt + 1, exc)
        await asyncio.to_thread(self._mark, loop_id, state=LoopState.CLEAR_FAILED)
        await asyncio.to_thread(self._journal, ticket_id, JournalKind.LOOP_CLEAR_FAILED, actor,
                      f"拆环失败，需人工处理 / loop NOT cleared on {req.device} {req.port}: clear it by hand; "
                      "faultline retries at every start", {"loop_test_id": loop_id})
        return False

    def _mark(self, loop_id: int, **fields) -> None:
        with unit_of_work(self.services.session_factory) as s:
            loop = s.get(LoopTest, loop_id)
            for k, v in fields.items():
                setattr(loop, k, v)

    def _journal(self, ticket_id: int, kind: str, actor: Actor, text: str, data: dict[str, Any]) -> None:
        with unit_of_work(self.services.session_factory) as s:
            journal.append(s, ticket_id, at=self.services.clock.now(), kind=kind, author=actor.name,
                           role=actor.role.value, text=text, data=data)

    def _finish(self, loop_id, ticket_id, state, result, actor, text) -> None:
        with unit_of_work(self.services.session_factory) as s:
            loop = s.get(LoopTest, loop_id)
            loop.state, loop.result = state, _jsonable(result)
            journal.append(s, ticket_id, at=self.services.clock.now(), kind=JournalKind.LOOP_RESULT, author=actor.name,
                           role=actor.role.value, text=text, data=_jsonable(result))

    async def clear_leftovers(self) -> list[int]:
        """At start-up: every loop still pending, set or not cleared is cleared (a crash never leaves one)."""
        work = await asyncio.to_thread(self._leftovers)
        system = Actor(name=journal.SYSTEM_AUTHOR, role=Role.ADMIN)
        cleared = []
        for loop_id, ticket_id, target, req in work:
            if await self._clear(loop_id, ticket_id, target, req, system):
                cleared.append(loop_id)
        return cleared

    def _leftovers(self) -> list[tuple[int, int, DeviceTarget, LoopRequest]]:
        with self.services.session_factory() as s:
            rows = s.scalars(select(LoopTest).where(LoopTest.state.in_(ACTIVE))).all()
            work = []
            for loop in rows:
                dev = s.scalar(select(Device).where(Device.name == loop.device_name))
                port = next((p for p in dev.ports if p.name == loop.port_name), None) if dev else None
                if port is not None:
                    work.append((loop.id, loop.ticket_id, device_target(dev, [port]),
                                 LoopRequest(loop.device_name, loop.port_name, loop.mode)))
        return work


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def loop_tests_of(s, ticket_id: int) -> list[dict[str, Any]]:
    rows = s.scalars(select(LoopTest).where(LoopTest.ticket_id == ticket_id).order_by(LoopTest.id)).all()
    return [{"id": r.id, "device": r.device_name, "port": r.port_name, "mode": r.mode, "state": r.state,
             "requestedBy": r.requested_by, "requestedAt": r.requested_at, "setAt": r.set_at,
             "clearedAt": r.cleared_at, "result": r.result} for r in rows]
