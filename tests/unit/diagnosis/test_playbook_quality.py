"""Playbook 2 — assist-check, high latency or bit errors (时延大或有误码): every rule of DOMAIN.md."""
from __future__ import annotations

from datetime import timedelta

import pytest

from diagnosis import (
    AccessState, ActionCode, Assessment, Duplex, LinkState, Playbook, ReadingKind, RxTrendPoint, Verdict,
)
from diagnosis.budget import segment_budget

from diag_builders import NOW, Scene, src


def _codes(diagnosis) -> list[ActionCode]:
    return [a.code for a in diagnosis.actions]


def test_healthy_circuit_gives_no_fault_found_with_every_segment_checked(scene: Scene) -> None:
    d = scene.quality()
    assert d.playbook == Playbook.ASSIST_QUALITY
    assert d.verdict == Verdict.NO_FAULT_FOUND
    assert d.could_not_check == ()
    assert {e.segment for e in d.evidence_named("segment_loss_db")} == {0, 1, 2, 3, 4}
    assert all(e.assessment == Assessment.OK for e in d.evidence_named("segment_loss_db"))


@pytest.mark.parametrize("segment", [0, 1, 2, 3, 4],
                         ids=["cpe-access", "access-aggregation", "aggregation-core", "core-egress", "egress-province_exit"])
def test_segment_by_segment_loss_over_budget_by_more_than_3db_is_fiber_degraded_on_each_segment_kind(
        scene: Scene, segment: int) -> None:
    scene.add_loss(segment, 3.5)  # healthy is 0.3 under budget: now 3.2 dB over
    d = scene.quality()
    assert d.verdict == Verdict.FIBER_DEGRADED
    assert d.suspected_segment == segment
    budget = segment_budget(scene.segment(segment)).budget_db
    loss = d.evidence_named("segment_loss_db", segment=segment)
    assert loss and all(item.value == pytest.approx(budget + 3.2) for item in loss)
    assert all(item.limit == budget and item.assessment == Assessment.FAULT for item in loss)
    assert d.evidence_named("loss_over_budget_db", segment=segment)[0].value == pytest.approx(3.2)
    # the loss cites both readings: Tx of the sender and Rx of the receiver
    assert len(loss[0].sources) == 2
    assert ActionCode.PREVENTIVE_ACTION in _codes(d)  # controllable cause: preventive action
    # only the degraded segment is suspected
    assert [s.index for s in d.suspected_segments] == [segment]


def test_loss_exactly_at_budget_is_no_fault(scene: Scene) -> None:
    scene.add_loss(1, 0.3)
    d = scene.quality()
    assert d.verdict == Verdict.NO_FAULT_FOUND
    assert d.evidence_named("loss_over_budget_db", segment=1)[0].value == 0.0


def test_loss_exactly_3db_over_budget_is_a_warning_not_fiber_degraded(scene: Scene) -> None:
    scene.add_loss(1, 3.3)
    d = scene.quality()
    assert d.verdict == Verdict.NO_FAULT_FOUND
    item = d.evidence_named("loss_over_budget_db", segment=1)[0]
    assert item.value == 3.0 and item.assessment == Assessment.WARN


def test_loss_in_one_direction_only_is_enough(scene: Scene) -> None:
    scene.add_loss(2, 4.0, both=False)
    d = scene.quality()
    assert d.verdict == Verdict.FIBER_DEGRADED and d.suspected_segment == 2
    assessments = [e.assessment for e in d.evidence_named("segment_loss_db", segment=2)]
    assert assessments == [Assessment.FAULT, Assessment.OK]


