"""Service problems (TMF656 ServiceProblem): one record per network cause, its child tickets, its
underlying alarms and its own journal (trackingRecord). The rules that group live in agent/problems.

Two guards are in the database, as partial unique indexes (migration 0008): at most one open problem
per root element (two triages of one cut racing to open it: one wins, the other joins), and at most
one problem a ticket is linked to.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent.db import Base

# The predicates of the partial unique indexes; migration 0008 writes the same text.
OPEN_PREDICATE = "status IN ('submitted', 'acknowledged', 'inProgress')"
LINKED_PREDICATE = "state = 'linked'"


class ServiceProblem(Base):
    __tablename__ = "service_problem"
    __table_args__ = (
        Index("uq_service_problem_open_root", "root_key", unique=True,
              sqlite_where=text(OPEN_PREDICATE), postgresql_where=text(OPEN_PREDICATE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(64))  # the verdict or alarm cause that opened it
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_changed_at: Mapped[datetime]
    status_change_reason: Mapped[str | None] = mapped_column(Text)
    # The root-cause resource: a segment (its two ports), a port or a device. ``root_key`` is the
    # canonical form (agent.problems.elements.Element.key), the same for both directions of a fibre.
    root_kind: Mapped[str] = mapped_column(String(16))
    root_key: Mapped[str] = mapped_column(String(300), index=True)
    root_device: Mapped[str] = mapped_column(String(128))
    root_port: Mapped[str | None] = mapped_column(String(128))
    far_device: Mapped[str | None] = mapped_column(String(128))
    far_port: Mapped[str | None] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(String(16))  # diagnosis | alarm
    first_alert_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    resolution_proposed_at: Mapped[datetime | None]  # the root alarms cleared: an officer resolves
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolution_cause: Mapped[str | None] = mapped_column(Text)

    links: Mapped[list[ProblemTicket]] = relationship(back_populates="problem", order_by="ProblemTicket.id")
    alarms: Mapped[list[ProblemAlarm]] = relationship(back_populates="problem", order_by="ProblemAlarm.id")
    journal: Mapped[list[ProblemJournalEntry]] = relationship(order_by="ProblemJournalEntry.id", viewonly=True)


class ProblemTicket(Base):
    """A ticket's relation to a problem (TMF656 associatedTroubleTicket): one row per pair, its state
    changed in place; every change is in both journals."""

    __tablename__ = "service_problem_ticket"
    __table_args__ = (
        UniqueConstraint("problem_id", "ticket_id"),
        Index("uq_service_problem_ticket_linked", "ticket_id", unique=True,
              sqlite_where=text(LINKED_PREDICATE), postgresql_where=text(LINKED_PREDICATE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("service_problem.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))  # linked | unlinked | excluded
    how: Mapped[str] = mapped_column(String(16))  # automatic | manual
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(String(128))

    problem: Mapped[ServiceProblem] = relationship(back_populates="links")


class ProblemAlarm(Base):
    """An underlying alarm (TMF656 underlyingAlarm); the first one on the root element is the root
    cause, the others (the far end, ports that went down with it) its consequences (TMF642 parentAlarm)."""

    __tablename__ = "service_problem_alarm"
    __table_args__ = (UniqueConstraint("problem_id", "alarm_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("service_problem.id"), index=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarm.id"), index=True)
    is_root: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_alarm_id: Mapped[int | None]
    added_at: Mapped[datetime]

    problem: Mapped[ServiceProblem] = relationship(back_populates="alarms")


class ProblemJournalEntry(Base):
    """The problem's own record (TMF656 trackingRecord): who did what, when; only ever inserted."""

    __tablename__ = "service_problem_journal"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("service_problem.id"), index=True)
    at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(48))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
