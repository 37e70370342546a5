"""Fault tickets (故障单), shaped after TMF621 TroubleTicket, with their append-only journal (追加信息)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent.db import Base


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (Index("ix_ticket_circuit_created", "circuit_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The upstream id of the first intake (the "10069 system"); every upstream id is in ExternalIdentifier.
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # assist_check | interruption
    symptom: Mapped[str] = mapped_column(String(32))
    # Not a foreign key: a ticket for a circuit we do not know is kept and says so in its journal.
    circuit_id: Mapped[str] = mapped_column(String(64), index=True)
    circuit_known: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_changed_at: Mapped[datetime]
    status_change_reason: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    reporter_contact: Mapped[str | None] = mapped_column(String(200))
    observed_impact: Mapped[str] = mapped_column(String(16), default="unknown")
    severity: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(64))
    reported_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    signed_at: Mapped[datetime | None]
    signed_by: Mapped[str | None] = mapped_column(String(128))
    dispatched_at: Mapped[datetime | None]
    specialty: Mapped[str | None] = mapped_column(String(128))
    contractor: Mapped[str | None] = mapped_column(String(128))
    customer_contacted_at: Mapped[datetime | None]
    last_progress_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolution_cause: Mapped[str | None] = mapped_column(Text)
    restoration_confirmed_at: Mapped[datetime | None]
    restoration_confirmation: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]
    close_cause: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)

    journal: Mapped[list[JournalEntry]] = relationship(
        back_populates="ticket", order_by="JournalEntry.id", viewonly=True
    )
    external_ids: Mapped[list[ExternalIdentifier]] = relationship(
        back_populates="ticket", order_by="ExternalIdentifier.id"
    )
    suspensions: Mapped[list[Suspension]] = relationship(
        back_populates="ticket", order_by="Suspension.id"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="ticket", order_by="Participant.id"
    )

    @property
    def pending_suspension(self) -> Suspension | None:
        return next((s for s in self.suspensions if s.decision is None), None)

    @property
    def active_suspension(self) -> Suspension | None:
        return next(
            (s for s in self.suspensions if s.decision == "approved" and s.resumed_at is None), None
        )


class ExternalIdentifier(Base):
    """Upstream ids of a ticket (TMF621 externalIdentifier); unique, which makes intake idempotent."""

    __tablename__ = "external_identifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    owner: Mapped[str] = mapped_column(String(64), default="upstream")
    created_at: Mapped[datetime]

    ticket: Mapped[Ticket] = relationship(back_populates="external_ids")


class Suspension(Base):
    """A suspension (挂起) request and its decision. Only an approved interval pauses the SLA clocks."""

    __tablename__ = "suspension"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    local_fault: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    decision: Mapped[str | None] = mapped_column(String(16))  # approved | rejected | None (pending)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decision_note: Mapped[str | None] = mapped_column(Text)
    resumed_at: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship(back_populates="suspensions")


class Participant(Base):
    """Everyone who took part (rule 8): duty staff, contractors, cooperating staff, escalated leaders, customer side."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("ticket_id", "name", "party_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    party_role: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[datetime]

    ticket: Mapped[Ticket] = relationship(back_populates="participants")


class JournalEntry(Base):
    """Append-only: no code path updates or deletes a row; database triggers refuse it (migration 0001)."""

    __tablename__ = "journal_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(48))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    ticket: Mapped[Ticket] = relationship(back_populates="journal", viewonly=True)


class Diagnosis(Base):
    """A triage result attached to a ticket: verdict, suspected segments, evidence, actions (JSON)."""

    __tablename__ = "diagnosis"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    created_at: Mapped[datetime]
    playbook: Mapped[str] = mapped_column(String(48))
    verdict: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    duration_ms: Mapped[float | None]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The queue job that stored it (agent/work/): a job run again after its worker died stores once.
    job_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class Alarm(Base):
    """A device alarm (TMF642 shape); raise and clear are paired on the reduction key."""

    __tablename__ = "alarm"
    __table_args__ = (Index("ix_alarm_port_time", "device_name", "port_name", "raised_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reduction_key: Mapped[str] = mapped_column(String(255), index=True)
    device_name: Mapped[str] = mapped_column(String(128))
    port_name: Mapped[str | None] = mapped_column(String(128))
    alarm_type: Mapped[str] = mapped_column(String(48))
    probable_cause: Mapped[str] = mapped_column(String(128))
    perceived_severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))  # raised | cleared
    raised_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]
    count: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
