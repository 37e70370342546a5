"""What a diagnosis says about where a fault is, and whether it agrees with a problem's root: pure
functions over the stored diagnosis (``diagnosis.Diagnosis.to_dict()``) and the circuit's path.

Each verdict is given one stance (``VERDICT_STANCE``, checked complete by a unit test): it names an
element of the path as the cause (segment, port, device), it found the path healthy, it could not tell,
or it is the circuit's own matter (its contracted rate). Only a verdict that names an element opens or
joins a problem; a ticket on the same element whose own diagnosis disagrees stays apart, with the reason.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from agent.problems.elements import Element, ElementKind
from collectors.enums import ProbableCause
from diagnosis.enums import Verdict

V = Verdict


class Stance(StrEnum):
    FAULT = "fault"  # names an element of the path as the cause
    HEALTHY = "healthy"  # found the path healthy (no alarm, no fault)
    INCONCLUSIVE = "inconclusive"  # could not tell where (unreachable, contradictions, no hand-over data)
    OWN = "own"  # the circuit's own matter (its rate, planned work on it)


# Where each verdict puts the fault. Segment verdicts are read at the diagnosis's first suspected
# segment; port and device verdicts at their finding's port or device.
VERDICT_STANCE: dict[Verdict, tuple[Stance, ElementKind | None]] = {
    V.NO_ALARM_REQUEST_RETURN: (Stance.HEALTHY, None),
    V.NO_FAULT_FOUND: (Stance.HEALTHY, None),
    V.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END: (Stance.FAULT, ElementKind.SEGMENT),
    V.FLAPPING_PORT: (Stance.FAULT, ElementKind.SEGMENT),
    V.FIBER_DEGRADED: (Stance.FAULT, ElementKind.SEGMENT),
    V.LOW_RX_MARGIN: (Stance.FAULT, ElementKind.SEGMENT),
    V.RX_OVERLOAD: (Stance.FAULT, ElementKind.SEGMENT),
    V.CRC_ERRORS: (Stance.FAULT, ElementKind.SEGMENT),
    V.DUPLEX_MISMATCH: (Stance.FAULT, ElementKind.SEGMENT),
    V.RX_POWER_DECLINING: (Stance.FAULT, ElementKind.SEGMENT),
    V.NO_LIGHT_FIBER_CUT: (Stance.FAULT, ElementKind.SEGMENT),
    V.TRANSMITTER_FAULT: (Stance.FAULT, ElementKind.SEGMENT),
    V.PORT_DOWN: (Stance.FAULT, ElementKind.SEGMENT),
    V.PORT_ADMIN_DOWN: (Stance.FAULT, ElementKind.PORT),
    V.EGRESS_CONGESTION: (Stance.FAULT, ElementKind.PORT),
    V.CUSTOMER_PREMISES_DOWN: (Stance.FAULT, ElementKind.DEVICE),
    V.CUSTOMER_RATE_LIMIT: (Stance.OWN, None),
    V.WITHIN_APPROVED_CUTOVER: (Stance.OWN, None),
    V.FAULT_SEGMENT_UNCLEAR: (Stance.INCONCLUSIVE, None),
    V.MISSING_HANDOVER_DATA: (Stance.INCONCLUSIVE, None),
    V.INCONCLUSIVE_UNREACHABLE: (Stance.INCONCLUSIVE, None),
    V.INCONCLUSIVE_READINGS_DISAGREE: (Stance.INCONCLUSIVE, None),
}

# Alarm causes that show an element dark or down: such an alarm on a shared element opens a problem
# before any ticket; on another port of an affected circuit it is a consequence of the root alarm.
DARK_CAUSES = frozenset({ProbableCause.LINK_DOWN.value, ProbableCause.LOSS_OF_SIGNAL.value})
SYMPTOM_CAUSES = DARK_CAUSES | {ProbableCause.RX_POWER_LOW.value}
# A symptom this long after the root alarm is its own event, not a consequence of it.
CONSEQUENCE_WINDOW = timedelta(minutes=10)
# A problem is opened for an element that carries at least this many circuits: one circuit's own
# element is that ticket's business alone.
SHARED_MIN_CIRCUITS = 2


@dataclass(frozen=True)
class Reading:
    """Where one diagnosis puts the fault."""

    verdict: str
    stance: Stance
    element: Element | None = None
    why: str = ""  # the element could not be placed (a segment verdict without a segment on the path)

    @property
    def names_element(self) -> bool:
        return self.stance is Stance.FAULT and self.element is not None


def read_diagnosis(data: Mapping[str, Any], hops: Sequence[Element]) -> Reading:
    """``data``: a stored diagnosis; ``hops``: the circuit's segments as elements, by path index."""
    verdict = str(data.get("verdict") or "")
    try:
        stance, kind = VERDICT_STANCE[Verdict(verdict)]
    except (ValueError, KeyError):
        return Reading(verdict, Stance.INCONCLUSIVE, why=f"verdict {verdict!r} is not one grouping knows")
    if stance is not Stance.FAULT:
        return Reading(verdict, stance)
    finding = next((f for f in data.get("findings") or () if f.get("verdict") == verdict), None)
    if kind is ElementKind.SEGMENT:
        index = _suspected_index(data, finding)
        if index is not None and 0 <= index < len(hops):
            return Reading(verdict, stance, hops[index])
        if finding and finding.get("device") and finding.get("port"):
            return Reading(verdict, stance, Element.of_port(finding["device"], finding["port"]))
        return Reading(verdict, Stance.INCONCLUSIVE, why=f"{verdict} names no segment of the path")
    if finding and finding.get("device"):
        if kind is ElementKind.PORT and finding.get("port"):
            return Reading(verdict, stance, Element.of_port(finding["device"], finding["port"]))
        return Reading(verdict, stance, Element.of_device(finding["device"]))
    return Reading(verdict, Stance.INCONCLUSIVE, why=f"{verdict} names no {kind.value}")


