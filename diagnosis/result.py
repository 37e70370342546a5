"""The diagnosis (诊断结论): verdict, summaries, suspected segments, evidence, actions, loop plan.

`Diagnosis.to_dict()` is the JSON-ready structured form (stored, served by the API, appended to the
journal next to the text); `diagnosis.render.render_text(d)` is the readable form for the journal.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from diagnosis.enums import (
    AccessState, ActionCode, Assessment, Confidence, ContradictionKind, Method, Playbook, ReadingKind,
    SiteKind, Verdict,
)
from diagnosis.readings import Source

Value = float | int | str | bool | None


@dataclass(frozen=True)
class EvidenceItem:
    """One value a rule looked at. `name` is stable (tests and the API key on it); `limit` is the
    number compared against and `threshold` says in words what it is (budget, sensitivity ...).
    `sources` cites the readings, the first being the main one."""

    name: str
    value: Value
    unit: str
    assessment: Assessment
    sources: tuple[Source, ...] = ()
    limit: float | None = None
    threshold: str = ""
    segment: int | None = None
    device: str | None = None
    port: str | None = None
    note_zh: str = ""
    note_en: str = ""

    @property
    def method(self) -> Method | None:
        return self.sources[0].method if self.sources else None

    @property
    def raw(self) -> str:
        return self.sources[0].raw if self.sources else ""

    @property
    def time(self) -> datetime | None:
        return self.sources[0].time if self.sources else None


@dataclass(frozen=True)
class Finding:
    """One rule that fired: the verdict it supports, where, and why (both languages)."""

    verdict: Verdict
    reason_zh: str
    reason_en: str
    segment: int | None = None
    device: str | None = None
    port: str | None = None


@dataclass(frozen=True)
class SuspectedSegment:
    index: int
    a: str
    z: str
    site_kinds: tuple[SiteKind, SiteKind]
    verdict: Verdict
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class RecommendedAction:
    code: ActionCode
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class LoopPoint:
    """A port where the next loop test (环测/打环) should be set, in order. Every loop point set must
    be appended to the ticket's journal."""

    order: int
    device: str
    port: str
    site_kind: SiteKind
    segment: int
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class NotChecked:
    """Something the diagnosis could not check, and why (device unreachable, reading missing ...)."""

    kind: ReadingKind
    reason: AccessState
    device: str | None
    port: str | None
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class Contradiction:
    """Readings that cannot all be true (issue 10 item 5: a contradiction is not a conclusion).

    `readings` names the evidence that disagrees (e.g. ("oper_status", "rx_power_dbm")) and
    `sources` cites each reading; `check_*` is the check that settles which one is right."""

    kind: ContradictionKind
    readings: tuple[str, ...]
    text_zh: str
    text_en: str
    check_zh: str
    check_en: str
    segment: int | None = None
    device: str | None = None
    port: str | None = None
    sources: tuple[Source, ...] = ()
    # another finding that accounts for the readings (e.g. fiber_degraded: light does arrive, weaker
    # than the limit says); the verdict then rests on that finding, with a lowered confidence
    explained_by: Verdict | None = None


@dataclass(frozen=True)
class ConfidenceReason:
    """Why the confidence is what it is (one line each, both languages)."""

    text_zh: str
    text_en: str


@dataclass(frozen=True)
class Diagnosis:
    circuit_id: str
    ticket_id: str
    playbook: Playbook
    verdict: Verdict
    summary_zh: str
    summary_en: str
    made_at: datetime
    window_start: datetime
    window_end: datetime
    suspected_segments: tuple[SuspectedSegment, ...] = ()
    findings: tuple[Finding, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    actions: tuple[RecommendedAction, ...] = ()
    loop_plan: tuple[LoopPoint, ...] = ()
    could_not_check: tuple[NotChecked, ...] = field(default_factory=tuple)
    # how far the verdict can be acted on, and why (issue 10 item 5); lowered by contradictions,
    # readings that could not be had, and inconclusive verdicts
    confidence: Confidence = Confidence.HIGH
    confidence_reasons: tuple[ConfidenceReason, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()

    @property
    def suspected_segment(self) -> int | None:
        """The first (most likely) suspected segment's index, if any."""
        return self.suspected_segments[0].index if self.suspected_segments else None

    def evidence_named(
        self, name: str, *, segment: int | None = None, device: str | None = None,
        port: str | None = None,
    ) -> tuple[EvidenceItem, ...]:
        """Evidence items of one name, optionally narrowed to a segment, device or port."""
        return tuple(
            item for item in self.evidence
            if item.name == name
            and (segment is None or item.segment == segment)
            and (device is None or item.device == device)
            and (port is None or item.port == port)
        )

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(self)


def _jsonable(value: Any) -> Any:
    """Dataclasses to dicts, enums to their values, datetimes to ISO 8601, floats rounded to 0.01 and
    non-finite floats (a module's -inf for "no light") to None: the result passes json.dumps."""
    if isinstance(value, Source):
        return {
            "device": value.device, "port": value.port, "method": value.method.value,
            "reference": value.reference, "raw": value.raw, "time": value.time.isoformat(),
        }
    if isinstance(value, EvidenceItem):
        # the main source flattened too, so a reader needs not dig into `sources` for the usual case
        main = value.sources[0] if value.sources else None
        return {**{name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__},
                "method": main.method.value if main else None, "reference": main.reference if main else None,
                "raw": main.raw if main else None, "time": main.time.isoformat() if main else None}
    if hasattr(value, "__dataclass_fields__"):
        return {name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):  # StrEnum included: its value
        return str(value)
    if isinstance(value, float):
        return round(value, 2) if math.isfinite(value) else None
    return value
