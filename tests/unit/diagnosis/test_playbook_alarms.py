"""Playbook 1 — assist-check, interruption or flapping (用户线路中断或瞬断，要求协查告警)."""
from __future__ import annotations

from datetime import timedelta

from diagnosis import (
    AccessState, ActionCode, Assessment, CutoverWindow, FlapRecord, LinkState, Method, Playbook,
    ReadingKind, Verdict,
)

from diag_builders import NOW, Scene, src
from diagnosis.enums import SiteKind

WINDOW_START = NOW - timedelta(hours=6)


def _codes(d) -> list[ActionCode]:
    return [a.code for a in d.actions]


def test_no_historical_alarm_requests_return_with_the_evidence_that_nothing_was_seen(scene: Scene) -> None:
    d = scene.alarms_check()
    assert d.playbook == Playbook.ASSIST_ALARMS
    assert d.verdict == Verdict.NO_ALARM_REQUEST_RETURN
    assert _codes(d) == [ActionCode.REQUEST_RETURN]
    assert "provincial duty officer helps confirm" in d.actions[0].text_en
    searched = d.evidence_named("alarms_in_window")[0]
    assert searched.value == 0 and searched.assessment == Assessment.OK
    for source in ("NMS alarms", "device alarm history (6 devices)", "current port status", "link flap records"):
        assert source in d.summary_en
    assert "Nothing was seen" in d.summary_en and "未见任何告警" in d.summary_zh
    assert d.could_not_check == () and d.suspected_segments == ()


def test_historical_alarm_in_the_window_dispatches_maintenance_to_the_customer_end(scene: Scene) -> None:
    scene.add_alarm("agg-1", "GE1/0/1", "linkDown", raised=NOW - timedelta(hours=2),
                    cleared=NOW - timedelta(hours=2) + timedelta(minutes=3))
    d = scene.alarms_check()
    assert d.verdict == Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END
    assert d.suspected_segment == 1
    assert ActionCode.DISPATCH_CUSTOMER_END in _codes(d)
    assert "clear hidden faults on the operator's side" in d.actions[-1].text_en
    alarm = d.evidence_named("alarm")[0]
    assert (alarm.value, alarm.device, alarm.port, alarm.assessment) == ("linkDown", "agg-1", "GE1/0/1", Assessment.FAULT)
    assert "linkDown" in d.summary_en and "agg-1 GE1/0/1" in d.summary_en  # the alarms are listed
    assert d.evidence_named("alarms_in_window")[0].value == 1


def test_alarm_cleared_exactly_at_the_window_start_counts_as_historical(scene: Scene) -> None:
    scene.add_alarm("agg-1", "GE1/0/1", raised=WINDOW_START - timedelta(hours=1), cleared=WINDOW_START)
    assert scene.alarms_check().verdict == Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END


def test_alarm_cleared_before_the_window_or_on_another_port_is_not_historical(scene: Scene) -> None:
    scene.add_alarm("agg-1", "GE1/0/1", raised=WINDOW_START - timedelta(hours=2),
                    cleared=WINDOW_START - timedelta(seconds=1))
    scene.add_alarm("agg-1", "GE1/0/9", raised=NOW - timedelta(hours=1))  # not a port of this circuit
    scene.add_alarm("other-sw", "GE0/0/1", raised=NOW - timedelta(hours=1))
    assert scene.alarms_check().verdict == Verdict.NO_ALARM_REQUEST_RETURN


def test_uncleared_alarm_raised_before_the_window_is_historical(scene: Scene) -> None:
    scene.add_alarm("egress-1", "XGE0/0/2", "LOS", raised=WINDOW_START - timedelta(days=1))
    d = scene.alarms_check()
    assert d.verdict == Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END and d.suspected_segment == 4


def test_same_alarm_from_the_nms_and_the_device_log_is_one_alarm_citing_both(scene: Scene) -> None:
    raised = NOW - timedelta(hours=1)
    scene.add_alarm("agg-1", "GE1/0/1", raised=raised, method=Method.STORED)
    scene.add_alarm("agg-1", "GE1/0/1", raised=raised, cleared=raised + timedelta(minutes=1), method=Method.CLI)
    d = scene.alarms_check()
    alarms = d.evidence_named("alarm")
    assert len(alarms) == 1
    assert [s.method for s in alarms[0].sources] == [Method.STORED, Method.CLI]
    assert "cleared" in alarms[0].note_en and "not cleared" not in alarms[0].note_en


