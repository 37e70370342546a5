"""Port state rules: oper/admin status of every port, speed/duplex mismatch between the two ends of
a segment (对端设备不匹配, a device-setting cause of latency), CRC / input error rates."""
from __future__ import annotations

from dataclasses import dataclass

from diagnosis.context import Work
from diagnosis.contradictions import rate_beyond
from diagnosis.enums import Assessment, Duplex, LinkState, ReadingKind, Verdict
from diagnosis.path import PortEnd, Segment
from diagnosis.readings import ErrorReading, PortStatus, Source
from diagnosis.result import EvidenceItem
from diagnosis.wording import fmt_db


@dataclass(frozen=True)
class PortState:
    end: PortEnd
    segment: int
    status: PortStatus | None


def check_status(work: Work) -> dict[tuple[str, str], PortState]:
    """Evidence `oper_status` for every port of the path; missing ones are recorded."""
    states: dict[tuple[str, str], PortState] = {}
    for segment, end in work.path.ports():
        status = work.index.status.get(end.key)
        states[end.key] = PortState(end, segment.index, status)
        if status is None:
            work.missing(ReadingKind.STATUS, end.device, end.port, segment=segment.index)
            continue
        down = status.oper == LinkState.DOWN or status.admin == LinkState.DOWN
        work.add(EvidenceItem(
            name="oper_status", value=status.oper.value, unit="", sources=(status.source,),
            assessment=Assessment.FAULT if down else (Assessment.OK if status.oper == LinkState.UP else Assessment.UNKNOWN),
            threshold="up expected", segment=segment.index, device=end.device, port=end.port,
            note_zh=f"管理状态 {status.admin.value}", note_en=f"admin {status.admin.value}",
        ))
    return states


def check_speed_duplex(work: Work) -> None:
    for segment in work.path.segments:
        a = work.index.status.get(segment.a.key)
        z = work.index.status.get(segment.z.key)
        if a is None or z is None or LinkState.DOWN in (a.oper, z.oper):
            continue  # missing statuses are already recorded; a down link negotiates nothing
        speed_differs = a.speed_mbps is not None and z.speed_mbps is not None and a.speed_mbps != z.speed_mbps
        comparable = {Duplex.FULL, Duplex.HALF}
        duplex_differs = a.duplex in comparable and z.duplex in comparable and a.duplex != z.duplex
        value = f"{_sd(a)} vs {_sd(z)}"
        mismatch = speed_differs or duplex_differs
        work.add(EvidenceItem(
            name="speed_duplex", value=value, unit="", sources=(a.source, z.source),
            assessment=Assessment.FAULT if mismatch else Assessment.OK, threshold="both ends alike",
            segment=segment.index, device=segment.a.device, port=segment.a.port,
            note_zh=f"{segment.a.label} / {segment.z.label}", note_en=f"{segment.a.label} / {segment.z.label}",
        ))
        if mismatch:
            what_zh = "速率" if speed_differs and not duplex_differs else ("双工" if duplex_differs and not speed_differs else "速率和双工")
            what_en = "speed" if speed_differs and not duplex_differs else ("duplex" if duplex_differs and not speed_differs else "speed and duplex")
            work.find(Verdict.DUPLEX_MISMATCH,
                      f"第#{segment.index}段两端{what_zh}不一致：{segment.a.label} {_sd(a)}，{segment.z.label} {_sd(z)}",
                      f"segment #{segment.index}: {what_en} differ between the ends: {segment.a.label} {_sd(a)}, "
                      f"{segment.z.label} {_sd(z)}",
                      segment=segment.index, end=segment.z)


def _sd(status: PortStatus) -> str:
    speed = f"{status.speed_mbps}M" if status.speed_mbps is not None else "?M"
    return f"{speed}/{status.duplex.value}"


