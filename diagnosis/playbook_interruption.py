"""Playbook 3 — interruption (中断类).

1. Contact the customer first to rule out a sudden event on their side (power, equipment): the
   action always comes first, and a customer-side device that cannot be reached while the office
   port facing it has no light or is down gives `customer_premises_down`.
2. Loop tests: every loop point is recorded in the ticket (each `LoopPoint` says so).
3. Where the faulty segment is unclear, loop first at the nearest province-exit port.
4. Do not rush to the customer end: the loop plan starts at the access room and moves outwards.
5. Missing hand-over data is handled as a fault (see `engine`), never noted as "not accepted".
6. Controllable causes (loose port, degraded access fiber) get a preventive action.
Which segments have no light or are down is read segment by segment; a dark port whose far-end
device cannot be read is not called a fiber cut (the far device may have lost power): inconclusive.
"""
from __future__ import annotations

from diagnosis.actions import actions_for
from diagnosis.alarm_rules import alarm_evidence, scan_alarms
from diagnosis.budget import RxState
from diagnosis.conclude import assemble, ordered_findings, primary_verdict
from diagnosis.context import Work
from diagnosis.devices import check_reachability, customer_facing_ports, office_port_dark_or_down
from diagnosis.enums import ActionCode, LinkState, Playbook, SiteKind, Verdict
from diagnosis.loopplan import loop_plan, standard_order
from diagnosis.optical_rules import DirectionResult, check_segments_optics
from diagnosis.playbook_alarms import record_alarm_findings
from diagnosis.port_rules import check_speed_duplex, check_status
from diagnosis.result import Diagnosis, Finding, RecommendedAction
from diagnosis.wording import action

PRIORITY: tuple[Verdict, ...] = (
    Verdict.CUSTOMER_PREMISES_DOWN,
    Verdict.NO_LIGHT_FIBER_CUT,
    Verdict.PORT_ADMIN_DOWN,
    Verdict.PORT_DOWN,
    Verdict.INCONCLUSIVE_UNREACHABLE,
    Verdict.FLAPPING_PORT,
    Verdict.FIBER_DEGRADED,
    Verdict.RX_OVERLOAD,
    Verdict.LOW_RX_MARGIN,
    Verdict.DUPLEX_MISMATCH,
)
_KEPT_FROM_ALARMS = {Verdict.FLAPPING_PORT}  # historical alarms are evidence here, not a verdict


def _customer_premises(work: Work) -> None:
    for segment, cpe, office in customer_facing_ports(work):
        if work.index.device_dead(cpe.device) and office_port_dark_or_down(work, office):
            state = work.index.device_state(cpe.device).value
            work.find(Verdict.CUSTOMER_PREMISES_DOWN,
                      f"用户端设备 {cpe.device} 无法访问（{state}），且局端 {office.label} 无收光/中断：用户端可能停电或设备故障",
                      f"customer-side device {cpe.device} cannot be reached ({state}) and office port "
                      f"{office.label} has no light / is down: customer power or equipment failure likely",
                      segment=segment.index, end=cpe)


def _ports_down(work: Work, optics: dict[int, list[DirectionResult]]) -> None:
    dark_segments = {f.segment for f in work.findings if f.verdict == Verdict.NO_LIGHT_FIBER_CUT}
    for segment in work.path.segments:
        for end, other in ((segment.a, segment.z), (segment.z, segment.a)):
            status = work.index.status.get(end.key)
            if status is None:
                continue
            if status.admin == LinkState.DOWN:
                work.find(Verdict.PORT_ADMIN_DOWN, f"{end.label} 被管理性关闭（admin down）",
                          f"{end.label} is administratively down", segment=segment.index, end=end)
            elif status.oper == LinkState.DOWN and segment.index not in dark_segments:
                if work.index.device_dead(other.device):
                    continue  # reported as unreachable neighbour below
                light = next((r.rx for r in optics[segment.index] if r.receiver == end), None)
                lit = light is not None and light.state in (RxState.OK, RxState.LOW_MARGIN, RxState.OVERLOAD)
                work.find(Verdict.PORT_DOWN,
                          f"{end.label} 链路中断" + ("，但有收光" if lit else "，收光无法读取"),
                          f"{end.label} is down" + (" although light arrives" if lit else "; its light could not be read"),
                          segment=segment.index, end=end)