def test_port_currently_down_counts_as_an_alarm(scene: Scene) -> None:
    scene.set_status("core-1", "XGE0/0/2", oper=LinkState.DOWN)
    d = scene.alarms_check()
    assert d.verdict == Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END and d.suspected_segment == 3
    assert "core-1 XGE0/0/2 is down now" in d.summary_en


def test_port_down_three_times_in_the_window_is_flapping_with_port_and_count(scene: Scene) -> None:
    scene.add_flaps("acc-a-sw1", "GE0/0/1", [NOW - timedelta(minutes=m) for m in (90, 60, 30)])
    d = scene.alarms_check()
    assert d.verdict == Verdict.FLAPPING_PORT and d.suspected_segment == 0
    flap = d.evidence_named("flap_count", device="acc-a-sw1", port="GE0/0/1")[0]
    assert flap.value == 3 and flap.assessment == Assessment.FAULT and len(flap.sources) == 3
    assert "acc-a-sw1 GE0/0/1 went down 3 times" in d.summary_en
    assert _codes(d)[:2] == [ActionCode.FIX_FLAPPING_PORT, ActionCode.PREVENTIVE_ACTION]
    assert "went down 3 times" in d.actions[0].text_en
    assert ActionCode.DISPATCH_CUSTOMER_END in _codes(d)


def test_two_downs_are_not_flapping_but_still_historical(scene: Scene) -> None:
    scene.add_flaps("acc-a-sw1", "GE0/0/1", [NOW - timedelta(minutes=m) for m in (60, 30)])
    scene.add_alarm("acc-a-sw1", "GE0/0/1", raised=NOW - timedelta(minutes=30))
    d = scene.alarms_check()
    assert d.verdict == Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END
    assert d.evidence_named("flap_count")[0].value == 2
    assert d.evidence_named("flap_count")[0].assessment == Assessment.WARN


def test_flaps_outside_the_window_are_not_counted(scene: Scene) -> None:
    scene.add_flaps("acc-a-sw1", "GE0/0/1", [WINDOW_START - timedelta(minutes=m) for m in (1, 2, 3)])
    assert scene.alarms_check().verdict == Verdict.NO_ALARM_REQUEST_RETURN


def test_a_devices_flap_summary_count_and_repeated_alarms_are_flapping(scene: Scene) -> None:
    scene.flaps.append(FlapRecord("agg-1", "XGE1/0/2", NOW - timedelta(minutes=5), LinkState.DOWN,
                                  src("agg-1", "XGE1/0/2", "display interface", Method.CLI), count=12))
    d = scene.alarms_check()
    assert d.verdict == Verdict.FLAPPING_PORT and d.evidence_named("flap_count")[0].value == 12
    other = Scene()
    for minutes in (50, 40, 30):
        other.add_alarm("pexit-1", "XGE0/0/1", raised=NOW - timedelta(minutes=minutes),
                        cleared=NOW - timedelta(minutes=minutes - 1))
    d = other.alarms_check()
    assert d.verdict == Verdict.FLAPPING_PORT and d.suspected_segment == 4


def test_alarms_inside_an_approved_cutover_are_not_a_new_fault(scene: Scene) -> None:
    start = NOW - timedelta(hours=3)
    scene.add_alarm("agg-1", "GE1/0/1", raised=start + timedelta(minutes=5), cleared=start + timedelta(minutes=20))
    window = CutoverWindow(start, start + timedelta(hours=1), "GJ-2026-1125-01")
    d = scene.alarms_check(cutover_windows=(window,))
    assert d.verdict == Verdict.WITHIN_APPROVED_CUTOVER
    assert ActionCode.NOT_A_NEW_FAULT in _codes(d) and "GJ-2026-1125-01" in d.actions[0].text_en
    assert d.evidence_named("alarm")[0].assessment == Assessment.OK


