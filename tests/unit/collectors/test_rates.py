"""Rates between two counter samples, timed by their own reads (collectors.rates, pure)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.enums import Method
from collectors.rates import IntervalClock, counter_rates
from collectors.readings import CounterSample, ReadTime, Source

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
GBIT = 1_000_000_000


def sample(octets: int, at: float, timing: ReadTime | None, *, crc: int = 0, bits: int = 64) -> CounterSample:
    read_at = T0 + timedelta(seconds=at)
    return CounterSample("d", "Gi0/1", read_at, Source("d", "Gi0/1", Method.SNMP, "IF-MIB", f"in={octets}", read_at),
                         in_octets=octets, out_octets=0, in_crc=crc, counter_bits=bits, timing=timing)


def test_the_agent_uptime_times_the_interval_when_the_responses_allow_it():
    a = sample(0, 0.30, ReadTime(0.00, 0.04, uptime_cs=100_000))
    b = sample(50_000_000, 1.05, ReadTime(1.00, 1.03, uptime_cs=100_100), crc=2720)
    r = counter_rates(a, b, speed_bps=GBIT)
    assert r.clock is IntervalClock.AGENT_UPTIME and r.seconds == pytest.approx(1.0)
    assert r.in_bps == pytest.approx(400e6) and r.crc_per_s == pytest.approx(2720)
    assert r.usable and r.notes == ()


def test_a_first_sample_stamped_after_the_whole_survey_does_not_inflate_the_rate():
    # read_at of the first sample says 0.30 s (the survey's end); its counters came back at 0.04 s
    a = sample(0, 0.30, ReadTime(0.00, 0.04))
    b = sample(50_000_000, 1.03, ReadTime(1.00, 1.03))
    r = counter_rates(a, b, speed_bps=GBIT)
    naive = 50_000_000 * 8 / (b.read_at - a.read_at).total_seconds()
    assert r.clock is IntervalClock.RESPONSE_TIME
    assert r.in_bps == pytest.approx(400e6 / 0.995, rel=1e-3)  # midpoints 0.02 -> 1.015 s
    assert naive / r.in_bps > 1.3  # what timing both samples by read_at gave
    assert (r.seconds_min, r.seconds_max) == pytest.approx((0.96, 1.03))


def test_an_uptime_the_responses_cannot_have_is_not_used_and_said():
    a = sample(0, 0.0, ReadTime(0.00, 0.04, uptime_cs=5_000))
    b = sample(1_000, 1.0, ReadTime(1.00, 1.03, uptime_cs=5_500))  # 5 s of agent time in 1 s
    r = counter_rates(a, b)
    assert r.clock is IntervalClock.RESPONSE_TIME and "sysUpTime interval 5.00 s" in r.notes[0]


def test_a_rate_above_the_port_speed_beyond_the_measurement_error_is_a_fault_with_the_raw_counters():
    a = sample(0, 0.0, ReadTime(0.00, 0.01))
    b = sample(int(1.31 * GBIT / 8), 1.0, ReadTime(1.00, 1.01))  # 131 % of a 1G port
    r = counter_rates(a, b, speed_bps=GBIT)
    assert not r.usable and "above the port speed 1000 Mbit/s" in r.fault.reason
    assert "in=0" in r.fault.raw and f"in={int(1.31 * GBIT / 8)}" in r.fault.raw
    # the same counters over a long enough interval bound are possible: no fault
    slow = counter_rates(a, sample(int(1.31 * GBIT / 8), 1.0, ReadTime(0.70, 1.40)), speed_bps=GBIT)
    assert slow.usable


def test_a_contracted_limit_is_a_ceiling_too():
    a = sample(0, 0.0, ReadTime(0.00, 0.01))
    b = sample(int(200e6 / 8), 1.0, ReadTime(1.00, 1.01))
    assert not counter_rates(a, b, speed_bps=GBIT, limit_bps=100e6).usable
    assert counter_rates(a, b, speed_bps=GBIT, limit_bps=300e6).usable


def test_counters_that_went_backwards_or_may_have_wrapped_twice_give_no_rate():
    back = counter_rates(sample(5_000, 0.0, ReadTime(0, 0.01)), sample(10, 1.0, ReadTime(1, 1.01)))
    assert not back.usable and "went backwards" in back.fault.reason
    # one 32-bit wrap between the reads is a rate; 20 s at 10G could hide several wraps
    wrap = counter_rates(sample(2**32 - 1000, 0.0, ReadTime(0, 0.01), bits=32), sample(1000, 1.0, ReadTime(1, 1.01), bits=32),
                         speed_bps=GBIT)
    assert wrap.usable and wrap.in_bps == pytest.approx(2000 * 8 / 1.0, rel=0.02)
    many = counter_rates(sample(0, 0.0, ReadTime(0, 0.01), bits=32), sample(10, 20.0, ReadTime(20, 20.01), bits=32),
                         speed_bps=10 * GBIT)
    assert not many.usable and "wrapped more than once" in many.fault.reason


def test_samples_without_timing_fall_back_to_read_at_and_say_so():
    r = counter_rates(sample(0, 0.0, None), sample(1_000, 2.0, None))
    assert r.clock is IntervalClock.READ_TIME and r.seconds == 2.0 and r.notes
    assert not counter_rates(sample(0, 1.0, None), sample(1_000, 1.0, None)).usable
