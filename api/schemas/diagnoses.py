"""The diagnosis JSON (诊断结论), schema version 2: camelCase throughout, documented in docs/diagnosis-json.md.

A diagnosis is stored as ``diagnosis.result.Diagnosis.to_dict()`` (snake_case, the field names of the
dataclasses) beside the row's own columns; ``DiagnosisOut.of(row)`` reads both by field name and the
API writes the camelCase aliases. One model per dataclass of diagnosis/result.py, field for field, so a
field added there is one line here (tests/unit/api/test_diagnosis_json.py names any that is missing).
Defaults are only where a diagnosis stored before the field existed must still be readable.
"""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from agent.models import Diagnosis as DiagnosisRow
from api.schemas.base import Instant, Out
from diagnosis.enums import (
    AccessState,
    ActionCode,
    Assessment,
    Confidence,
    ContradictionKind,
    Method,
    Playbook,
    ReadingKind,
    SiteKind,
    Verdict,
)

SCHEMA_VERSION = 2
Value = float | int | str | bool | None


class SourceOut(Out):
    """A reading an evidence item cites: where and how it was read, and the device's own words."""

    device: str
    port: str | None
    method: Method
    reference: str = Field(description="the OID, CLI command or store table read")
    raw: str = Field(description="the excerpt of the device's answer the value was parsed from")
    time: Instant


class EvidenceOut(Out):
    """One value a rule looked at, with the limit it was compared against."""

    name: str = Field(description="stable name of the quantity: segment_loss_db, rx_margin_db, oper_status, alarm ...")
    value: Value
    unit: str
    assessment: Assessment
    sources: list[SourceOut] = Field(description="the readings cited, the main one first")
    limit: float | None = Field(description="the number compared against")
    threshold: str = Field(description="what the limit is, in words (budget, sensitivity ...)")
    segment: int | None
    device: str | None
    port: str | None
    note_zh: str
    note_en: str
    method: Method | None = Field(description="the main source's method (sources[0]), None without a source")
    reference: str | None = Field(description="the main source's reference")
    raw: str | None = Field(description="the main source's raw text")
    time: Instant | None = Field(description="the main source's time")


class FindingOut(Out):
    """One rule that fired: the verdict it supports, where, and why."""

    verdict: Verdict
    reason_zh: str
    reason_en: str
    segment: int | None
    device: str | None
    port: str | None


class SuspectedSegmentOut(Out):
    index: int = Field(description="the segment's index in the circuit's path (0 at the customer end)")
    a: str = Field(description="the A end, 'device port'")
    z: str = Field(description="the Z end, 'device port'")
    site_kinds: tuple[SiteKind, SiteKind] = Field(description="the kinds of site at the A and Z ends")
    verdict: Verdict
    reason_zh: str
    reason_en: str


class ActionOut(Out):
    code: ActionCode
    text_zh: str
    text_en: str


class LoopPointOut(Out):
    """A port where the next loop test (打环) should be set, in order."""

    order: int
    device: str
    port: str
    site_kind: SiteKind
    segment: int
    reason_zh: str
    reason_en: str


class NotCheckedOut(Out):
    """Something the diagnosis could not check, and why."""

    kind: ReadingKind
    reason: AccessState
    device: str | None
    port: str | None
    text_zh: str
    text_en: str


class ConfidenceReasonOut(Out):
    """Why the confidence is what it is."""

    text_zh: str
    text_en: str


class ContradictionOut(Out):
    """Readings that cannot all be true: named, sourced, and the check that settles them."""

    kind: ContradictionKind
    readings: list[str] = Field(description="the evidence names that disagree, e.g. oper_status, rx_power_dbm")
    text_zh: str
    text_en: str
    check_zh: str = Field(description="the check that settles which reading is right")
    check_en: str
    segment: int | None
    device: str | None
    port: str | None
    sources: list[SourceOut]
    explained_by: Verdict | None = Field(description="a finding that accounts for the readings, if any")


