"""Health grades (健康等级) from a diagnosis: the NOC's ok / degraded / down / unknown of a circuit and
of each of its segments, with the reasons.

No rule of its own: a grade is what the diagnosis found (playbook 2, the line-quality check, run on the
latest polled readings), each verdict mapped to the grade it means for the service. Loss against
budget, Rx margin, error rates, utilisation against the contracted rate, status and flapping are the
diagnosis's findings; the caller adds what the diagnosis does not see (open tickets, active alarms)
as ``extra`` reasons.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from diagnosis.enums import Grade, Verdict
from diagnosis.result import Diagnosis

GRADE_ORDER: tuple[Grade, ...] = (Grade.DOWN, Grade.DEGRADED, Grade.UNKNOWN, Grade.OK)
RANK: dict[Grade, int] = {g: i for i, g in enumerate(GRADE_ORDER)}  # 0 = worst

V = Verdict
# What each verdict means for the service. The service is down when a segment carries no traffic
# (no light, a port down or shut, the customer's device off); degraded when it runs with errors,
# excess loss, thin margin, a flapping port, congestion or an ailing laser; unknown when the readings
# that decide could not be had or contradict each other. An early warning (slow Rx decline) is not a
# grade: the service is fine today, and the early warning is listed with its projected date.
VERDICT_GRADE: dict[Verdict, Grade] = {
    V.NO_LIGHT_FIBER_CUT: Grade.DOWN, V.PORT_DOWN: Grade.DOWN, V.PORT_ADMIN_DOWN: Grade.DOWN,
    V.CUSTOMER_PREMISES_DOWN: Grade.DOWN,
    V.FIBER_DEGRADED: Grade.DEGRADED, V.LOW_RX_MARGIN: Grade.DEGRADED, V.RX_OVERLOAD: Grade.DEGRADED,
    V.CRC_ERRORS: Grade.DEGRADED, V.DUPLEX_MISMATCH: Grade.DEGRADED, V.CUSTOMER_RATE_LIMIT: Grade.DEGRADED,
    V.EGRESS_CONGESTION: Grade.DEGRADED, V.FLAPPING_PORT: Grade.DEGRADED, V.TRANSMITTER_FAULT: Grade.DEGRADED,
    V.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END: Grade.DEGRADED,
    V.INCONCLUSIVE_UNREACHABLE: Grade.UNKNOWN, V.INCONCLUSIVE_READINGS_DISAGREE: Grade.UNKNOWN,
    V.MISSING_HANDOVER_DATA: Grade.UNKNOWN, V.FAULT_SEGMENT_UNCLEAR: Grade.UNKNOWN,
    V.RX_POWER_DECLINING: Grade.OK, V.NO_FAULT_FOUND: Grade.OK, V.NO_ALARM_REQUEST_RETURN: Grade.OK,
    V.WITHIN_APPROVED_CUTOVER: Grade.OK,
}


@dataclass(frozen=True)
class Reason:
    grade: Grade
    code: str  # the verdict, or the caller's code (open_ticket, active_alarm)
    text_zh: str
    text_en: str
    segment: int | None = None
    device: str | None = None
    port: str | None = None


@dataclass(frozen=True)
class SegmentGrade:
    index: int
    grade: Grade
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class CircuitGrade:
    circuit_id: str
    grade: Grade
    verdict: Verdict
    reasons: tuple[Reason, ...]  # worst first
    segments: tuple[SegmentGrade, ...]

    @property
    def rank(self) -> int:
        return RANK[self.grade]


def worst(grades: Iterable[Grade], default: Grade = Grade.OK) -> Grade:
    return min(grades, key=RANK.__getitem__, default=default)


def grade(result: Diagnosis, segments: Iterable[int], extra: Iterable[Reason] = ()) -> CircuitGrade:
    """The circuit's grade: the worst of its findings' grades (without findings, the verdict's: no
    fault found ok, nothing readable unknown) and the extra reasons. Every reason is kept, worst
    first, early warnings included (they leave the grade as it is)."""
    reasons = [Reason(VERDICT_GRADE[f.verdict], f.verdict.value, f.reason_zh, f.reason_en, f.segment, f.device, f.port)
               for f in result.findings]
    if not reasons:  # a conclusion no rule fired for (no fault found, nothing readable) grades too
        reasons.append(Reason(VERDICT_GRADE[result.verdict], result.verdict.value, result.summary_zh,
                              result.summary_en))
    reasons += list(extra)
    reasons.sort(key=lambda r: RANK[r.grade])  # stable: the diagnosis's priority order within a grade
    per_segment = tuple(
        SegmentGrade(i, worst((r.grade for r in reasons if r.segment == i), Grade.OK),
                     tuple(r for r in reasons if r.segment == i))
        for i in segments)
    return CircuitGrade(result.circuit_id, worst(r.grade for r in reasons), result.verdict, tuple(reasons), per_segment)
