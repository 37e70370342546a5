"""Read a circuit's path from its devices: every device surveyed concurrently within a total deadline,
and, where rates are wanted, a second counter read once the measurement interval has passed.

A device whose survey was cut short by its timeout after it had answered (``DeviceSurvey.cut_short``:
readings came, no method found it unreachable) is a deadline problem of a slow agent, not a dead
device: it is surveyed again, alone, with the time the retry budget (``retry_s`` past the deadline)
leaves, as long as at least ``MIN_RETRY_S`` is left (at most ``MAX_RETRIES`` times; ``retry_s`` 0:
never). A loaded machine thus gives its verdict later instead of "inconclusive, unreachable". A
device that answered nothing (a powered-off CPE, a silent address), or whose survey had not come back
when the wait ended, is not retried: the deadline stands for it."""
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
SECOND_READ_TIMEOUT_S = 2.0  # the second counter read's timeout when little time is left
SECOND_READ_MAX_S = 10.0  # ... and at most this when more is (a loaded agent reads a few ports slowly)
SECOND_READ_MARGIN_S = 0.5
MIN_RETRY_S = 3.0  # a retry with less time than this would be cut short again
MAX_RETRIES = 2  # surveys of one device beyond the first, whatever time is left


# What the evidence path needs of the collectors (``agent.devices.DeviceGateway`` is one).
PathCollector = DeviceReader


@dataclass(frozen=True)
class PathReading:
    surveys: list[cr.DeviceSurvey]
    second: dict[tuple[str, str], cr.CounterSample] = field(default_factory=dict)  # (device, port) -> sample
    missing: dict[str, str] = field(default_factory=dict)  # device -> why it gave no survey
    retried: dict[str, int] = field(default_factory=dict)  # device -> surveys it took beyond the first
    second_missing: dict[str, str] = field(default_factory=dict)  # device -> why its second counter read gave nothing


async def read_path(collector: PathCollector, resolved: ResolvedCircuit, *, since: datetime | None, deadline: float,
                    clock: Clock, counter_interval_s: float, rates: bool, retry_s: float = 0.0) -> PathReading:
    t0 = time.perf_counter()
    elapsed = lambda: time.perf_counter() - t0  # noqa: E731
    surveys, missing = await _surveys(collector, resolved.targets, since, deadline)
    retried: dict[str, int] = {}
    budget = deadline + max(retry_s, 0.0)
    # time kept for the second counter read of a retried device: the interval from its new first read
    reserve = counter_interval_s + SECOND_READ_TIMEOUT_S + SECOND_READ_MARGIN_S if rates else 0.0
    while (retry_s > 0 and (again := [t for t in _slow(resolved.targets, surveys)
                                      if retried.get(t.name, 0) < MAX_RETRIES])
           and budget - reserve - elapsed() >= MIN_RETRY_S):
        # one more survey of each slow device, alone, with the time left (split as in the first round:
        # the per-device timeout inside the wait)
        wait = budget - reserve - elapsed()
        more, still = await _surveys(collector, again, since, wait / SURVEY_SHARE)
        names = {t.name for t in again}
        for name in names:
            retried[name] = retried.get(name, 0) + 1
        surveys = [sv for sv in surveys if sv.device not in names] + more
        missing = {d: why for d, why in missing.items() if d not in names} | still
    second: dict[tuple[str, str], cr.CounterSample] = {}
    second_missing: dict[str, str] = {}
    if rates:
        # the retry budget also covers a slow second read (a loaded agent), not only slow surveys
        remaining = (budget if retry_s > 0 else deadline) - elapsed()
        second, second_missing = await _second_counters(collector, resolved, surveys, clock, counter_interval_s,
                                                        remaining, every_port=bool(retried))
    return PathReading(surveys, second, missing, retried, second_missing)


def _slow(targets, surveys: list[cr.DeviceSurvey]) -> list:
    """The targets whose survey ran out of time after the device had answered."""
    slow = {sv.device for sv in surveys if sv.cut_short}
    return [t for t in targets if t.name in slow]


async def _surveys(collector: PathCollector, targets, since: datetime | None,
                   deadline: float) -> tuple[list[cr.DeviceSurvey], dict[str, str]]:
    per_device = max(1.0, deadline * PER_DEVICE_SHARE)
    tasks = {asyncio.ensure_future(collector.survey(t, since, per_device)): t for t in targets}
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
                           clock: Clock, interval_s: float, remaining: float, *,
                           every_port: bool = False) -> tuple[dict[tuple[str, str], cr.CounterSample], dict[str, str]]:
    """A second counter read, for rates and utilisation, once the interval has passed since the first
    (since the latest first read with ``every_port``: a retried device's counters were read late).

    Returns the samples and, per device whose second read gave none, why (a gap, never silence). The
    read may use the time left, not only ``SECOND_READ_TIMEOUT_S``: the samples are timed by their own
    responses, so a slow read costs latency, not accuracy."""
    have = {sv.device for sv in surveys if sv.counters}
    targets = [t for t in resolved.targets if t.name in have]
    if not targets:
        return {}, {}
    first_read = (max if every_port else min)(c.read_at for sv in surveys for c in sv.counters)
    wait = interval_s - (clock.now() - first_read).total_seconds()
    if remaining < max(wait, 0) + SECOND_READ_MARGIN_S:
        why = f"no time left for the second counter read ({max(remaining, 0):.1f} s of the deadline)"
        return {}, {t.name: why for t in targets}
    left = remaining - max(wait, 0)
    timeout = min(left, max(SECOND_READ_TIMEOUT_S, min(SECOND_READ_MAX_S, left - SECOND_READ_MARGIN_S)))
    if wait > 0:
        await asyncio.sleep(wait)  # the counters need time to advance: this is the measurement interval
    results = await asyncio.gather(*[collector.counters(t, timeout) for t in targets], return_exceptions=True)
    out: dict[tuple[str, str], cr.CounterSample] = {}
    failed: dict[str, str] = {}
    for t, r in zip(targets, results, strict=True):
        if isinstance(r, BaseException):
            failed[t.name] = f"second counter read failed: {type(r).__name__}: {r}"
            continue
        if not r:
            failed[t.name] = f"second counter read gave no sample within {timeout:.1f} s"
        for c in r:
            out[(c.device, c.port)] = c
    return out, failed
