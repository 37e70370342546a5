"""Counter samples over real UDP (the lab's agents) are timed by their own responses and by the
agent's sysUpTime, so a rate is delta counter / delta time of THAT counter's two samples."""
from __future__ import annotations

from dataclasses import replace

import pytest

from collectors.enums import Want
from collectors.rates import IntervalClock, counter_rates
from collectors.survey import Collector
from collectors.target import target_from_inventory

pytestmark = pytest.mark.asyncio(loop_scope="module")

DEVICE, PORT = "cpe-factory-1", "GigabitEthernet0/0/2"  # 1G port, 210 Mbit/s in by the lab's truth
TRUTH_IN_MBPS = 210


def target(lab):
    dev = next(d for d in lab.inventory()["devices"] if d["name"] == DEVICE)
    found = target_from_inventory(dev)
    return replace(found, cli=None, snmp=replace(found.snmp, timeout=2.0, retries=1))


async def test_each_counter_sample_carries_its_response_time_and_the_agent_uptime(lab):
    t = target(lab)
    async with Collector() as collector:
        survey = await collector.survey(t, want=(Want.OPTICAL, Want.INTERFACE, Want.COUNTERS), timeout=30)
    assert survey.counters and not survey.errors, survey.errors
    for c in survey.counters:
        assert c.timing is not None and c.timing.sent <= c.timing.received
        assert c.timing.uptime_cs is not None and c.timing.uptime_cs > 0
        # read when its response came back, not when the survey (optical, states) ended
        assert survey.started_at <= c.read_at <= survey.finished_at
        assert f"sysUpTime={c.timing.uptime_cs}" in c.source.raw


async def test_the_rate_between_two_reads_brackets_the_truth_and_one_over_a_ceiling_is_a_fault(lab):
    t = target(lab)
    async with Collector() as collector:
        first = await collector.survey(t, ports=[PORT], want=(Want.OPTICAL, Want.INTERFACE, Want.COUNTERS), timeout=30)
        [a], [state] = first.counters, first.interfaces
        for _ in range(500):  # read again until 0.3 s have passed on the agent's clock (each read: a few ms)
            [b] = (await collector.survey(t, ports=[PORT], want=(Want.COUNTERS,), timeout=30)).counters
            if b.timing.uptime_cs - a.timing.uptime_cs >= 30:
                break
    rates = counter_rates(a, b, speed_bps=state.speed_bps)
    assert rates.usable and rates.clock is IntervalClock.AGENT_UPTIME, rates
    delta_bits = (b.in_octets - a.in_octets) * 8
    # the lab's truth lies inside what the two samples' own times allow, by either clock
    assert delta_bits / rates.seconds_max <= TRUTH_IN_MBPS * 1e6 <= delta_bits / rates.seconds_min
    by_response = counter_rates(replace(a, timing=replace(a.timing, uptime_cs=None)),
                                replace(b, timing=replace(b.timing, uptime_cs=None)), speed_bps=state.speed_bps)
    assert by_response.clock is IntervalClock.RESPONSE_TIME and by_response.usable
    assert delta_bits / by_response.seconds_max <= TRUTH_IN_MBPS * 1e6 <= delta_bits / by_response.seconds_min
    # a 100 Mbit/s ceiling the counters exceed beyond their timing error: a measurement fault with
    # the raw counters, never a rate
    capped = counter_rates(a, b, speed_bps=state.speed_bps, limit_bps=100e6)
    assert not capped.usable and "above the limit 100 Mbit/s" in capped.fault.reason
    assert a.source.raw in capped.fault.raw and b.source.raw in capped.fault.raw