def test_alarm_outlasting_the_cutover_window_is_a_fault(scene: Scene) -> None:
    start = NOW - timedelta(hours=3)
    scene.add_alarm("agg-1", "GE1/0/1", raised=start + timedelta(minutes=5))  # never cleared
    window = CutoverWindow(start, start + timedelta(hours=1), "GJ-1")
    d = scene.alarms_check(cutover_windows=(window,))
    assert d.verdict == Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END


def test_unreachable_office_device_means_no_alarm_cannot_be_claimed(scene: Scene) -> None:
    scene.unreachable("agg-1", AccessState.TIMEOUT, "SNMP timeout after 3 tries")
    d = scene.alarms_check()
    assert d.verdict == Verdict.INCONCLUSIVE_UNREACHABLE
    assert "agg-1 device: timed out (SNMP timeout after 3 tries)" in [g.text_en for g in d.could_not_check]
    assert "agg-1 device alarm history: timed out (SNMP timeout after 3 tries)" in [g.text_en for g in d.could_not_check]
    assert _codes(d) == [ActionCode.RESTORE_REACHABILITY, ActionCode.CONFIRM_BEFORE_RETURN]
    assert "No alarm on the ports that could be read" in d.summary_en


def test_alarm_found_is_reported_even_when_another_device_is_unreachable(scene: Scene) -> None:
    scene.unreachable("core-1")
    scene.add_alarm("acc-a-sw1", "GE0/0/2", raised=NOW - timedelta(hours=1))
    d = scene.alarms_check()
    assert d.verdict == Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END
    assert any(g.device == "core-1" for g in d.could_not_check)


def test_unread_history_of_one_office_device_blocks_return_and_names_it(scene: Scene) -> None:
    # the NMS store alone misses what its traps missed: the unread device may be the flapping one
    scene.alarm_history_devices.remove("pexit-1")
    d = scene.alarms_check()
    assert d.verdict == Verdict.INCONCLUSIVE_UNREACHABLE
    assert _codes(d) == [ActionCode.RESTORE_REACHABILITY, ActionCode.CONFIRM_BEFORE_RETURN]
    assert d.actions[0].text_en.startswith("pexit-1 could not be read")
    assert "pexit-1 device alarm history: no reading" in d.actions[1].text_en
    assert "pexit-1 设备告警记录：未采集到" in d.actions[1].text_zh


def test_unread_history_of_the_customer_device_alone_still_allows_return(scene: Scene) -> None:
    cpe = next(dev for dev in scene.path.devices() if scene.path.site_kind_of(dev) == SiteKind.CUSTOMER_PREMISES)
    scene.alarm_history_devices.remove(cpe)
    d = scene.alarms_check()
    assert d.verdict == Verdict.NO_ALARM_REQUEST_RETURN
    assert _codes(d) == [ActionCode.REQUEST_RETURN, ActionCode.CONFIRM_BEFORE_RETURN]


def test_nms_not_queried_is_listed_as_not_checked(scene: Scene) -> None:
    scene.stored_alarms_queried = False
    d = scene.alarms_check()
    assert any(g.kind == ReadingKind.STORED_ALARMS for g in d.could_not_check)
    assert "NMS alarms: no reading" in [g.text_en for g in d.could_not_check]


def test_nothing_read_at_all_is_inconclusive(scene: Scene) -> None:
    scene.stored_alarms_queried = False
    scene.alarm_history_devices.clear()
    for device in list(scene.devices):
        scene.unreachable(device)
    d = scene.alarms_check()
    assert d.verdict == Verdict.INCONCLUSIVE_UNREACHABLE


def test_ticket_without_window_uses_the_lookback_before_the_report(scene: Scene) -> None:
    scene.add_alarm("agg-1", "GE1/0/1", raised=NOW - timedelta(hours=20), cleared=NOW - timedelta(hours=19))
    d = scene.alarms_check(window_start=None, window_end=None)
    assert d.window_end == NOW and d.window_start == NOW - timedelta(minutes=20) - timedelta(hours=24)
    assert d.verdict == Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END
