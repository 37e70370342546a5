"""Request and response models of the service-problem routes (api/routers/problems.py), TMF656
ServiceProblem in camelCase. Kept apart from api/schemas while that module becomes a package."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.enums import ProblemLinkState


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    # TMF resources carry "@type" / "@referredType" members; their names are kept as they are
    model_config = ConfigDict(populate_by_name=True, extra="allow")


class PartyIn(_In):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field("cooperating_staff", max_length=64)
    organisation: str | None = Field(None, max_length=200)


class ProblemProgressIn(_In):
    text: str = Field(min_length=1, max_length=4000, description="appended to every child ticket as its own progress")
    participants: list[PartyIn] = Field(default_factory=list, max_length=50)


class ProblemAcknowledgeIn(_In):
    note: str | None = Field(None, max_length=2000)


class ProblemResolveIn(_In):
    cause: str = Field(min_length=1, max_length=4000, description="the clear cause (rule 5), given to every child")


class TicketProblemIn(_In):
    """Link the ticket to a problem (``problemId``) or take it out of its problem (``unlink``)."""

    problemId: int | None = Field(None, ge=1, le=2**31 - 1)
    unlink: bool = False
    reason: str = Field(min_length=1, max_length=2000, description="why (journalled on the ticket and the problem)")


class ElementOut(BaseModel):
    kind: str
    device: str
    port: str | None
    farDevice: str | None
    farPort: str | None
    key: str
    label: str


class RootCauseResourceOut(ElementOut):
    model_config = ConfigDict(populate_by_name=True)
    id: str
    referredType: str = Field(alias="@referredType")


class CustomerOut(BaseModel):
    id: str
    name: str
    contact: str | None


class AffectedServiceOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str
    referredType: str = Field(alias="@referredType")
    serviceType: str
    rateMbps: float | None
    customer: CustomerOut


class AffectedCustomerOut(CustomerOut):
    circuits: list[str]


class EscalationOut(BaseModel):
    clock: str
    dueDate: datetime
    state: str
    ticket: str | None = None


class AssociatedTicketOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str
    href: str
    referredType: str = Field(alias="@referredType")
    circuitId: str
    status: str
    linkState: ProblemLinkState
    how: str
    reason: str
    date: datetime
    by: str
    nextEscalation: EscalationOut | None = None


class UnderlyingAlarmOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str
    href: str
    referredType: str = Field(alias="@referredType")
    alarmedObject: str
    probableCause: str
    state: str
    alarmRaisedTime: datetime
    alarmClearedTime: datetime | None
    isRootCause: bool
    parentAlarm: list[dict[str, str]]


class TrackingRecordOut(BaseModel):
    id: int
    date: datetime
    author: str
    role: str
    kind: str
    text: str
    data: dict[str, Any] | None


class FirstAlertOut(BaseModel):
    date: datetime
    source: str


class ProblemSummaryOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str
    href: str
    type: str = Field(alias="@type")
    name: str
    description: str
    category: str
    status: str
    statusChangeDate: datetime
    statusChangeReason: str | None
    originatingSystem: str
    firstAlert: FirstAlertOut
    timeRaised: datetime
    timeChanged: datetime
    resolutionDate: datetime | None
    rootCauseResource: list[RootCauseResourceOut]
    acknowledged: dict[str, Any] | None
    resolutionProposedDate: datetime | None
    resolutionCause: str | None
    allowedActions: list[str]
    affectedNumberOfServices: int | None = None


class ProblemOut(ProblemSummaryOut):
    affectedService: list[AffectedServiceOut]
    affectedCustomer: list[AffectedCustomerOut]
    associatedTroubleTicket: list[AssociatedTicketOut]
    notGroupedTroubleTicket: list[AssociatedTicketOut]
    earliestEscalation: EscalationOut | None
    underlyingAlarm: list[UnderlyingAlarmOut]
    trackingRecord: list[TrackingRecordOut]


class ProblemListOut(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ProblemSummaryOut]


class ChildrenOutcomeOut(BaseModel):
    applied: list[str] = Field(description="child tickets the action was applied to")
    skipped: list[dict[str, Any]] = Field(description="child tickets it could not apply to, with the reason")


class ProblemActionOut(BaseModel):
    problem: ProblemOut
    children: ChildrenOutcomeOut | None = None


class TicketProblemOut(BaseModel):
    ticket: str
    problem: ProblemOut | None
