"""Playbook 3 — interruption (中断类).

1. Contact the customer first to rule out a sudden event on their side (power, equipment): the
   action always comes first, and a customer-side device that cannot be reached while the office
   port facing it has no light or is down gives `customer_premises_down`.
2. Loop tests: every loop point is recorded in the ticket (each `LoopPoint` says so).
3. Where the faulty segment is unclear, loop first at the nearest province-exit port.
4. Do not rush to the customer end: the loop plan starts at the access room and moves outwards.
5. Missing hand-over data is handled as a fault (see `engine`), never noted as "not accepted".
6. Controllable causes (loose port, degraded access fiber) get a preventive action.
Which segments have no light or are down is read segment by segment (`down_rules`).
"""
from __future__ import annotations

from diagnosis.actions import actions_for, settle_contradictions, verdict_actions
from diagnosis.alarm_rules import alarm_evidence, explained_by_flapping, flapping_findings, scan_alarms
from diagnosis.conclude import assemble, ordered_findings, primary_verdict
from diagnosis.context import Work
from diagnosis.devices import check_reachability
from diagnosis.down_rules import check_down
from diagnosis.enums import ActionCode, Playbook, SiteKind, Verdict
from diagnosis.loopplan import loop_plan, standard_order
from diagnosis.optical_rules import check_segments_optics
from diagnosis.port_rules import check_speed_duplex, check_status
from diagnosis.result import Diagnosis, RecommendedAction
from diagnosis.verdicts import priority
from diagnosis.wording import action, restore_reachability

PRIORITY: tuple[Verdict, ...] = priority(Playbook.INTERRUPTION)


def _unread_office_ports(work: Work) -> int:
    """Office ports with neither a status nor an optical reading."""
    return sum(1 for _, end in work.path.ports()
               if end.site_kind != SiteKind.CUSTOMER_PREMISES
               and end.key not in work.index.status and end.key not in work.index.optical)


def run(work: Work) -> Diagnosis:
    check_reachability(work)
    optics = check_segments_optics(work)
    check_status(work)
    check_speed_duplex(work)
    scan = scan_alarms(work)
    alarm_evidence(work, scan)
    flapping_findings(work, scan)  # historical alarms are evidence here, not a verdict
    check_down(work, optics)
    explained_by_flapping(work)

    verdict = primary_verdict(work.findings, PRIORITY)
    unclear = False
    lead_zh = lead_en = ""
    if verdict is None:
        if any(work.index.device_dead(d) for d in work.office_devices()):
            verdict = Verdict.INCONCLUSIVE_UNREACHABLE
        else:
            verdict, unclear = Verdict.FAULT_SEGMENT_UNCLEAR, True
            unread = _unread_office_ports(work)
            if not unread:
                lead_zh = "各段端口均up、收光正常，故障段落不明显。"
                lead_en = "Every segment is up with normal light: the faulty segment is unclear."
            else:
                lead_zh = f"能读取的端口均未见中断或无光，另有 {unread} 个局端端口未能读取，故障段落不明显。"
                lead_en = (f"No port that could be read is down or dark, {unread} office port(s) could not "
                           f"be read: the faulty segment is unclear.")
    exit_port = next((e for _, e in standard_order(work.path) if e.site_kind == SiteKind.PROVINCE_EXIT), None)
    if unclear:
        # DOMAIN.md interruption-3 only where the path has a province exit (issue 10 item 7)
        if exit_port is not None:
            lead_zh += f"先在最近的出省端口 {exit_port.label} 做环。"
            lead_en += f" Loop first at the nearest province-exit port {exit_port.label}."
        else:
            lead_zh += "该电路无出省端口：从接入机房开始逐段环测。"
            lead_en += " The path has no province exit: loop from the access room outwards."
    actions: list[RecommendedAction] = [action(ActionCode.CONTACT_CUSTOMER_FIRST)]
    for finding in ordered_findings(work.findings, PRIORITY):
        if finding.verdict == verdict:
            actions.extend(actions_for(work, finding, scan.flap_counts))
    actions += settle_contradictions(work)
    if verdict == Verdict.INCONCLUSIVE_UNREACHABLE:
        dead = [d for d in work.path.devices() if work.index.device_dead(d)]
        actions.append(restore_reachability(dead))
    if unclear:
        # the registry's actions of an unclear segment; the province-exit loop only where there is one
        actions += [a for a in verdict_actions(Verdict.FAULT_SEGMENT_UNCLEAR, port=exit_port.label if exit_port else "")
                    if exit_port is not None or a.code != ActionCode.LOOP_PROVINCE_EXIT_FIRST]
    actions += [action(ActionCode.LOOP_FROM_ACCESS_ROOM), action(ActionCode.RECORD_LOOP_POINTS)]
    suspects = tuple(dict.fromkeys(
        f.segment for f in ordered_findings(work.findings, PRIORITY) if f.verdict == verdict and f.segment is not None))
    plan = loop_plan(work.path, suspects, unclear=unclear)
    return assemble(work, Playbook.INTERRUPTION, verdict, PRIORITY, actions, plan, lead_zh, lead_en)
