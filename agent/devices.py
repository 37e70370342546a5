"""The agent's one use of the collectors: surveys for triage, counters for rates, loops for the guard.

Surveys of one device are coalesced: while a survey of a device runs, the triages that ask for it
meanwhile join one next batch (the union of their ports, the earliest ``since``), which starts when the
running one ends. A burst of tickets on circuits sharing an aggregation router thus costs that router
two CLI sessions at a time, not one per ticket queued behind its per-device session lock.
"""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from collectors import Collector, CounterSample, DeviceSurvey, LoopReadback, OperStatus
from collectors.target import DeviceTarget, PortRef

TRIAGE_WANTS = ("optical", "interface", "counters", "alarms")


@dataclass
class _Batch:
    target: DeviceTarget
    ports: dict[str, PortRef]
    since: datetime | None
    timeout: float
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


class DeviceGateway:
    """Binds one shared ``collectors.Collector`` (SNMP engine + CLI pool) to the running event loop."""

    def __init__(self, *, use_cli: bool = True) -> None:
        self._collector: Collector | None = None
        self.use_cli = use_cli
        self._running: dict[str, asyncio.Future] = {}
        self._next: dict[str, _Batch] = {}
        self.surveys_run = 0  # device surveys actually sent (coalesced requests count once)
        self.counter_reads = 0  # second counter reads (for rates) sent

    @property
    def collector(self) -> Collector:
        # Made on first use, inside the event loop that serves requests (a pysnmp engine is bound to one loop).
        if self._collector is None:
            self._collector = Collector()
        return self._collector

    def close(self) -> None:
        if self._collector is not None:
            self._collector.close()
            self._collector = None

    async def survey(self, target: DeviceTarget, since: datetime | None, timeout: float) -> DeviceSurvey:
        if not self.use_cli:
            target = replace(target, cli=None)
        batch = self._next.get(target.name)
        if batch is None:
            batch = self._next[target.name] = _Batch(target, {}, since, timeout)
            asyncio.ensure_future(self._run(target.name, batch))
        batch.join(target, since, timeout)
        survey = await asyncio.shield(batch.future)
        return _only_ports(survey, {p.name for p in target.ports})

    async def _run(self, device: str, batch: _Batch) -> None:
        running = self._running.get(device)
        if running is not None:  # one survey of a device at a time; this batch collects joiners meanwhile
            await asyncio.wait([running])
        else:
            await asyncio.sleep(0)  # let the triages scheduled in this same tick join
        self._next.pop(device, None)
        self._running[device] = batch.future
        try:
            target = replace(batch.target, ports=tuple(batch.ports.values()))
            self.surveys_run += 1
            result = await self.collector.survey(target, None, TRIAGE_WANTS, batch.since, batch.timeout)
            batch.future.set_result(result)
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

    async def set_loop(self, target: DeviceTarget, port: str, mode: str) -> str:
        action = await self.collector.set_loop(target, port, mode)
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
