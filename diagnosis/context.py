"""The working state of one `diagnose()` call: the inputs, and the evidence, findings and gaps the
rules add as they run. Created per call and dropped after it (no shared state between calls)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from diagnosis.enums import AccessState, Assessment, ContradictionKind, ReadingKind, SiteKind, Verdict
from diagnosis.index import ObservationIndex
from diagnosis.path import CircuitPath, PortEnd, Segment
from diagnosis.readings import Source
from diagnosis.result import Contradiction, EvidenceItem, Finding, NotChecked
from diagnosis.thresholds import Thresholds
from diagnosis.ticket import TicketContext
from diagnosis.wording import not_checked_texts


@dataclass
class Work:
    path: CircuitPath
    index: ObservationIndex
    ticket: TicketContext
    thresholds: Thresholds
    window_start: datetime
    window_end: datetime
    evidence: list[EvidenceItem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    not_checked: list[NotChecked] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)

    def add(self, item: EvidenceItem) -> EvidenceItem:
        self.evidence.append(item)
        return item

    def find(self, verdict: Verdict, reason_zh: str, reason_en: str, *, segment: int | None = None,
             end: PortEnd | None = None) -> None:
        self.findings.append(Finding(
            verdict=verdict, reason_zh=reason_zh, reason_en=reason_en, segment=segment,
            device=end.device if end else None, port=end.port if end else None,
        ))

    def missing(self, kind: ReadingKind, device: str | None, port: str | None, *,
                segment: int | None = None, detail: str = "",
                reason: AccessState | None = None) -> NotChecked:
        """Record that a reading is missing, with the reason the inputs give (device unreachable,
        gap reported, or simply no reading), as a `could_not_check` entry and an evidence item."""
        source: Source | None = None
        if reason is None:
            reason = AccessState.NOT_COLLECTED
            if device is not None and self.index.device_dead(device):
                reason = self.index.device_state(device)
                detail = detail or self.index.device_detail(device)
            elif device is not None and (gap := self.index.gap(device, port, kind)) is not None:
                reason, detail, source = gap.reason, detail or gap.detail, gap.source
        text_zh, text_en = not_checked_texts(kind, reason, device, port, detail)
        entry = NotChecked(kind=kind, reason=reason, device=device, port=port,
                           text_zh=text_zh, text_en=text_en)
        if entry not in self.not_checked:
            self.not_checked.append(entry)
            self.add(EvidenceItem(
                name=f"{kind.value}_missing", value=reason.value, unit="", assessment=Assessment.UNKNOWN,
                sources=(source,) if source else (), segment=segment, device=device, port=port,
                note_zh=text_zh, note_en=text_en,
            ))
        return entry

    def contradict(self, kind: ContradictionKind, readings: tuple[str, ...], text: tuple[str, str],
                   check: tuple[str, str], *, segment: int | None, end: PortEnd | None,
                   sources: tuple[Source, ...] = (), conclude: bool = True,
                   explained_by: Verdict | None = None) -> Contradiction:
        """Record readings that disagree (issue 10 item 5): a `Contradiction`, an evidence item
        `readings_disagree` naming them, and, unless another finding explains them (`conclude`
        False), an `inconclusive_readings_disagree` finding on the segment instead of a verdict."""
        found = Contradiction(kind=kind, readings=readings, text_zh=text[0], text_en=text[1],
                              check_zh=check[0], check_en=check[1], segment=segment,
                              device=end.device if end else None, port=end.port if end else None,
                              sources=sources, explained_by=explained_by)
        self.contradictions.append(found)
        self.add(EvidenceItem(
            name="readings_disagree", value=kind.value, unit="", assessment=Assessment.UNKNOWN,
            sources=sources, threshold=" vs ".join(readings), segment=segment,
            device=found.device, port=found.port, note_zh=text[0], note_en=text[1]))
        if conclude:
            self.find(Verdict.INCONCLUSIVE_READINGS_DISAGREE, f"读数矛盾：{text[0]}", f"readings disagree: {text[1]}",
                      segment=segment, end=end)
        return found

    def segment(self, index: int) -> Segment:
        return self.path.segments[index]

    def customer_devices(self) -> tuple[str, ...]:
        return tuple(d for d in self.path.devices() if self.path.site_kind_of(d) == SiteKind.CUSTOMER_PREMISES)

    def office_devices(self) -> tuple[str, ...]:
        return tuple(d for d in self.path.devices() if self.path.site_kind_of(d) != SiteKind.CUSTOMER_PREMISES)
