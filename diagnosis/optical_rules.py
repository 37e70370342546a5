"""Segment by segment optical check (逐段查询线路光功率、光衰): for each fiber direction of each
segment, the Rx power against the receiver's limits and the loss Tx(A) − Rx(Z) against the budget.
Used by playbook 2 (latency/errors) and playbook 3 (interruption).

Transmitter, not fiber (issue 10 item 4): the sender's Tx strictly under its module's own Tx
low-alarm threshold with the loss within budget is `transmitter_fault` at the sender, and the
receiver's low or missing light is that weak laser, not a cut. A receiver that is oper up is not
"no light" (item 5, `contradictions.up_but_dark`): its loss is computed, so a long trunk over its
budget with both ports up is `fiber_degraded`, and an unexplained one is inconclusive."""
from __future__ import annotations

import math
from dataclasses import dataclass

from diagnosis.budget import (
    RxAssessment, RxState, assess_loss, assess_rx, db, rx_is_dark, segment_budget, segment_loss_db,
)
from diagnosis.context import Work
from diagnosis.contradictions import split_readings, sources_disagree, up_but_dark
from diagnosis.enums import Assessment, LinkState, Method, ReadingKind, Verdict
from diagnosis.optics import rx_limits
from diagnosis.path import PortEnd, Segment
from diagnosis.readings import OpticalReading, Source
from diagnosis.result import EvidenceItem
from diagnosis.wording import fmt_db

_RX_ASSESSMENT = {
    RxState.OK: Assessment.OK, RxState.NO_LIGHT: Assessment.FAULT, RxState.LOW_MARGIN: Assessment.FAULT,
    RxState.OVERLOAD: Assessment.FAULT, RxState.UNKNOWN: Assessment.UNKNOWN,
}


@dataclass(frozen=True)
class DirectionResult:
    sender: PortEnd
    receiver: PortEnd
    rx: RxAssessment | None  # None: no optical reading of the receiver
    loss_db: float | None
    excess_db: float | None
    loss_assessment: Assessment


def check_segments_optics(work: Work) -> dict[int, list[DirectionResult]]:
    """Both directions of every segment, in path order; the budget is evidence of its own."""
    results: dict[int, list[DirectionResult]] = {}
    for segment in work.path.segments:
        budget = _budget_evidence(work, segment)
        results[segment.index] = [
            _check_direction(work, segment, segment.a, segment.z, budget),
            _check_direction(work, segment, segment.z, segment.a, budget),
        ]
    return results


def _budget_evidence(work: Work, segment: Segment) -> float | None:
    budget = segment_budget(segment)
    inventory = Source(device=segment.a.device, port=segment.a.port, method=Method.INVENTORY,
                       time=work.ticket.now, reference=f"{work.path.circuit_id}#{segment.index}")
    if budget.budget_db is None:
        work.missing(ReadingKind.BUDGET, segment.a.device, segment.a.port, segment=segment.index,
                     detail="hand-over data lacks " + ", ".join(budget.missing))
    assumed = ("; assumed 0: " + ", ".join(budget.assumed)) if budget.assumed else ""
    work.add(EvidenceItem(
        name="loss_budget_db", value=budget.budget_db, unit="dB",
        assessment=Assessment.OK if budget.budget_db is not None else Assessment.UNKNOWN,
        sources=(inventory,), segment=segment.index, device=segment.a.device, port=segment.a.port,
        threshold=budget.describe_en() + assumed,
        note_zh=f"第#{segment.index}段光衰预算", note_en=f"loss budget of segment #{segment.index}",
    ))
    return budget.budget_db


