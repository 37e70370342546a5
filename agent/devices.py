"""The agent's one use of the collectors: surveys for triage, counters for rates, loops for the guard.

Surveys of one device are single-flight within a freshness window (``fresh_s``, 5 s by default): a
triage asking for a device that is being surveyed, or whose survey ended less than ``fresh_s`` ago, from an
alarm window at least as early as its own, gets that survey's readings of its ports instead of a new
survey. Ports the recent survey did not cover are read alone, without the alarms: the alarm tables
are read per device (every port's alarms came with the recent survey), so the top-up is SNMP and CLI
only where SNMP could not give a value, never a second alarm read. Requests that find no fresh survey
are coalesced as before: while a survey of a device runs, the triages that ask for it meanwhile join
one next batch (the union of their ports, the earliest ``since``), which starts when the running one
ends. A burst of tickets from one cut thus costs each device about one survey, not one per ticket.
An officer who asks for a new read (an explicit re-triage, a health read with ``fresh``) runs it inside
``fresh_reads()``: no recent survey is reused and no running one joined; only a read not yet started
is shared (it starts after the request). ``fresh_s=0`` turns the reuse off; ``share=False`` also the coalescing (every request its own survey:
the reference of bench/outage.py).
"""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from collectors import Collector, CounterSample, DeviceSurvey, LoopReadback, OperStatus
from collectors.cli.session import CliRunner
from collectors.target import DeviceTarget, PortRef

TRIAGE_WANTS = ("optical", "interface", "counters", "alarms")
TOP_UP_WANTS = ("optical", "interface", "counters")  # the per-port readings; alarms come per device
FRESH_S = 5.0

_FORCE_FRESH: ContextVar[bool] = ContextVar("faultline_fresh_device_reads", default=False)


@contextmanager
def fresh_reads() -> Iterator[None]:
    """Device reads asked for within (and in the tasks started within) are new reads of the devices."""
    token = _FORCE_FRESH.set(True)
    try:
        yield
    finally:
        _FORCE_FRESH.reset(token)


@dataclass
class _Read:
    """The latest full survey of a device (running or done): what it covers and since when."""

    ports: frozenset[str]
    since: datetime | None
    started: float  # monotonic
    future: asyncio.Future
    ended: float | None = None  # monotonic, once its readings are in

    def age(self, now: float) -> float:
        """Seconds since the readings came in; 0 while the read runs (its waiters get the newest)."""
        return 0.0 if self.ended is None else now - self.ended

    def covers_window(self, since: datetime | None, slack_s: float) -> bool:
        """Its alarm history reaches back to ``since``. Tickets of one burst are reported a few
        seconds apart, so their windows start a few seconds apart, hours before now: a start within
        the freshness slack counts as covered (an alarm cleared in those seconds, hours ago, is the
        only thing the later ticket could miss)."""
        if since is None:
            return self.since is None
        return self.since is None or (self.since - since).total_seconds() <= slack_s


@dataclass
class _Batch:
    target: DeviceTarget
    ports: dict[str, PortRef]
    since: datetime | None
    timeout: float
    wants: tuple[str, ...] = TRIAGE_WANTS
    future: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def join(self, target: DeviceTarget, since: datetime | None, timeout: float) -> None:
        for ref in target.ports:
            self.ports.setdefault(ref.name, ref)
        if since is not None and (self.since is None or since < self.since):
            self.since = since
        self.timeout = max(self.timeout, timeout)


def _only_ports(survey: DeviceSurvey, names: set[str]) -> DeviceSurvey:
    """One requester's share of a coalesced survey: its ports (device-level items stay)."""
    keep = lambda items: tuple(i for i in items if i.port is None or i.port in names)  # noqa: E731
    return replace(survey, optical=keep(survey.optical), interfaces=keep(survey.interfaces),
                   counters=keep(survey.counters), alarms=keep(survey.alarms), errors=keep(survey.errors))


def _merged(base: DeviceSurvey, top_up: DeviceSurvey) -> DeviceSurvey:
    """A recent survey with the ports read after it (its alarms stand: they are the device's)."""
    return replace(base, optical=base.optical + top_up.optical, interfaces=base.interfaces + top_up.interfaces,
                   counters=base.counters + top_up.counters, errors=base.errors + top_up.errors,
                   finished_at=max(base.finished_at, top_up.finished_at))


