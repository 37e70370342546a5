"""Request and response models of the reports routes (api/routers/reports.py) and of the cutover
approval chain's routes (api/routers/cutovers.py, the new ones), on the shared camelCase bases of
api/schemas/base.py."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from agent.models import (
    Cutover,
    CutoverDecision,
    FaultReport,
    FaultReportVersion,
    OptimisationRequest,
)
from agent.reports import meta
from api.schemas.base import In, Instant, Out
from api.schemas.cutovers import CutoverOut

Text = Annotated[str, Field(max_length=20000)]
Note = Annotated[str, Field(max_length=4000)]


# --- fault reports -------------------------------------------------------------------------------
class FaultReportMetaOut(Out):
    report_id: int
    ticket_id: int
    resolution_seq: int = Field(description="which resolution of the ticket it reports (0 before any reopen)")
    state: Literal["draft", "submitted"] = Field(description="of this version")
    version: int
    latest_version: int
    origin: Literal["drafted", "edited", "redrafted"]
    author: str
    created_at: str
    note: str | None
    submitted_at: str | None
    submitted_by: str | None
    submitted_version: int | None


class FaultReportOut(Out):
    """One version of a fault report: its place among the versions and its content (docs/reports.md)."""

    meta: FaultReportMetaOut
    content: dict[str, Any] = Field(description="the drafted report, schema 1: facts from the record, the officer's texts")

    @classmethod
    def of(cls, report: FaultReport, version: FaultReportVersion) -> FaultReportOut:
        return cls(meta=FaultReportMetaOut(**meta(report, version)), content=version.content)


class FaultReportVersionsOut(Out):
    versions: list[FaultReportMetaOut]


class FaultReportEdit(In):
    base_version: int = Field(ge=1, description="the version the edit was made on")
    cause: Text | None = None
    summary: Text | None = None
    preventive_actions: Text | None = None
    remarks: Text | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None

    def changes(self) -> dict[str, str]:
        named = {"cause": self.cause, "summary": self.summary, "preventiveActions": self.preventive_actions,
                 "remarks": self.remarks}
        return {k: v for k, v in named.items() if v is not None}


class FaultReportAction(In):
    base_version: int = Field(ge=1)
    note: Annotated[str, Field(max_length=2000)] | None = None


class YearCoverageOut(Out):
    year: int
    source: Literal["holiday_file", "chinese_calendar", "statutory"]
    complete: bool = Field(description="false: only the statutory holidays are known, not the adjusted working days")
    detail: str
    message: str


class CalendarCoverageOut(Out):
    years: list[YearCoverageOut]
    warnings: list[YearCoverageOut]


# --- the cutover approval chain ------------------------------------------------------------------
_NAME = r"^[A-Za-z0-9][A-Za-z0-9._:/\-]*$"


class Element(In):
    device: str = Field(min_length=1, max_length=128, pattern=_NAME)
    port: str | None = Field(None, min_length=1, max_length=128, pattern=_NAME)


class CutoverApplication(In):
    """The branch's application (分公司运维部发起电路割接申请) to the province."""

    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/\-]+$")
    description: str = Field("", max_length=4000)
    branch: str = Field(min_length=1, max_length=200)
    start: AwareDatetime
    end: AwareDatetime
    elements: list[Element] = Field(default_factory=list, max_length=500,
                                    description="devices (or ports) the work interrupts")
    circuits: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(default_factory=list, max_length=500)


class Decision(In):
    approved: bool
    note: Note | None = None


class PlanReview(Decision):
    international: bool = Field(description="the province center's finding: an international circuit is affected")


class InternationalDecision(Decision):
    approver: str = Field(min_length=1, max_length=200, description="who decided at the group's international CS")


class CustomerConsent(In):
    consented: bool
    customer_manager: str = Field(min_length=1, max_length=200)
    customer_person: str = Field(min_length=1, max_length=200)
    note: Note | None = None


class ElementOut(Out):
    device: str
    port: str | None


class CutoverInChainOut(CutoverOut):
    state: str = Field(description="applied, plan_review, international_review, customer_consent, approved, "
                                   "plan_rejected, window_refused, customer_refused")
    branch: str | None
    elements: list[ElementOut]
    affects_customers: bool | None
    international: bool | None


class CutoverDecisionOut(Out):
    at: Instant
    step: str
    outcome: str
    from_state: str
    to_state: str
    actor: str
    role: str
    text: str
    data: dict[str, Any] | None

    @classmethod
    def of(cls, d: CutoverDecision) -> CutoverDecisionOut:
        return cls(at=d.at, step=d.step, outcome=d.outcome, from_state=d.from_state, to_state=d.to_state,
                   actor=d.actor, role=d.role, text=d.text, data=d.data)


class CutoverChainOut(Out):
    cutover: CutoverInChainOut
    decisions: list[CutoverDecisionOut]
    next_step: str | None = Field(description="the step the chain waits for; null when it has ended")

    @classmethod
    def of(cls, row: Cutover, decisions, next_step) -> CutoverChainOut:
        base = CutoverOut.of(row).model_dump()
        cutover = CutoverInChainOut(**base, state=row.state, branch=row.branch,
                                    elements=[ElementOut(device=e["device"], port=e.get("port")) for e in row.elements or []],
                                    affects_customers=row.affects_customers, international=row.international)
        return cls(cutover=cutover, decisions=[CutoverDecisionOut.of(d) for d in decisions],
                   next_step=next_step.value if next_step is not None else None)


# --- network optimisation ------------------------------------------------------------------------
class ProposalOut(Out):
    rank: int
    kind: Literal["segment", "port", "customer"]
    key: str
    subject: dict[str, str]
    tickets: list[str]
    occurrences: int
    first_at: str
    last_at: str
    verdicts: dict[str, int]
    circuits: list[str]
    text_zh: str
    text_en: str


class OptimisationProposalsOut(Out):
    start: str = Field(serialization_alias="from")
    end: str = Field(serialization_alias="to")
    proposals: list[ProposalOut]


class OptimisationRequestIn(In):
    key: str = Field(min_length=1, max_length=400, description="the proposal's key, as listed")
    start: AwareDatetime | None = Field(None, alias="from", description="the period the proposal was found in")
    end: AwareDatetime | None = Field(None, alias="to")
    needs_construction: bool | None = None
    note: Note | None = None


class OptimisationProgressIn(In):
    state: Literal["in_progress", "done", "rejected"]
    needs_construction: bool | None = None
    note: Note | None = None


class OptimisationRequestOut(Out):
    id: int
    key: str
    kind: str
    subject: dict[str, Any]
    state: Literal["open", "in_progress", "done", "rejected"]
    needs_construction: bool | None
    track: str
    evidence: dict[str, Any]
    created_at: str
    created_by: str
    updated_at: str
    history: list[dict[str, Any]]

    @classmethod
    def of(cls, row: OptimisationRequest) -> OptimisationRequestOut:
        from agent.reports.requests import request_out

        return cls(**{k: v for k, v in request_out(row).items()})