def _check_direction(work: Work, segment: Segment, sender: PortEnd, receiver: PortEnd,
                     budget: float | None) -> DirectionResult:
    th = work.thresholds
    rx_reading = work.index.optical.get(receiver.key)
    tx_reading = work.index.optical.get(sender.key)
    direction = f"{sender.label} → {receiver.label}"
    # two sources for the receiver's Rx or the sender's Tx that disagree: neither is believed
    rx_split = split_readings(work, receiver.key, "rx_dbm")
    tx_split = split_readings(work, sender.key, "tx_dbm")
    if rx_split:
        sources_disagree(work, segment, receiver, "rx_dbm", rx_split)
    if tx_split:
        sources_disagree(work, segment, sender, "tx_dbm", tx_split)
    status = work.index.status.get(receiver.key)
    up = status is not None and status.oper == LinkState.UP
    rx: RxAssessment | None = None
    if rx_reading is None:
        work.missing(ReadingKind.OPTICAL, receiver.device, receiver.port, segment=segment.index)
    else:
        limits = rx_limits(receiver, rx_reading)
        rx = assess_rx(rx_reading.rx_dbm, rx_reading.rx_los, limits, th)
        _rx_evidence(work, segment, receiver, rx, rx_reading.source)
        if limits.sensitivity_dbm is None and rx.state == RxState.UNKNOWN and rx.rx_dbm is not None:
            work.missing(ReadingKind.BUDGET, receiver.device, receiver.port, segment=segment.index,
                         detail="receiver sensitivity unknown (no DDM threshold, inventory value or "
                                "known transceiver type)")
    tx_low = _tx_evidence(work, segment, sender, tx_reading)
    loss = excess = None
    loss_assessment = Assessment.UNKNOWN
    # below the sensitivity the receiver reads its own floor (-40 dBm on most devices): a "loss"
    # computed from it measures nothing, and the no-light finding already says what matters;
    # unless the port is up (light does arrive) or the sender's Tx is low (the value is that weak
    # laser's light): then the loss tells fiber from transmitter (issue 10 item 4)
    dark = rx_reading is not None and (rx_is_dark(rx_reading.rx_dbm, rx_reading.rx_los)
                                       or (rx is not None and rx.state == RxState.NO_LIGHT))
    measurable = (rx_reading is not None and rx_reading.rx_dbm is not None
                  and not rx_is_dark(rx_reading.rx_dbm, rx_reading.rx_los))
    if measurable and (not dark or up or tx_low):
        assert rx_reading is not None and rx_reading.rx_dbm is not None
        if tx_reading is None or tx_reading.tx_dbm is None:
            work.missing(ReadingKind.OPTICAL, sender.device, sender.port, segment=segment.index,
                         detail="no Tx power: segment loss cannot be computed" if tx_reading else "")
        else:
            loss = segment_loss_db(tx_reading.tx_dbm, rx_reading.rx_dbm)
            loss, excess, loss_assessment = _loss_evidence(
                work, segment, sender, receiver, loss, budget, (tx_reading.source, rx_reading.source))
    trusted_loss = rx_split is None and tx_split is None
    fiber = trusted_loss and loss is not None and excess is not None and loss_assessment == Assessment.FAULT
    # the sender's laser under its own low-alarm threshold with the loss within budget (at most the
    # fault margin over it): the module, not the fiber, is why less light arrives
    transmitter = (trusted_loss and tx_low and loss is not None
                   and loss_assessment in (Assessment.OK, Assessment.WARN))
    if fiber:
        assert loss is not None and excess is not None
        work.find(
            Verdict.FIBER_DEGRADED,
            f"第#{segment.index}段（{direction}）损耗 {fmt_db(loss)} dB，超出预算 {fmt_db(excess)} dB"
            f"（大于 {fmt_db(th.loss_over_budget_fault_db)} dB）：光纤劣化或连接器脏污/松动",
            f"segment #{segment.index} ({direction}) loses {fmt_db(loss)} dB, {fmt_db(excess)} dB over "
            f"its budget (more than {fmt_db(th.loss_over_budget_fault_db)} dB): degraded fiber or "
            f"dirty/loose connector",
            segment=segment.index, end=receiver)
    if transmitter:
        assert tx_reading is not None and tx_reading.tx_dbm is not None and loss is not None
        limit = fmt_db(tx_reading.tx_low_alarm_dbm or 0.0)
        work.find(
            Verdict.TRANSMITTER_FAULT,
            f"第#{segment.index}段（{direction}）发端 {sender.label} 发光 {fmt_db(tx_reading.tx_dbm)} dBm，低于其光模块"
            f"发光低告警门限 {limit} dBm，而段落损耗 {fmt_db(loss)} dB 在预算内：光模块故障，不是光纤问题",
            f"segment #{segment.index} ({direction}): {sender.label} transmits {fmt_db(tx_reading.tx_dbm)} dBm, below "
            f"its module's Tx low-alarm threshold {limit} dBm, while the loss {fmt_db(loss)} dB is within budget: "
            f"the optical module at that end, not the fiber",
            segment=segment.index, end=sender)
    if rx is not None and rx_split is None and rx_reading is not None:
        if rx.state == RxState.NO_LIGHT and up:
            assert status is not None
            explained = Verdict.FIBER_DEGRADED if fiber else (Verdict.TRANSMITTER_FAULT if transmitter else None)
            up_but_dark(work, segment, receiver, rx, status, rx_reading.source, explained)
        elif not (transmitter and rx.state in (RxState.NO_LIGHT, RxState.LOW_MARGIN)):
            _rx_finding(work, segment, receiver, rx, direction)
    return DirectionResult(sender, receiver, rx, loss, excess, loss_assessment)


