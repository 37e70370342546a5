"""Enumerations of the diagnosis package, in one place.

`SiteKind`, `TicketKind` and `Symptom` carry the same values as `agent.enums`: diagnosis imports
nothing from the other packages (dependencies point one way), so the values are repeated here and a
unit test keeps them equal as strings.
"""
from __future__ import annotations

from enum import StrEnum


class SiteKind(StrEnum):
    CUSTOMER_PREMISES = "customer_premises"  # 用户端
    ACCESS_ROOM = "access_room"  # 接入机房
    AGGREGATION = "aggregation"  # 汇聚
    CORE = "core"  # 核心
    METRO_EGRESS = "metro_egress"  # 城域网出口
    PROVINCE_EXIT = "province_exit"  # 出省端口


class TicketKind(StrEnum):
    ASSIST_CHECK = "assist_check"  # 协查类
    INTERRUPTION = "interruption"  # 中断类


class Symptom(StrEnum):
    INTERRUPTION_OR_FLAP = "interruption_or_flap"  # 中断或瞬断
    LATENCY_OR_ERRORS = "latency_or_errors"  # 时延大或有误码
    DOWN = "down"


class Playbook(StrEnum):
    """The three procedures of DOMAIN.md."""

    ASSIST_ALARMS = "assist_check_interruption_or_flap"  # 协查：中断或瞬断，查告警
    ASSIST_QUALITY = "assist_check_latency_or_errors"  # 协查：时延大或有误码，查线路状态
    INTERRUPTION = "interruption"  # 中断类


class Method(StrEnum):
    """How a reading was obtained."""

    SNMP = "snmp"
    CLI = "cli"
    STORED = "stored"  # from faultline's own store (polled series, received traps, NMS alarms)
    INVENTORY = "inventory"  # hand-over data of the circuit (lengths, connectors, transceivers)
    DERIVED = "derived"  # computed here from other readings


class AccessState(StrEnum):
    """Whether a device (or one reading of it) could be read, and if not, why."""

    OK = "ok"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    AUTH_FAILED = "auth_failed"
    NOT_SUPPORTED = "not_supported"
    ERROR = "error"  # garbled output, protocol error
    NOT_COLLECTED = "not_collected"  # no reading arrived and no reason was given


class ReadingKind(StrEnum):
    DEVICE = "device"
    OPTICAL = "optical"
    STATUS = "status"
    ERRORS = "errors"
    UTILISATION = "utilisation"
    ALARMS = "alarms"  # device alarm table / log
    STORED_ALARMS = "stored_alarms"  # network management alarms (网管告警)
    FLAPS = "flaps"
    TREND = "trend"
    BUDGET = "budget"  # hand-over data needed for the loss budget


class LinkState(StrEnum):
    UP = "up"
    DOWN = "down"
    TESTING = "testing"
    UNKNOWN = "unknown"


class Duplex(StrEnum):
    FULL = "full"
    HALF = "half"
    AUTO = "auto"
    UNKNOWN = "unknown"


class Assessment(StrEnum):
    OK = "ok"
    WARN = "warn"  # notable, below the rule's limit
    FAULT = "fault"  # the rule's limit is crossed: it supports a verdict
    UNKNOWN = "unknown"  # could not be assessed (reading or limit missing)


