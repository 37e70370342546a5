"""Playbook 3 — interruption (中断类): which segments are dark or down, customer first, loop plan."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from diag_builders import NOW, Scene

from diagnosis import (
    AccessState,
    ActionCode,
    CircuitPath,
    LinkState,
    Observations,
    Playbook,
    SiteKind,
    Symptom,
    TicketKind,
    Verdict,
    diagnose,
)
from diagnosis.render import render_text


def _codes(d) -> list[ActionCode]:
    return [a.code for a in d.actions]


def _plan(d) -> list[tuple[str, str]]:
    return [(p.device, p.port) for p in d.loop_plan]


@pytest.mark.parametrize("segment", [0, 1, 2, 3, 4])
def test_segment_without_light_at_both_ends_is_no_light_fiber_cut(scene: Scene, segment: int) -> None:
    scene.cut(segment)
    d = scene.interruption()
    assert d.playbook == Playbook.INTERRUPTION
    assert d.verdict == Verdict.NO_LIGHT_FIBER_CUT
    assert [s.index for s in d.suspected_segments] == [segment]
    seg = scene.segment(segment)
    assert d.evidence_named("rx_power_dbm", device=seg.z.device, port=seg.z.port)[0].value == -40.0
    assert ActionCode.REPAIR_FIBER in _codes(d)
    # the loop plan brackets the cut segment, office side first
    office_first = [e.key for e in seg.ends if e.site_kind != SiteKind.CUSTOMER_PREMISES] + \
                   [e.key for e in seg.ends if e.site_kind == SiteKind.CUSTOMER_PREMISES]
    assert _plan(d) == office_first


def test_contact_the_customer_first_is_always_the_first_action(scene: Scene) -> None:
    for change in (lambda s: None, lambda s: s.cut(2), lambda s: s.unreachable("core-1")):
        fresh = Scene()
        change(fresh)
        d = fresh.interruption()
        assert _codes(d)[0] == ActionCode.CONTACT_CUSTOMER_FIRST
        assert "Contact the customer first" in d.actions[0].text_en
        assert {ActionCode.LOOP_FROM_ACCESS_ROOM, ActionCode.RECORD_LOOP_POINTS} <= set(_codes(d))


def test_customer_device_unreachable_and_office_port_dark_is_customer_premises_down(scene: Scene) -> None:
    scene.unreachable("cpe-1")
    scene.set_rx("acc-a-sw1", "GE0/0/1", -40.0, rx_los=True)
    scene.set_status("acc-a-sw1", "GE0/0/1", oper=LinkState.DOWN)
    d = scene.interruption()
    assert d.verdict == Verdict.CUSTOMER_PREMISES_DOWN and d.suspected_segment == 0
    # the dark office port is explained by the customer side, not reported as a second fault
    assert {f.verdict for f in d.findings} == {Verdict.CUSTOMER_PREMISES_DOWN}
    assert _codes(d)[:2] == [ActionCode.CONTACT_CUSTOMER_FIRST, ActionCode.TEST_CUSTOMER_DEVICE]
    assert _plan(d) == [("acc-a-sw1", "GE0/0/1"), ("cpe-1", "GE0/0/1")]  # access room before customer end
    assert "cpe-1 device: unreachable" in [g.text_en for g in d.could_not_check]


def test_customer_device_reachable_with_its_line_dark_is_a_fiber_cut_not_customer_power(scene: Scene) -> None:
    scene.cut(0)
    d = scene.interruption()
    assert d.verdict == Verdict.NO_LIGHT_FIBER_CUT and d.suspected_segment == 0


def test_customer_device_unreachable_but_line_lit_is_not_blamed(scene: Scene) -> None:
    scene.unreachable("cpe-1")
    d = scene.interruption()
    assert d.verdict == Verdict.FAULT_SEGMENT_UNCLEAR
    assert any(g.device == "cpe-1" for g in d.could_not_check)


def test_unclear_segment_loops_first_at_the_nearest_province_exit_then_from_the_access_room(scene: Scene) -> None:
    d = scene.interruption()
    assert d.verdict == Verdict.FAULT_SEGMENT_UNCLEAR
    assert d.suspected_segments == ()
    plan = d.loop_plan
    assert (plan[0].device, plan[0].site_kind) == ("pexit-1", SiteKind.PROVINCE_EXIT)
    assert plan[1].site_kind == SiteKind.ACCESS_ROOM
    assert plan[-1].site_kind == SiteKind.CUSTOMER_PREMISES  # the customer end last
    assert [p.order for p in plan] == list(range(1, len(plan) + 1))
    assert all("append the loop point to the ticket" in p.reason_en for p in plan)
    assert ActionCode.LOOP_PROVINCE_EXIT_FIRST in _codes(d)
    assert "pexit-1 XGE0/0/1" in d.actions[1].text_en


def test_admin_down_port_is_port_admin_down(scene: Scene) -> None:
    scene.set_status("core-1", "XGE0/0/2", admin=LinkState.DOWN, oper=LinkState.DOWN)
    d = scene.interruption()
    assert d.verdict == Verdict.PORT_ADMIN_DOWN and d.suspected_segment == 3
    assert ActionCode.ENABLE_PORT in _codes(d)


def test_port_down_although_light_arrives_is_port_down(scene: Scene) -> None:
    scene.set_status("egress-1", "XGE0/0/2", oper=LinkState.DOWN)
    d = scene.interruption()
    assert d.verdict == Verdict.PORT_DOWN and d.suspected_segment == 4
    assert "although light arrives" in d.summary_en


def test_dark_port_facing_an_unreachable_device_is_inconclusive_not_a_fiber_cut(scene: Scene) -> None:
    scene.unreachable("core-1")
    for key in (("agg-1", "XGE1/0/2"), ("egress-1", "XGE0/0/1")):
        scene.set_rx(*key, -40.0, rx_los=True)
        scene.set_status(*key, oper=LinkState.DOWN)
    d = scene.interruption()
    assert d.verdict == Verdict.INCONCLUSIVE_UNREACHABLE
    assert [s.index for s in d.suspected_segments] == [2, 3]
    assert Verdict.NO_LIGHT_FIBER_CUT not in {f.verdict for f in d.findings}
    assert "core-1 cannot be reached (unreachable)" in d.summary_en
    assert ActionCode.RESTORE_REACHABILITY in _codes(d)
    # both suspected segments bracketed, in path order from the access room outwards
    assert _plan(d) == [("agg-1", "XGE1/0/2"), ("core-1", "XGE0/0/1"), ("core-1", "XGE0/0/2"),
                        ("egress-1", "XGE0/0/1")]


def test_unreachable_office_device_with_nothing_else_found_is_inconclusive(scene: Scene) -> None:
    scene.unreachable("egress-1", AccessState.AUTH_FAILED)
    d = scene.interruption()
    assert d.verdict == Verdict.INCONCLUSIVE_UNREACHABLE
    assert "egress-1 device: authentication failed" in [g.text_en for g in d.could_not_check]
    assert d.loop_plan[0].site_kind == SiteKind.ACCESS_ROOM  # full plan from the access room outwards


def test_loose_connector_flapping_on_an_interruption_ticket_is_flapping_with_preventive_action(scene: Scene) -> None:
    scene.add_flaps("acc-a-sw1", "GE0/0/2", [NOW - timedelta(minutes=m) for m in (40, 30, 20, 10)])
    d = scene.interruption()
    assert d.verdict == Verdict.FLAPPING_PORT and d.suspected_segment == 1
    assert ActionCode.PREVENTIVE_ACTION in _codes(d)  # controllable cause (rule 6)
    assert "went down 4 times" in " ".join(a.text_en for a in d.actions)


def test_degraded_access_fiber_on_an_interruption_ticket_gets_preventive_action(scene: Scene) -> None:
    scene.add_loss(0, 5.0)
    d = scene.interruption()
    assert d.verdict == Verdict.FIBER_DEGRADED and d.suspected_segment == 0
    assert ActionCode.PREVENTIVE_ACTION in _codes(d)


def test_assist_check_with_symptom_down_runs_the_interruption_playbook(scene: Scene) -> None:
    d = scene.run(TicketKind.ASSIST_CHECK, Symptom.DOWN)
    assert d.playbook == Playbook.INTERRUPTION
    assert scene.run(TicketKind.INTERRUPTION, Symptom.LATENCY_OR_ERRORS).playbook == Playbook.INTERRUPTION


def test_missing_handover_data_is_handled_as_a_fault_and_never_noted_as_not_accepted(scene: Scene) -> None:
    empty = CircuitPath("CIR-NEW-0009", "CUST-9", "mpls_vpn", 50, ())
    for kind, symptom in ((TicketKind.INTERRUPTION, Symptom.DOWN),
                          (TicketKind.ASSIST_CHECK, Symptom.INTERRUPTION_OR_FLAP),
                          (TicketKind.ASSIST_CHECK, Symptom.LATENCY_OR_ERRORS)):
        d = diagnose(empty, Observations(), replace(scene.ticket(kind, symptom)))
        assert d.verdict == Verdict.MISSING_HANDOVER_DATA
        assert ActionCode.REQUEST_HANDOVER_DATA in _codes(d)
        text = render_text(d) + str(d.to_dict())
        for forbidden in ("未验收", "not accepted"):
            assert forbidden not in text
    assert _codes(d)[0] == ActionCode.REQUEST_HANDOVER_DATA
    d = diagnose(empty, Observations(), scene.ticket(TicketKind.INTERRUPTION, Symptom.DOWN))
    assert _codes(d)[0] == ActionCode.CONTACT_CUSTOMER_FIRST


def test_customer_device_port_down_although_light_arrives_is_customer_premises_down(scene: Scene) -> None:
    scene.set_status("cpe-1", "GE0/0/1", oper=LinkState.DOWN)
    d = scene.interruption()
    assert d.verdict == Verdict.CUSTOMER_PREMISES_DOWN and d.suspected_segment == 0
    assert "customer-side device cpe-1 GE0/0/1 is down although light arrives" in d.summary_en


def test_loose_connector_read_while_open_is_flapping_not_a_fiber_cut(scene: Scene) -> None:
    scene.cut(1)  # the survey landed while the connector had lost contact
    scene.add_flaps("agg-1", "GE1/0/1", [NOW - timedelta(seconds=s) for s in (30, 24, 18, 12)])
    d = scene.interruption()
    assert d.verdict == Verdict.FLAPPING_PORT and d.suspected_segment == 1
    assert Verdict.NO_LIGHT_FIBER_CUT not in {f.verdict for f in d.findings}
    assert d.evidence_named("flap_count", device="agg-1")[0].value == 4


def test_a_cut_on_another_segment_than_the_flapping_one_still_ranks_first(scene: Scene) -> None:
    scene.cut(3)
    scene.add_flaps("agg-1", "GE1/0/1", [NOW - timedelta(seconds=s) for s in (30, 24, 18)])
    d = scene.interruption()
    assert d.verdict == Verdict.NO_LIGHT_FIBER_CUT
    assert [s.index for s in d.suspected_segments] == [3, 1]


def test_a_dark_receiver_gives_no_meaningless_loss_figure(scene: Scene) -> None:
    scene.cut(2)
    d = scene.interruption()
    assert d.evidence_named("segment_loss_db", segment=2) == ()
    assert {f.verdict for f in d.findings} == {Verdict.NO_LIGHT_FIBER_CUT}


def test_port_shut_by_configuration_darkens_the_far_end_without_being_called_a_cut(scene: Scene) -> None:
    scene.set_status("core-1", "XGE0/0/2", admin=LinkState.DOWN, oper=LinkState.DOWN)
    scene.set_status("egress-1", "XGE0/0/1", oper=LinkState.DOWN)
    scene.set_rx("egress-1", "XGE0/0/1", -40.0, rx_los=True)  # the shut port's laser is off
    d = scene.interruption()
    assert d.verdict == Verdict.PORT_ADMIN_DOWN and d.suspected_segment == 3
    assert {f.verdict for f in d.findings} == {Verdict.PORT_ADMIN_DOWN}
    assert ActionCode.ENABLE_PORT in _codes(d)


def test_loose_customer_connector_caught_down_while_the_customer_device_answers_is_flapping(scene: Scene) -> None:
    scene.set_status("cpe-1", "GE0/0/1", oper=LinkState.DOWN)  # read during one of the drops
    scene.add_flaps("cpe-1", "GE0/0/1", [NOW - timedelta(seconds=s) for s in (30, 20, 10)])
    d = scene.interruption()
    assert d.verdict == Verdict.FLAPPING_PORT and d.suspected_segment == 0
    assert Verdict.CUSTOMER_PREMISES_DOWN not in {f.verdict for f in d.findings}
    assert ActionCode.PREVENTIVE_ACTION in _codes(d)


def test_unreachable_customer_device_stays_customer_premises_down_even_on_a_flapping_segment(scene: Scene) -> None:
    scene.unreachable("cpe-1")
    scene.set_rx("acc-a-sw1", "GE0/0/1", -40.0, rx_los=True)
    scene.set_status("acc-a-sw1", "GE0/0/1", oper=LinkState.DOWN)
    scene.add_flaps("acc-a-sw1", "GE0/0/1", [NOW - timedelta(seconds=s) for s in (30, 20, 10)])
    d = scene.interruption()
    assert d.verdict == Verdict.CUSTOMER_PREMISES_DOWN and d.suspected_segment == 0