def _tx_evidence(work: Work, segment: Segment, sender: PortEnd, reading: OpticalReading | None) -> bool:
    """Evidence `tx_power_dbm` where the module reports its own Tx low thresholds; True when the Tx
    is strictly under the low-alarm threshold of a port not shut by configuration (a shut port's
    laser is off on purpose)."""
    if reading is None or reading.tx_dbm is None or (reading.tx_low_alarm_dbm is None and reading.tx_low_warn_dbm is None):
        return False
    status = work.index.status.get(sender.key)
    shut = status is not None and status.admin == LinkState.DOWN
    tx = reading.tx_dbm
    alarm, warn = reading.tx_low_alarm_dbm, reading.tx_low_warn_dbm
    low = alarm is not None and (tx == -math.inf or (math.isfinite(tx) and db(tx) < db(alarm)))
    assessment = (Assessment.UNKNOWN if shut else Assessment.FAULT if low else
                  Assessment.WARN if warn is not None and tx <= warn else Assessment.OK)
    parts = [f"module Tx low alarm {fmt_db(alarm)} dBm" if alarm is not None else "",
             f"low warning {fmt_db(warn)} dBm" if warn is not None else ""]
    work.add(EvidenceItem(
        name="tx_power_dbm", value=tx if math.isfinite(tx) else None, unit="dBm", assessment=assessment,
        sources=(reading.source,), limit=alarm, threshold="; ".join(p for p in parts if p),
        segment=segment.index, device=sender.device, port=sender.port,
        note_zh="端口被管理性关闭：激光器关闭" if shut else ("发光低于光模块自身告警门限" if low else ""),
        note_en="port shut by configuration: laser off" if shut else ("Tx under the module's own alarm threshold" if low else "")))
    return low and not shut


def _loss_evidence(work: Work, segment: Segment, sender: PortEnd, receiver: PortEnd, loss: float,
                   budget: float | None, sources: tuple[Source, Source],
                   ) -> tuple[float, float | None, Assessment]:
    th = work.thresholds
    excess, assessment = (None, Assessment.UNKNOWN) if budget is None else assess_loss(loss, budget, th)
    threshold = ("budget unknown" if budget is None else
                 f"budget {fmt_db(budget)} dB; fault above {fmt_db(budget + th.loss_over_budget_fault_db)} dB")
    note_en = f"Tx {sender.label} − Rx {receiver.label}"
    if excess is not None:
        note_en += f"; {fmt_db(excess)} dB {'over' if excess > 0 else 'within'} budget"
    if loss < 0:
        assessment = Assessment.WARN
        note_en += "; Rx above Tx: one of the two readings is miscalibrated"
    work.add(EvidenceItem(
        name="segment_loss_db", value=loss, unit="dB", assessment=assessment, sources=sources,
        limit=budget, threshold=threshold, segment=segment.index, device=receiver.device,
        port=receiver.port, note_zh=f"发光 {sender.label} − 收光 {receiver.label}", note_en=note_en,
    ))
    if excess is not None:
        work.add(EvidenceItem(
            name="loss_over_budget_db", value=excess, unit="dB", assessment=assessment, sources=sources,
            limit=th.loss_over_budget_fault_db, threshold=f"fault above {fmt_db(th.loss_over_budget_fault_db)} dB over budget",
            segment=segment.index, device=receiver.device, port=receiver.port,
        ))
    return loss, excess, assessment