def error_rates(series: list[ErrorReading]) -> tuple[float | None, float | None, ErrorReading]:
    """(CRC/s, input errors/s, the latest reading): the collector's rates where given, else the
    counters' growth between the earliest and the latest sample (None across a counter reset)."""
    latest = series[-1]
    first = series[0]
    seconds = (latest.source.time - first.source.time).total_seconds()

    def rate(given: float | None, now: int | None, then: int | None) -> float | None:
        if given is not None:
            return given
        if seconds <= 0 or now is None or then is None or now < then:
            return None
        return (now - then) / seconds

    return (rate(latest.crc_per_s, latest.crc_errors, first.crc_errors),
            rate(latest.input_errors_per_s, latest.input_errors, first.input_errors), latest)


def check_errors(work: Work) -> None:
    th = work.thresholds
    for segment, end in work.path.ports():
        series = work.index.errors.get(end.key)
        if not series:
            work.missing(ReadingKind.ERRORS, end.device, end.port, segment=segment.index)
            continue
        crc, inerr, latest = error_rates(series)
        sources = tuple(dict.fromkeys((series[0].source, latest.source)))
        for name, rate, total in (("crc_errors_per_s", crc, latest.crc_errors),
                                  ("input_errors_per_s", inerr, latest.input_errors)):
            if rate is None:
                if total is not None:
                    work.add(EvidenceItem(
                        name=name.replace("_per_s", "_total"), value=total, unit="count",
                        assessment=Assessment.UNKNOWN, sources=sources, segment=segment.index,
                        device=end.device, port=end.port,
                        note_zh="仅一次计数，无法计算速率", note_en="one sample only: rate unknown"))
                continue
            if _beyond_line_rate(work, segment, end, name, rate, sources):
                continue
            assessment = (Assessment.FAULT if rate >= th.crc_fault_per_s else
                          Assessment.WARN if rate > 0 else Assessment.OK)
            work.add(EvidenceItem(
                name=name, value=round(rate, 3), unit="/s", assessment=assessment, sources=sources,
                limit=th.crc_fault_per_s, threshold=f"fault at or above {fmt_db(th.crc_fault_per_s)}/s",
                segment=segment.index, device=end.device, port=end.port))
            if assessment == Assessment.FAULT:
                _crc_finding(work, segment, end, name, rate)


# the most frames a port can receive per second: 64-byte frames plus 8 bytes preamble and 12 bytes
# inter-frame gap (IEEE 802.3), so 1.488 M/s at 1 Gb/s; more errored frames than that cannot be
_MIN_FRAME_BITS = (64 + 8 + 12) * 8


def _beyond_line_rate(work: Work, segment: Segment, end: PortEnd, name: str, rate: float,
                      sources: tuple[Source, ...]) -> bool:
    status = work.index.status.get(end.key)
    speed = (status.speed_mbps if status else None) or end.speed_mbps
    if not speed:
        return False
    most = speed * 1e6 / _MIN_FRAME_BITS
    if rate <= most * (1 + work.thresholds.rate_measurement_error_fraction):
        return False
    work.add(EvidenceItem(
        name=name, value=round(rate, 3), unit="/s", assessment=Assessment.UNKNOWN, sources=sources,
        limit=round(most, 1), threshold="at most the line-rate frame rate; measurement fault above it",
        segment=segment.index, device=end.device, port=end.port,
        note_zh="测量故障：超过线速最大帧率", note_en="measurement fault: more than the line-rate frame rate"))
    rate_beyond(work, segment, end, ("线速最大帧率", "line-rate frame rate"), f"{rate:.3g}/s", f"{most:.4g}/s",
                sources[-1], name)
    return True


def _crc_finding(work: Work, segment: Segment, end: PortEnd, name: str, rate: float) -> None:
    kind_zh = "CRC错误" if name.startswith("crc") else "输入错误"
    kind_en = "CRC errors" if name.startswith("crc") else "input errors"
    work.find(Verdict.CRC_ERRORS,
              f"第#{segment.index}段 {end.label} {kind_zh} {rate:.3g} 个/秒",
              f"segment #{segment.index}: {end.label} counts {rate:.3g} {kind_en}/s",
              segment=segment.index, end=end)
