"""Where each rule of DOMAIN.md (and of issue 10, which sharpens them) lives in this package and
which unit test proves it.

`quote_zh` is the source's own words (seed/customer-response-center-workflow.zh.txt); a unit test
checks that every module and test named here exists, and that each quote is in the source.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DomainRule:
    rule_id: str
    rule_en: str
    quote_zh: str
    modules: tuple[str, ...]
    tests: tuple[str, ...]


DOMAIN_RULES: tuple[DomainRule, ...] = (
    # --- assist-check: interruption or flapping ---------------------------------------------------
    DomainRule("assist-flap-1", "after signing, query alarms on the circuit's ports",
               "签收后首先应在网管上查询先关线路告警情况",
               ("playbook_alarms", "alarm_rules"),
               ("test_historical_alarm_in_the_window_dispatches_maintenance_to_the_customer_end",
                "test_alarm_cleared_exactly_at_the_window_start_counts_as_historical",
                "test_alarm_cleared_before_the_window_or_on_another_port_is_not_historical",
                "test_same_alarm_from_the_nms_and_the_device_log_is_one_alarm_citing_both",
                "test_port_currently_down_counts_as_an_alarm",
                "test_port_down_three_times_in_the_window_is_flapping_with_port_and_count")),
    DomainRule("assist-flap-2", "historical alarms found: dispatch maintenance to the customer end, "
               "clear hidden faults on the operator's side",
               "在确认有历时告警的情况下应派维护人员去用户端排查具体故障原因,排除局方界面的故障隐患",
               ("playbook_alarms", "wording"),
               ("test_historical_alarm_in_the_window_dispatches_maintenance_to_the_customer_end",)),
    DomainRule("assist-flap-3", "no historical alarm: report back at once and request return; the "
               "provincial duty officer helps confirm",
               "在确认无历史告警的情况下分公司值班人员应及时反馈情况并申请返单,由省公司值班人员协助确认",
               ("playbook_alarms",),
               ("test_no_historical_alarm_requests_return_with_the_evidence_that_nothing_was_seen",
                "test_unreachable_office_device_means_no_alarm_cannot_be_claimed",
                "test_unread_history_of_one_device_still_allows_return_but_asks_for_confirmation")),
    # --- assist-check: latency or bit errors ------------------------------------------------------
    DomainRule("assist-quality-1", "check optical power and loss segment by segment; test the "
               "customer-side device",
               "分公司应首先逐段查询线路光功率、光衰等信息,排除线路问题;同时测试用户端设备情况,排除设备故障",
               ("playbook_quality", "optical_rules", "budget"),
               ("test_segment_by_segment_loss_over_budget_by_more_than_3db_is_fiber_degraded_on_each_segment_kind",
                "test_customer_side_device_port_down_with_light_is_customer_premises_down",
                "test_customer_side_device_is_always_tested_and_testing_continues_is_always_told")),
    DomainRule("assist-quality-2a", "latency: customer line at or near its rate limit",
               "用户线路达到或接近速率上限", ("traffic_rules",),
               ("test_customer_line_exactly_at_the_near_limit_threshold_is_customer_rate_limit",
                "test_customer_line_just_under_the_near_limit_threshold_is_no_fault")),
    DomainRule("assist-quality-2b", "latency: congestion at the metro egress", "城域网出口出现拥塞",
               ("traffic_rules",),
               ("test_metro_egress_exactly_at_the_congestion_threshold_is_egress_congestion",
                "test_metro_egress_under_the_threshold_is_not_congested")),
    DomainRule("assist-quality-2c", "latency: mismatched far-end device (speed/duplex)", "对端设备不匹配导致",
               ("port_rules",),
               ("test_duplex_mismatch_between_segment_ends_is_a_far_end_device_mismatch",
                "test_speed_mismatch_between_segment_ends_is_reported_as_mismatch")),
    DomainRule("assist-quality-3", "these faults come and go: tell the customer testing continues",
               "明确测试工作的延续性", ("playbook_quality", "wording"),
               ("test_customer_side_device_is_always_tested_and_testing_continues_is_always_told",)),
    # --- interruption -----------------------------------------------------------------------------
    DomainRule("interruption-1", "contact the customer first (power, equipment)",
               "分公司值班人员应及时与用户联系,排除用户端突发情况导致故障", ("playbook_interruption", "down_rules"),
               ("test_contact_the_customer_first_is_always_the_first_action",
                "test_customer_device_unreachable_and_office_port_dark_is_customer_premises_down")),
    DomainRule("interruption-2", "record every loop point in the ticket", "环测时注意在10069系统中追加打环点等信息",
               ("loopplan",), ("test_every_loop_point_says_it_is_recorded_in_the_ticket",)),
    DomainRule("interruption-3", "faulty segment unclear: the province loops at the nearest "
               "province-exit port first", "省公司值班人员在故障段落不明显时应主动在最近的出省端口做环",
               ("loopplan", "playbook_interruption"),
               ("test_loop_plan_puts_the_nearest_province_exit_port_first_when_the_segment_is_unclear",
                "test_nearest_province_exit_is_the_first_along_the_path_from_the_branch",
                "test_unclear_segment_loops_first_at_the_nearest_province_exit_then_from_the_access_room")),
    DomainRule("interruption-4", "do not rush to the customer end: start at the access room, move outwards",
               "避免盲目前往用户端测试,应首先从接入机房入手排查局端线路问题", ("loopplan",),
               ("test_loop_plan_starts_at_the_access_room_and_moves_outwards_with_the_customer_end_last",
                "test_two_customer_ends_both_come_last")),
    DomainRule("interruption-5", "missing hand-over data is a fault; never note 'circuit not accepted'",
               "严禁追加类似“电路未验收”等信息", ("engine", "wording"),
               ("test_missing_handover_data_is_handled_as_a_fault_and_never_noted_as_not_accepted",)),
    DomainRule("interruption-6", "controllable cause (loose port, degraded access fiber): preventive action",
               "线路端口松动或接入光纤劣化等可控因素", ("actions", "wording"),
               ("test_loose_connector_flapping_on_an_interruption_ticket_is_flapping_with_preventive_action",
                "test_degraded_access_fiber_on_an_interruption_ticket_gets_preventive_action")),
    # --- objects ----------------------------------------------------------------------------------
    DomainRule("cutover", "a fault inside an approved cutover window is not a new fault", "割接",
               ("alarm_rules",),
               ("test_alarms_inside_an_approved_cutover_are_not_a_new_fault",
                "test_alarm_outlasting_the_cutover_window_is_a_fault")),
    # --- optical facts (public engineering values, DOMAIN.md) -------------------------------------
    DomainRule("optics-loss", "segment loss = Tx at the sending port − Rx at the receiving port", "光衰",
               ("budget",), ("test_segment_loss_is_tx_at_sender_minus_rx_at_receiver",)),
    DomainRule("optics-budget", "budget = km × 0.35 (1310) / 0.25 (1550) + 0.5 per connector pair + 0.1 "
               "per splice", "光衰", ("budget", "optics"),
               ("test_budget_is_length_times_0_35_at_1310_plus_0_5_per_connector_pair_plus_0_1_per_splice",
                "test_budget_uses_0_25_db_per_km_at_1550", "test_loss_exactly_at_budget_is_ok",
                "test_loss_exactly_at_budget_is_no_fault")),
    DomainRule("optics-over-budget", "more than 3 dB over budget: degraded fiber or dirty/loose connector",
               "光纤劣化", ("budget", "optical_rules"),
               ("test_loss_more_than_3db_over_budget_points_to_degraded_fiber_or_connector",
                "test_loss_above_budget_by_up_to_3db_is_a_warning_and_exactly_3db_over_is_not_yet_a_fault",
                "test_loss_exactly_3db_over_budget_is_a_warning_not_fiber_degraded")),
    DomainRule("optics-sensitivity", "Rx below sensitivity: no light / link down", "光功率",
               ("budget", "optical_rules"),
               ("test_rx_below_sensitivity_means_no_light",
                "test_segment_without_light_at_both_ends_is_no_light_fiber_cut")),
    DomainRule("optics-margin", "within 3 dB above sensitivity: bit errors likely", "误码",
               ("budget",),
               ("test_rx_exactly_3db_above_sensitivity_is_within_the_bit_error_margin",
                "test_rx_exactly_3db_above_sensitivity_gives_low_rx_margin",
                "test_rx_just_more_than_3db_above_sensitivity_is_ok")),
    DomainRule("optics-overload", "above the overload point the receiver saturates", "光功率", ("budget",),
               ("test_rx_exactly_at_overload_is_not_overload_and_above_it_saturates",
                "test_rx_above_overload_is_rx_overload")),
    DomainRule("optics-ddm", "the module's own DDM thresholds take precedence over the defaults", "光功率",
               ("optics",),
               ("test_module_ddm_thresholds_take_precedence_over_inventory_and_defaults",
                "test_module_ddm_threshold_precedence_changes_the_verdict",
                "test_default_limits_1000base_lx_minus_20_and_minus_3_10gbase_lr_minus_14_4")),
    DomainRule("optics-trend", "a slow downward Rx trend over days is an early warning", "光纤劣化",
               ("trend",),
               ("test_slow_downward_rx_trend_over_days_is_an_early_warning",
                "test_flat_or_short_rx_trend_is_not_a_warning")),
    # --- trustworthy on networks not seen (issue 10: transmitter, contradictions, wording) ------------
    DomainRule("optics-transmitter", "Tx under the module's own low alarm with the loss within budget: the "
               "optical module at that end, not the fiber", "光功率", ("optical_rules", "verdicts"),
               ("test_laser_under_its_own_tx_low_alarm_with_loss_in_budget_is_a_transmitter_fault_not_a_cut",
                "test_tx_exactly_at_its_low_alarm_is_not_a_transmitter_fault",
                "test_a_port_shut_by_configuration_has_its_laser_off_on_purpose")),
    DomainRule("optics-trunk", "a long trunk over budget with both ports up is degraded fiber, not a cut, "
               "and not access fiber", "光纤劣化", ("optical_rules", "actions"),
               ("test_long_trunk_over_budget_with_both_ports_up_is_degraded_fiber_not_a_cut_nor_access_fiber",
                "test_degraded_access_fiber_is_still_called_access_fiber")),
    DomainRule("contradiction", "readings that disagree are named, lower the confidence and get the check "
               "that settles them: inconclusive, never a confident verdict", "光功率",
               ("contradictions", "confidence", "optical_rules"),
               ("test_a_port_that_is_up_cannot_be_no_light_the_diagnosis_is_inconclusive_and_names_the_readings",
                "test_a_warning_threshold_read_as_the_alarm_gives_no_fiber_cut_on_a_port_that_is_up",
                "test_two_sources_for_one_value_beyond_their_precision_are_named_not_believed",
                "test_every_diagnosis_carries_a_confidence_with_its_reasons_in_its_json",
                "test_contradictions_are_in_the_json_and_the_journal_text")),
    DomainRule("measurement-fault", "a rate beyond the line speed or the contracted rate is a measurement "
               "fault, never a verdict", "用户线路达到或接近速率上限", ("traffic_rules", "port_rules", "contradictions"),
               ("test_a_rate_beyond_the_line_speed_or_the_contract_is_a_measurement_fault_never_a_rate_limit",
                "test_an_impossible_reading_at_one_end_leaves_the_other_ends_reading_to_decide",
                "test_egress_utilisation_beyond_the_port_speed_is_a_measurement_fault",
                "test_crc_errors_beyond_the_line_rate_frame_rate_are_a_measurement_fault")),
    DomainRule("flap-count", "one physical event seen by several sources is one bounce; flapping needs 3",
               "瞬断", ("alarm_rules", "events"),
               ("test_one_cut_seen_by_trap_alarm_history_and_rx_low_is_one_bounce",
                "test_the_same_down_from_trap_alarm_history_and_port_status_is_stated_once")),
    DomainRule("wording", "texts a duty officer can trust: no province exit where there is none, no "
               "'cleared not cleared', one statement per fact, a summarised journal text", "出省端口",
               ("playbook_interruption", "alarm_rules", "conclude", "render"),
               ("test_unclear_segment_without_a_province_exit_never_speaks_of_one",
                "test_an_uncleared_alarm_never_reads_cleared_not_cleared",
                "test_a_flapping_port_gives_a_short_journal_text_and_keeps_every_alarm_in_the_data")),
)
