"""Request and response bodies of the API (TMF621-shaped where it fits); tables stay in agent.models."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from agent.enums import ObservedImpact, Symptom, TicketKind
from agent.models import Ticket
from agent.tickets import allowed_actions


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TicketCreate(_In):
    externalId: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-/]+$",
                            description="the upstream (10069) ticket id; posting it again returns the same ticket")
    ticketType: TicketKind = Field(description="assist_check (协查类) or interruption (中断类)")
    symptom: Symptom
    circuitId: str = Field(min_length=1, max_length=64)
    reportedDate: AwareDatetime
    description: str = Field("", max_length=4000)
    reporterContact: str | None = Field(None, max_length=200)
    observedImpact: ObservedImpact = ObservedImpact.UNKNOWN
    severity: str | None = Field(None, max_length=16)
    channel: str | None = Field(None, max_length=64)


class SignIn(_In):
    note: str | None = Field(None, max_length=2000)


class DispatchIn(_In):
    specialty: str = Field(min_length=1, max_length=128)
    contractor: str = Field(min_length=1, max_length=128)
    note: str | None = Field(None, max_length=2000)


class ContactIn(_In):
    customerPerson: str = Field(min_length=1, max_length=200)
    result: str = Field(min_length=1, max_length=2000)
    contact: str | None = Field(None, max_length=200)


class PartyIn(_In):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field("cooperating_staff", max_length=64)
    organisation: str | None = Field(None, max_length=200)


class ProgressIn(_In):
    text: str = Field(min_length=1, max_length=4000)
    participants: list[PartyIn] = Field(default_factory=list)


class SuspensionRequestIn(_In):
    reason: str = Field(min_length=1, max_length=2000)
    localFault: bool = False
    customerConsent: bool = False


class DecisionIn(_In):
    note: str | None = Field(None, max_length=2000)


class CauseIn(_In):
    cause: str = Field(min_length=1, max_length=4000)


class ReasonIn(_In):
    reason: str = Field(min_length=1, max_length=4000)


class RestorationIn(_In):
    method: str = Field(pattern="^(customer_service|noc_alarm_cleared)$",
                        description="customer_service (客服与用户确认) or noc_alarm_cleared (夜间网管确认告警消除): "
                                    "the NOC's check counts at night or with customerUnreachable (rule 9)")
    confirmedBy: str = Field(min_length=1, max_length=200)
    customerUnreachable: bool = Field(False, description="the customer could not be reached (用户联系不上): lets the "
                                                         "NOC's alarm-cleared check confirm restoration by day")
    note: str | None = Field(None, max_length=2000)


class JournalOut(BaseModel):
    id: int
    date: datetime
    author: str
    role: str
    kind: str
    text: str
    data: dict[str, Any] | None


def ticket_out(t: Ticket, *, role=None, journal: bool = False, clocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(t.id),
        "href": f"/api/v1/tickets/{t.id}",
        "externalIdentifier": [{"id": e.external_id, "owner": e.owner} for e in t.external_ids],
        "ticketType": t.kind,
        "symptom": t.symptom,
        "status": t.status,
        "statusChangeDate": t.status_changed_at,
        "statusChangeReason": t.status_change_reason,
        "description": t.description,
        "severity": t.severity,
        "observedImpact": t.observed_impact,
        "channel": t.channel,
        "creationDate": t.created_at,
        "reportedDate": t.reported_at,
        "lastUpdate": t.updated_at,
        "resolutionDate": t.resolved_at,
        "relatedEntity": [{"id": t.circuit_id, "role": "circuit", "@referredType": "Circuit", "known": t.circuit_known}],
        "relatedParty": [{"name": p.name, "role": p.party_role, "organisation": p.organisation}
                         for p in t.participants],
        "signed": {"at": t.signed_at, "by": t.signed_by} if t.signed_at else None,
        "dispatch": {"at": t.dispatched_at, "specialty": t.specialty, "contractor": t.contractor} if t.dispatched_at else None,
        "customerContactDate": t.customer_contacted_at,
        "lastProgressDate": t.last_progress_at,
        "resolutionCause": t.resolution_cause,
        "restorationConfirmation": {"at": t.restoration_confirmed_at, "method": t.restoration_confirmation}
        if t.restoration_confirmed_at else None,
        "closeCause": t.close_cause,
        "reopenCount": t.reopen_count,
        "suspensions": [{"id": s.id, "requestedAt": s.requested_at, "requestedBy": s.requested_by, "reason": s.reason,
                         "localFault": s.local_fault, "customerConsent": s.customer_consent, "decision": s.decision,
                         "decidedAt": s.decided_at, "decidedBy": s.decided_by, "resumedAt": s.resumed_at}
                        for s in t.suspensions],
        "allowedActions": allowed_actions(t, role),
    }
    if clocks is not None:
        body["slaClocks"] = clocks
    if journal:
        body["note"] = [JournalOut(id=j.id, date=j.at, author=j.author, role=j.role, kind=j.kind, text=j.text,
                                   data=j.data).model_dump() for j in t.journal]
    return body
