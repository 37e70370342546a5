"""The verdict registry (diagnosis.verdicts): one complete entry per verdict, the tables derived from
it, and each entry's actions really given when a diagnosis reaches that verdict."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest

from diagnosis import (
    ActionCode, CircuitPath, CutoverWindow, Diagnosis, Duplex, LinkState, Observations, Playbook,
    RxTrendPoint, Symptom, TicketKind, Verdict, diagnose,
)
from diagnosis import playbook_alarms, playbook_interruption, playbook_quality
from diagnosis.actions import _PARAMS, placeholders
from diagnosis.verdicts import ENTRIES, REGISTRY, SEGMENT_FAULTS, VERDICT_TITLES, priority
from diagnosis.wording import ACTION_TEXTS

from diag_builders import NOW, Scene, src


def test_every_verdict_has_exactly_one_entry() -> None:
    counts = Counter(entry.verdict for entry in ENTRIES)
    assert {v: counts[v] for v in Verdict if counts[v] != 1} == {}
    assert set(REGISTRY) == set(Verdict) == set(VERDICT_TITLES)


@pytest.mark.parametrize("verdict", list(Verdict), ids=str)
def test_every_entry_is_complete(verdict: Verdict) -> None:
    entry = REGISTRY[verdict]
    assert entry.title_zh and entry.title_en and entry.title_zh != entry.title_en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.title_zh)  # the Chinese title is Chinese
    assert entry.actions, "every verdict recommends something"
    assert all(code in ACTION_TEXTS for code in entry.actions)
    assert len(set(entry.actions)) == len(entry.actions)
    # a verdict is either ranked among some playbook's findings or a conclusion the playbook reaches
    assert entry.ranks or not entry.per_finding
    if entry.per_finding:  # every placeholder of its actions can be filled from a finding
        assert [n for code in entry.actions for n in placeholders(code) if n not in _PARAMS] == []


def test_every_action_code_has_its_texts_in_both_languages() -> None:
    assert set(ACTION_TEXTS) == set(ActionCode)
    assert all(zh and en for zh, en in ACTION_TEXTS.values())


@pytest.mark.parametrize("playbook", list(Playbook), ids=str)
def test_ranks_are_unique_within_a_playbook_and_give_its_priority(playbook: Playbook) -> None:
    ranks = [r for e in ENTRIES if (r := e.rank(playbook)) is not None]
    assert len(ranks) == len(set(ranks))
    module = {Playbook.ASSIST_ALARMS: playbook_alarms, Playbook.ASSIST_QUALITY: playbook_quality,
              Playbook.INTERRUPTION: playbook_interruption}[playbook]
    assert module.PRIORITY == priority(playbook)


def test_priorities_keep_the_order_of_domain_md() -> None:
    # customer side first (interruption-1), then hard segment faults; doubts after every fact
    for playbook in (Playbook.ASSIST_QUALITY, Playbook.INTERRUPTION):
        order = priority(playbook)
        assert order[0] == Verdict.CUSTOMER_PREMISES_DOWN
        assert order.index(Verdict.NO_LIGHT_FIBER_CUT) < order.index(Verdict.TRANSMITTER_FAULT) < order.index(
            Verdict.PORT_ADMIN_DOWN)
        assert order[-1] == Verdict.INCONCLUSIVE_READINGS_DISAGREE
    assert priority(Playbook.ASSIST_ALARMS) == (Verdict.FLAPPING_PORT, Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END,
                                                Verdict.WITHIN_APPROVED_CUTOVER)
    assert Verdict.TRANSMITTER_FAULT in SEGMENT_FAULTS and Verdict.CUSTOMER_RATE_LIMIT not in SEGMENT_FAULTS


# -- each verdict reached, with its registry actions -------------------------------------------------
def _trend(s: Scene) -> Diagnosis:
    for day in range(6):
        t = NOW - timedelta(days=5 - day)
        s.trend.append(RxTrendPoint("agg-1", "GE1/0/1", t, -9.0 - 0.3 * day, src("agg-1", "GE1/0/1", time=t)))
    return s.quality()


def _cutover(s: Scene) -> Diagnosis:
    start = NOW - timedelta(hours=3)
    s.add_alarm("agg-1", "GE1/0/1", raised=start + timedelta(minutes=5), cleared=start + timedelta(minutes=20))
    return s.alarms_check(cutover_windows=(CutoverWindow(start, start + timedelta(hours=1), "GJ-1"),))


def _missing(s: Scene) -> Diagnosis:
    return diagnose(CircuitPath("CIR-NEW", "C", "mpls_vpn", 10, ()), Observations(),
                    s.ticket(TicketKind.INTERRUPTION, Symptom.DOWN))


def _weak_laser(s: Scene) -> Diagnosis:
    s.set_optical("acc-a-sw1", "GE0/0/2", tx_dbm=-13.3, tx_low_alarm_dbm=-11.0, tx_low_warn_dbm=-10.0)
    s.set_rx("agg-1", "GE1/0/1", -17.5)
    return s.quality()


def _up_but_dark(s: Scene) -> Diagnosis:
    s.set_rx("agg-1", "GE1/0/1", -40.0, rx_los=True)  # the port stays oper up
    return s.interruption()


SCENARIOS: dict[Verdict, Callable[[Scene], Diagnosis]] = {
    Verdict.NO_ALARM_REQUEST_RETURN: lambda s: s.alarms_check(),
    Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END: lambda s: (
        s.add_alarm("agg-1", "GE1/0/1", raised=NOW - timedelta(hours=1)), s.alarms_check())[1],
    Verdict.FLAPPING_PORT: lambda s: (
        s.add_flaps("acc-a-sw1", "GE0/0/1", [NOW - timedelta(minutes=m) for m in (90, 60, 30)]), s.alarms_check())[1],
    Verdict.WITHIN_APPROVED_CUTOVER: _cutover,
    Verdict.FIBER_DEGRADED: lambda s: (s.add_loss(1, 4.0), s.quality())[1],
    Verdict.LOW_RX_MARGIN: lambda s: (s.set_optical("acc-a-sw1", "GE0/0/2", tx_dbm=-13.3),
                                      s.set_rx("agg-1", "GE1/0/1", -17.5), s.quality())[2],
    Verdict.RX_OVERLOAD: lambda s: (s.set_rx("agg-1", "GE1/0/1", -2.5), s.quality())[1],
    Verdict.CRC_ERRORS: lambda s: (s.set_errors_rate("core-1", "XGE0/0/1", 5.0), s.quality())[1],
    Verdict.DUPLEX_MISMATCH: lambda s: (s.set_status("cpe-1", "GE0/0/1", duplex=Duplex.HALF), s.quality())[1],
    Verdict.CUSTOMER_RATE_LIMIT: lambda s: (s.set_util("acc-a-sw1", "GE0/0/1", in_mbps=95.0), s.quality())[1],
    Verdict.EGRESS_CONGESTION: lambda s: (s.set_util("egress-1", "XGE0/0/2", out_mbps=9500.0, speed_mbps=10000),
                                          s.quality())[1],
    Verdict.RX_POWER_DECLINING: _trend,
    Verdict.CUSTOMER_PREMISES_DOWN: lambda s: (s.set_status("cpe-1", "GE0/0/1", oper=LinkState.DOWN),
                                               s.interruption())[1],
    Verdict.NO_LIGHT_FIBER_CUT: lambda s: (s.cut(2), s.interruption())[1],
    Verdict.TRANSMITTER_FAULT: _weak_laser,
    Verdict.PORT_ADMIN_DOWN: lambda s: (s.set_status("core-1", "XGE0/0/2", admin=LinkState.DOWN,
                                                     oper=LinkState.DOWN), s.interruption())[1],
    Verdict.PORT_DOWN: lambda s: (s.set_status("egress-1", "XGE0/0/2", oper=LinkState.DOWN), s.interruption())[1],
    Verdict.FAULT_SEGMENT_UNCLEAR: lambda s: s.interruption(),
    Verdict.MISSING_HANDOVER_DATA: _missing,
    Verdict.NO_FAULT_FOUND: lambda s: s.quality(),
    Verdict.INCONCLUSIVE_UNREACHABLE: lambda s: (s.unreachable("core-1"), s.quality())[1],
    Verdict.INCONCLUSIVE_READINGS_DISAGREE: _up_but_dark,
}


def test_every_verdict_has_a_scenario_here() -> None:
    assert set(SCENARIOS) == set(Verdict)


@pytest.mark.parametrize("verdict", list(Verdict), ids=str)
def test_a_diagnosis_reaching_a_verdict_recommends_its_registry_actions(verdict: Verdict) -> None:
    d = SCENARIOS[verdict](Scene())
    assert d.verdict == verdict, d.summary_en
    codes = [a.code for a in d.actions]
    assert [c for c in REGISTRY[verdict].actions if c not in codes] == []
    # the headline carries the registry's title
    assert d.summary_en.startswith(f"Circuit {d.circuit_id}: {REGISTRY[verdict].title_en}.")
