"""Read a circuit's path from its devices: every device surveyed concurrently within a total deadline,
and, where rates are wanted, a second counter read once the measurement interval has passed."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime

from agent.clock import Clock
from agent.inventory.targets import ResolvedCircuit
from collectors import readings as cr
from collectors.base import DeviceReader

# Of the total deadline: each device's own survey timeout, and the wait for all of them; the rest is
# left for the second counter read and the diagnosis.
PER_DEVICE_SHARE = 0.6
SURVEY_SHARE = 0.75
SECOND_READ_TIMEOUT_S = 2.0
SECOND_READ_MARGIN_S = 0.5


# What the evidence path needs of the collectors (``agent.devices.DeviceGateway`` is one).
PathCollector = DeviceReader


@dataclass(frozen=True)
class PathReading:
    surveys: list[cr.DeviceSurvey]
    second: dict[tuple[str, str], cr.CounterSample] = field(default_factory=dict)  # (device, port) -> sample
    missing: dict[str, str] = field(default_factory=dict)  # device -> why it gave no survey


async def read_path(collector: PathCollector, resolved: ResolvedCircuit, *, since: datetime | None, deadline: float,
                    clock: Clock, counter_interval_s: float, rates: bool) -> PathReading:
    t0 = time.perf_counter()
    surveys, missing = await _surveys(collector, resolved, since, deadline)
    second: dict[tuple[str, str], cr.CounterSample] = {}
    if rates:
        remaining = deadline - (time.perf_counter() - t0)
        second = await _second_counters(collector, resolved, surveys, clock, counter_interval_s, remaining)
    return PathReading(surveys, second, missing)


async def _surveys(collector: PathCollector, resolved: ResolvedCircuit, since: datetime | None,
                   deadline: float) -> tuple[list[cr.DeviceSurvey], dict[str, str]]:
    per_device = max(1.0, deadline * PER_DEVICE_SHARE)
    tasks = {asyncio.ensure_future(collector.survey(t, since, per_device)): t for t in resolved.targets}
    done, pending = await asyncio.wait(tasks, timeout=deadline * SURVEY_SHARE) if tasks else (set(), set())
    missing: dict[str, str] = {}
    for task in pending:
        task.cancel()
        missing[tasks[task].name] = f"no answer within the deadline ({deadline * SURVEY_SHARE:.1f} s)"
    surveys = []
    for task in done:
        exc = task.exception()
        if exc is not None:
            missing[tasks[task].name] = f"survey failed: {exc}"
        else:
            surveys.append(task.result())
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    return surveys, missing


async def _second_counters(collector: PathCollector, resolved: ResolvedCircuit, surveys: list[cr.DeviceSurvey],
                           clock: Clock, interval_s: float, remaining: float) -> dict[tuple[str, str], cr.CounterSample]:
    """A second counter read, for rates and utilisation, once the interval has passed since the first."""
    have = {sv.device for sv in surveys if sv.counters}
    targets = [t for t in resolved.targets if t.name in have]
    if not targets:
        return {}
    first_read = min(c.read_at for sv in surveys for c in sv.counters)
    wait = interval_s - (clock.now() - first_read).total_seconds()
    if remaining < wait + SECOND_READ_MARGIN_S:
        return {}
    if wait > 0:
        await asyncio.sleep(wait)  # the counters need time to advance: this is the measurement interval
    results = await asyncio.gather(*[collector.counters(t, min(SECOND_READ_TIMEOUT_S, remaining - max(wait, 0)))
                                     for t in targets], return_exceptions=True)
    out: dict[tuple[str, str], cr.CounterSample] = {}
    for r in results:
        if isinstance(r, BaseException):
            continue
        for c in r:
            out[(c.device, c.port)] = c
    return out