class Verdict(StrEnum):
    """The verdict codes the scenario matrix asserts. Grouped by the playbook that gives them."""

    # playbook 1: assist-check, interruption or flap
    NO_ALARM_REQUEST_RETURN = "no_alarm_request_return"
    HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END = "historical_alarms_dispatch_customer_end"
    FLAPPING_PORT = "flapping_port"
    WITHIN_APPROVED_CUTOVER = "within_approved_cutover"
    # playbook 2: assist-check, latency or bit errors (also found by playbook 3)
    FIBER_DEGRADED = "fiber_degraded"  # loss > budget + 3 dB: degraded fiber or dirty/loose connector
    LOW_RX_MARGIN = "low_rx_margin"
    RX_OVERLOAD = "rx_overload"
    CRC_ERRORS = "crc_errors"
    DUPLEX_MISMATCH = "duplex_mismatch"  # speed or duplex differs between the segment's ends
    CUSTOMER_RATE_LIMIT = "customer_rate_limit"
    EGRESS_CONGESTION = "egress_congestion"
    RX_POWER_DECLINING = "rx_power_declining"  # early warning, before any alarm
    # playbook 3: interruption
    CUSTOMER_PREMISES_DOWN = "customer_premises_down"
    NO_LIGHT_FIBER_CUT = "no_light_fiber_cut"
    TRANSMITTER_FAULT = "transmitter_fault"  # Tx under the module's own low alarm, loss within budget
    PORT_ADMIN_DOWN = "port_admin_down"
    PORT_DOWN = "port_down"  # link down although light arrives
    FAULT_SEGMENT_UNCLEAR = "fault_segment_unclear"
    MISSING_HANDOVER_DATA = "missing_handover_data"
    # any playbook
    NO_FAULT_FOUND = "no_fault_found"
    INCONCLUSIVE_UNREACHABLE = "inconclusive_unreachable"
    INCONCLUSIVE_READINGS_DISAGREE = "inconclusive_readings_disagree"  # a contradiction is not a conclusion


class ActionCode(StrEnum):
    """Recommended actions, worded after DOMAIN.md (texts in `diagnosis.wording`)."""

    DISPATCH_CUSTOMER_END = "dispatch_customer_end"
    REQUEST_RETURN = "request_return"
    CONFIRM_BEFORE_RETURN = "confirm_before_return"
    FIX_FLAPPING_PORT = "fix_flapping_port"
    NOT_A_NEW_FAULT = "not_a_new_fault"
    CLEAN_OR_REPLACE_FIBER = "clean_or_replace_fiber"
    PREVENTIVE_ACTION = "preventive_action"
    CHECK_TRANSMITTER = "check_transmitter"
    ADD_ATTENUATOR = "add_attenuator"
    ALIGN_SPEED_DUPLEX = "align_speed_duplex"
    CHECK_ERRORS = "check_errors"
    TELL_CUSTOMER_RATE_LIMIT = "tell_customer_rate_limit"
    RELIEVE_EGRESS = "relieve_egress"
    WATCH_RX_TREND = "watch_rx_trend"
    TEST_CUSTOMER_DEVICE = "test_customer_device"
    TESTING_CONTINUES = "testing_continues"
    CONTACT_CUSTOMER_FIRST = "contact_customer_first"
    LOOP_FROM_ACCESS_ROOM = "loop_from_access_room"
    LOOP_PROVINCE_EXIT_FIRST = "loop_province_exit_first"
    RECORD_LOOP_POINTS = "record_loop_points"
    REPAIR_FIBER = "repair_fiber"
    ENABLE_PORT = "enable_port"
    CHECK_PORT = "check_port"
    REQUEST_HANDOVER_DATA = "request_handover_data"
    RESTORE_REACHABILITY = "restore_reachability"
    CHECK_OR_REPLACE_MODULE = "check_or_replace_module"
    SETTLE_CONTRADICTION = "settle_contradiction"


class Confidence(StrEnum):
    """How far the duty officer can act on the verdict as it stands (reasons go with it)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class ContradictionKind(StrEnum):
    """Readings that cannot all be true (issue 10, item 5)."""

    UP_BUT_NO_LIGHT = "up_but_no_light"  # oper up, yet Rx under the receiver's sensitivity or LOS
    RATE_BEYOND_LIMIT = "rate_beyond_limit"  # a rate above the line speed / contracted rate: measurement fault
    SOURCES_DISAGREE = "sources_disagree"  # two sources for one value differ by more than their precision


class Grade(StrEnum):
    """A circuit's or segment's health for the NOC (电路健康等级), worst first in `GRADE_ORDER`."""

    DOWN = "down"
    DEGRADED = "degraded"
    UNKNOWN = "unknown"  # what decides the grade could not be read
    OK = "ok"