def test_rx_within_3db_above_sensitivity_with_loss_in_budget_is_low_rx_margin(scene: Scene) -> None:
    # weak transmitter at agg-1: loss stays in budget (Tx drops as much as Rx), Rx 2.5 dB above -20
    scene.set_optical("acc-a-sw1", "GE0/0/2", tx_dbm=-13.3)
    scene.set_rx("agg-1", "GE1/0/1", -17.5)
    d = scene.quality()
    assert d.verdict == Verdict.LOW_RX_MARGIN
    assert d.suspected_segment == 1
    margin = d.evidence_named("rx_margin_db", device="agg-1", port="GE1/0/1")[0]
    assert margin.value == 2.5 and margin.assessment == Assessment.FAULT
    assert ActionCode.CHECK_TRANSMITTER in _codes(d)


def test_rx_exactly_3db_above_sensitivity_gives_low_rx_margin(scene: Scene) -> None:
    scene.set_optical("acc-a-sw1", "GE0/0/2", tx_dbm=-12.8)
    scene.set_rx("agg-1", "GE1/0/1", -17.0)
    d = scene.quality()
    assert d.verdict == Verdict.LOW_RX_MARGIN
    assert d.evidence_named("rx_margin_db", device="agg-1")[0].value == 3.0


def test_degraded_fiber_outranks_the_low_margin_it_causes(scene: Scene) -> None:
    scene.add_loss(1, 10.0)  # Rx -8.9 -> -18.9: 1.1 dB above the -20 dBm sensitivity
    d = scene.quality()
    assert {f.verdict for f in d.findings} >= {Verdict.FIBER_DEGRADED, Verdict.LOW_RX_MARGIN}
    assert d.verdict == Verdict.FIBER_DEGRADED


def test_rx_above_overload_is_rx_overload(scene: Scene) -> None:
    scene.set_rx("agg-1", "GE1/0/1", -2.5)
    d = scene.quality()
    assert d.verdict == Verdict.RX_OVERLOAD and d.suspected_segment == 1
    assert ActionCode.ADD_ATTENUATOR in _codes(d)


def test_rx_exactly_at_overload_is_not_overload(scene: Scene) -> None:
    scene.set_optical("acc-a-sw1", "GE0/0/2", tx_dbm=1.2)  # keep the loss in budget
    scene.set_rx("agg-1", "GE1/0/1", -3.0)
    assert scene.quality().verdict == Verdict.NO_FAULT_FOUND


def test_module_ddm_threshold_precedence_changes_the_verdict(scene: Scene) -> None:
    # -16 dBm is 4 dB above the 1000BASE-LX default (fine) but 1 dB above the module's own -17
    scene.set_optical("acc-a-sw1", "GE0/0/2", tx_dbm=-11.8)
    scene.set_rx("agg-1", "GE1/0/1", -16.0)
    assert scene.quality().verdict == Verdict.NO_FAULT_FOUND
    scene.set_optical("agg-1", "GE1/0/1", rx_low_alarm_dbm=-17.0)
    d = scene.quality()
    assert d.verdict == Verdict.LOW_RX_MARGIN
    assert "DDM" in d.evidence_named("rx_power_dbm", device="agg-1", port="GE1/0/1")[0].threshold


def test_crc_error_rate_at_the_fault_rate_is_crc_errors(scene: Scene) -> None:
    scene.set_errors_rate("core-1", "XGE0/0/1", 1.0)
    d = scene.quality()
    assert d.verdict == Verdict.CRC_ERRORS and d.suspected_segment == 2
    assert d.evidence_named("crc_errors_per_s", device="core-1", port="XGE0/0/1")[0].value == 1.0


def test_crc_errors_below_the_fault_rate_are_a_warning_only(scene: Scene) -> None:
    scene.set_errors_rate("core-1", "XGE0/0/1", 0.5)
    d = scene.quality()
    assert d.verdict == Verdict.NO_FAULT_FOUND
    assert d.evidence_named("crc_errors_per_s", device="core-1")[0].assessment == Assessment.WARN


def test_crc_rate_is_computed_from_two_counter_samples(scene: Scene) -> None:
    first, last = scene.errors[("agg-1", "GE1/0/1")]
    from dataclasses import replace
    scene.errors[("agg-1", "GE1/0/1")] = [first, replace(last, crc_errors=10 + 120, input_errors=10 + 120)]
    d = scene.quality()
    assert d.evidence_named("crc_errors_per_s", device="agg-1", port="GE1/0/1")[0].value == 2.0
    assert d.verdict == Verdict.CRC_ERRORS


