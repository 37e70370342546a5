"""A slow agent is not a dead device: surveys cut short by their timeout are read again within the retry
budget; unreachable devices are not (agent.evidence.read, no I/O: the collector is scripted)."""
from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from agent.evidence import read
from agent.evidence.mapping import observations
from agent.evidence.read import read_path
from collectors import readings as cr
from collectors.enums import AdminStatus, Method, OperStatus
from collectors.errors import AuthenticationFailed, CollectorTimeout, UnreachableError
from collectors.target import DeviceTarget, PortRef
from diagnosis.enums import AccessState, ReadingKind

T = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _target(name: str) -> DeviceTarget:
    return DeviceTarget(name=name, platform="huawei_vrp", address="127.0.0.1", ports=(PortRef("GE0/0/1", 1),))


def _survey(device: str, *errors: cr.ItemError, ports: bool = True) -> cr.DeviceSurvey:
    src = cr.Source(device=device, port="GE0/0/1", method=Method.SNMP, ref="IF-MIB::ifOperStatus", raw="1", time=T)
    interfaces = (cr.InterfaceState(device=device, port="GE0/0/1", admin=AdminStatus.UP, oper=OperStatus.UP,
                                    source=src),) if ports else ()
    return cr.DeviceSurvey(device=device, started_at=T, finished_at=T, interfaces=interfaces, errors=errors)


CUT = cr.ItemError("survey", CollectorTimeout("survey did not finish within 1 s; readings so far are kept", device="d"))


class Scripted:
    """Each device answers its surveys in turn from a script; "hang" never answers."""

    def __init__(self, scripts: dict[str, list]) -> None:
        self.scripts = scripts
        self.calls: dict[str, list[float]] = {d: [] for d in scripts}

    async def survey(self, target: DeviceTarget, since, timeout: float) -> cr.DeviceSurvey:
        self.calls[target.name].append(timeout)
        script = self.scripts[target.name]
        step = script.pop(0) if len(script) > 1 else script[0]
        if step == "hang":
            await asyncio.Event().wait()
        return step

    async def counters(self, target: DeviceTarget, timeout: float):
        return ()


class Resolved:
    def __init__(self, *names: str) -> None:
        self.targets = tuple(_target(n) for n in names)


async def _read(collector: Scripted, *names: str, deadline: float = 4.0, retry_s: float = 8.0):
    return await read_path(collector, Resolved(*names), since=None, deadline=deadline, clock=Clock(),
                           counter_interval_s=1.0, rates=False, retry_s=retry_s)


def test_cut_short_means_timed_out_while_nothing_said_the_device_was_dead() -> None:
    assert _survey("a", CUT).cut_short
    assert not _survey("a").cut_short
    dead = cr.ItemError("snmp", UnreachableError("no SNMP response from the device", device="a"))
    assert not _survey("a", dead, CUT, ports=False).cut_short
    assert not _survey("a", cr.ItemError("cli", AuthenticationFailed("login refused", device="a")), CUT).cut_short
    gone = cr.ItemError("device", UnreachableError("device answers neither SNMP nor SSH", device="a"))
    assert not _survey("a", gone).cut_short
    assert not _survey("a", CUT, ports=False).cut_short  # nothing came back: not known to be alive


async def test_a_survey_cut_short_is_read_again_and_the_whole_one_is_kept() -> None:
    whole = _survey("agg-1")
    collector = Scripted({"agg-1": [_survey("agg-1", CUT), whole], "acc-1": [_survey("acc-1")]})
    reading = await _read(collector, "agg-1", "acc-1")
    assert reading.retried == {"agg-1": 1}
    assert {sv.device: sv for sv in reading.surveys}["agg-1"] is whole
    assert len(collector.calls["acc-1"]) == 1 and not reading.missing
    # the retry had the time the budget left, more than the first round's per-device share
    first, again = collector.calls["agg-1"]
    assert again > first


async def test_an_unreachable_device_is_not_retried_and_costs_no_extra_time() -> None:
    dead = _survey("cpe-1", cr.ItemError("device", UnreachableError("device answers neither SNMP nor SSH",
                                                                     device="cpe-1")), ports=False)
    collector = Scripted({"cpe-1": [dead], "acc-1": [_survey("acc-1")]})
    t0 = time.perf_counter()
    reading = await _read(collector, "cpe-1", "acc-1")
    assert time.perf_counter() - t0 < 1.0
    assert reading.retried == {} and len(collector.calls["cpe-1"]) == 1


async def test_retries_stop_when_the_budget_is_spent_and_the_gap_stays() -> None:
    collector = Scripted({"agg-1": [_survey("agg-1", CUT)]})  # cut short every time
    reading = await _read(collector, "agg-1", retry_s=0.0)
    assert reading.retried == {} and reading.surveys[0].cut_short
    collector = Scripted({"agg-1": [_survey("agg-1", CUT)]})
    reading = await _read(collector, "agg-1", retry_s=30.0)  # answers at once, cut short each time
    assert reading.retried == {"agg-1": read.MAX_RETRIES} and len(collector.calls["agg-1"]) == 1 + read.MAX_RETRIES


async def test_a_silent_device_is_not_retried_the_deadline_stands_for_it() -> None:
    # nothing back within its timeout (a silent address), and a survey not back when the wait ended
    collector = Scripted({"agg-1": [_survey("agg-1", CUT, ports=False)], "core-1": ["hang"]})
    t0 = time.perf_counter()
    reading = await _read(collector, "agg-1", "core-1", deadline=1.0, retry_s=30.0)
    assert time.perf_counter() - t0 < 1.5
    assert reading.retried == {} and "no answer within the deadline" in reading.missing["core-1"]
    assert len(collector.calls["agg-1"]) == 1


def _with_counters(device: str) -> cr.DeviceSurvey:
    src = cr.Source(device=device, port="GE0/0/1", method=Method.SNMP, ref="IF-MIB::ifHCInOctets", raw="1", time=T)
    sample = cr.CounterSample(device=device, port="GE0/0/1", read_at=datetime.now(UTC), source=src, in_octets=1,
                              out_octets=1)
    return cr.DeviceSurvey(device=device, started_at=T, finished_at=T, counters=(sample,))


async def test_a_second_counter_read_that_gives_nothing_is_a_gap_with_its_reason() -> None:
    collector = Scripted({"acc-1": [_with_counters("acc-1")]})  # its counters() answer no sample
    reading = await read_path(collector, Resolved("acc-1"), since=None, deadline=4.0, clock=Clock(),
                              counter_interval_s=0.1, rates=True, retry_s=8.0)
    assert reading.second == {} and "no sample" in reading.second_missing["acc-1"]
    obs = observations(reading.surveys, reading.second, {("acc-1", "GE0/0/1"): 1000}, [], reading.missing,
                       second_missing=reading.second_missing)
    gap = next(g for g in obs.gaps if g.kind == ReadingKind.UTILISATION)
    assert (gap.device, gap.port, gap.reason) == ("acc-1", None, AccessState.TIMEOUT) and "no sample" in gap.detail


async def test_the_second_counter_read_may_take_more_than_the_short_timeout_when_time_is_left() -> None:
    timeouts: list[float] = []

    class Slow(Scripted):
        async def counters(self, target, timeout):
            timeouts.append(timeout)
            return ()

    await read_path(Slow({"acc-1": [_with_counters("acc-1")]}), Resolved("acc-1"), since=None, deadline=4.0,
                    clock=Clock(), counter_interval_s=0.1, rates=True, retry_s=20.0)
    assert timeouts == [read.SECOND_READ_MAX_S]
