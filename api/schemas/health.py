"""A circuit's live health for the NOC (电路健康), per segment: loss against budget, Rx margins, oper
status, utilisation, and the verdict of a line-quality check. Shaped from agent.health.HealthReport."""
from __future__ import annotations

from pydantic import Field

from agent.health import EndHealth, HealthReport, SegmentHealth
from api.schemas.base import Instant, Out
from diagnosis.enums import Assessment, LinkState, SiteKind, Verdict
from diagnosis.result import EvidenceItem, Finding

Value = float | int | str | bool | None


class MeasureOut(Out):
    """A value the diagnosis judged, with the limit it was compared against."""

    value: Value
    unit: str
    limit: float | None
    assessment: Assessment
    threshold: str = Field(description="what the limit is, in words (budget, sensitivity ...)")
    note: str

    @classmethod
    def of(cls, e: EvidenceItem | None) -> MeasureOut | None:
        if e is None:
            return None
        return cls(value=e.value, unit=e.unit, limit=e.limit, assessment=e.assessment, threshold=e.threshold,
                   note=e.note_en)


class DirectionLossOut(Out):
    towards: str = Field(description="the receiving end: device and port")
    value: Value
    unit: str
    limit: float | None
    assessment: Assessment
    threshold: str
    note: str

    @classmethod
    def of(cls, e: EvidenceItem) -> DirectionLossOut:
        return cls(towards=f"{e.device} {e.port}", **MeasureOut.of(e).model_dump())


class UtilisationOut(Out):
    in_mbps: float | None
    out_mbps: float | None
    speed_mbps: float | None
    fraction: float | None = Field(description="the busier direction over the port speed")


class EndHealthOut(Out):
    device: str
    port: str
    site_kind: SiteKind
    oper_status: LinkState | None
    admin_status: LinkState | None
    rx_dbm: float | None = Field(description="None also when no light arrives")
    tx_dbm: float | None
    rx_sensitivity_dbm: float | None = Field(description="the module's DDM threshold, else the inventory's figure")
    rx_margin: MeasureOut | None
    utilisation: UtilisationOut | None

    @classmethod
    def of(cls, end: EndHealth) -> EndHealthOut:
        return cls(device=end.device, port=end.port, site_kind=end.site_kind, oper_status=end.oper_status,
                   admin_status=end.admin_status, rx_dbm=end.rx_dbm, tx_dbm=end.tx_dbm,
                   rx_sensitivity_dbm=end.rx_sensitivity_dbm, rx_margin=MeasureOut.of(end.rx_margin),
                   utilisation=UtilisationOut.model_validate(end.utilisation) if end.utilisation else None)


class SegmentHealthOut(Out):
    index: int
    a: EndHealthOut
    z: EndHealthOut
    length_km: float
    loss_db: MeasureOut | None = Field(description="the worse direction's fibre loss")
    loss_budget_db: float | None
    loss_by_direction: list[DirectionLossOut]
    suspected: bool
    verdict: Verdict | None = Field(description="the suspected segment's verdict")
    reason: str | None

    @classmethod
    def of(cls, seg: SegmentHealth) -> SegmentHealthOut:
        s = seg.suspect
        return cls(index=seg.index, a=EndHealthOut.of(seg.a), z=EndHealthOut.of(seg.z), length_km=seg.length_km,
                   loss_db=MeasureOut.of(seg.loss), loss_budget_db=seg.loss_budget_db,
                   loss_by_direction=[DirectionLossOut.of(e) for e in seg.loss_by_direction],
                   suspected=s is not None, verdict=s.verdict if s else None, reason=s.reason_en if s else None)


class SummaryOut(Out):
    zh: str
    en: str


class FindingBrief(Out):
    verdict: Verdict
    segment: int | None
    reason: str

    @classmethod
    def of(cls, f: Finding) -> FindingBrief:
        return cls(verdict=f.verdict, segment=f.segment, reason=f.reason_en)


class AlarmWindowOut(Out):
    start: Instant
    hours: float = Field(description="stored alarms this far back count as the circuit's history")
    stored_alarms: int


class CircuitHealthOut(Out):
    circuit_id: str
    customer: str
    rate_mbps: float | None
    checked_at: Instant
    verdict: Verdict
    healthy: bool
    summary: SummaryOut
    suspected_segments: list[int]
    segments: list[SegmentHealthOut]
    could_not_check: list[str]
    findings: list[FindingBrief]
    alarm_window: AlarmWindowOut
    duration_ms: float

    @classmethod
    def of(cls, r: HealthReport) -> CircuitHealthOut:
        d = r.diagnosis
        return cls(circuit_id=r.circuit_id, customer=r.customer, rate_mbps=r.rate_mbps, checked_at=d.made_at,
                   verdict=d.verdict, healthy=r.healthy, summary=SummaryOut(zh=d.summary_zh, en=d.summary_en),
                   suspected_segments=[s.index for s in d.suspected_segments],
                   segments=[SegmentHealthOut.of(s) for s in r.segments],
                   could_not_check=[n.text_en for n in d.could_not_check],
                   findings=[FindingBrief.of(f) for f in d.findings],
                   alarm_window=AlarmWindowOut.model_validate(r.alarm_window), duration_ms=r.duration_ms)