class DeviceGateway:
    """Binds one shared ``collectors.Collector`` (SNMP engine + CLI pool) to the running event loop."""

    def __init__(self, *, use_cli: bool = True, fresh_s: float = FRESH_S, share: bool = True,
                 cli_sessions: int | None = None) -> None:
        self._collector: Collector | None = None
        self.cli_sessions = cli_sessions  # SSH sessions open at once over all devices (None: the collector's 8)
        self.use_cli = use_cli
        self.fresh_s = fresh_s
        self.share = share
        self._running: dict[str, asyncio.Future] = {}
        self._next: dict[tuple[str, tuple[str, ...]], _Batch] = {}
        self._recent: dict[str, _Read] = {}
        self.surveys_run = 0  # full device surveys actually sent (coalesced requests count once)
        self.top_ups_run = 0  # reads of ports a fresh survey did not cover (no alarm tables)
        self.surveys_reused = 0  # requests answered from a fresh survey alone
        self.forced = 0  # requests that asked for a new read (fresh_reads)
        self.counter_reads = 0  # second counter reads (for rates) sent
        self.reads_by_device: Counter[str] = Counter()  # surveys + top-ups sent, per device
        self.read_seconds: dict[str, list[float]] = {}  # how long each of them took, per device

    @property
    def collector(self) -> Collector:
        # Made on first use, inside the event loop that serves requests (a pysnmp engine is bound to one loop).
        if self._collector is None:
            cli = None if self.cli_sessions is None else CliRunner(max_sessions=self.cli_sessions)
            self._collector = Collector(cli=cli)
        return self._collector

    def close(self) -> None:
        if self._collector is not None:
            self._collector.close()
            self._collector = None

    async def survey(self, target: DeviceTarget, since: datetime | None, timeout: float) -> DeviceSurvey:
        if not self.use_cli:
            target = replace(target, cli=None)
        names = {p.name for p in target.ports}
        if not self.share:
            self.surveys_run += 1
            self.reads_by_device[target.name] += 1
            return await self.collector.survey(target, None, TRIAGE_WANTS, since, timeout)
        forced = _FORCE_FRESH.get()
        self.forced += forced
        recent = None if forced else self._fresh(target.name, since)
        if recent is None:
            return _only_ports(await self._join(target, since, timeout, TRIAGE_WANTS), names)
        missing = [p for p in target.ports if p.name not in recent.ports]
        if not missing:
            self.surveys_reused += 1
            return _only_ports(await asyncio.shield(recent.future), names)
        base = await asyncio.shield(recent.future)
        top_up = await self._join(replace(target, ports=tuple(missing)), None, timeout, TOP_UP_WANTS)
        merged = _merged(base, _only_ports(top_up, {p.name for p in missing}))
        if self._recent.get(target.name) is recent:  # later requests for these ports reuse them too
            done = asyncio.get_running_loop().create_future()
            done.set_result(merged)
            self._recent[target.name] = _Read(recent.ports | {p.name for p in missing}, recent.since, recent.started, done,
                                              recent.ended)
        return _only_ports(merged, names)

    def _fresh(self, device: str, since: datetime | None) -> _Read | None:
        """The device's survey running or done less than ``fresh_s`` ago (not failed, nor cut short by its
        timeout) whose alarm window covers ``since``. Counted from its end, not its start: a survey of a
        big shared device (a login, a command per port) can take longer than the window, and counted
        from its start it would be stale the moment it is done, each request then waiting for one more
        whole read."""
        read = self._recent.get(device)
        if read is None or self.fresh_s <= 0 or read.age(time.monotonic()) > self.fresh_s:
            return None
        if read.future.done() and (read.future.cancelled() or read.future.exception() is not None
                                   or read.future.result().timed_out):  # a survey its timeout cut short is read again
            return None
        return read if read.covers_window(since, self.fresh_s) else None

    async def _join(self, target: DeviceTarget, since: datetime | None, timeout: float,
                    wants: tuple[str, ...]) -> DeviceSurvey:
        key = (target.name, wants)
        batch = self._next.get(key)
        if batch is None:
            batch = self._next[key] = _Batch(target, {}, since, timeout, wants)
            asyncio.ensure_future(self._run(key, batch))
        batch.join(target, since, timeout)
        return await asyncio.shield(batch.future)

    async def _run(self, key: tuple[str, tuple[str, ...]], batch: _Batch) -> None:
        device = key[0]
        while (running := self._running.get(device)) is not None:  # one read of a device at a time
            await asyncio.wait([running])
        else:
            await asyncio.sleep(0)  # let the triages scheduled in this same tick join
        self._next.pop(key, None)
        self._running[device] = batch.future
        try:
            target = replace(batch.target, ports=tuple(batch.ports.values()))
            self.reads_by_device[device] += 1
            if batch.wants == TRIAGE_WANTS:
                self.surveys_run += 1
                self._recent[device] = _Read(frozenset(batch.ports), batch.since, time.monotonic(), batch.future)
            else:
                self.top_ups_run += 1
            t0 = time.monotonic()
            result = await self.collector.survey(target, None, batch.wants, batch.since, batch.timeout)
            self.read_seconds.setdefault(device, []).append(time.monotonic() - t0)
            read = self._recent.get(device)
            if read is not None and read.future is batch.future:
                read.ended = time.monotonic()
            batch.future.set_result(result)
        except asyncio.CancelledError:  # shutdown: the waiting triages are cancelled, not failed
            if not batch.future.done():
                batch.future.cancel()
            raise
        except BaseException as exc:  # noqa: BLE001 - every waiting triage gets the failure
            if not batch.future.done():
                batch.future.set_exception(exc)
        finally:
            if self._running.get(device) is batch.future:
                del self._running[device]

    async def counters(self, target: DeviceTarget, timeout: float) -> Sequence[CounterSample]:
        self.counter_reads += 1
        sv = await self.collector.survey(target, None, ("counters",), None, timeout)
        return sv.counters

    async def set_loop(self, target: DeviceTarget, port: str, mode: str, lifts_after_s: float | None = None) -> str:
        action = await self.collector.set_loop(target, port, mode, lifts_after_s)
        return "; ".join(action.commands)

    async def clear_loop(self, target: DeviceTarget, port: str) -> str:
        action = await self.collector.clear_loop(target, port)
        return "; ".join(action.commands)

    async def loop_state(self, target: DeviceTarget, port: str) -> LoopReadback:
        return await self.collector.loop_state(target, port)

    async def port_light(self, target: DeviceTarget, port: str) -> dict[str, Any]:
        sv = await self.collector.survey(target, [port], ("interface", "optical"), None, 15.0)
        state = next((i for i in sv.interfaces if i.port == port), None)
        optical = next((o for o in sv.optical if o.port == port), None)
        return {"oper_up": None if state is None else state.oper == OperStatus.UP,
                "rx_dbm": None if optical is None else optical.rx_dbm,
                "tx_dbm": None if optical is None else optical.tx_dbm,
                "source": "; ".join(sorted({r.source.method.value for r in (state, optical) if r is not None})),
                "errors": [str(e.error) for e in sv.errors]}
