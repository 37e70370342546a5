"""Request and response models of the reports routes (api/routers/reports.py) and of the cutover
approval chain's routes (api/routers/cutovers.py, the new ones). Kept apart from api/schemas.py."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Text = Annotated[str, Field(max_length=20000)]


class FaultReportOut(BaseModel):
    """One version of a fault report: its place among the versions and its content."""

    meta: dict[str, Any]
    content: dict[str, Any]


class FaultReportVersionOut(BaseModel):
    versions: list[dict[str, Any]]


class FaultReportEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_version: int = Field(alias="baseVersion", ge=1, description="the version the edit was made on")
    cause: Text | None = None
    summary: Text | None = None
    preventive_actions: Text | None = Field(None, alias="preventiveActions")
    remarks: Text | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None

    def changes(self) -> dict[str, str]:
        named = {"cause": self.cause, "summary": self.summary, "preventiveActions": self.preventive_actions,
                 "remarks": self.remarks}
        return {k: v for k, v in named.items() if v is not None}


class FaultReportAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_version: int = Field(alias="baseVersion", ge=1)
    note: Annotated[str, Field(max_length=2000)] | None = None


class CalendarCoverageOut(BaseModel):
    years: list[dict[str, Any]]
    warnings: list[dict[str, Any]]


# --- the cutover approval chain ------------------------------------------------------------------
_NAME = r"^[A-Za-z0-9][A-Za-z0-9._:/\-]*$"


class Element(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device: str = Field(min_length=1, max_length=128, pattern=_NAME)
    port: str | None = Field(None, min_length=1, max_length=128, pattern=_NAME)


class CutoverApplication(BaseModel):
    """The branch's application (分公司运维部发起电路割接申请) to the province."""

    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/\-]+$")
    description: str = Field("", max_length=4000)
    branch: str = Field(min_length=1, max_length=200)
    start: AwareDatetime
    end: AwareDatetime
    elements: list[Element] = Field(default_factory=list, max_length=500,
                                    description="devices (or ports) the work interrupts")
    circuits: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(default_factory=list, max_length=500)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approved: bool
    note: str | None = Field(None, max_length=4000)


class PlanReview(Decision):
    international: bool = Field(description="the province center's finding: an international circuit is affected")


class InternationalDecision(Decision):
    approver: str = Field(min_length=1, max_length=200, description="who decided at the group's international CS")


class CustomerConsent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    consented: bool
    customer_manager: str = Field(alias="customerManager", min_length=1, max_length=200)
    customer_person: str = Field(alias="customerPerson", min_length=1, max_length=200)
    note: str | None = Field(None, max_length=4000)


class CutoverChainOut(BaseModel):
    cutover: dict[str, Any]
    decisions: list[dict[str, Any]]
    next_step: str | None = Field(serialization_alias="nextStep")


# --- network optimisation ------------------------------------------------------------------------
class OptimisationProposalsOut(BaseModel):
    from_: str = Field(serialization_alias="from")
    to: str
    proposals: list[dict[str, Any]]


class OptimisationRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=400, description="the proposal's key, as listed")
    start: AwareDatetime | None = Field(None, alias="from", description="the period the proposal was found in")
    end: AwareDatetime | None = Field(None, alias="to")
    needs_construction: bool | None = Field(None, alias="needsConstruction")
    note: str | None = Field(None, max_length=4000)


class OptimisationProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["in_progress", "done", "rejected"]
    needs_construction: bool | None = Field(None, alias="needsConstruction")
    note: str | None = Field(None, max_length=4000)
