"""The agent's one use of the collectors: surveys for triage, counters for rates, loops for the guard."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from collectors import Collector, CounterSample, DeviceSurvey, OperStatus
from collectors.target import DeviceTarget

TRIAGE_WANTS = ("optical", "interface", "counters", "alarms")


class CollectorsAdapter:
    """Binds one shared ``collectors.Collector`` (SNMP engine + CLI pool) to the running event loop."""

    def __init__(self, *, use_cli: bool = True) -> None:
        self._collector: Collector | None = None
        self.use_cli = use_cli

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
        return await self.collector.survey(target, None, TRIAGE_WANTS, since, timeout)

    async def counters(self, target: DeviceTarget, timeout: float) -> Sequence[CounterSample]:
        sv = await self.collector.survey(target, None, ("counters",), None, timeout)
        return sv.counters

    async def set_loop(self, target: DeviceTarget, port: str, mode: str) -> str:
        action = await self.collector.set_loop(target, port, mode)
        return "; ".join(action.commands)

    async def clear_loop(self, target: DeviceTarget, port: str) -> str:
        action = await self.collector.clear_loop(target, port)
        return "; ".join(action.commands)

    async def port_light(self, target: DeviceTarget, port: str) -> dict[str, Any]:
        sv = await self.collector.survey(target, [port], ("interface", "optical"), None, 15.0)
        state = next((i for i in sv.interfaces if i.port == port), None)
        optical = next((o for o in sv.optical if o.port == port), None)
        return {"oper_up": None if state is None else state.oper == OperStatus.UP,
                "rx_dbm": None if optical is None else optical.rx_dbm,
                "source": "; ".join(sorted({r.source.method.value for r in (state, optical) if r is not None})),
                "errors": [str(e.error) for e in sv.errors]}
