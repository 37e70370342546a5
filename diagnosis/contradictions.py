"""Readings that cannot all be true (issue 10 item 5: a contradiction is not a conclusion).

- A port that is oper up passes light: up with Rx under the receiver's sensitivity (or LOS) is not
  "no light"; the threshold, the Rx value or the status is wrong. Unless another reading explains it
  (the loss is over budget, the far end's transmitter is under its own alarm threshold), the
  diagnosis is inconclusive and says which check settles it.
- A rate above the port's line speed, or above the contracted rate, by more than the measurement
  error (`Thresholds.rate_measurement_error_fraction`) is a measurement fault (two counter reads
  timed wrongly, a counter decoded wrongly), reported as such and never a verdict such as
  `customer_rate_limit`.
- Two sources (SNMP, CLI, stored) for one optical value of a port, read within
  `reading_agreement_window`, that differ by more than `reading_agreement_db`: neither is believed.
Every contradiction names the readings, cites their sources, lowers the confidence and recommends
the check that settles it (`Work.contradict`).
"""
from __future__ import annotations

import math
from itertools import combinations

from diagnosis.budget import RxAssessment
from diagnosis.context import Work
from diagnosis.enums import ContradictionKind, Verdict
from diagnosis.optics import transceiver_defaults
from diagnosis.path import PortEnd, Segment
from diagnosis.readings import OpticalReading, PortStatus, Source
from diagnosis.wording import fmt_db

_VALUE_WORDS = {"rx_dbm": ("收光功率", "Rx power"), "tx_dbm": ("发光功率", "Tx power")}


def _dbm(value: float | None) -> str:
    if value is None:
        return "none"
    return "no light" if math.isinf(value) else f"{fmt_db(value)} dBm"


def _cite(source: Source) -> str:
    ref = f" {source.reference}" if source.reference else ""
    return f"{source.method.value}{ref} {source.time:%H:%M:%S}"


def _apart(a: float | None, b: float | None, tolerance: float) -> bool:
    if a is None or b is None:
        return False
    if math.isinf(a) or math.isinf(b):
        return a != b
    return abs(a - b) > tolerance + 1e-9


def split_readings(work: Work, key: tuple[str, str], attr: str) -> tuple[OpticalReading, OpticalReading] | None:
    """Two readings of one optical value of a port, from different sources and close in time, that
    differ by more than their precision (the first such pair in time order), or None."""
    th = work.thresholds
    readings = work.index.optical_all.get(key, [])
    for first, second in combinations(readings, 2):
        if (first.source.method, first.source.reference) == (second.source.method, second.source.reference):
            continue  # one source read twice: a change over time, not a disagreement
        if abs(second.source.time - first.source.time) > th.reading_agreement_window:
            continue
        if _apart(getattr(first, attr), getattr(second, attr), th.reading_agreement_db):
            return first, second
    return None


def sources_disagree(work: Work, segment: Segment, end: PortEnd, attr: str,
                     pair: tuple[OpticalReading, OpticalReading]) -> None:
    first, second = pair
    word_zh, word_en = _VALUE_WORDS[attr]
    a, b = _dbm(getattr(first, attr)), _dbm(getattr(second, attr))
    work.contradict(
        ContradictionKind.SOURCES_DISAGREE, (f"{attr}@{first.source.method.value}", f"{attr}@{second.source.method.value}"),
        (f"{end.label} {word_zh}两次读数不一致：{a}（{_cite(first.source)}）与 {b}（{_cite(second.source)}），"
         f"相差超过 {fmt_db(work.thresholds.reading_agreement_db)} dB",
         f"{end.label} {word_en} read as {a} ({_cite(first.source)}) and {b} ({_cite(second.source)}), more than "
         f"{fmt_db(work.thresholds.reading_agreement_db)} dB apart"),
        ("用两种方式在几秒内重新读取该值；若仍不一致，为其中一种方式的解码问题（单位、倍率、通道），附两份原始输出上报",
         "read the value again by both methods within seconds of each other; a lasting difference is a "
         "decoding fault of one method (units, scale, lane): report it with both raw outputs"),
        segment=segment.index, end=end, sources=(first.source, second.source))


def up_but_dark(work: Work, segment: Segment, receiver: PortEnd, rx: RxAssessment, status: PortStatus,
                rx_source: Source, explained_by: Verdict | None) -> None:
    """Oper up with Rx under the sensitivity: the port passes light, so one of the readings or the
    limit is wrong (a warning threshold read as the alarm, DDM miscalibrated, a stale status)."""
    limits = rx.limits
    sens = f"{fmt_db(limits.sensitivity_dbm)} dBm" if limits.sensitivity_dbm is not None else "?"
    rx_text = _dbm(rx.rx_dbm) if rx.rx_dbm is not None else "no light (LOS)"
    defaults = transceiver_defaults(receiver.transceiver)
    hint_en = hint_zh = ""
    if defaults is not None and limits.sensitivity_dbm is not None and defaults.sensitivity_dbm != limits.sensitivity_dbm:
        hint_en = f" ({receiver.transceiver} receivers are specified to {fmt_db(defaults.sensitivity_dbm)} dBm)"
        hint_zh = f"（{receiver.transceiver} 标准灵敏度 {fmt_db(defaults.sensitivity_dbm)} dBm）"
    work.contradict(
        ContradictionKind.UP_BUT_NO_LIGHT, ("oper_status", "rx_power_dbm"),
        (f"{receiver.label} 端口状态 up（{_cite(status.source)}），但收光 {rx_text} 低于灵敏度 {sens}"
         f"（{limits.sensitivity_from}，{_cite(rx_source)}）：端口up不可能无光",
         f"{receiver.label} is oper up ({_cite(status.source)}) but its Rx {rx_text} is below the sensitivity "
         f"{sens} ({limits.sensitivity_from}, {_cite(rx_source)}): a port that is up cannot be without light"),
        (f"在设备上重新读取该端口收光和光模块告警门限，核对所用门限是告警值而非预警值{hint_zh}，并查看端口流量计数是否增长",
         f"read the port's Rx power and its module's alarm thresholds again on the device, check that the "
         f"limit used is the low-alarm and not the warning value{hint_en}, and whether its traffic counters grow"),
        segment=segment.index, end=receiver, sources=(status.source, rx_source),
        conclude=explained_by is None, explained_by=explained_by)


def rate_beyond(work: Work, segment: Segment | None, end: PortEnd, what: tuple[str, str], value: str,
                limit: str, source: Source, reading: str) -> None:
    """A rate that cannot be: a measurement fault, reported with the reading it came from."""
    work.contradict(
        ContradictionKind.RATE_BEYOND_LIMIT, (reading, what[1]),
        (f"{end.label} 计算速率 {value} 超过{what[0]} {limit}（超出测量误差 "
         f"{work.thresholds.rate_measurement_error_fraction:.0%}）：测量故障，不作为结论",
         f"{end.label} computed rate {value} exceeds its {what[1]} {limit} by more than the measurement error "
         f"({work.thresholds.rate_measurement_error_fraction:.0%}): a measurement fault, not a verdict"),
        ("在设备上查看端口实时速率（如 display interface / show interface 的输入输出速率），或按设备 sysUpTime 计时重新读取两次计数",
         "read the port's rate on the device (display interface / show interface input and output rate), or "
         "read the counters twice again timed by the device's own sysUpTime"),
        segment=segment.index if segment is not None else None, end=end, sources=(source,))
