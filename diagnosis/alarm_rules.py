"""Alarms and flaps on the circuit's ports inside the ticket window (工单时段内的历史告警).

- "Historical alarm" = an alarm on one of the circuit's ports whose life overlaps the window
  (raised before the window ends, and not cleared before it starts), cleared or not.
- One alarm seen in several places (NMS store, device alarm table, device log) is one alarm: records
  with the same device, port, name and raise time (to the second) are merged, their sources kept.
- An alarm raised and cleared inside an approved cutover window (割接) is not a new fault.
- Flapping: a port that went down at least `flap_min_count` times in the window, counted from the
  flap records (summed counts) or from the distinct raise times of its alarms, whichever is higher
  (the larger count, not the sum, so that one event seen as a trap and as a log line counts once).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from diagnosis.context import Work
from diagnosis.enums import Assessment, LinkState, Verdict
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
    merged: dict[tuple[str, str | None, str, datetime], SeenAlarm] = {}
    for alarm in work.index.observations.alarms:
        on_port = alarm.port is not None and (alarm.device, alarm.port) in port_segment
        on_device = alarm.port is None and alarm.device in devices
        if not (on_port or on_device) or not _overlaps(alarm, work.window_start, work.window_end):
            continue
        key = (alarm.device, alarm.port, alarm.name, alarm.raised_at.replace(microsecond=0))
        seen = merged.get(key)
        if seen is None:
            segment = port_segment.get((alarm.device, alarm.port or ""))
            merged[key] = SeenAlarm(alarm.device, alarm.port, alarm.name, alarm.severity, alarm.raised_at,
                                    alarm.cleared_at, (alarm.source,), segment,
                                    _in_cutover(alarm.raised_at, alarm.cleared_at, work))
        else:
            cleared = seen.cleared_at or alarm.cleared_at
            merged[key] = SeenAlarm(seen.device, seen.port, seen.name, seen.severity, seen.raised_at, cleared,
                                    (*seen.sources, alarm.source), seen.segment,
                                    _in_cutover(seen.raised_at, cleared, work))
    ordered = sorted(merged.values(), key=lambda a: (a.raised_at, a.device, a.port or "", a.name))
    port_alarms = [a for a in ordered if a.port is not None]
    return AlarmScan(
        alarms=tuple(a for a in port_alarms if a.cutover is None),
        planned=tuple(a for a in port_alarms if a.cutover is not None),
        device_level=tuple(a for a in ordered if a.port is None),
        flap_counts=_flap_counts(work, [a for a in port_alarms if a.cutover is None]),
    )


def _flap_counts(work: Work, alarms: list[SeenAlarm]) -> dict[tuple[str, str], int]:
    from_records: dict[tuple[str, str], int] = {}
    for record in work.index.observations.flaps:
        if record.state != LinkState.DOWN or not work.window_start <= record.time <= work.window_end:
            continue
        if _in_cutover(record.time, record.time, work) is not None:
            continue
        key = (record.device, record.port)
        from_records[key] = from_records.get(key, 0) + record.count
    from_alarms: dict[tuple[str, str], set[datetime]] = {}
    for alarm in alarms:
        from_alarms.setdefault((alarm.device, alarm.port or ""), set()).add(alarm.raised_at.replace(microsecond=0))
    counts: dict[tuple[str, str], int] = {}
    for _, end in work.path.ports():
        count = max(from_records.get(end.key, 0), len(from_alarms.get(end.key, ())))
        if count:
            counts[end.key] = count
    return counts


def alarm_evidence(work: Work, scan: AlarmScan) -> None:
    for alarm, assessment in ([(a, Assessment.FAULT) for a in scan.alarms]
                              + [(a, Assessment.OK) for a in scan.planned]
                              + [(a, Assessment.WARN) for a in scan.device_level]):
        cleared = alarm.cleared_at.isoformat() if alarm.cleared_at else "not cleared"
        planned = f"; inside approved cutover {alarm.cutover.reference}" if alarm.cutover else ""
        work.add(EvidenceItem(
            name="alarm", value=alarm.name, unit="", assessment=assessment, sources=alarm.sources,
            segment=alarm.segment, device=alarm.device, port=alarm.port,
            threshold="any alarm on the circuit's ports in the ticket window",
            note_zh=f"{alarm.severity}，{alarm.raised_at.isoformat()} 产生，"
                    f"{'清除于 ' + alarm.cleared_at.isoformat() if alarm.cleared_at else '未清除'}"
                    f"{'；在已批准割接时段内' if alarm.cutover else ''}",
            note_en=f"{alarm.severity}, raised {alarm.raised_at.isoformat()}, cleared {cleared}{planned}"))
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
