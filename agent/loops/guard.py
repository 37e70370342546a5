"""Loop tests (环测/打环) as jobs behind the guard: the device side.

A request is registered (``store.register``: the database's partial unique indexes allow one active loop
per circuit and per port) and answered at once; the job then sets the loop within the set limit, holds
it at most the hold time while the observer across the segment is read, and clears it within the clear
limit, reading the port back from the device. The loop is on the device at most hold + clear time
after it was set. A set that failed before the device took it ends ``not_set`` and holds nothing; a
clear that failed ends ``clear_failed`` (an alarm-level journal entry) and is retried by the reaper with
back-off, and through the API. Loops of a process that died are cleared at its next start (its own, at
once) or by any process's reaper once their deadline passed.
"""
from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent import journal, problems
from agent.enums import LoopState, Role
from agent.errors import Forbidden, Unavailable
from agent.loops import store
from agent.loops.errors import LoopStateConflict
from agent.loops.localise import Localiser
from agent.loops.rules import (
    LoopLimits,
    Signal,
    SignalReading,
    check_mode,
    judge_signal,
)
from agent.loops.store import LoopRequest, LoopWork
from agent.policy import Permission, may
from agent.tickets import Actor
from collectors.base import LoopDriver
from collectors.errors import CollectorError, InvalidPort, Unsupported

log = logging.getLogger("faultline.loops")
SYSTEM = Actor(name=journal.SYSTEM_AUTHOR, role=Role.ADMIN)
S = LoopState


@dataclass(frozen=True)
class ClearOutcome:
    cleared: bool
    verified: bool  # read back from the device
    never_set: bool = False  # the read-back before clearing found no loop
    error: str | None = None
    readback: str | None = None


