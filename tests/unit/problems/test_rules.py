"""The pure grouping rules: elements compare as fibres, each verdict has a stance, a diagnosis is
read at its suspected segment, and a ticket joins a root only when its own diagnosis agrees."""
from __future__ import annotations

import pytest

from agent.problems.elements import Element, ElementKind, from_key
from agent.problems.rules import VERDICT_STANCE, Stance, agreement, on_path, read_diagnosis
from diagnosis.enums import Verdict

CPE_ACC = Element.segment("cpe-1", "GE0/0/1", "acc-1", "GE0/0/1")
UPLINK = Element.segment("acc-1", "XGE0/0/1", "agg-1", "Te1/1/1")
OTHER_UPLINK = Element.segment("acc-2", "XGE0/0/1", "agg-1", "Te1/1/2")
HOPS = (CPE_ACC, UPLINK)


def test_a_fibre_is_one_element_whichever_direction_names_it():
    assert Element.segment("agg-1", "Te1/1/1", "acc-1", "XGE0/0/1") == UPLINK
    assert from_key(UPLINK.key) == UPLINK and from_key(Element.of_port("a", "GE1").key) == Element.of_port("a", "GE1")
    assert from_key(Element.of_device("agg-1").key) == Element.of_device("agg-1")
    with pytest.raises(ValueError):
        from_key("rack:1")


def test_touches_same_fibre_its_ports_and_its_devices_only():
    assert UPLINK.touches(Element.of_port("agg-1", "Te1/1/1"))
    assert UPLINK.touches(Element.of_device("agg-1"))
    assert not UPLINK.touches(OTHER_UPLINK)  # both end on agg-1, different fibres
    assert not UPLINK.touches(Element.of_port("agg-1", "Te1/1/2"))
    assert on_path(UPLINK, HOPS) and not on_path(OTHER_UPLINK, HOPS)


def test_every_verdict_has_a_stance():
    assert set(VERDICT_STANCE) == set(Verdict)
    for stance, kind in VERDICT_STANCE.values():
        assert (kind is not None) == (stance is Stance.FAULT)


def _diag(verdict: str, index: int | None = None, **finding) -> dict:
    return {"verdict": verdict,
            "suspected_segments": [{"index": index, "verdict": verdict}] if index is not None else [],
            "findings": [{"verdict": verdict, "segment": index, **finding}]}


def test_a_segment_verdict_is_read_at_its_suspected_segment_of_this_path():
    r = read_diagnosis(_diag("no_light_fiber_cut", 1), HOPS)
    assert r.stance is Stance.FAULT and r.element == UPLINK
    # a segment index the path does not have: not placed, and said so
    r = read_diagnosis(_diag("no_light_fiber_cut", 7), HOPS)
    assert r.stance is Stance.INCONCLUSIVE and "names no segment" in r.why


def test_port_and_device_verdicts_are_read_at_their_finding():
    r = read_diagnosis(_diag("egress_congestion", None, device="metro-1", port="XGE1/0/2"), HOPS)
    assert r.element == Element.of_port("metro-1", "XGE1/0/2")
    r = read_diagnosis(_diag("customer_premises_down", 0, device="cpe-1"), HOPS)
    assert r.element == Element.of_device("cpe-1") and r.element.kind is ElementKind.DEVICE


@pytest.mark.parametrize("verdict,stance", [("no_fault_found", Stance.HEALTHY), ("no_alarm_request_return", Stance.HEALTHY),
                                            ("customer_rate_limit", Stance.OWN), ("inconclusive_unreachable", Stance.INCONCLUSIVE),
                                            ("not_a_verdict", Stance.INCONCLUSIVE)])
def test_verdicts_naming_no_element(verdict, stance):
    assert read_diagnosis({"verdict": verdict}, HOPS).stance is stance


def test_agreement_joins_the_same_cause_and_keeps_the_others_apart_with_the_reason():
    same = read_diagnosis(_diag("no_light_fiber_cut", 1), HOPS)
    assert agreement(same, UPLINK, root_alarm_active=False).join
    elsewhere = read_diagnosis(_diag("fiber_degraded", 0), HOPS)
    d = agreement(elsewhere, UPLINK, root_alarm_active=True)
    assert not d.join and CPE_ACC.label in d.reason_en and "different element" in d.reason_en
    healthy = agreement(read_diagnosis({"verdict": "no_fault_found"}, HOPS), UPLINK, root_alarm_active=True)
    assert not healthy.join and "healthy" in healthy.reason_en
    unsure = read_diagnosis({"verdict": "inconclusive_unreachable"}, HOPS)
    assert agreement(unsure, UPLINK, root_alarm_active=True).join  # nothing of its own contradicts the alarm
    apart = agreement(unsure, UPLINK, root_alarm_active=False)
    assert not apart.join and "by hand" in apart.reason_en
