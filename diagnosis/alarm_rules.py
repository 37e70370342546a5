"""Alarms and flaps on the circuit's ports inside the ticket window (工单时段内的历史告警).

- "Historical alarm" = an alarm on one of the circuit's ports whose life overlaps the window
  (raised before the window ends, and not cleared before it starts), cleared or not.
- One alarm seen in several places (NMS store / trap, device alarm table, device log) is one alarm:
  records with the same device, port and name raised within `Thresholds.same_event_window` of each
  other by different sources are merged, their sources kept (`events.group_events`).
- An alarm raised and cleared inside an approved cutover window (割接) is not a new fault.
- Flapping: a port that went down at least `flap_min_count` times in the window. Down events are
  counted from the flap records and from the alarms' raise times, whichever gives more, each after
  grouping the records of one physical event (a cut seen as a trap, an alarm-history line and a log
  line, or as link-down plus Rx-low, is one bounce: issue 10 item 7); a device's "flapped 12 times"
  summary counts 12.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from diagnosis.context import Work
from diagnosis.enums import Assessment, LinkState, Verdict
from diagnosis.events import group_events
from diagnosis.readings import AlarmRecord, Source
from diagnosis.result import EvidenceItem
from diagnosis.ticket import CutoverWindow


@dataclass(frozen=True)
class SeenAlarm:
    device: str
    port: str | None
    name: str
    severity: str
    raised_at: datetime
    cleared_at: datetime | None
    sources: tuple[Source, ...]
    segment: int | None
    cutover: CutoverWindow | None  # the approved cutover it falls in, if any


@dataclass(frozen=True)
class AlarmScan:
    alarms: tuple[SeenAlarm, ...]  # port alarms in the window, outside approved cutovers
    planned: tuple[SeenAlarm, ...]  # port alarms inside approved cutovers
    device_level: tuple[SeenAlarm, ...]  # alarms of the path's devices without a port
    flap_counts: dict[tuple[str, str], int]  # ports with at least one down event in the window


def _overlaps(alarm: AlarmRecord, start: datetime, end: datetime) -> bool:
    return alarm.raised_at <= end and (alarm.cleared_at is None or alarm.cleared_at >= start)


def _in_cutover(raised: datetime, cleared: datetime | None, work: Work) -> CutoverWindow | None:
    for window in work.ticket.cutover_windows:
        ends_inside = cleared is not None and cleared <= window.end
        still_open = cleared is None and work.ticket.now <= window.end
        if window.start <= raised <= window.end and (ends_inside or still_open):
            return window
    return None


def scan_alarms(work: Work) -> AlarmScan:
    port_segment = {end.key: seg.index for seg, end in work.path.ports()}
    devices = set(work.path.devices())
    relevant = []
    for alarm in work.index.observations.alarms:
        on_port = alarm.port is not None and (alarm.device, alarm.port) in port_segment
        on_device = alarm.port is None and alarm.device in devices
        if (on_port or on_device) and _overlaps(alarm, work.window_start, work.window_end):
            relevant.append(alarm)
    merged = []
    for group in group_events(relevant, time=lambda a: a.raised_at, source=_source_key,
                              key=lambda a: (a.device, a.port, a.name), window=work.thresholds.same_event_window):
        first = group[0]
        cleared = next((a.cleared_at for a in group if a.cleared_at is not None), None)
        merged.append(SeenAlarm(first.device, first.port, first.name, first.severity, first.raised_at, cleared,
                                tuple(a.source for a in group), port_segment.get((first.device, first.port or "")),
                                _in_cutover(first.raised_at, cleared, work)))
    ordered = sorted(merged, key=lambda a: (a.raised_at, a.device, a.port or "", a.name))
    port_alarms = [a for a in ordered if a.port is not None]
    return AlarmScan(
        alarms=tuple(a for a in port_alarms if a.cutover is None),
        planned=tuple(a for a in port_alarms if a.cutover is not None),
        device_level=tuple(a for a in ordered if a.port is None),
        flap_counts=_flap_counts(work, [a for a in port_alarms if a.cutover is None]),
    )


def _source_key(alarm: AlarmRecord) -> tuple[str, str]:
    return (alarm.source.method.value, alarm.source.reference)


def _flap_counts(work: Work, alarms: list[SeenAlarm]) -> dict[tuple[str, str], int]:
    window = work.thresholds.same_event_window
    downs = [r for r in work.index.observations.flaps
             if r.state == LinkState.DOWN and work.window_start <= r.time <= work.window_end
             and _in_cutover(r.time, r.time, work) is None]
    from_records: dict[tuple[str, str], int] = {}
    for group in group_events(downs, time=lambda r: r.time, source=lambda r: (r.source.method.value, r.source.reference),
                              key=lambda r: (r.device, r.port), window=window,
                              same_record=lambda a, b: a == b):  # a source's bounces can share a second
        key = (group[0].device, group[0].port)
        from_records[key] = from_records.get(key, 0) + max(r.count for r in group)
    # every alarm of a port is a sign of a down event; alarms of one event (a link-down and the
    # Rx-low of the same cut, each already merged across sources) count once
    from_alarms: dict[tuple[str, str], int] = {}
    for group in group_events(alarms, time=lambda a: a.raised_at, source=lambda a: a.name,
                              key=lambda a: (a.device, a.port or ""), window=window):
        key = (group[0].device, group[0].port or "")
        from_alarms[key] = from_alarms.get(key, 0) + 1
    counts: dict[tuple[str, str], int] = {}
    for _, end in work.path.ports():
        count = max(from_records.get(end.key, 0), from_alarms.get(end.key, 0))
        if count:
            counts[end.key] = count
    return counts


def alarm_evidence(work: Work, scan: AlarmScan) -> None:
    for alarm, assessment in ([(a, Assessment.FAULT) for a in scan.alarms]
                              + [(a, Assessment.OK) for a in scan.planned]
                              + [(a, Assessment.WARN) for a in scan.device_level]):
        # "cleared <time>" or "not cleared", never "cleared not cleared" (issue 10 item 7)
        cleared = f"cleared {alarm.cleared_at.isoformat()}" if alarm.cleared_at else "not cleared"
        planned = f"; inside approved cutover {alarm.cutover.reference}" if alarm.cutover else ""
        work.add(EvidenceItem(
            name="alarm", value=alarm.name, unit="", assessment=assessment, sources=alarm.sources,
            segment=alarm.segment, device=alarm.device, port=alarm.port,
            threshold="any alarm on the circuit's ports in the ticket window",
            note_zh=f"{alarm.severity}，{alarm.raised_at.isoformat()} 产生，"
                    f"{'清除于 ' + alarm.cleared_at.isoformat() if alarm.cleared_at else '未清除'}"
                    f"{'；在已批准割接时段内' if alarm.cutover else ''}",
            note_en=f"{alarm.severity}, raised {alarm.raised_at.isoformat()}, {cleared}{planned}"))
    th = work.thresholds
    port_segment = {end.key: seg.index for seg, end in work.path.ports()}
    for (device, port), count in scan.flap_counts.items():
        work.add(EvidenceItem(
            name="flap_count", value=count, unit="times", limit=float(th.flap_min_count),
            assessment=Assessment.FAULT if count >= th.flap_min_count else Assessment.WARN,
            sources=tuple(r.source for r in work.index.observations.flaps
                          if (r.device, r.port) == (device, port)
                          and work.window_start <= r.time <= work.window_end),
            threshold=f"flapping at {th.flap_min_count} or more down events in the window",
            segment=port_segment[(device, port)], device=device, port=port))


def flapping_findings(work: Work, scan: AlarmScan) -> None:
    th = work.thresholds
    port_end = {end.key: (seg, end) for seg, end in work.path.ports()}
    for key, count in scan.flap_counts.items():
        if count >= th.flap_min_count:
            segment, end = port_end[key]
            work.find(Verdict.FLAPPING_PORT,
                      f"{end.label} 在工单时段内中断 {count} 次（不少于 {th.flap_min_count} 次即为瞬断/频繁up-down）",
                      f"{end.label} went down {count} times in the ticket window (flapping from "
                      f"{th.flap_min_count})", segment=segment.index, end=end)


def explained_by_flapping(work: Work) -> None:
    """A segment that keeps going down and up is intermittent (loose connector, 接头松动): being dark or
    down at the moment it was read is that intermittence, not a cut."""
    flapping = {f.segment for f in work.findings if f.verdict == Verdict.FLAPPING_PORT}
    work.findings[:] = [f for f in work.findings if f.segment not in flapping
                        or not _intermittence(work, f)]


def _intermittence(work: Work, finding) -> bool:
    """A dark or down reading that a flapping segment explains. A customer-side port caught down while
    its device answers is the same intermittence; a customer device that cannot be reached is not."""
    if finding.verdict in (Verdict.NO_LIGHT_FIBER_CUT, Verdict.PORT_DOWN):
        return True
    return (finding.verdict == Verdict.CUSTOMER_PREMISES_DOWN and finding.device is not None
            and not work.index.device_dead(finding.device))
