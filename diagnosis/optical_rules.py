"""Segment by segment optical check (逐段查询线路光功率、光衰): for each fiber direction of each
segment, the Rx power against the receiver's limits and the loss Tx(A) − Rx(Z) against the budget.
Used by playbook 2 (latency/errors) and playbook 3 (interruption)."""
from __future__ import annotations

from dataclasses import dataclass

from diagnosis.budget import (
    RxAssessment, RxState, assess_loss, assess_rx, rx_is_dark, segment_budget, segment_loss_db,
)
from diagnosis.context import Work
from diagnosis.enums import Assessment, Method, ReadingKind, Verdict
from diagnosis.optics import rx_limits
from diagnosis.path import PortEnd, Segment
from diagnosis.readings import Source
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
        _rx_finding(work, segment, receiver, rx, direction)
    loss = excess = None
    loss_assessment = Assessment.UNKNOWN
    # below the sensitivity the receiver reads its own floor (-40 dBm on most devices): a "loss"
    # computed from it measures nothing, and the no-light finding already says what matters
    dark = rx_reading is not None and (rx_is_dark(rx_reading.rx_dbm, rx_reading.rx_los)
                                       or (rx is not None and rx.state == RxState.NO_LIGHT))
    if rx_reading is not None and rx_reading.rx_dbm is not None and not dark:
        if tx_reading is None or tx_reading.tx_dbm is None:
            work.missing(ReadingKind.OPTICAL, sender.device, sender.port, segment=segment.index,
                         detail="no Tx power: segment loss cannot be computed" if tx_reading else "")
        else:
            loss = segment_loss_db(tx_reading.tx_dbm, rx_reading.rx_dbm)
            loss, excess, loss_assessment = _loss_evidence(
                work, segment, sender, receiver, loss, budget, (tx_reading.source, rx_reading.source))
            if loss_assessment == Assessment.FAULT and excess is not None:
                work.find(
                    Verdict.FIBER_DEGRADED,
                    f"第#{segment.index}段（{direction}）损耗 {fmt_db(loss)} dB，超出预算 {fmt_db(excess)} dB"
                    f"（大于 {fmt_db(th.loss_over_budget_fault_db)} dB）：光纤劣化或连接器脏污/松动",
                    f"segment #{segment.index} ({direction}) loses {fmt_db(loss)} dB, {fmt_db(excess)} dB over "
                    f"its budget (more than {fmt_db(th.loss_over_budget_fault_db)} dB): degraded fiber or "
                    f"dirty/loose connector",
                    segment=segment.index, end=receiver)
    return DirectionResult(sender, receiver, rx, loss, excess, loss_assessment)


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
