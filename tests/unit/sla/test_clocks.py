"""The duty rules (DOMAIN.md "The duty rules (SLA)") as clock computations, with exact times."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.sla.errors import HistoryError
from agent.sla.model import ClockKind as C
from agent.sla.model import ClockState as S
from agent.sla.model import MilestoneKind as M
from agent.sla.model import SlaEvent, SlaEventKind

# Monday 2026-03-02 09:00 in Shanghai: an ordinary working day, far from holidays.
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def ev(kind: str, minutes: float = 0, seconds: float = 0, **data) -> SlaEvent:
    return SlaEvent(SlaEventKind(kind), at(minutes, seconds), data)


def milestones(tc, clock=None):
    return [(m.clock, m.seq, m.kind, m.due_at) for m in tc.milestones if clock is None or m.clock is clock]


# --- rule 1: sign within 5-10 min of arrival -------------------------------------------------------

def test_rule1_sign_happy_path_signed_within_target(replay):
    tc = replay([ev("created"), ev("signed", 4, 59)], now=at(30))
    sign = tc.clock(C.SIGN)
    assert sign.state is S.MET and sign.met_at == at(4, 59)
    assert milestones(tc, C.SIGN) == []


def test_rule1_sign_warn_then_breach(replay):
    events = [ev("created")]
    before = replay(events, now=at(4, 59))
    assert before.clock(C.SIGN).state is S.RUNNING
    assert before.clock(C.SIGN).remaining_seconds == pytest.approx(5 * 60 + 1)
    assert milestones(before, C.SIGN) == [(C.SIGN, 0, M.WARNING, at(5)), (C.SIGN, 0, M.BREACH, at(10))]
    warned = replay(events, now=at(7))
    assert warned.clock(C.SIGN).state is S.RUNNING and warned.clock(C.SIGN).warn_at == at(5)
    assert replay(events, now=at(10)).clock(C.SIGN).state is S.RUNNING  # exactly at the limit: still in time
    breached = replay(events, now=at(10, 1))
    assert breached.clock(C.SIGN).state is S.BREACHED and breached.clock(C.SIGN).outstanding_overdue
    late = replay([*events, ev("signed", 12)], now=at(12))
    sign = late.clock(C.SIGN)
    assert sign.state is S.BREACHED and sign.met_at == at(12) and sign.breached_at == at(10)
    # both milestones stay owed: the sweep fires each once even if it only runs after the late signing
    assert milestones(late, C.SIGN) == [(C.SIGN, 0, M.WARNING, at(5)), (C.SIGN, 0, M.BREACH, at(10))]


def test_rule1_signed_between_target_and_limit_warns_but_is_on_time(replay):
    tc = replay([ev("created"), ev("signed", 7)], now=at(20))
    assert tc.clock(C.SIGN).state is S.MET
    assert milestones(tc, C.SIGN) == [(C.SIGN, 0, M.WARNING, at(5))]
    assert [(o.clock, o.on_time) for o in tc.outcomes if o.clock is C.SIGN] == [(C.SIGN, True)]


def test_rule1_signed_exactly_at_the_limit_is_on_time(replay):
    tc = replay([ev("created"), ev("signed", 10)], now=at(20))
    assert tc.clock(C.SIGN).state is S.MET


# --- rule 2/3: dispatch, then the customer-contact feedback within 15 min ----------------------------

def test_rule3_contact_feedback_happy_path(replay):
    tc = replay([ev("created"), ev("signed", 2), ev("dispatched", 3), ev("customer_contacted", 17, 59)], now=at(40))
    contact = tc.clock(C.CONTACT)
    assert contact.started_at == at(3) and contact.due_at == at(18)
    assert contact.state is S.MET and contact.met_at == at(17, 59)


def test_rule3_contact_feedback_breach(replay):
    events = [ev("created"), ev("signed", 2), ev("dispatched", 3)]
    assert replay(events, now=at(17)).clock(C.CONTACT).state is S.RUNNING
    tc = replay(events, now=at(18, 1))
    assert tc.clock(C.CONTACT).state is S.BREACHED
    assert (C.CONTACT, 0, M.BREACH, at(18)) in milestones(tc)


def test_rule3_no_contact_clock_before_dispatch(replay):
    assert replay([ev("created"), ev("signed", 1)], now=at(5)).clock(C.CONTACT) is None


# --- rule 4: progress every 30 min while the fault is open -------------------------------------------

def test_rule4_progress_happy_path_each_entry_restarts_the_interval(replay):
    events = [ev("created"), ev("signed", 2), ev("progress", 30), ev("progress", 60), ev("progress", 89)]
    tc = replay(events, now=at(100))
    prog = tc.clock(C.PROGRESS)
    assert prog.state is S.RUNNING and prog.started_at == at(89) and prog.due_at == at(119)
    assert [o.on_time for o in tc.outcomes if o.clock is C.PROGRESS] == [True, True, True]
    assert milestones(tc, C.PROGRESS) == [(C.PROGRESS, 3, M.BREACH, at(119))]


def test_rule4_progress_breach_once_per_missed_interval(replay):
    events = [ev("created"), ev("signed", 2)]
    tc = replay(events, now=at(95))
    prog = tc.clock(C.PROGRESS)
    # due at 32, missed; next interval from 32 due at 62, missed; next due at 92, missed; now 95
    assert milestones(tc, C.PROGRESS) == [
        (C.PROGRESS, 0, M.BREACH, at(32)), (C.PROGRESS, 1, M.BREACH, at(62)),
        (C.PROGRESS, 2, M.BREACH, at(92)), (C.PROGRESS, 3, M.BREACH, at(122)),
    ]
    assert prog.state is S.BREACHED and prog.due_at == at(32) and prog.detail["missed_in_a_row"] == 3
    # a late entry ends the streak and restarts the interval from itself; it is no on-time cycle
    tc2 = replay([*events, ev("progress", 100)], now=at(101))
    assert tc2.clock(C.PROGRESS).state is S.RUNNING and tc2.clock(C.PROGRESS).due_at == at(130)
    assert tc2.clock(C.PROGRESS).seq == 3  # the cycle from the late entry keeps the unfired number
    assert [o.on_time for o in tc2.outcomes if o.clock is C.PROGRESS] == [False, False, False]


def test_rule4_a_late_entry_is_a_miss_and_the_next_cycle_starts_from_it(replay):
    """Hand-computed: signed at 0; entry 20 (cycle 0 met); nothing until 95: cycle 1 due 50 missed,
    cycle 2 (50..80) missed; the entry at 95 is late (no on-time cycle), cycle 3 runs 95..125 and is
    met at 120; cycle 4 (120..150) is cut short by the resolution at 130. Compliance: 2 met, 2 missed."""
    events = [ev("created"), ev("signed", 0), ev("progress", 20), ev("progress", 95), ev("progress", 120),
              ev("resolved", 130)]
    tc = replay(events, now=at(200))
    assert [(o.seq, o.on_time, o.decided_at) for o in tc.outcomes if o.clock is C.PROGRESS] == [
        (0, True, at(20)), (1, False, at(50)), (2, False, at(80)), (3, True, at(120))]
    assert milestones(tc, C.PROGRESS) == [(C.PROGRESS, 1, M.BREACH, at(50)), (C.PROGRESS, 2, M.BREACH, at(80))]
    running = replay(events[:4], now=at(96))
    prog = running.clock(C.PROGRESS)
    assert prog.state is S.RUNNING and prog.seq == 3 and prog.started_at == at(95) and prog.due_at == at(125)


def test_rule4_progress_stops_at_resolution_without_counting_the_cut_interval(replay):
    tc = replay([ev("created"), ev("signed", 0), ev("progress", 20), ev("resolved", 40)], now=at(300))
    assert tc.clock(C.PROGRESS).state is S.MET and tc.clock(C.PROGRESS).met_at == at(40)
    assert [o.on_time for o in tc.outcomes if o.clock is C.PROGRESS] == [True]
    assert milestones(tc, C.PROGRESS) == []


# --- rule 6: only an APPROVED suspension pauses, to the second ----------------------------------------

def test_rule6_suspension_approved_twice_exact_pause_accounting(replay):
    pause1 = timedelta(minutes=17, seconds=13)
    pause2 = timedelta(hours=1, minutes=2, seconds=7)
    events = [
        ev("created"), ev("signed", 1), ev("dispatched", 2), ev("customer_contacted", 9),
        ev("suspension_requested", 25), ev("suspension_approved", 30),
        SlaEvent(SlaEventKind.RESUMED, at(30) + pause1),
        ev("suspension_requested", 85), ev("suspension_approved", 90, 30),
        SlaEvent(SlaEventKind.RESUMED, at(90, 30) + pause2),
    ]
    now = at(240)
    tc = replay(events, now=now)
    paused = pause1 + pause2
    assert tc.fault_seconds == (now - T0 - paused).total_seconds()
    assert tc.clock(C.ESCALATION_L1).due_at == at(120) + paused
    assert tc.clock(C.ESCALATION_L2).due_at == at(180) + paused
    assert tc.clock(C.ESCALATION_L1).state is S.BREACHED  # 240 - 79:20 = 160:40 of fault time
    assert tc.clock(C.ESCALATION_L2).state is S.RUNNING
    assert tc.clock(C.ESCALATION_L2).remaining_seconds == (timedelta(minutes=180) - (now - T0 - paused)).total_seconds()


def test_rule6_clocks_show_paused_while_suspended(replay):
    events = [ev("created"), ev("signed", 1), ev("suspension_requested", 20), ev("suspension_approved", 21)]
    tc = replay(events, now=at(200))
    assert tc.held
    for kind in (C.PROGRESS, C.ESCALATION_L1, C.ESCALATION_L2, C.RESOLUTION):
        view = tc.clock(kind)
        assert view.state is S.PAUSED and view.due_at is None and view.paused
    assert tc.clock(C.ESCALATION_L1).remaining_seconds == 99 * 60
    assert tc.clock(C.PROGRESS).remaining_seconds == 10 * 60
    assert tc.fault_seconds == 21 * 60
    assert milestones(tc, C.ESCALATION_L1) == []  # nothing can fall due while paused


def test_rule6_rejected_suspension_does_not_pause(replay):
    events = [ev("created"), ev("signed", 1), ev("suspension_requested", 20), ev("suspension_rejected", 50)]
    tc = replay(events, now=at(130))
    assert tc.fault_seconds == 130 * 60
    assert tc.clock(C.ESCALATION_L1).due_at == at(120) and tc.clock(C.ESCALATION_L1).state is S.BREACHED


def test_rule6_pending_suspension_does_not_pause(replay):
    tc = replay([ev("created"), ev("signed", 1), ev("suspension_requested", 20)], now=at(100))
    assert tc.fault_seconds == 100 * 60 and not tc.held
    assert tc.clock(C.ESCALATION_L1).due_at == at(120)


# --- rule 7: escalation at 120 / 180 min of fault time -----------------------------------------------

def test_rule7_escalation_happy_path_resolved_before_120(replay):
    tc = replay([ev("created"), ev("signed", 1), ev("resolved", 119)], now=at(400))
    for kind in (C.ESCALATION_L1, C.ESCALATION_L2):
        assert tc.clock(kind).state is S.MET and tc.clock(kind).met_at == at(119)
    assert milestones(tc, C.ESCALATION_L1) == milestones(tc, C.ESCALATION_L2) == []


def test_rule7_escalation_breach_level1_then_level2(replay):
    events = [ev("created"), ev("signed", 1)]
    tc = replay(events, now=at(150))
    assert tc.clock(C.ESCALATION_L1).state is S.BREACHED
    assert tc.clock(C.ESCALATION_L1).detail == {"level": 1}
    assert tc.clock(C.ESCALATION_L2).state is S.RUNNING
    assert [(m.clock, m.kind, m.due_at) for m in tc.milestones if m.kind is M.ESCALATION] == [
        (C.ESCALATION_L1, M.ESCALATION, at(120)), (C.ESCALATION_L2, M.ESCALATION, at(180)),
    ]
    assert replay(events, now=at(180, 1)).clock(C.ESCALATION_L2).state is S.BREACHED


def test_rule7_reopened_fault_time_adds_up_across_the_reopen(replay):
    events = [ev("created"), ev("signed", 1), ev("resolved", 100), ev("reopened", 300)]
    tc = replay(events, now=at(310))
    assert tc.fault_seconds == 110 * 60 and tc.open
    assert tc.clock(C.ESCALATION_L1).due_at == at(320)  # 100 min before + 20 min after the reopen
    assert tc.clock(C.ESCALATION_L1).state is S.RUNNING


# --- rule 9: restoration confirmation before close ---------------------------------------------------

def test_rule9_restoration_awaited_after_resolution_then_met(replay):
    events = [ev("created"), ev("signed", 1), ev("resolved", 60)]
    assert replay(events, now=at(61)).clock(C.RESTORATION).state is S.RUNNING
    tc = replay([*events, ev("restoration_confirmed", 75, confirmation="noc_alarm_cleared")], now=at(80))
    assert tc.clock(C.RESTORATION).state is S.MET and tc.clock(C.RESTORATION).met_at == at(75)


def test_rule9_no_restoration_clock_before_resolution(replay):
    assert replay([ev("created")], now=at(1)).clock(C.RESTORATION) is None


# --- rule 10: fault report in 2 working days, 1 when over time ---------------------------------------

def test_rule10_report_due_in_two_working_days_and_met(replay, calendar):
    events = [ev("created"), ev("signed", 1), ev("resolved", 60)]
    tc = replay(events, now=at(61))
    report = tc.clock(C.REPORT)
    assert report.detail == {"working_days": 2, "over_time": False}
    assert report.due_at == calendar.end_of_day(at(0).date().replace(day=4))  # Mon -> end of Wed
    assert (C.REPORT, 0, M.REPORT_DUE, at(60)) in milestones(tc)
    done = replay([*events, ev("report_submitted", 60 * 24)], now=at(60 * 25))
    assert done.clock(C.REPORT).state is S.MET


def test_rule10_overtime_fault_report_due_in_one_working_day_and_breach(replay, calendar):
    events = [ev("created"), ev("signed", 1), ev("resolved", 181)]
    report = replay(events, now=at(182)).clock(C.REPORT)
    assert report.detail == {"working_days": 1, "over_time": True}
    due = calendar.end_of_day(at(0).date().replace(day=3))  # Mon -> end of Tue
    assert report.due_at == due
    late = replay(events, now=due + timedelta(seconds=1))
    assert late.clock(C.REPORT).state is S.BREACHED
    assert (C.REPORT, 0, M.BREACH, due) in milestones(late)


def test_rule10_suspension_keeps_a_long_ticket_within_its_time_limit(replay):
    events = [
        ev("created"), ev("signed", 1), ev("suspension_approved", 60), ev("resumed", 160), ev("resolved", 230),
    ]
    tc = replay(events, now=at(231))
    assert tc.clock(C.RESOLUTION).state is S.MET  # 130 min of fault time
    assert tc.clock(C.REPORT).detail["working_days"] == 2


def test_fault_handling_over_time_limit_breaches_resolution_clock(replay):
    tc = replay([ev("created"), ev("signed", 1)], now=at(181))
    assert tc.clock(C.RESOLUTION).state is S.BREACHED and tc.clock(C.RESOLUTION).breached_at == at(180)


# --- bad histories are clear errors -------------------------------------------------------------------

def test_history_must_start_with_created(replay):
    with pytest.raises(HistoryError, match="expected 'created'"):
        replay([ev("signed", 1)], now=at(2))
    with pytest.raises(HistoryError, match="empty"):
        replay([], now=at(2))


# --- reopen (MEF 124) -------------------------------------------------------------------------------

def test_reopen_cancels_the_owed_report_and_restarts_progress(replay):
    events = [ev("created"), ev("signed", 1), ev("progress", 20), ev("resolved", 60), ev("reopened", 100)]
    tc = replay(events, now=at(110))
    assert tc.clock(C.REPORT) is None and tc.clock(C.RESTORATION) is None
    prog = tc.clock(C.PROGRESS)
    assert prog.state is S.RUNNING and prog.started_at == at(100) and prog.due_at == at(130)
    # the report-due notice of the first resolution stays (it was due), its breach never comes
    assert (C.REPORT, 0, M.REPORT_DUE, at(60)) in milestones(tc)
    assert [m for m in milestones(tc, C.REPORT) if m[2] is M.BREACH] == []
    again = replay([*events, ev("resolved", 150)], now=at(151))
    assert again.fault_seconds == 110 * 60
    assert again.clock(C.REPORT).seq == 1 and again.clock(C.REPORT).started_at == at(150)
    assert again.clock(C.RESTORATION).seq == 1 and again.clock(C.RESTORATION).state is S.RUNNING


def test_rule10_report_of_an_overtime_fault_across_a_reopen_counts_all_fault_time(replay):
    # 150 min before the reopen + 40 after = 190 > 180: the second report is due in 1 working day
    events = [ev("created"), ev("signed", 1), ev("resolved", 150), ev("reopened", 300), ev("resolved", 340)]
    tc = replay(events, now=at(341))
    assert tc.clock(C.REPORT).detail == {"working_days": 1, "over_time": True}
    assert tc.clock(C.RESOLUTION).state is S.BREACHED and tc.clock(C.RESOLUTION).breached_at == at(330)


def test_closed_while_held_ends_the_pause_and_the_fault(replay):
    events = [ev("created"), ev("signed", 1), ev("suspension_approved", 10), ev("closed", 50)]
    tc = replay(events, now=at(500))
    assert not tc.open and not tc.held and tc.fault_seconds == 10 * 60
    assert tc.clock(C.ESCALATION_L1).state is S.MET


def test_every_event_at_the_same_instant_keeps_its_recorded_order(replay):
    events = [ev("created"), ev("signed"), ev("dispatched"), ev("customer_contacted")]
    tc = replay(events, now=at(1))
    assert tc.clock(C.SIGN).state is S.MET and tc.clock(C.CONTACT).state is S.MET


def test_events_after_now_are_ignored(replay):
    tc = replay([ev("created"), ev("signed", 30)], now=at(11))
    assert tc.clock(C.SIGN).state is S.BREACHED and tc.clock(C.SIGN).met_at is None


def test_fault_stops_at_resolution_not_at_the_later_close(replay):
    tc = replay([ev("created"), ev("signed", 1), ev("resolved", 100), ev("restoration_confirmed", 110),
                 ev("closed", 400)], now=at(500))
    assert tc.clock(C.RESOLUTION).met_at == at(100) and tc.clock(C.ESCALATION_L1).met_at == at(100)
    assert [o.decided_at for o in tc.outcomes if o.clock is C.RESOLUTION] == [at(100)]
