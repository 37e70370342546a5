"""Playbook 2 — assist-check, high latency or bit errors (时延大或有误码，要求查看线路状态).

1. Large attenuation or device settings: optical power and loss segment by segment (逐段查询线路光功率、
   光衰) to rule out the line; test the customer-side device to rule it out.
2. High latency has three usual causes: the customer line at or near its rate limit; congestion at
   the metro egress; a mismatched far-end device (speed/duplex). Each is checked.
3. These faults come and go: tell the customer that testing continues (always recommended).
Plus CRC/input error rates, the slow Rx decline (early warning) when a trend is given, and the
"down" rules shared with playbook 3 (customer power, port down); a port flapping in the window is
intermittent, so a dark reading of its segment is not called a cut.
"""
from __future__ import annotations

from diagnosis.actions import actions_for, settle_contradictions
from diagnosis.alarm_rules import alarm_evidence, explained_by_flapping, flapping_findings, scan_alarms
from diagnosis.conclude import assemble, ordered_findings, primary_verdict
from diagnosis.context import Work
from diagnosis.devices import check_reachability, customer_facing_ports
from diagnosis.down_rules import check_down
from diagnosis.enums import ActionCode, Assessment, LinkState, Playbook, ReadingKind, Verdict
from diagnosis.loopplan import loop_plan
from diagnosis.optical_rules import check_segments_optics
from diagnosis.port_rules import check_errors, check_speed_duplex, check_status
from diagnosis.result import Diagnosis, EvidenceItem, RecommendedAction
from diagnosis.traffic_rules import check_customer_rate, check_egress
from diagnosis.trend import check_rx_trend
from diagnosis.verdicts import priority
from diagnosis.wording import action, restore_reachability

PRIORITY: tuple[Verdict, ...] = priority(Playbook.ASSIST_QUALITY)


def check_customer_device(work: Work) -> None:
    """Test the customer-side device (用户端设备): evidence of its line port's state. Its findings
    (unreachable with a dark office port, port down with light) come from `down_rules`."""
    for segment, cpe_end, _office_end in customer_facing_ports(work):
        status = work.index.status.get(cpe_end.key)
        dead = work.index.device_dead(cpe_end.device)
        down = status is not None and LinkState.DOWN in (status.oper, status.admin)
        work.add(EvidenceItem(
            name="customer_device_state",
            value="unreachable" if dead else (status.oper.value if status else "unknown"),
            unit="", assessment=Assessment.FAULT if down else (Assessment.UNKNOWN if dead or status is None else Assessment.OK),
            sources=(status.source,) if status else (), segment=segment.index,
            device=cpe_end.device, port=cpe_end.port))


def run_quality_checks(work: Work) -> dict[tuple[str, str], int]:
    """Every check of the playbook; returns the flap counts per port (for the actions' wording)."""
    check_reachability(work)
    optics = check_segments_optics(work)
    check_status(work)
    check_down(work, optics)
    scan = scan_alarms(work)
    alarm_evidence(work, scan)
    flapping_findings(work, scan)
    explained_by_flapping(work)
    check_speed_duplex(work)
    check_errors(work)
    check_customer_device(work)
    check_customer_rate(work)
    check_egress(work)
    check_rx_trend(work)
    return scan.flap_counts


def line_readable(work: Work) -> bool:
    """At least one optical reading of an office-side port, and no office device dead: otherwise
    "no fault found" would claim more than was seen."""
    office = set(work.office_devices())
    if any(work.index.device_dead(device) for device in office):
        return False
    return any(key[0] in office for key in work.index.optical)


def run(work: Work) -> Diagnosis:
    flap_counts = run_quality_checks(work)
    verdict = primary_verdict(work.findings, PRIORITY)
    actions: list[RecommendedAction] = []
    if verdict is None:
        verdict = Verdict.NO_FAULT_FOUND if line_readable(work) else Verdict.INCONCLUSIVE_UNREACHABLE
    if verdict == Verdict.INCONCLUSIVE_UNREACHABLE:
        unread = [g.device or "" for g in work.not_checked if g.kind == ReadingKind.DEVICE] or [
            g.device or "" for g in work.not_checked]
        actions.append(restore_reachability(unread))
    for finding in ordered_findings(work.findings, PRIORITY):
        actions.extend(actions_for(work, finding, flap_counts))
    actions += settle_contradictions(work)
    actions.append(action(ActionCode.TEST_CUSTOMER_DEVICE))
    actions.append(action(ActionCode.TESTING_CONTINUES))
    suspects = tuple(dict.fromkeys(
        f.segment for f in ordered_findings(work.findings, PRIORITY)
        if f.verdict == verdict and f.segment is not None))
    # loops interrupt the service: only planned to confirm a suspected line segment
    plan = loop_plan(work.path, suspects) if suspects and verdict not in (
        Verdict.CUSTOMER_RATE_LIMIT, Verdict.EGRESS_CONGESTION, Verdict.RX_POWER_DECLINING) else ()
    return assemble(work, Playbook.ASSIST_QUALITY, verdict, PRIORITY, actions, plan)