class DiagnosisOut(Out):
    """A triage result of a ticket."""

    schema_version: Literal[2] = Field(SCHEMA_VERSION, description="version of this JSON; 2 is camelCase throughout")
    id: int = Field(description="the diagnosis id")
    created_at: Instant = Field(description="when the diagnosis was stored")
    playbook: Playbook
    verdict: Verdict
    summary: str = Field(description="summaryZh and summaryEn on two lines")
    duration_ms: float | None = Field(description="ticket arrival (or re-run request) to diagnosis stored")
    circuit_id: str
    ticket_id: str
    summary_zh: str
    summary_en: str
    made_at: Instant = Field(description="when the diagnosis was made (the readings' time)")
    window_start: Instant = Field(description="start of the window alarms and flaps were looked for in")
    window_end: Instant
    suspected_segments: list[SuspectedSegmentOut] = Field(description="most likely first")
    findings: list[FindingOut]
    evidence: list[EvidenceOut]
    actions: list[ActionOut] = Field(description="recommended actions, in order")
    loop_plan: list[LoopPointOut] = Field(description="where to set the next loop tests, in order")
    could_not_check: list[NotCheckedOut]
    # stored before issue 10 item 5: no confidence recorded (the diagnosis then made no such claim)
    confidence: Confidence = Field(Confidence.HIGH, description="high | medium | low: how far the verdict can be acted on")
    confidence_reasons: list[ConfidenceReasonOut] = Field(default_factory=list)
    contradictions: list[ContradictionOut] = Field(default_factory=list,
                                                   description="readings that disagree; never concluded from")

    basis: Literal["triage"] = Field("triage", description="triage (read from the devices) or loop_test")

    @classmethod
    def of(cls, row: DiagnosisRow) -> DiagnosisOut | LoopDiagnosisOut:
        """The stored diagnosis (its snake_case ``data``) under the row's id, time, verdict and duration; a
        loop-test localisation's conclusion has its own shape (``LoopDiagnosisOut``)."""
        if (row.data or {}).get("basis") == LoopDiagnosisOut.BASIS:
            return LoopDiagnosisOut.of(row)
        return cls.model_validate({**row.data, "id": row.id, "created_at": row.created_at, "playbook": row.playbook,
                                   "verdict": row.verdict, "summary": row.summary, "duration_ms": row.duration_ms})


class LoopPointResultOut(Out):
    """What one loop point of a localisation showed (环测点): set, observed at the far end, cleared."""

    loop_test_id: int
    order: int
    device: str
    port: str
    segment: int | None
    state: str = Field(description="the loop test's final state (cleared, not_set, clear_failed ...)")
    signal: str | None = Field(description="returned | degraded | not_returned | unknown")
    observer: dict[str, str | None] = Field(description="the far-end port the reflection was watched on")
    rx_dbm: float | None
    round_trip_loss_db: float | None
    text_zh: str
    text_en: str


class LoopSuspectOut(Out):
    index: int
    reason_zh: str
    reason_en: str


class LoopDiagnosisOut(Out):
    """The conclusion of a loop-test localisation (basis loop_test): it supersedes the triage diagnosis
    it names, with the evidence of each loop point (环测时在系统中追加打环点等信息)."""

    BASIS: ClassVar[str] = "loop_test"
    schema_version: Literal[2] = Field(SCHEMA_VERSION)
    id: int
    created_at: Instant
    basis: Literal["loop_test"] = "loop_test"
    playbook: Literal["loop_test"] = "loop_test"
    verdict: str = Field(description="loop_fault_segment | loop_no_line_fault | loop_inconclusive")
    summary: str
    duration_ms: float | None
    supersedes: int | None = Field(description="the triage diagnosis this one replaces")
    localisation_id: int
    circuit_id: str
    summary_zh: str
    summary_en: str
    made_at: Instant
    suspected_segments: list[LoopSuspectOut]
    evidence: list[LoopPointResultOut] = Field(description="one item per loop point, in the order they were set")

    @classmethod
    def of(cls, row: DiagnosisRow) -> LoopDiagnosisOut:
        return cls.model_validate({**row.data, "id": row.id, "created_at": row.created_at, "verdict": row.verdict,
                                   "summary": row.summary, "duration_ms": row.duration_ms})