def test_counter_reset_between_samples_gives_no_rate(scene: Scene) -> None:
    first, last = scene.errors[("agg-1", "GE1/0/1")]
    from dataclasses import replace
    scene.errors[("agg-1", "GE1/0/1")] = [first, replace(last, crc_errors=3, input_errors=3)]
    d = scene.quality()
    assert not d.evidence_named("crc_errors_per_s", device="agg-1", port="GE1/0/1")
    assert d.evidence_named("crc_errors_total", device="agg-1", port="GE1/0/1")[0].assessment == Assessment.UNKNOWN


def test_duplex_mismatch_between_segment_ends_is_a_far_end_device_mismatch(scene: Scene) -> None:
    scene.set_status("cpe-1", "GE0/0/1", duplex=Duplex.HALF)
    d = scene.quality()
    assert d.verdict == Verdict.DUPLEX_MISMATCH and d.suspected_segment == 0
    item = d.evidence_named("speed_duplex", segment=0)[0]
    assert item.value == "1000M/half vs 1000M/full" and item.assessment == Assessment.FAULT
    assert ActionCode.ALIGN_SPEED_DUPLEX in _codes(d)


def test_speed_mismatch_between_segment_ends_is_reported_as_mismatch(scene: Scene) -> None:
    scene.set_status("agg-1", "GE1/0/1", speed_mbps=100)
    d = scene.quality()
    assert d.verdict == Verdict.DUPLEX_MISMATCH and d.suspected_segment == 1
    assert "speed differ" in d.summary_en


def test_customer_line_exactly_at_the_near_limit_threshold_is_customer_rate_limit(scene: Scene) -> None:
    scene.set_util("acc-a-sw1", "GE0/0/1", in_mbps=90.0, out_mbps=20.0)  # 90 % of 100 Mbps
    d = scene.quality()
    assert d.verdict == Verdict.CUSTOMER_RATE_LIMIT and d.suspected_segment == 0
    item = d.evidence_named("customer_utilisation_mbps")[0]
    assert (item.value, item.limit, item.port) == (90.0, 90.0, "GE0/0/1")
    assert ActionCode.TELL_CUSTOMER_RATE_LIMIT in _codes(d)
    assert d.loop_plan == ()  # no loop test for a rate limit: loops interrupt the service


def test_customer_line_just_under_the_near_limit_threshold_is_no_fault(scene: Scene) -> None:
    scene.set_util("acc-a-sw1", "GE0/0/1", in_mbps=89.9, out_mbps=20.0)
    assert scene.quality().verdict == Verdict.NO_FAULT_FOUND


def test_customer_utilisation_given_as_a_fraction_uses_the_port_speed(scene: Scene) -> None:
    scene.set_util("acc-a-sw1", "GE0/0/1", in_fraction=0.098)  # of 1000 Mbps = 98 Mbps
    d = scene.quality()
    assert d.verdict == Verdict.CUSTOMER_RATE_LIMIT
    assert d.evidence_named("customer_utilisation_mbps")[0].value == 98.0


def test_metro_egress_exactly_at_the_congestion_threshold_is_egress_congestion(scene: Scene) -> None:
    scene.set_util("egress-1", "XGE0/0/2", out_mbps=9000.0, speed_mbps=10000)
    d = scene.quality()
    assert d.verdict == Verdict.EGRESS_CONGESTION and d.suspected_segment == 4
    item = d.evidence_named("egress_utilisation", port="XGE0/0/2")[0]
    assert item.value == 0.9 and item.assessment == Assessment.FAULT
    assert ActionCode.RELIEVE_EGRESS in _codes(d)


