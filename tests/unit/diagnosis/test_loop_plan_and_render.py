"""Loop-test plan ordering (环测: access room outwards, province exit first when unclear) and the
journal text."""
from __future__ import annotations

import pytest
from diag_builders import LX, Scene, end, five_segment_path

from diagnosis import (
    AccessState,
    CircuitPath,
    InvalidInput,
    Playbook,
    Segment,
    SiteKind,
    Symptom,
    TicketKind,
    choose_playbook,
)
from diagnosis.loopplan import loop_plan
from diagnosis.render import render_text

C, A, G, K, E, P = (SiteKind.CUSTOMER_PREMISES, SiteKind.ACCESS_ROOM, SiteKind.AGGREGATION,
                    SiteKind.CORE, SiteKind.METRO_EGRESS, SiteKind.PROVINCE_EXIT)


def _points(plan) -> list[str]:
    return [f"{p.device}:{p.port}" for p in plan]


def test_loop_plan_starts_at_the_access_room_and_moves_outwards_with_the_customer_end_last() -> None:
    plan = loop_plan(five_segment_path())
    assert _points(plan) == [
        "acc-a-sw1:GE0/0/1", "acc-a-sw1:GE0/0/2", "agg-1:GE1/0/1", "agg-1:XGE1/0/2", "core-1:XGE0/0/1",
        "core-1:XGE0/0/2", "egress-1:XGE0/0/1", "egress-1:XGE0/0/2", "pexit-1:XGE0/0/1", "cpe-1:GE0/0/1"]
    assert plan[0].reason_en.startswith("start at the access room")
    assert plan[-1].reason_en.startswith("the customer end only after the office side is cleared")


def test_loop_plan_puts_the_nearest_province_exit_port_first_when_the_segment_is_unclear() -> None:
    plan = loop_plan(five_segment_path(), unclear=True)
    assert _points(plan)[:3] == ["pexit-1:XGE0/0/1", "acc-a-sw1:GE0/0/1", "acc-a-sw1:GE0/0/2"]
    assert len(plan) == 10 and len(set(_points(plan))) == 10  # every port once
    assert "inside the province" in plan[0].reason_en and "出省端口" in plan[0].reason_zh


def test_nearest_province_exit_is_the_first_along_the_path_from_the_branch() -> None:
    path = CircuitPath("C2", "X", "ethernet_private_line", 10, (
        Segment(0, end("cpe", "g1", C, LX), end("acc", "g1", A, LX), 1, 2, 0),
        Segment(1, end("acc", "g2", A, LX), end("px-near", "g1", P, LX), 1, 2, 0),
        Segment(2, end("px-near", "g2", P, LX), end("px-far", "g1", P, LX), 1, 2, 0),
    ))
    assert _points(loop_plan(path, unclear=True))[0] == "px-near:g1"


def test_unclear_without_a_province_exit_starts_at_the_access_room() -> None:
    path = CircuitPath("C3", "X", "internet_access", 10, (
        Segment(0, end("cpe", "g1", C, LX), end("acc", "g1", A, LX), 1, 2, 0),
        Segment(1, end("acc", "g2", A, LX), end("agg", "g1", G, LX), 1, 2, 0),
    ))
    assert _points(loop_plan(path, unclear=True)) == ["acc:g1", "acc:g2", "agg:g1", "cpe:g1"]


def test_two_customer_ends_both_come_last() -> None:
    path = CircuitPath("C4", "X", "ethernet_private_line", 10, (
        Segment(0, end("cpe-a", "g1", C, LX), end("acc-a", "g1", A, LX), 1, 2, 0),
        Segment(1, end("acc-a", "g2", A, LX), end("acc-b", "g2", A, LX), 5, 2, 0),
        Segment(2, end("acc-b", "g1", A, LX), end("cpe-b", "g1", C, LX), 1, 2, 0),
    ))
    assert _points(loop_plan(path)) == ["acc-a:g1", "acc-a:g2", "acc-b:g2", "acc-b:g1", "cpe-a:g1", "cpe-b:g1"]


def test_loop_plan_for_a_suspected_segment_brackets_it() -> None:
    assert _points(loop_plan(five_segment_path(), (3,))) == ["core-1:XGE0/0/2", "egress-1:XGE0/0/1"]
    assert _points(loop_plan(five_segment_path(), (0,))) == ["acc-a-sw1:GE0/0/1", "cpe-1:GE0/0/1"]


def test_every_loop_point_says_it_is_recorded_in_the_ticket() -> None:
    for plan in (loop_plan(five_segment_path()), loop_plan(five_segment_path(), (2,)),
                 loop_plan(five_segment_path(), unclear=True)):
        assert all(p.reason_zh.endswith("打环点追加到工单") for p in plan)


@pytest.mark.parametrize(("kind", "symptom", "playbook"), [
    (TicketKind.ASSIST_CHECK, Symptom.INTERRUPTION_OR_FLAP, Playbook.ASSIST_ALARMS),
    (TicketKind.ASSIST_CHECK, Symptom.LATENCY_OR_ERRORS, Playbook.ASSIST_QUALITY),
    (TicketKind.ASSIST_CHECK, Symptom.DOWN, Playbook.INTERRUPTION),
    (TicketKind.INTERRUPTION, Symptom.DOWN, Playbook.INTERRUPTION),
    (TicketKind.INTERRUPTION, Symptom.INTERRUPTION_OR_FLAP, Playbook.INTERRUPTION),
])
def test_playbook_is_chosen_from_ticket_kind_and_symptom(scene: Scene, kind, symptom, playbook) -> None:
    assert choose_playbook(scene.ticket(kind, symptom)) == playbook
    assert scene.run(kind, symptom).playbook == playbook


def test_journal_text_names_verdict_evidence_sources_actions_loop_points_and_gaps(scene: Scene) -> None:
    scene.cut(2)
    scene.unreachable("cpe-1", AccessState.TIMEOUT)
    d = scene.interruption()
    en = render_text(d, "en")
    assert en.startswith("【Diagnosis】CIR-EPL-0001 · ticket T-1 · interruption · 2026-11-25 04:00 UTC")
    assert "Verdict: no_light_fiber_cut — No light: fiber cut" in en
    assert "[FAULT] rx_power_dbm = -40 dBm" in en
    assert "@ core-1 XGE0/0/1 #2 [snmp 1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8, 2026-11-25 04:00:00]" in en
    assert "raw: 'core-1 XGE0/0/1 value'" in en
    assert "  1. Contact the customer first" in en
    assert "Next loop points:\n  1. agg-1 XGE1/0/2 (aggregation, #2)" in en
    assert "Could not check:\n  - cpe-1 device: timed out" in en
    zh = render_text(d, "zh")
    assert "结论: no_light_fiber_cut — 无光：断纤" in zh and "下一步环测点" in zh and "未能核查" in zh
    both = render_text(d)
    assert both == zh + "\n\n" + en


def test_journal_text_of_no_alarm_shows_what_was_searched(scene: Scene) -> None:
    text = render_text(scene.alarms_check(), "zh")
    assert "[正常] alarms_in_window = 0 count" in text
    assert "网管告警、设备告警记录（6台）、当前端口状态、端口up/down记录" in text


def test_unknown_render_language_is_a_clear_error(scene: Scene) -> None:
    with pytest.raises(InvalidInput, match="language must be zh, en or both"):
        render_text(scene.quality(), "fr")