def _err(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    raw = getattr(exc, "raw", None)
    return f"{text} [{raw[:300]}]" if raw else text


def _never_reached_device(exc: BaseException) -> bool:
    """The set failed before any configuration line reached the device."""
    if isinstance(exc, (Unsupported, InvalidPort)):
        return True
    return isinstance(exc, CollectorError) and exc.config_sent is False


class LoopGuard:
    def __init__(self, services, driver: LoopDriver) -> None:
        self.services, self.driver = services, driver
        settings = services.settings
        self.limits = LoopLimits.from_settings(settings)
        self.owner = settings.instance_name or f"{socket.gethostname()}:{settings.port}"
        self.webhooks: dict[str, list[str]] = dict(settings.sla.webhooks)  # loop.<state> notifications (outbox)
        self._jobs: dict[int, asyncio.Task] = {}
        self._cancel: dict[int, asyncio.Event] = {}
        self._clear_locks: dict[int, asyncio.Lock] = {}
        self._background: set[asyncio.Task] = set()
        self.on_end: list[Callable[[int], None]] = []  # called with the loop id when a job ends
        self._stopping = False
        self.localiser = Localiser(self)

    # -- the API's actions ------------------------------------------------------------------------
    async def request(self, ticket_id: int, req: LoopRequest, actor: Actor) -> dict[str, Any]:
        """Register the loop test and start its job; the resource in state ``requested``."""
        if not may(actor.role, Permission.LOOP_TEST):
            raise Forbidden(f"role {actor.role.value} may not run loop tests")
        check_mode(req.mode)
        if self._stopping:
            raise Unavailable("the server is shutting down: no new loop tests", retry_after=5)
        loop_id = await asyncio.to_thread(store.register, self.services.session_factory, self.services.clock.now(),
                                          ticket_id, req, actor, self.limits, self.owner, self.webhooks)
        self._cancel[loop_id] = asyncio.Event()
        task = asyncio.create_task(self._job(loop_id, actor), name=f"loop-test-{loop_id}")
        self._jobs[loop_id] = task
        task.add_done_callback(lambda _t, i=loop_id: self._ended(i))
        return await self.get(loop_id)

    async def run(self, ticket_id: int, req: LoopRequest, actor: Actor) -> dict[str, Any]:
        """Request and wait for the job to end (localisation, tests): the final resource."""
        started = await self.request(ticket_id, req, actor)
        return await self.wait(started["id"])

    async def wait(self, loop_id: int) -> dict[str, Any]:
        task = self._jobs.get(loop_id)
        if task is not None:
            await asyncio.shield(task)
        return await self.get(loop_id)

    async def get(self, loop_id: int) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            with self.services.session_factory() as s:
                return store.resource(store.get(s, loop_id))
        return await asyncio.to_thread(read)

    async def cancel(self, loop_id: int, actor: Actor) -> dict[str, Any]:
        """Clear at once: a running job skips what is left of its hold; a loop no job here runs (its
        process died) is cleared now."""
        current = await self.get(loop_id)
        if not current["active"]:
            raise LoopStateConflict(f"loop test {loop_id} has ended ({current['state']}): nothing to cancel")
        await asyncio.to_thread(self._mark_cancelled, loop_id, actor)
        event = self._cancel.get(loop_id)
        if event is not None and loop_id in self._jobs:
            event.set()
            return await self.wait(loop_id)
        await self._clear_row(loop_id, actor, check_first=True)
        return await self.get(loop_id)

    async def retry_clear(self, loop_id: int, actor: Actor) -> dict[str, Any]:
        current = await self.get(loop_id)
        if current["state"] != S.CLEAR_FAILED:
            raise LoopStateConflict(f"loop test {loop_id} is {current['state']}: only a failed clear is retried")
        await self._clear_row(loop_id, actor, check_first=True)
        return await self.get(loop_id)

    def _mark_cancelled(self, loop_id: int, actor: Actor) -> None:
        from sqlalchemy import update

        from agent.db import unit_of_work
        from agent.models import LoopTest

        with unit_of_work(self.services.session_factory) as s:
            s.execute(update(LoopTest).where(LoopTest.id == loop_id).values(cancelled_by=actor.name))

    # -- the job ----------------------------------------------------------------------------------
    def _ended(self, loop_id: int) -> None:
        self._jobs.pop(loop_id, None)
        self._cancel.pop(loop_id, None)
        for subscriber in self.on_end:
            subscriber(loop_id)

    async def _move(self, loop_id: int, new: LoopState, actor: Actor, **kw: Any) -> bool:
        return await asyncio.to_thread(store.move, self.services.session_factory, self.services.clock.now(),
                                       loop_id, new, actor, webhooks=self.webhooks, **kw)

    async def _job(self, loop_id: int, actor: Actor) -> None:
        try:
            await self._run_job(loop_id, actor)
        except Exception:  # noqa: BLE001 - the job's own bookkeeping failed: the reaper takes the loop after its deadline
            log.exception("loop test %s: the job failed; the reaper clears it after its deadline", loop_id)

    async def _run_job(self, loop_id: int, actor: Actor) -> None:
        work = await asyncio.to_thread(store.work_of, self.services.session_factory, loop_id)
        cancel = self._cancel.get(loop_id) or asyncio.Event()
        result: dict[str, Any] = {"loopTestId": loop_id, "loopPoint": {"device": work.device, "port": work.port},
                                  "mode": work.mode, "segment": work.segment, "holdSeconds": work.hold_s}
        if cancel.is_set():  # cancelled before the device was touched
            result["cancelled"] = True
            await self._move(loop_id, S.NOT_SET, actor, note="cancelled before the set")
            await self._finish(loop_id, actor, result, "not_set")
            return
        if not await self._move(loop_id, S.SETTING, actor):
            return  # someone else (a cancel from another process, the reaper) took the loop
        set_error: str | None = None
        loop = asyncio.get_running_loop()
        if True:  # the set: its own limit, then the hold
            try:
                # on a platform with a rollback timer the device lifts the loop by itself after the hold
                # and the clear's time, should this process die meanwhile (the clear's commit confirms)
                lifts_after = work.hold_s + self.limits.settle_s + self.limits.clear_timeout_s
                action = await asyncio.wait_for(self.driver.set_loop(work.target, work.port, work.mode, lifts_after),
                                                timeout=self.limits.set_timeout_s)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded; the loop is cleared below
                set_error = _err(exc)
                result["setError"] = set_error
                if _never_reached_device(exc):
                    await self._move(loop_id, S.NOT_SET, actor, note=set_error, error=set_error[:2000])
                    await self._finish(loop_id, actor, result, "not_set")
                    return
                log.warning("loop test %s: the set failed after reaching %s (%s): reading back and clearing",
                            loop_id, work.device, set_error)
            else:
                set_at = self.services.clock.now()
                hold_ends = loop.time() + work.hold_s
                await self._move(loop_id, S.SET, actor, set_at=set_at, data={"commands": action})
                reading = await self._measure(loop_id, work, actor, cancel, hold_ends)
                if reading is not None:
                    result.update(signal=reading.as_dict(), signalReturned=reading.signal is Signal.RETURNED)
        if cancel.is_set():
            result["cancelled"] = True
        outcome = await self._clear_row(loop_id, actor, check_first=set_error is not None or "signal" not in result)
        result.update(cleared=outcome.cleared, clearVerified=outcome.verified)
        if outcome.never_set:
            result["neverSet"] = True
        await self._finish(loop_id, actor, result, "done")

    async def _measure(self, loop_id: int, work: LoopWork, actor: Actor, cancel: asyncio.Event,
                       hold_ends: float) -> SignalReading | None:
        """Settle, then read the observer, all inside the hold; a cancel ends it at once."""
        loop = asyncio.get_running_loop()
        waiter = asyncio.create_task(cancel.wait())
        try:
            settle = min(self.limits.settle_s, max(0.0, hold_ends - loop.time()))
            await asyncio.wait({waiter}, timeout=settle)
            if cancel.is_set() or work.observer is None or work.observer_port is None:
                return None
            if not await self._move(loop_id, S.MEASURING, actor):
                return None
            reader = asyncio.create_task(self.driver.port_light(work.observer, work.observer_port))
            done, _ = await asyncio.wait({reader, waiter}, timeout=max(0.0, hold_ends - loop.time()),
                                         return_when=asyncio.FIRST_COMPLETED)
            if reader not in done:
                reader.cancel()
                why = "cancelled" if cancel.is_set() else f"the observer did not answer within the hold ({work.hold_s} s)"
                return SignalReading(Signal.UNKNOWN, f"未读到观察端：{why}", f"observer not read: {why}")
            try:
                light = reader.result()
            except Exception as exc:  # noqa: BLE001 - an unread observer is no evidence either way
                return SignalReading(Signal.UNKNOWN, f"观察端读取失败：{_err(exc)}", f"the observer could not be read: {_err(exc)}")
            return judge_signal(light, work.observer_sensitivity_dbm, work.segment_budget_db)
        finally:
            waiter.cancel()

    async def _finish(self, loop_id: int, actor: Actor, result: dict[str, Any], how: str) -> None:
        final = await self.get(loop_id)
        result["state"] = final["state"]
        signal = (result.get("signal") or {}).get("signal")
        if how == "not_set":
            verdict = ("未打上环：设备未接受，电路未被占用", "loop not set: the device did not take it; nothing is held")
        elif signal == Signal.RETURNED:
            verdict = ("信号返回：本段正常", "signal returned: the segment up to the loop point is healthy")
        elif signal == Signal.DEGRADED:
            verdict = ("信号返回但劣化：故障在观察端与打环点之间", "signal returned degraded: the fault lies between the observer and the loop point")
        elif signal == Signal.NOT_RETURNED:
            verdict = ("信号未返回：故障在观察端与打环点之间", "no signal back: the fault lies between the observer and the loop point")
        else:
            verdict = ("环测未完成，无结论", "loop test incomplete: no conclusion")
        result["conclusion"] = f"{verdict[0]} / {verdict[1]}"
        text = (f"环测结果 / loop test result at {result['loopPoint']['device']} "
                f"{result['loopPoint']['port']}: {verdict[0]} / {verdict[1]}")
        await asyncio.to_thread(store.finish, self.services.session_factory, self.services.clock.now(), loop_id, result,
                                actor, text)
        # a child of a service problem: the result is the problem's and every child's (rules 4 and 8)
        await asyncio.to_thread(problems.after_loop_result, self.services.session_factory, self.services.tickets,
                                int(final["ticketId"]), loop_id, actor, text, result)

    # -- clearing ----------------------------------------------------------------------------------
    async def _clear_row(self, loop_id: int, actor: Actor, *, check_first: bool, orphan: bool = False) -> ClearOutcome:
        """clearing -> cleared | clear_failed (| not_set when the read-back finds the loop was never set),
        one clear of a loop at a time in this process. ``orphan``: a loop whose job died (start-up, reaper):
        no loop read back is "cleared", never "not set", since its set may have reached the device (and a
        commit platform lifted it by itself)."""
        lock = self._clear_locks.setdefault(loop_id, asyncio.Lock())
        async with lock:
            if not await self._move(loop_id, S.CLEARING, actor):
                current = await self.get(loop_id)
                return ClearOutcome(current["state"] == S.CLEARED, True)
            work = await asyncio.to_thread(store.work_of, self.services.session_factory, loop_id)
            outcome = await self._clear_on_device(work, check_first=check_first)
            now = self.services.clock.now()
            data = {"readback": (outcome.readback or "")[-500:], "verified": outcome.verified}
            if outcome.never_set and not orphan and (await self.get(loop_id))["setAt"] is None:
                await self._move(loop_id, S.NOT_SET, actor, note="read back: no loop on the port", data=data)
            elif outcome.never_set and orphan:
                await self._move(loop_id, S.CLEARED, actor, cleared_at=now, data=data, next_clear_at=None,
                                 note="read back: no loop on the port (gone already: lifted by the device's rollback "
                                      "timer, or never set before the process died)")
            elif outcome.cleared:
                note = "" if outcome.verified else "not read back: the platform gives no loop state"
                await self._move(loop_id, S.CLEARED, actor, cleared_at=now, note=note, data=data, next_clear_at=None)
            else:
                await asyncio.to_thread(store.clear_failed, self.services.session_factory, now, loop_id, actor,
                                        outcome.error or "clear failed", self.limits, self.webhooks)
                log.error("loop test %s: loop NOT cleared on %s %s: %s", loop_id, work.device, work.port, outcome.error)
        self._clear_locks.pop(loop_id, None)
        return outcome

    async def _clear_on_device(self, work: LoopWork, *, check_first: bool) -> ClearOutcome:
        try:
            async with asyncio.timeout(self.limits.clear_timeout_s):
                if check_first:
                    before = await self._readback(work)
                    if before is not None and not before.looped:
                        return ClearOutcome(True, True, never_set=True, readback=before.output)
                await self.driver.clear_loop(work.target, work.port)
                after = await self._readback(work)
        except Exception as exc:  # noqa: BLE001 - the reason goes to the journal; the reaper retries
            what = f"no clear within {self.limits.clear_timeout_s:g} s" if isinstance(exc, TimeoutError) else _err(exc)
            return ClearOutcome(False, False, error=what)
        if after is None:
            return ClearOutcome(True, False)
        if after.looped:
            return ClearOutcome(False, True, error="the device still shows the loop after the clear", readback=after.output)
        return ClearOutcome(True, True, readback=after.output)

    async def _readback(self, work: LoopWork):
        try:
            return await self.driver.loop_state(work.target, work.port)
        except Unsupported:
            return None

    # -- the reaper and the start-up -------------------------------------------------------------
    async def reap(self) -> list[int]:
        """Scheduled: failed clears due for a retry, and loops whose job's deadline passed unended."""
        due = await asyncio.to_thread(store.due_for_reaper, self.services.session_factory, self.services.clock.now(),
                                      list(self._jobs))
        cleared = []
        for loop_id in due:
            if loop_id in self._clear_locks:
                continue
            outcome = await self._clear_row(loop_id, SYSTEM, check_first=True, orphan=True)
            if outcome.cleared:
                cleared.append(loop_id)
        return cleared

    async def clear_leftovers(self) -> list[int]:
        """At start-up: every loop this process left active when it died is cleared now, the devices
        at the same time (one device's loops one after the other: it takes one session at a time)."""
        ids = await asyncio.to_thread(store.leftovers_of, self.services.session_factory, self.owner)
        by_device: dict[str, list[int]] = {}
        for loop_id, device in await asyncio.to_thread(self._devices_of, ids):
            if loop_id not in self._jobs:
                by_device.setdefault(device, []).append(loop_id)

        async def clear_all(loop_ids: list[int]) -> list[int]:
            done = []
            for loop_id in loop_ids:
                if (await self._clear_row(loop_id, SYSTEM, check_first=True, orphan=True)).cleared:
                    done.append(loop_id)
            return done

        results = await asyncio.gather(*(clear_all(v) for v in by_device.values()))
        return sorted(i for r in results for i in r)

    def _devices_of(self, ids: list[int]) -> list[tuple[int, str]]:
        from agent.models import LoopTest

        with self.services.session_factory() as s:
            return [(i, s.get(LoopTest, i).device_name) for i in ids]

    def start_leftover_clearing(self) -> None:
        """Start-up clearing in the background: the API answers meanwhile (the loops still hold the guard)."""
        async def run() -> None:
            try:
                cleared = await self.clear_leftovers()
                if cleared:
                    log.warning("cleared %d loop(s) left set by a previous run: %s", len(cleared), cleared)
            except Exception:  # noqa: BLE001 - the reaper retries
                log.exception("clearing the loops of a previous run failed")
        task = asyncio.create_task(run(), name="loop-leftovers")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def stop(self) -> None:
        """Shutting down: every running job clears its loop now (never leave one set)."""
        self._stopping = True
        for event in list(self._cancel.values()):
            event.set()
        pending = [*self._jobs.values(), *self._background]
        if pending:
            await asyncio.wait(pending, timeout=self.limits.set_timeout_s + 2 * self.limits.clear_timeout_s)


def loop_tests_of(s, ticket_id: int) -> list[dict[str, Any]]:
    return store.loop_tests_of(s, ticket_id)