def _rx_evidence(work: Work, segment: Segment, receiver: PortEnd, rx: RxAssessment, source: Source) -> None:
    limits = rx.limits
    parts = []
    if limits.sensitivity_dbm is not None:
        parts.append(f"sensitivity {fmt_db(limits.sensitivity_dbm)} dBm ({limits.sensitivity_from})")
    if limits.overload_dbm is not None:
        parts.append(f"overload {fmt_db(limits.overload_dbm)} dBm ({limits.overload_from})")
    if limits.low_warn_dbm is not None:
        parts.append(f"module low warning {fmt_db(limits.low_warn_dbm)} dBm")
    value: float | str | None = rx.rx_dbm if rx.rx_dbm is not None else ("no light" if rx.state == RxState.NO_LIGHT else None)
    work.add(EvidenceItem(
        name="rx_power_dbm", value=value, unit="dBm", assessment=_RX_ASSESSMENT[rx.state],
        sources=(source,), limit=limits.sensitivity_dbm, threshold="; ".join(parts) or "limits unknown",
        segment=segment.index, device=receiver.device, port=receiver.port,
        note_zh=_RX_NOTES_ZH[rx.state], note_en=_RX_NOTES_EN[rx.state],
    ))
    if rx.margin_db is not None:
        margin_ok = rx.state not in (RxState.LOW_MARGIN, RxState.NO_LIGHT)
        work.add(EvidenceItem(
            name="rx_margin_db", value=rx.margin_db, unit="dB",
            assessment=Assessment.OK if margin_ok else Assessment.FAULT, sources=(source,),
            limit=work.thresholds.rx_low_margin_db,
            threshold=f"bit errors likely at or under {fmt_db(work.thresholds.rx_low_margin_db)} dB above sensitivity",
            segment=segment.index, device=receiver.device, port=receiver.port,
        ))


_RX_NOTES_ZH = {
    RxState.OK: "收光正常", RxState.NO_LIGHT: "收光低于灵敏度：无光/链路中断",
    RxState.LOW_MARGIN: "收光接近灵敏度（3 dB以内）：易产生误码", RxState.OVERLOAD: "收光超过过载点",
    RxState.UNKNOWN: "无法判断（缺少收光值或门限）",
}
_RX_NOTES_EN = {
    RxState.OK: "Rx power normal", RxState.NO_LIGHT: "Rx below sensitivity: no light / link down",
    RxState.LOW_MARGIN: "Rx within 3 dB above sensitivity: bit errors likely",
    RxState.OVERLOAD: "Rx above the overload point", RxState.UNKNOWN: "cannot judge (Rx value or limits missing)",
}


def _rx_finding(work: Work, segment: Segment, receiver: PortEnd, rx: RxAssessment, direction: str) -> None:
    where_zh = f"第#{segment.index}段（{direction}）"
    where_en = f"segment #{segment.index} ({direction})"
    rx_text = fmt_db(rx.rx_dbm) + " dBm" if rx.rx_dbm is not None else "no light"
    sens = rx.limits.sensitivity_dbm
    if rx.state == RxState.NO_LIGHT:
        work.find(Verdict.NO_LIGHT_FIBER_CUT,
                  f"{where_zh}收端 {receiver.label} 收光 {rx_text}，低于灵敏度{_dbm(sens)}：无光",
                  f"{where_en}: {receiver.label} receives {rx_text}, below its sensitivity{_dbm(sens)}: no light",
                  segment=segment.index, end=receiver)
    elif rx.state == RxState.OVERLOAD:
        over = rx.limits.overload_dbm
        work.find(Verdict.RX_OVERLOAD,
                  f"{where_zh}收端 {receiver.label} 收光 {rx_text}，高于过载点{_dbm(over)}",
                  f"{where_en}: {receiver.label} receives {rx_text}, above its overload point{_dbm(over)}",
                  segment=segment.index, end=receiver)
    elif rx.state == RxState.LOW_MARGIN:
        margin = f"{fmt_db(rx.margin_db)} dB" if rx.margin_db is not None else "below the module's low warning"
        work.find(Verdict.LOW_RX_MARGIN,
                  f"{where_zh}收端 {receiver.label} 收光 {rx_text}，仅高于灵敏度{_dbm(sens)} {margin}：易产生误码",
                  f"{where_en}: {receiver.label} receives {rx_text}, only {margin} above its sensitivity"
                  f"{_dbm(sens)}: bit errors likely",
                  segment=segment.index, end=receiver)


def _dbm(value: float | None) -> str:
    return f" {fmt_db(value)} dBm" if value is not None else ""