def test_metro_egress_under_the_threshold_is_not_congested(scene: Scene) -> None:
    scene.set_util("egress-1", "XGE0/0/2", out_fraction=0.899, speed_mbps=10000)
    assert scene.quality().verdict == Verdict.NO_FAULT_FOUND


def test_customer_side_device_port_down_with_light_is_customer_premises_down(scene: Scene) -> None:
    scene.set_status("cpe-1", "GE0/0/1", oper=LinkState.DOWN)
    d = scene.quality()
    assert d.verdict == Verdict.CUSTOMER_PREMISES_DOWN
    assert d.evidence_named("customer_device_state")[0].value == "down"


def test_customer_side_device_is_always_tested_and_testing_continues_is_always_told(scene: Scene) -> None:
    for d in (scene.quality(),):
        assert ActionCode.TEST_CUSTOMER_DEVICE in _codes(d)
        assert _codes(d)[-1] == ActionCode.TESTING_CONTINUES
    scene.add_loss(3, 5.0)
    assert _codes(scene.quality())[-1] == ActionCode.TESTING_CONTINUES


def test_unreachable_customer_device_is_listed_as_not_checked_with_its_wording(scene: Scene) -> None:
    scene.unreachable("cpe-1", AccessState.TIMEOUT, "no answer in 2 s")
    d = scene.quality()
    assert d.verdict == Verdict.NO_FAULT_FOUND  # the office side was fully read
    texts = [g.text_en for g in d.could_not_check]
    assert "cpe-1 device: timed out (no answer in 2 s)" in texts
    assert "cpe-1 GE0/0/1 optical power: timed out (no answer in 2 s)" in texts
    assert "Could not check: cpe-1 device: timed out" in d.summary_en
    assert "cpe-1 设备：超时" in d.summary_zh


def test_unreachable_office_device_makes_the_verdict_inconclusive_and_says_what(scene: Scene) -> None:
    scene.unreachable("core-1")
    d = scene.quality()
    assert d.verdict == Verdict.INCONCLUSIVE_UNREACHABLE
    assert any(g.device == "core-1" and g.reason == AccessState.UNREACHABLE for g in d.could_not_check)
    assert ActionCode.RESTORE_REACHABILITY in _codes(d)
    assert "core-1" in d.summary_en and "unreachable" in d.summary_en
    missing = d.evidence_named("optical_missing", device="core-1")
    assert missing and missing[0].value == "unreachable" and missing[0].assessment == Assessment.UNKNOWN


def test_a_fault_found_elsewhere_still_stands_when_a_device_is_unreachable(scene: Scene) -> None:
    scene.unreachable("core-1")
    scene.add_loss(1, 4.0)
    d = scene.quality()
    assert d.verdict == Verdict.FIBER_DEGRADED and d.suspected_segment == 1
    assert any(g.device == "core-1" for g in d.could_not_check)


def test_ddm_not_supported_is_worded_as_such(scene: Scene) -> None:
    scene.gap("agg-1", "GE1/0/1", ReadingKind.OPTICAL, AccessState.NOT_SUPPORTED, "no DDM on this module")
    d = scene.quality()
    assert "agg-1 GE1/0/1 optical power: not supported by the device (no DDM on this module)" in [
        g.text_en for g in d.could_not_check]
    assert "agg-1 GE1/0/1 光功率：设备不支持（no DDM on this module）" in [g.text_zh for g in d.could_not_check]


def test_missing_reading_without_a_reason_is_no_reading(scene: Scene) -> None:
    del scene.optical[("pexit-1", "XGE0/0/1")]
    d = scene.quality()
    assert [g.text_en for g in d.could_not_check] == ["pexit-1 XGE0/0/1 optical power: no reading"]


def test_missing_segment_length_means_the_budget_could_not_be_checked(scene: Scene) -> None:
    from dataclasses import replace
    segments = list(scene.path.segments)
    segments[2] = replace(segments[2], length_km=None)
    scene.path = replace(scene.path, segments=tuple(segments))
    d = scene.quality()
    assert d.evidence_named("loss_budget_db", segment=2)[0].value is None
    assert any(g.kind == ReadingKind.BUDGET and "length_km" in g.text_en for g in d.could_not_check)
    assert d.evidence_named("segment_loss_db", segment=2)[0].assessment == Assessment.UNKNOWN


