"""Recommended actions for the findings, in the order the duty officer should take them."""
from __future__ import annotations

from diagnosis.context import Work
from diagnosis.enums import ActionCode, Verdict
from diagnosis.result import Finding, RecommendedAction
from diagnosis.wording import action, fmt_db


def _port(finding: Finding) -> str:
    return f"{finding.device} {finding.port}" if finding.device else ""


def _segment(work: Work, finding: Finding) -> str:
    if finding.segment is None:
        return ""
    return f"#{finding.segment} ({work.segment(finding.segment).a.label} → {work.segment(finding.segment).z.label})"


def _worst(work: Work, name: str, finding: Finding, *, lowest: bool = False) -> float | None:
    values = [item.value for item in work.evidence
              if item.name == name and item.segment == finding.segment
              and isinstance(item.value, (int, float)) and not isinstance(item.value, bool)
              and (finding.port is None or name != "rx_trend_db_per_day" or item.port == finding.port)]
    if not values:
        return None
    return float(min(values) if lowest else max(values))


def actions_for(work: Work, finding: Finding, flap_counts: dict[tuple[str, str], int] | None = None,
                ) -> list[RecommendedAction]:
    v = finding.verdict
    port, segment = _port(finding), _segment(work, finding)
    if v == Verdict.NO_LIGHT_FIBER_CUT:
        return [action(ActionCode.REPAIR_FIBER, segment=segment), action(ActionCode.LOOP_FROM_ACCESS_ROOM),
                action(ActionCode.RECORD_LOOP_POINTS)]
    if v == Verdict.RX_OVERLOAD:
        return [action(ActionCode.ADD_ATTENUATOR, port=port)]
    if v == Verdict.FIBER_DEGRADED:
        excess = _worst(work, "loss_over_budget_db", finding)
        return [action(ActionCode.CLEAN_OR_REPLACE_FIBER, segment=segment,
                       excess=fmt_db(excess) if excess is not None else "?"),
                action(ActionCode.PREVENTIVE_ACTION)]
    if v == Verdict.LOW_RX_MARGIN:
        return [action(ActionCode.CHECK_TRANSMITTER, port=port)]
    if v == Verdict.DUPLEX_MISMATCH:
        return [action(ActionCode.ALIGN_SPEED_DUPLEX, segment=segment)]
    if v == Verdict.CRC_ERRORS:
        return [action(ActionCode.CHECK_ERRORS, port=port)]
    if v == Verdict.CUSTOMER_PREMISES_DOWN:
        return [action(ActionCode.CONTACT_CUSTOMER_FIRST), action(ActionCode.TEST_CUSTOMER_DEVICE)]
    if v == Verdict.CUSTOMER_RATE_LIMIT:
        return [action(ActionCode.TELL_CUSTOMER_RATE_LIMIT)]
    if v == Verdict.EGRESS_CONGESTION:
        return [action(ActionCode.RELIEVE_EGRESS, port=port)]
    if v == Verdict.RX_POWER_DECLINING:
        slope = _worst(work, "rx_trend_db_per_day", finding, lowest=True)
        return [action(ActionCode.WATCH_RX_TREND, port=port, slope=fmt_db(slope) if slope is not None else "?")]
    if v == Verdict.FLAPPING_PORT:
        count = (flap_counts or {}).get((finding.device or "", finding.port or ""), 0)
        return [action(ActionCode.FIX_FLAPPING_PORT, port=port, count=count),
                action(ActionCode.PREVENTIVE_ACTION)]
    if v == Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END:
        return [action(ActionCode.DISPATCH_CUSTOMER_END)]
    if v == Verdict.PORT_ADMIN_DOWN:
        return [action(ActionCode.ENABLE_PORT, port=port)]
    if v == Verdict.PORT_DOWN:
        return [action(ActionCode.CHECK_PORT, port=port)]
    return []


def dedup(actions: list[RecommendedAction]) -> tuple[RecommendedAction, ...]:
    return tuple(dict.fromkeys(actions))
