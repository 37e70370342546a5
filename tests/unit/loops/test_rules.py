"""The loop guard's pure rules: limits, state moves, the observer's reading, back-off, the walk."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.enums import LoopState
from agent.errors import InvalidInput
from agent.loops.rules import (
    LoopLimits,
    Outcome,
    PlanPoint,
    PointResult,
    Signal,
    judge_signal,
    may_move,
    unconfirmed_circuits,
    walk,
)

LIMITS = LoopLimits(set_timeout_s=30, max_hold_s=120, clear_timeout_s=20, settle_s=1, retry_base_s=5, retry_max_s=60)


def test_hold_is_capped_by_the_setting():
    assert LIMITS.hold_for(None) == 120 and LIMITS.hold_for(10) == 10
    with pytest.raises(InvalidInput):
        LIMITS.hold_for(121)


def test_deadline_covers_set_hold_and_clear():
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    assert (LIMITS.deadline(t0, 10) - t0).total_seconds() == 30 + 10 + 2 * 20 + 1


def test_back_off_doubles_and_is_capped():
    assert [LIMITS.retry_delay(n) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 40, 60]


def test_state_moves():
    assert may_move("requested", LoopState.SETTING) and may_move("setting", LoopState.NOT_SET)
    assert may_move("clear_failed", LoopState.CLEARING)
    assert not may_move("cleared", LoopState.CLEARING) and not may_move("set", LoopState.CLEARED)


def test_shared_circuits_must_all_be_named():
    assert unconfirmed_circuits(["B", "C"], ["C"]) == ["B"]
    assert unconfirmed_circuits(["B"], ["B", "X"]) == []


@pytest.mark.parametrize("light,expected", [
    ({"oper_up": True, "rx_dbm": -6.0, "tx_dbm": -2.0}, Signal.RETURNED),
    ({"oper_up": False, "rx_dbm": None}, Signal.NOT_RETURNED),
    ({"oper_up": True, "rx_dbm": -13.0, "tx_dbm": -2.0}, Signal.DEGRADED),  # 1.4 dB above -14.4
    ({"oper_up": True, "rx_dbm": -10.0, "tx_dbm": 0.0}, Signal.DEGRADED),  # 10 dB round trip > 2 x 1.5 + 6
    ({"oper_up": None, "rx_dbm": None, "errors": ["timeout"]}, Signal.UNKNOWN),
])
def test_judge_signal(light, expected):
    reading = judge_signal(light, -14.4, 1.5)
    assert reading.signal is expected, reading


def test_a_healthy_long_segment_returns_near_the_sensitivity_and_is_not_degraded():
    """8.5 km on 10GBASE-LR: 5.2 dB each way, Rx 2 dB above the sensitivity after the round trip; the
    budget (5.3 dB) says the line is healthy; without a budget the margin stands in."""
    light = {"oper_up": True, "rx_dbm": -12.4, "tx_dbm": -2.0}
    assert judge_signal(light, -14.4, 5.3).signal is Signal.RETURNED
    assert judge_signal(light, -14.4, None).signal is Signal.DEGRADED
    assert judge_signal({**light, "rx_dbm": -24.0 + 10}, -14.4, 2.0).signal is Signal.DEGRADED  # 12 dB > 2 x 2 + 6


def _p(order, seg, kind="aggregation"):
    return PlanPoint(order, f"d{order}", f"p{order}", seg, kind)


def test_walk_stops_at_the_first_point_without_signal_and_skips_tested_segments():
    plan = [_p(1, 3, "province_exit"), _p(2, 0, "access_room"), _p(3, 1), _p(4, 1), _p(5, 2)]
    assert walk(plan, []) == plan[0]
    done = [PointResult(plan[0], 1, LoopState.CLEARED, Signal.RETURNED), PointResult(plan[1], 2, LoopState.CLEARED, Signal.RETURNED)]
    assert walk(plan, done) == plan[2]
    done.append(PointResult(plan[2], 3, LoopState.CLEARED, Signal.RETURNED))
    assert walk(plan, done) == plan[4]  # point 4 tests segment 1 again: skipped
    done.append(PointResult(plan[4], 4, LoopState.CLEARED, Signal.NOT_RETURNED))
    c = walk(plan, done)
    assert c.outcome is Outcome.FAULT_SEGMENT and c.segment == 2 and c.deciding_point == plan[4]


def test_walk_is_inconclusive_where_a_point_gave_no_answer_and_clean_when_all_return():
    plan = [_p(1, 0), _p(2, 1)]
    c = walk(plan, [PointResult(plan[0], 1, LoopState.NOT_SET, None, "unreachable")])
    assert c.outcome is Outcome.INCONCLUSIVE and "unreachable" in c.text_en
    done = [PointResult(p, i, LoopState.CLEARED, Signal.RETURNED) for i, p in enumerate(plan)]
    assert walk(plan, done).outcome is Outcome.NO_LINE_FAULT


def test_the_newer_reading_decides_whether_the_circuit_carries_service():
    from agent.loops.rules import service_up_evidence

    early, late = datetime(2026, 1, 1, 8, tzinfo=UTC), datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert service_up_evidence(None, None) is None
    assert "health grade is ok" in service_up_evidence(("ok", late), ("no_light_fiber_cut", early))
    assert service_up_evidence(("ok", early), ("no_light_fiber_cut", late)) is None  # down since the last poll
    assert "no_fault_found" in service_up_evidence(("down", early), ("no_fault_found", late))
    assert service_up_evidence(("down", late), None) is None
    assert "degraded" in service_up_evidence(("degraded", late.replace(tzinfo=None)), ("fiber_degraded", early))
