"""Ticket bodies, shaped after TMF621 TroubleTicket: the intake and the lifecycle actions in, the ticket out.
The tables stay in agent.models; ``TicketOut.of`` shapes a row."""
from __future__ import annotations

from collections.abc import Sequence

from pydantic import AwareDatetime, Field

from agent.enums import (
    IntakeOutcome,
    ObservedImpact,
    Role,
    Symptom,
    TicketKind,
    TicketStatus,
)
from agent.models import Ticket
from agent.sla import ClockView
from agent.tickets import allowed_actions
from api.schemas.base import In, Instant, Out
from api.schemas.journal import JournalOut
from api.schemas.sla import ClockOut


# -- in ---------------------------------------------------------------------------------------------
class TicketCreate(In):
    external_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-/]+$",
                             description="the upstream (10069) ticket id; posting it again returns the same ticket")
    ticket_type: TicketKind = Field(description="assist_check (协查类) or interruption (中断类)")
    symptom: Symptom
    circuit_id: str = Field(min_length=1, max_length=64)
    reported_date: AwareDatetime
    description: str = Field("", max_length=4000)
    reporter_contact: str | None = Field(None, max_length=200)
    observed_impact: ObservedImpact = ObservedImpact.UNKNOWN
    severity: str | None = Field(None, max_length=16)
    channel: str | None = Field(None, max_length=64)


class SignIn(In):
    note: str | None = Field(None, max_length=2000)


class DispatchIn(In):
    specialty: str = Field(min_length=1, max_length=128)
    contractor: str = Field(min_length=1, max_length=128)
    note: str | None = Field(None, max_length=2000)


class ContactIn(In):
    customer_person: str = Field(min_length=1, max_length=200)
    result: str = Field(min_length=1, max_length=2000)
    contact: str | None = Field(None, max_length=200)


class PartyIn(In):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field("cooperating_staff", max_length=64)
    organisation: str | None = Field(None, max_length=200)


class ProgressIn(In):
    text: str = Field(min_length=1, max_length=4000)
    participants: list[PartyIn] = Field(default_factory=list)


class SuspensionRequestIn(In):
    reason: str = Field(min_length=1, max_length=2000)
    local_fault: bool = False
    customer_consent: bool = False


class DecisionIn(In):
    note: str | None = Field(None, max_length=2000)


class CauseIn(In):
    cause: str = Field(min_length=1, max_length=4000)


class ReasonIn(In):
    reason: str = Field(min_length=1, max_length=4000)


class RestorationIn(In):
    method: str = Field(pattern="^(customer_service|noc_alarm_cleared)$",
                        description="customer_service (客服与用户确认) or noc_alarm_cleared (夜间网管确认告警消除): "
                                    "the NOC's check counts at night or with customerUnreachable (rule 9)")
    confirmed_by: str = Field(min_length=1, max_length=200)
    customer_unreachable: bool = Field(False, description="the customer could not be reached (用户联系不上): lets the "
                                                          "NOC's alarm-cleared check confirm restoration by day")
    note: str | None = Field(None, max_length=2000)


# -- out --------------------------------------------------------------------------------------------
class ExternalIdentifierOut(Out):
    id: str = Field(description="an upstream ticket id")
    owner: str


class RelatedEntityOut(Out):
    id: str = Field(description="the circuit id")
    role: str = "circuit"
    referred_type: str = Field("Circuit", alias="@referredType")
    known: bool = Field(description="the circuit is in the inventory")


class RelatedPartyOut(Out):
    name: str
    role: str
    organisation: str | None


class SignedOut(Out):
    at: Instant
    by: str | None


class DispatchOut(Out):
    at: Instant
    specialty: str | None
    contractor: str | None


class RestorationConfirmationOut(Out):
    at: Instant
    method: str | None


