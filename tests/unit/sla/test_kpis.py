"""KPIs (考核 timeliness rates) on a hand-computed set of five tickets, in a one-day window and overall."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.sla.kpis import compute_kpis
from agent.sla.model import SlaEvent, SlaEventKind

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
DAY = 24 * 60


def ev(kind: str, minutes: float) -> SlaEvent:
    return SlaEvent(SlaEventKind(kind), T0 + timedelta(minutes=minutes))


TICKETS = {
    # A: all in time. sign 4, contact 10 after dispatch, progress 30/60, resolved at 80, report after 20 h.
    "A": [ev("created", 0), ev("signed", 4), ev("dispatched", 5), ev("customer_contacted", 15),
          ev("progress", 30), ev("progress", 60), ev("resolved", 80), ev("restoration_confirmed", 85),
          ev("closed", 90), ev("report_submitted", 20 * 60)],
    # B: signed late (12), contact late (27 after dispatch), no progress: missed at 42, 72, 102, 132, 162, 192;
    # resolved at 200 > 180 (late, decided at 180); report due in 1 working day, never submitted.
    "B": [ev("created", 0), ev("signed", 12), ev("dispatched", 13), ev("customer_contacted", 40),
          ev("resolved", 200)],
    # C: suspended 300 min (10..310); fault time 160 at resolution (460): in time. Progress first due at
    # 310 + 22 = 332 (8 min ran before the suspension): entries 320, 350 (exactly at its deadline), 380,
    # 410, 440 are all in time. Report submitted after two days.
    "C": [ev("created", 0), ev("signed", 2), ev("suspension_requested", 9), ev("suspension_approved", 10),
          ev("resumed", 310), ev("progress", 320), ev("progress", 350), ev("progress", 380),
          ev("progress", 410), ev("progress", 440), ev("resolved", 460), ev("report_submitted", 2 * DAY)],
    # D: arrives late in the day and is never signed: sign breach at 23:55 after T0.
    "D": [ev("created", DAY - 15)],
    # E: arrived two hours before the window; everything before the window is not counted in it.
    "E": [ev("created", -120), ev("signed", -115), ev("progress", -100), ev("progress", -70),
          ev("progress", -40), ev("progress", -10), ev("progress", 20), ev("resolved", 30)],
}


def figures(report):
    return {name: (k.on_time, k.late) for name, k in report.kpis.items()}


def test_kpis_in_a_one_day_window(rules, calendar):
    now = T0 + timedelta(days=3)
    report = compute_kpis(TICKETS.values(), rules, calendar, T0, T0 + timedelta(days=1), now)
    assert report.tickets == 5
    assert figures(report) == {
        "signTimeliness": (2, 2),  # A, C in time; B late, D breached at 23:55; E signed before the window
        "contactFeedbackTimeliness": (1, 1),  # A; B
        "progressCompliance": (8, 6),  # A 2, C 5, E 1 (at +20) in time; B 6 missed
        "faultHandlingTimeliness": (3, 1),  # A, C (suspension excluded), E; B
        "reportTimeliness": (1, 0),  # A; B's and E's breaches and C's submission fall after the window
    }
    assert report.kpis["faultHandlingTimeliness"].rate == 0.75
    assert report.kpis["signTimeliness"].rate == 0.5


def test_kpis_over_the_whole_period(rules, calendar):
    now = T0 + timedelta(days=3)
    report = compute_kpis(TICKETS.values(), rules, calendar, T0 - timedelta(days=1), T0 + timedelta(days=7), now)
    assert figures(report) == {
        "signTimeliness": (3, 2),
        "contactFeedbackTimeliness": (1, 1),
        "progressCompliance": (12, 6),
        "faultHandlingTimeliness": (3, 2),  # D's fault time passed 180 min unresolved
        "reportTimeliness": (2, 2),  # A, C; B (1 working day: end of Tue), E (end of Wed) overdue at Thu 09:00
    }


def test_empty_window_has_no_rate(rules, calendar):
    report = compute_kpis(TICKETS.values(), rules, calendar, T0 + timedelta(days=30), T0 + timedelta(days=31),
                          T0 + timedelta(days=31))
    assert all(k.total == 0 and k.rate is None for k in report.kpis.values())
    assert report.kpis["faultHandlingTimeliness"].label_zh == "故障处理及时率"


def test_rule4_progress_compliance_counts_a_late_entry_as_a_miss_not_as_an_on_time_cycle(rules, calendar):
    """Signed at 0, entries at 20, 95 (late), 120, resolved at 130: cycles 0 met (20), 1 missed (50),
    2 missed (80), 3 from the late entry met (120); the cut cycle 4 counts neither way -> 2 on time, 2 late.
    (Counting the late entry as the next cycle met would give 3 on time.)"""
    history = [ev("created", 0), ev("signed", 0), ev("progress", 20), ev("progress", 95), ev("progress", 120),
               ev("resolved", 130)]
    report = compute_kpis([history], rules, calendar, T0, T0 + timedelta(days=1), T0 + timedelta(hours=6))
    assert (report.kpis["progressCompliance"].on_time, report.kpis["progressCompliance"].late) == (2, 2)
    assert report.kpis["progressCompliance"].rate == 0.5


def test_a_window_in_the_past_ignores_tickets_that_arrived_after_it(rules, calendar):
    """The console's per-day history: a ticket still open that arrived after the window's end was
    replayed up to the window's end with no event in it (IndexError); it decided nothing there."""
    later = [ev("created", 5 * DAY)]
    end = T0 + timedelta(days=1)
    report = compute_kpis([TICKETS["A"], later], rules, calendar, T0, end, end)
    assert report.tickets == 1
    assert figures(report)["signTimeliness"] == (1, 0)
