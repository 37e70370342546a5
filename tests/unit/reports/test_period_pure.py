"""The pure parts of the period reports and key assurance: outage unions, suspensions taken out,
quarter bounds in local time, and which key-assurance periods are due for their poll."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from agent.errors import InvalidInput
from agent.reports.period import availability, local_day_bounds, minus, outage_seconds, quarter_bounds
from agent.telemetry.assurance import due_periods

S = datetime(2026, 3, 1, tzinfo=UTC)
H = timedelta(hours=1)


def test_outage_is_the_union_of_the_intervals_clipped_to_the_period():
    end = S + 10 * H
    assert outage_seconds([], S, end) == 0
    assert outage_seconds([(S + H, S + 2 * H)], S, end) == 3600
    # overlapping tickets on one circuit count once; one before the period is clipped; one after is out
    got = outage_seconds([(S + H, S + 3 * H), (S + 2 * H, S + 4 * H), (S - 2 * H, S + H / 2), (end, end + H),
                          (S + 9 * H, end + 5 * H)], S, end)
    assert got == (3 + 0.5 + 1) * 3600
    assert outage_seconds([(S + 2 * H, S + H)], S, end) == 0  # an interval backwards is nothing
    assert availability(3600, 86400) == pytest.approx(1 - 1 / 24) and availability(0, 0) is None


def test_approved_suspensions_are_taken_out_of_the_interval():
    assert minus((S, S + 10 * H), []) == [(S, S + 10 * H)]
    assert minus((S, S + 10 * H), [(S + 2 * H, S + 3 * H), (S + 5 * H, S + 6 * H)]) == [
        (S, S + 2 * H), (S + 3 * H, S + 5 * H), (S + 6 * H, S + 10 * H)]
    assert minus((S, S + 2 * H), [(S - H, S + 3 * H)]) == []
    assert minus((S, S + 2 * H), [(S + H, S + 5 * H)]) == [(S, S + H)]


def test_quarters_and_periods_in_local_time():
    start, end = quarter_bounds(2026, 1, "Asia/Shanghai")
    assert start == datetime(2025, 12, 31, 16, tzinfo=UTC) and end == datetime(2026, 3, 31, 16, tzinfo=UTC)
    start, end = quarter_bounds(2026, 4, "Asia/Shanghai")
    assert end == datetime(2026, 12, 31, 16, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        quarter_bounds(2026, 5, "Asia/Shanghai")
    start, end = local_day_bounds(date(2026, 3, 1), date(2026, 3, 31), "Asia/Shanghai")
    assert (end - start) == timedelta(days=31) and start == datetime(2026, 2, 28, 16, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        local_day_bounds(date(2026, 3, 2), date(2026, 3, 1), "Asia/Shanghai")
    with pytest.raises(InvalidInput):
        local_day_bounds(date(2025, 1, 1), date(2026, 3, 1), "Asia/Shanghai")


def test_key_assurance_periods_due_for_their_poll():
    now = S
    assert due_periods({}, {}, now) == []
    assert due_periods({1: 60, 2: 120}, {}, now) == [1, 2]  # never polled: at once
    last = {1: now - timedelta(seconds=59), 2: now - timedelta(seconds=120)}
    assert due_periods({1: 60, 2: 120}, last, now) == [2]  # exactly one interval ago is due
    assert due_periods({1: 60}, {1: now - timedelta(seconds=60)}, now) == [1]