def test_slow_downward_rx_trend_over_days_is_an_early_warning(scene: Scene) -> None:
    for day in range(6):
        scene.trend.append(RxTrendPoint("agg-1", "GE1/0/1", NOW - timedelta(days=5 - day), -9.0 - 0.3 * day,
                                        src("agg-1", "GE1/0/1", method="stored", time=NOW - timedelta(days=5 - day))))
    d = scene.quality()
    assert d.verdict == Verdict.RX_POWER_DECLINING and d.suspected_segment == 1
    assert d.evidence_named("rx_trend_db_per_day")[0].value == pytest.approx(-0.3)
    assert ActionCode.WATCH_RX_TREND in _codes(d)


def test_flat_or_short_rx_trend_is_not_a_warning(scene: Scene) -> None:
    for hour in range(6):  # a steep fall but over 5 hours only: shorter than the 3-day span
        t = NOW - timedelta(hours=5 - hour)
        scene.trend.append(RxTrendPoint("agg-1", "GE1/0/1", t, -9.0 - 0.5 * hour, src("agg-1", "GE1/0/1", time=t)))
    assert scene.quality().verdict == Verdict.NO_FAULT_FOUND


def test_no_light_on_a_segment_in_a_latency_ticket_is_no_light_fiber_cut(scene: Scene) -> None:
    scene.cut(3)
    d = scene.quality()
    assert d.verdict == Verdict.NO_LIGHT_FIBER_CUT and d.suspected_segment == 3
    assert d.evidence_named("rx_power_dbm", device="egress-1", port="XGE0/0/1")[0].value == -40.0


def test_customer_power_off_on_a_latency_ticket_is_customer_premises_down_not_a_fiber_cut(scene: Scene) -> None:
    scene.unreachable("cpe-1")
    scene.set_rx("acc-a-sw1", "GE0/0/1", -40.0, rx_los=True)
    scene.set_status("acc-a-sw1", "GE0/0/1", oper=LinkState.DOWN)
    d = scene.quality()
    assert d.verdict == Verdict.CUSTOMER_PREMISES_DOWN and d.suspected_segment == 0
    assert Verdict.NO_LIGHT_FIBER_CUT not in {f.verdict for f in d.findings}
    assert d.evidence_named("customer_device_state")[0].value == "unreachable"


def test_office_port_down_with_light_on_a_latency_ticket_is_port_down(scene: Scene) -> None:
    scene.set_status("core-1", "XGE0/0/1", oper=LinkState.DOWN)
    d = scene.quality()
    assert d.verdict == Verdict.PORT_DOWN and d.suspected_segment == 2


def test_dark_port_facing_an_unreachable_office_device_on_a_latency_ticket_is_inconclusive(scene: Scene) -> None:
    scene.unreachable("agg-1")
    scene.set_rx("acc-a-sw1", "GE0/0/2", -40.0, rx_los=True)
    d = scene.quality()
    assert d.verdict == Verdict.INCONCLUSIVE_UNREACHABLE and d.suspected_segment == 1
    assert ActionCode.RESTORE_REACHABILITY in _codes(d)


def test_loose_connector_on_a_latency_ticket_is_flapping_even_when_read_dark(scene: Scene) -> None:
    scene.cut(0)
    scene.add_flaps("acc-a-sw1", "GE0/0/1", [NOW - timedelta(seconds=s) for s in (40, 30, 20)])
    d = scene.quality()
    assert d.verdict == Verdict.FLAPPING_PORT and d.suspected_segment == 0
    assert ActionCode.PREVENTIVE_ACTION in _codes(d)
    assert "went down 3 times" in " ".join(a.text_en for a in d.actions)
