"""The alarm correlator, pure: pairing, duplicate merging, flap window, suppression."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.alarms import AlarmCorrelator, AlarmEvent, optical_suppressor
from collectors.enums import Method, ProbableCause
from collectors.readings import Source

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def ev(minute: float, clear: bool, port: str = "Gi0/1", cause: ProbableCause = ProbableCause.LINK_DOWN) -> AlarmEvent:
    at = T0 + timedelta(minutes=minute)
    return AlarmEvent("d", port, cause, clear, at, Source("d", port, Method.TRAP, "oid", "", at))


def test_raise_clear_pairs_and_reraise_opens_a_new_alarm():
    c = AlarmCorrelator()
    c.feed_all([ev(0, False), ev(1, True), ev(30, False)])
    first, second = c.records()
    assert (first.raised_at, first.cleared_at) == (T0, T0 + timedelta(minutes=1))
    assert second.is_active and c.active() == [second]


def test_ports_and_causes_are_separate_keys():
    c = AlarmCorrelator()
    c.feed_all([ev(0, False, "Gi0/1"), ev(0, False, "Gi0/2"), ev(0, False, "Gi0/1", ProbableCause.RX_POWER_LOW),
                ev(1, True, "Gi0/2")])
    assert {(r.port, r.probable_cause.value) for r in c.active()} == {("Gi0/1", "linkDown"), ("Gi0/1", "receivePowerLow")}


def test_unmatched_clear_is_counted_not_invented():
    c = AlarmCorrelator()
    assert c.feed(ev(0, True)) is None
    assert c.stats.unmatched_clears == 1 and c.records() == []


@pytest.mark.parametrize(("spacing", "flapping"), [(1, True), (4, False)])
def test_flapping_needs_n_changes_inside_the_window(spacing, flapping):
    c = AlarmCorrelator(flap_changes=4, flap_window=timedelta(minutes=10))
    for i in range(4):
        last = c.feed(ev(i * spacing, clear=bool(i % 2)))
    assert last is not None and last.flapping is flapping


def test_suppressor_only_touches_optical_causes():
    admin_down = {("d", "Gi0/1")}
    c = AlarmCorrelator(suppressor=optical_suppressor(lambda d, p: (d, p) in admin_down, lambda d, p: p != "Gi0/9"))
    assert c.feed(ev(0, False, "Gi0/1", ProbableCause.RX_POWER_LOW)) is None
    assert c.feed(ev(0, False, "Gi0/9", ProbableCause.LOSS_OF_SIGNAL)) is None
    assert c.feed(ev(0, False, "Gi0/1", ProbableCause.LINK_DOWN)) is not None
    assert c.feed(ev(0, False, "Gi0/2", ProbableCause.RX_POWER_LOW)) is not None
    assert c.stats.suppressed == 2


def test_flap_threshold_must_be_meaningful():
    with pytest.raises(ValueError):
        AlarmCorrelator(flap_changes=1)
