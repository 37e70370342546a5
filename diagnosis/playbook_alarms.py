"""Playbook 1 — assist-check, interruption or flapping (用户线路中断或瞬断，要求协查告警).

1. After signing, look for alarms on the circuit's ports: NMS (stored) alarms, each device's alarm
   history/log, the ports' current oper status and the flap records, inside the ticket window.
2. Historical alarms found -> dispatch maintenance to the customer end to find the cause and clear
   hidden faults on the operator's side (派维护人员去用户端排查，排除局方界面的故障隐患); a port that
   flaps is named with how often.
3. No historical alarm -> report back at once and request return of the ticket, with the evidence
   that nothing was seen; the provincial duty officer helps confirm. When an office-side device could
   not be read at all, "no alarm" cannot be claimed: the verdict is inconclusive.
"""
from __future__ import annotations

from diagnosis.actions import actions_for, verdict_actions
from diagnosis.alarm_rules import AlarmScan, alarm_evidence, flapping_findings, scan_alarms
from diagnosis.conclude import assemble, ordered_findings, primary_verdict
from diagnosis.context import Work
from diagnosis.devices import check_reachability
from diagnosis.enums import ActionCode, Assessment, LinkState, Playbook, ReadingKind, Verdict
from diagnosis.port_rules import check_status
from diagnosis.result import Diagnosis, EvidenceItem, RecommendedAction
from diagnosis.verdicts import priority
from diagnosis.wording import action, restore_reachability

PRIORITY: tuple[Verdict, ...] = priority(Playbook.ASSIST_ALARMS)


def record_alarm_findings(work: Work, scan: AlarmScan) -> None:
    flapping_findings(work, scan)
    port_end = {end.key: (seg, end) for seg, end in work.path.ports()}
    down_now = {end.key for _, end in work.path.ports()
                if (status := work.index.status.get(end.key)) is not None
                and LinkState.DOWN in (status.oper, status.admin)}
    # the port being down now and its uncleared alarm are one fact, stated once (issue 10 item 7):
    # on the port's latest uncleared alarm
    still_down = {(a.device, a.port or ""): a for a in scan.alarms if a.cleared_at is None
                  and (a.device, a.port or "") in down_now}
    for alarm in scan.alarms:
        segment, end = port_end[(alarm.device, alarm.port or "")]
        state_zh = f"清除于 {alarm.cleared_at:%m-%d %H:%M:%S}" if alarm.cleared_at else "未清除"
        state_en = f"cleared {alarm.cleared_at:%m-%d %H:%M:%S}" if alarm.cleared_at else "not cleared"
        if still_down.get(end.key) is alarm:
            state_zh += "，端口当前仍 down"
            state_en += "; the port is down now"
        work.find(Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END,
                  f"{end.label} 告警 {alarm.name}（{alarm.severity}），{alarm.raised_at:%m-%d %H:%M:%S} 产生，{state_zh}",
                  f"{end.label} alarm {alarm.name} ({alarm.severity}) raised {alarm.raised_at:%m-%d %H:%M:%S} UTC, "
                  f"{state_en}", segment=segment.index, end=end)
    for segment, end in work.path.ports():
        if end.key in down_now and end.key not in still_down:
            work.find(Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END,
                      f"{end.label} 当前端口状态为 down",
                      f"{end.label} is down now", segment=segment.index, end=end)
    if scan.planned and not scan.alarms:
        refs = list(dict.fromkeys(a.cutover.reference for a in scan.planned if a.cutover))
        work.find(Verdict.WITHIN_APPROVED_CUTOVER,
                  f"{len(scan.planned)} 条告警均在已批准的割接时段内（{'、'.join(refs)}）",
                  f"{len(scan.planned)} alarm(s), all inside approved cutover windows ({', '.join(refs)})")


