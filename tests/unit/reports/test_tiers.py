"""Per-customer service levels: a tier's durations replace the source's for its tickets only, the
ticket keeps the tier it arrived with, and the KPIs are split by tier (on a hand-computed set)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.settings import Settings
from agent.sla.calendar import WorkingDayCalendar
from agent.sla.kpis import compute_kpis
from agent.sla.model import ClockKind, SlaEvent, SlaEventKind, SlaRules, tier_of

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
K = SlaEventKind
SLA = Settings(sla={"tiers": {"gold": {"sign_limit_minutes": 5, "sign_warn_minutes": 3, "fault_time_limit_minutes": 120}},
                    "customer_tiers": {"CUST-BANK": "gold"}}).sla


def ticket(tier: str | None, sign_after: float, resolve_after: float) -> list[SlaEvent]:
    data = {"tier": tier} if tier else {}
    return [SlaEvent(K.CREATED, T0, data), SlaEvent(K.SIGNED, T0 + timedelta(minutes=sign_after)),
            SlaEvent(K.RESOLVED, T0 + timedelta(minutes=resolve_after))]


def test_a_tier_overrides_only_what_it_names():
    gold, default = SlaRules.from_settings(SLA, "gold"), SlaRules.from_settings(SLA)
    assert (gold.sign_limit, gold.sign_warn, gold.fault_time_limit) == (
        timedelta(minutes=5), timedelta(minutes=3), timedelta(minutes=120))
    assert gold.contact_feedback == default.contact_feedback == timedelta(minutes=15)
    assert default == SlaRules()  # the default tier is the source's


def test_unknown_tier_in_the_customer_map_is_refused():
    with pytest.raises(ValueError, match="silver"):
        Settings(sla={"customer_tiers": {"CUST-X": "silver"}})


def test_kpis_split_by_tier_on_a_hand_computed_set():
    rules = {"gold": SlaRules.from_settings(SLA, "gold")}
    pick = lambda h: rules.get(tier_of(h), SlaRules())  # noqa: E731
    histories = [
        ticket("gold", 4, 100),   # gold: signed in 4 <= 5 (on time), resolved 100 <= 120 (on time)
        ticket("gold", 7, 150),   # gold: sign 7 > 5 late; fault 150 > 120 late
        ticket(None, 7, 150),     # default: sign 7 <= 10 on time; 150 <= 180 on time
        ticket(None, 12, 200),    # default: sign 12 > 10 late; 200 > 180 late
    ]
    report = compute_kpis(histories, pick, WorkingDayCalendar(schedules={}), T0, T0 + timedelta(days=1),
                          T0 + timedelta(hours=5))
    got = lambda kpis, name: (kpis[name].on_time, kpis[name].late)  # noqa: E731
    assert got(report.by_tier["gold"], "signTimeliness") == (1, 1)
    assert got(report.by_tier["gold"], "faultHandlingTimeliness") == (1, 1)
    assert got(report.by_tier["default"], "signTimeliness") == (1, 1)
    assert got(report.by_tier["default"], "faultHandlingTimeliness") == (1, 1)
    assert got(report.kpis, "signTimeliness") == (2, 2) and report.kpis["signTimeliness"].rate == 0.5
    # the same ticket judged on the default durations would have been on time: the tier decides
    one = compute_kpis([histories[1]], SlaRules(), WorkingDayCalendar(schedules={}), T0, T0 + timedelta(days=1),
                       T0 + timedelta(hours=5))
    assert got(one.kpis, "signTimeliness") == (1, 0)
    assert set(report.by_tier) == {"default", "gold"}


def test_tier_of_reads_the_arrival():
    assert tier_of(ticket("gold", 1, 2)) == "gold" and tier_of(ticket(None, 1, 2)) == "default"
    assert ClockKind.SIGN.value == "sign"
