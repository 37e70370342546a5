"""The activation rules (source 六 售中, 四 考核制度) on hand-computed cases: the split of the overall limit,
warnings and overdue, delay requests (customer-caused, before the limit), cumulative overtimes, KPIs."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.orders import rules
from agent.orders.rules import DelayCause, DelayRefusal, LimitPeriod, Step, StepTiming

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_the_overall_limit_is_split_into_the_source_steps_in_their_shares():
    """R1: 240 h at the default shares 10/5/35/15/15/10/10 % -> 24, 12, 84, 36, 36, 24, 24 h, one
    after the other, the last ending at the order's limit; warnings when a quarter of each is left."""
    plan = rules.plan_for(rules.load_limits(), "ethernet_private_line")
    limits = rules.split_limit(T0, T0 + 240 * H, plan)
    assert [lim.step for lim in limits] == list(Step)
    hours = [(lim.due_at - lim.starts_at) / H for lim in limits]
    assert hours == pytest.approx([24, 12, 84, 36, 36, 24, 24])
    assert limits[0].due_at == T0 + 24 * H and limits[0].warn_at == T0 + 18 * H
    assert limits[2].department == rules.Department.CONSTRUCTION and limits[5].department == rules.Department.GROUP_CUSTOMER
    assert limits[-1].due_at == T0 + 240 * H
    assert rules.plan_for(rules.load_limits(), "internet_access").default_limit_hours == 120
    assert rules.plan_for(rules.load_limits(), "atm").default_limit_hours == 240  # the defaults


def test_shares_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="add up to 1"):
        rules.LimitPlan(100, 0.25, tuple((s, 0.1) for s in Step))


def test_step_timing_warns_then_goes_overdue_and_a_late_done_step_stays_overdue():
    warn, due = T0 + 18 * H, T0 + 24 * H
    assert rules.step_timing(warn, due, None, T0 + 17 * H) == StepTiming.ON_TIME
    assert rules.step_timing(warn, due, None, T0 + 18 * H) == StepTiming.WARNING
    assert rules.step_timing(warn, due, None, T0 + 24 * H) == StepTiming.WARNING  # at the limit: not yet late
    assert rules.step_timing(warn, due, None, T0 + 24 * H + timedelta(seconds=1)) == StepTiming.OVERDUE
    assert rules.step_timing(warn, due, T0 + 20 * H, T0 + 30 * H) == StepTiming.ON_TIME
    assert rules.step_timing(warn, due, T0 + 25 * H, T0 + 30 * H) == StepTiming.OVERDUE


def test_rescale_gives_the_open_steps_the_new_remaining_time_in_their_proportions():
    plan = rules.plan_for(rules.load_limits(), "mpls_vpn")
    limits = rules.split_limit(T0, T0 + 240 * H, plan)
    done = {Step.RESOURCE_ALLOCATION, Step.DISPATCH}  # done by 36 h
    moved = rules.rescale(limits, T0 + 240 * H, T0 + 276 * H, plan, done)
    assert moved[:2] == limits[:2]
    # 240 h remain -> the five open steps (35/15/15/10/10 of 85) share 240 h: 98.82, 42.35, 42.35, 28.24, 28.24
    hours = [(lim.due_at - lim.starts_at) / H for lim in moved[2:]]
    assert hours == pytest.approx([240 * 35 / 85, 240 * 15 / 85, 240 * 15 / 85, 240 * 10 / 85, 240 * 10 / 85])
    assert moved[-1].due_at == T0 + 276 * H


@pytest.mark.parametrize(("cause", "filed", "accepted", "refusal"), [
    (DelayCause.CUSTOMER, T0 + 239 * H, True, None),
    (DelayCause.CUSTOMER, T0 + 240 * H, False, DelayRefusal.AFTER_LIMIT),  # at the limit is too late
    (DelayCause.CUSTOMER, T0 + 241 * H, False, DelayRefusal.AFTER_LIMIT),
    (DelayCause.OTHER, T0 + 10 * H, False, DelayRefusal.NOT_CUSTOMER_CAUSED),
])
def test_only_a_customer_caused_request_before_the_limit_goes_up(cause, filed, accepted, refusal):
    judged = rules.judge_delay_request(cause, filed, T0 + 240 * H)
    assert (judged.accepted, judged.refusal) == (accepted, refusal)
    if refusal is DelayRefusal.NOT_CUSTOMER_CAUSED:
        assert "一律按电路超时开通考核" in judged.reason_zh


def test_each_limit_missed_without_a_timely_request_counts_one_overtime_cumulatively():
    """R7 (次数累计): limit 1 excused by a timely request (then extended), limit 2 missed, limit 3 (a
    changed order) missed too: two overtimes; completing before limit 3 would leave one."""
    periods = [LimitPeriod(T0 + 100 * H, excused=True), LimitPeriod(T0 + 150 * H), LimitPeriod(T0 + 200 * H)]
    assert rules.missed_limits(periods, None, T0 + 120 * H) == 0
    assert rules.missed_limits(periods, None, T0 + 151 * H) == 1
    assert rules.missed_limits(periods, None, T0 + 201 * H) == 2
    assert rules.missed_limits(periods, T0 + 190 * H, T0 + 300 * H) == 1


def test_kpis_on_a_hand_computed_set():
    """Checks: A on time, B late, C unanswered and past due (late), D unanswered within its time (not
    counted yet) -> 1 of 3 = 0.3333. Orders: 1 done in 100 h no overtime, 2 done in 200 h with 1
    overtime, 3 done in 60 h, 4 open with 2 overtimes -> 2 of 3 on time = 0.6667, cycle (100+200+60)/3
    = 120 h, 3 overtimes in all."""
    now = T0 + 500 * H
    checks = [
        rules.CheckRecord(T0, T0 + 48 * H, T0 + 40 * H),
        rules.CheckRecord(T0, T0 + 48 * H, T0 + 50 * H),
        rules.CheckRecord(T0, T0 + 48 * H, None),
        rules.CheckRecord(now - 10 * H, now + 38 * H, None),
    ]
    orders = [
        rules.OrderRecord(T0, T0 + 100 * H, 0),
        rules.OrderRecord(T0, T0 + 200 * H, 1),
        rules.OrderRecord(T0 + 10 * H, T0 + 70 * H, 0),
        rules.OrderRecord(T0, None, 2),
    ]
    k = rules.kpis(checks, orders, now)
    assert (k.resource_checks_due, k.resource_checks_on_time, k.resource_check_timeliness) == (3, 1, 0.3333)
    assert (k.orders_completed, k.orders_on_time, k.activation_timeliness) == (3, 2, 0.6667)
    assert k.activation_cycle_hours == 120.0 and k.overtimes == 3
    empty = rules.kpis([], [], now)
    assert empty.resource_check_timeliness is None and empty.activation_cycle_hours is None