def _suspected_index(data: Mapping[str, Any], finding: Mapping[str, Any] | None) -> int | None:
    for seg in data.get("suspected_segments") or ():
        if seg.get("verdict") in (None, data.get("verdict")) and isinstance(seg.get("index"), int):
            return seg["index"]
    if finding is not None and isinstance(finding.get("segment"), int):
        return finding["segment"]
    suspects = data.get("suspected_segments") or ()
    return suspects[0]["index"] if suspects and isinstance(suspects[0].get("index"), int) else None


def on_path(root: Element, hops: Sequence[Element]) -> bool:
    """Whether the root element is on this path (a segment of it, a port or a device of it)."""
    return any(root.touches(h) for h in hops)


@dataclass(frozen=True)
class Decision:
    join: bool
    reason_zh: str
    reason_en: str


def agreement(reading: Reading, root: Element, *, root_alarm_active: bool) -> Decision:
    """Whether a ticket on a path through ``root`` joins the problem, given its own diagnosis.

    It joins when its diagnosis names the root (or an element that is the same cause: a port of the
    root fibre, the device holding it). It stays apart when its diagnosis puts the fault elsewhere, or
    finds its path healthy, or is the circuit's own matter. An inconclusive diagnosis joins only while
    an alarm shows the root dark: nothing of its own contradicts the alarm."""
    if reading.names_element and reading.element is not None:
        if reading.element.touches(root):
            return Decision(True, f"本单诊断指向同一位置：{reading.element.label}（{reading.verdict}）",
                            f"its own diagnosis names the same element: {reading.element.label} ({reading.verdict})")
        return Decision(False, f"本单诊断指向其他位置：{reading.element.label}（{reading.verdict}），不是 {root.label}",
                        f"its own diagnosis names a different element: {reading.element.label} ({reading.verdict}), "
                        f"not {root.label}")
    if reading.stance is Stance.HEALTHY:
        return Decision(False, f"本单诊断电路正常（{reading.verdict}），未见 {root.label} 故障",
                        f"its own diagnosis finds its path healthy ({reading.verdict}) through {root.label}")
    if reading.stance is Stance.OWN:
        return Decision(False, f"本单诊断为本电路自身问题（{reading.verdict}）",
                        f"its own diagnosis is the circuit's own matter ({reading.verdict})")
    why = f": {reading.why}" if reading.why else ""
    if root_alarm_active:
        return Decision(True, f"本单诊断不确定（{reading.verdict}），{root.label} 告警未消除",
                        f"its own diagnosis is inconclusive ({reading.verdict}{why}) and an alarm shows "
                        f"{root.label} down")
    return Decision(False, f"本单诊断不确定（{reading.verdict}），且 {root.label} 无活动告警，可人工关联",
                    f"its own diagnosis is inconclusive ({reading.verdict}{why}) and no active alarm shows "
                    f"{root.label} down; link it by hand if it belongs")