def check_alarm_sources(work: Work) -> None:
    """Which alarm sources were read; the ones that were not go to `could_not_check`."""
    obs = work.index.observations
    if not obs.stored_alarms_queried:
        work.missing(ReadingKind.STORED_ALARMS, None, None)
    for device in work.path.devices():
        if device not in obs.alarm_history_devices:
            work.missing(ReadingKind.ALARMS, device, None)


def _alarms_checkable(work: Work) -> bool:
    obs = work.index.observations
    if any(work.index.device_dead(device) for device in work.office_devices()):
        return False
    return obs.stored_alarms_queried or bool(obs.alarm_history_devices)


def _searched(work: Work) -> tuple[str, str]:
    obs = work.index.observations
    zh, en = [], []
    if obs.stored_alarms_queried:
        zh.append("网管告警")
        en.append("NMS alarms")
    if obs.alarm_history_devices:
        zh.append(f"设备告警记录（{len(obs.alarm_history_devices)}台）")
        en.append(f"device alarm history ({len(obs.alarm_history_devices)} devices)")
    zh.append("当前端口状态")
    en.append("current port status")
    zh.append("端口up/down记录")
    en.append("link flap records")
    window = f"{work.window_start:%Y-%m-%d %H:%M}–{work.window_end:%Y-%m-%d %H:%M} UTC"
    return (f"工单时段 {window} 内已查：{'、'.join(zh)}。",
            f"Searched in the ticket window {window}: {', '.join(en)}.")


def run(work: Work) -> Diagnosis:
    check_reachability(work)
    check_alarm_sources(work)
    check_status(work)
    scan = scan_alarms(work)
    alarm_evidence(work, scan)
    record_alarm_findings(work, scan)
    work.add(EvidenceItem(
        name="alarms_in_window", value=len(scan.alarms), unit="count",
        assessment=Assessment.FAULT if scan.alarms else Assessment.OK,
        threshold="none expected", note_zh=_searched(work)[0], note_en=_searched(work)[1]))
    verdict = primary_verdict(work.findings, PRIORITY)
    actions: list[RecommendedAction] = []
    lead_zh, lead_en = _searched(work)
    gaps = "; ".join(g.text_en for g in work.not_checked)
    gaps_zh = "；".join(g.text_zh for g in work.not_checked)
    if verdict is None:
        if _alarms_checkable(work):
            verdict = Verdict.NO_ALARM_REQUEST_RETURN
            lead_zh += "未见任何告警、中断或up/down记录。"
            lead_en += " Nothing was seen: no alarm, no port down, no flap."
            actions += verdict_actions(verdict)
        else:
            verdict = Verdict.INCONCLUSIVE_UNREACHABLE
            lead_zh += "在能读取的端口上未见告警，但无法确认全部端口。"
            lead_en += " No alarm on the ports that could be read, but not all could be."
            dead = [d for d in work.path.devices() if work.index.device_dead(d)]
            actions.append(restore_reachability(dead))
        if work.not_checked:
            actions.append(action(ActionCode.CONFIRM_BEFORE_RETURN, zh={"what": gaps_zh}, what=gaps))
    else:
        if verdict == Verdict.FLAPPING_PORT:
            for finding in ordered_findings(work.findings, PRIORITY):
                if finding.verdict == Verdict.FLAPPING_PORT:
                    actions.extend(actions_for(work, finding, scan.flap_counts))
        if verdict in (Verdict.FLAPPING_PORT, Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END):
            # a flapping port is a historical alarm too: DOMAIN.md assist-flap-2 dispatches to the customer end
            actions += verdict_actions(Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END)
        if verdict == Verdict.WITHIN_APPROVED_CUTOVER:
            refs = list(dict.fromkeys(a.cutover.reference for a in scan.planned if a.cutover))
            actions += verdict_actions(verdict, zh={"ref": "、".join(refs)}, ref=", ".join(refs))
    return assemble(work, Playbook.ASSIST_ALARMS, verdict, PRIORITY, actions, (), lead_zh, lead_en)