def _dead_neighbours(work: Work) -> None:
    """A dark or down port facing an unreachable office device: fiber cut or that device's power?"""
    kept: list[Finding] = []
    for finding in work.findings:
        if finding.verdict == Verdict.NO_LIGHT_FIBER_CUT and finding.segment is not None:
            segment = work.segment(finding.segment)
            far = segment.a if finding.device == segment.z.device and finding.port == segment.z.port else segment.z
            if work.index.device_dead(far.device) and far.site_kind != SiteKind.CUSTOMER_PREMISES:
                continue
        kept.append(finding)
    work.findings[:] = kept
    for segment in work.path.segments:
        for end, other in ((segment.a, segment.z), (segment.z, segment.a)):
            if not work.index.device_dead(other.device) or other.site_kind == SiteKind.CUSTOMER_PREMISES:
                continue
            if work.index.device_dead(end.device) or not office_port_dark_or_down(work, end):
                continue
            state = work.index.device_state(other.device).value
            work.find(Verdict.INCONCLUSIVE_UNREACHABLE,
                      f"{other.device} 无法访问（{state}），{end.label} 无收光/中断：断纤或该设备掉电，需环测确认",
                      f"{other.device} cannot be reached ({state}) and {end.label} has no light / is down: "
                      f"a fiber cut or that device's power; a loop test decides",
                      segment=segment.index, end=end)


def _explained_by_customer(work: Work) -> None:
    """A powered-off CPE darkens the office port facing it: that is not a second fault."""
    cpe_segments = {f.segment for f in work.findings if f.verdict == Verdict.CUSTOMER_PREMISES_DOWN}
    work.findings[:] = [f for f in work.findings if f.verdict == Verdict.CUSTOMER_PREMISES_DOWN
                        or f.segment not in cpe_segments
                        or f.verdict not in (Verdict.NO_LIGHT_FIBER_CUT, Verdict.PORT_DOWN)]


def run(work: Work) -> Diagnosis:
    check_reachability(work)
    optics = check_segments_optics(work)
    check_status(work)
    check_speed_duplex(work)
    scan = scan_alarms(work)
    alarm_evidence(work, scan)
    before = len(work.findings)
    record_alarm_findings(work, scan)
    work.findings[before:] = [f for f in work.findings[before:] if f.verdict in _KEPT_FROM_ALARMS]
    _customer_premises(work)
    _dead_neighbours(work)
    _ports_down(work, optics)
    _explained_by_customer(work)

    verdict = primary_verdict(work.findings, PRIORITY)
    unclear = False
    lead_zh = lead_en = ""
    if verdict is None:
        if any(work.index.device_dead(d) for d in work.office_devices()):
            verdict = Verdict.INCONCLUSIVE_UNREACHABLE
        else:
            verdict, unclear = Verdict.FAULT_SEGMENT_UNCLEAR, True
            lead_zh = "省内各段端口均up、收光正常，故障段落不明显。"
            lead_en = "Every in-province segment is up with normal light: the faulty segment is unclear."
    actions: list[RecommendedAction] = [action(ActionCode.CONTACT_CUSTOMER_FIRST)]
    for finding in ordered_findings(work.findings, PRIORITY):
        if finding.verdict == verdict:
            actions.extend(actions_for(work, finding, scan.flap_counts))
    if verdict == Verdict.INCONCLUSIVE_UNREACHABLE:
        dead = [d for d in work.path.devices() if work.index.device_dead(d)]
        actions.append(action(ActionCode.RESTORE_REACHABILITY, devices="、".join(dead)))
    if unclear:
        exit_port = next((e for _, e in standard_order(work.path) if e.site_kind == SiteKind.PROVINCE_EXIT), None)
        if exit_port is not None:
            actions.append(action(ActionCode.LOOP_PROVINCE_EXIT_FIRST, port=exit_port.label))
    actions += [action(ActionCode.LOOP_FROM_ACCESS_ROOM), action(ActionCode.RECORD_LOOP_POINTS)]
    suspects = tuple(dict.fromkeys(
        f.segment for f in ordered_findings(work.findings, PRIORITY) if f.verdict == verdict and f.segment is not None))
    plan = loop_plan(work.path, suspects, unclear=unclear)
    return assemble(work, Playbook.INTERRUPTION, verdict, PRIORITY, actions, plan, lead_zh, lead_en)