class SuspensionOut(Out):
    id: int
    requested_at: Instant
    requested_by: str
    reason: str
    local_fault: bool
    customer_consent: bool
    decision: str | None = Field(description="approved, rejected, or None while pending")
    decided_at: Instant | None
    decided_by: str | None
    resumed_at: Instant | None


class TicketOut(Out):
    """A ticket as a list shows it."""

    id: str
    href: str
    external_identifier: list[ExternalIdentifierOut]
    ticket_type: TicketKind
    symptom: Symptom
    status: TicketStatus
    status_change_date: Instant
    status_change_reason: str | None
    description: str
    severity: str | None
    observed_impact: ObservedImpact
    channel: str | None
    creation_date: Instant
    reported_date: Instant
    last_update: Instant
    resolution_date: Instant | None
    related_entity: list[RelatedEntityOut]
    related_party: list[RelatedPartyOut]
    signed: SignedOut | None
    dispatch: DispatchOut | None
    customer_contact_date: Instant | None
    last_progress_date: Instant | None
    resolution_cause: str | None
    restoration_confirmation: RestorationConfirmationOut | None
    close_cause: str | None
    reopen_count: int
    suspensions: list[SuspensionOut]
    allowed_actions: list[str] = Field(description="what the caller's role may do now (the state, the role, the "
                                                   "action's own rules)")

    @classmethod
    def of(cls, t: Ticket, role: Role | None = None, **more) -> TicketOut:
        return cls(
            id=str(t.id), href=f"/api/v1/tickets/{t.id}",
            external_identifier=[ExternalIdentifierOut(id=e.external_id, owner=e.owner) for e in t.external_ids],
            ticket_type=t.kind, symptom=t.symptom, status=t.status, status_change_date=t.status_changed_at,
            status_change_reason=t.status_change_reason, description=t.description, severity=t.severity,
            observed_impact=t.observed_impact, channel=t.channel, creation_date=t.created_at,
            reported_date=t.reported_at, last_update=t.updated_at, resolution_date=t.resolved_at,
            related_entity=[RelatedEntityOut(id=t.circuit_id, known=t.circuit_known)],
            related_party=[RelatedPartyOut(name=p.name, role=p.party_role, organisation=p.organisation)
                           for p in t.participants],
            signed=SignedOut(at=t.signed_at, by=t.signed_by) if t.signed_at else None,
            dispatch=DispatchOut(at=t.dispatched_at, specialty=t.specialty, contractor=t.contractor)
            if t.dispatched_at else None,
            customer_contact_date=t.customer_contacted_at, last_progress_date=t.last_progress_at,
            resolution_cause=t.resolution_cause,
            restoration_confirmation=RestorationConfirmationOut(at=t.restoration_confirmed_at,
                                                                method=t.restoration_confirmation)
            if t.restoration_confirmed_at else None,
            close_cause=t.close_cause, reopen_count=t.reopen_count,
            suspensions=[SuspensionOut.model_validate(s) for s in t.suspensions],
            allowed_actions=allowed_actions(t, role), **more)


class TicketWithClocks(TicketOut):
    """A ticket after an action: with its SLA clocks."""

    sla_clocks: list[ClockOut]

    @classmethod
    def with_clocks(cls, t: Ticket, role: Role | None, clocks: Sequence[ClockView], **more):
        return cls.of(t, role, sla_clocks=[ClockOut.of(c) for c in clocks], **more)


class TicketDetail(TicketWithClocks):
    """One ticket: with its SLA clocks and its journal (追加信息)."""

    note: list[JournalOut]

    @classmethod
    def detail(cls, t: Ticket, role: Role | None, clocks: Sequence[ClockView]) -> TicketDetail:
        return cls.with_clocks(t, role, clocks, note=[JournalOut.model_validate(j) for j in t.journal])


class IntakeOut(TicketWithClocks):
    """The ticket an intake filed, found or reopened, and which of the three it did."""

    intake_outcome: IntakeOutcome


class TicketPage(Out):
    total: int
    limit: int
    offset: int
    items: list[TicketOut]
