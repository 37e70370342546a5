"""SLA tables: each ticket's clock-relevant history, its clocks with an indexed next-due time, the claims
that make every due milestone fire exactly once, and the webhook outbox.

The clock rows are a projection of ``sla_event`` (recomputed by ``agent.sla.clocks``); they exist so
that the sweep, the duty board and the overdue filter find what they need through an index.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from agent.db import Base


class SlaEventRow(Base):
    """One event of a ticket's history as the SLA engine saw it (append-only, like the journal)."""

    __tablename__ = "sla_event"
    __table_args__ = (Index("ix_sla_event_ticket_at", "ticket_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SlaClockRow(Base):
    """The current state of one clock of one ticket; ``next_due_at`` is the earliest unfired milestone."""

    __tablename__ = "sla_clock"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind"),
        Index("ix_sla_clock_next_due_at", "next_due_at"),
        Index("ix_sla_clock_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    kind: Mapped[str] = mapped_column(String(24))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    warn_at: Mapped[datetime | None]
    met_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
    remaining_seconds: Mapped[float | None] = mapped_column(Float)
    next_due_at: Mapped[datetime | None]
    next_milestone: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime]
    # Progress row only: a replay checkpoint (agent.sla.model.ProgressMark), so the sweep reads the
    # progress entries after it instead of the whole history; used only while ``checkpoint_events``
    # still equals the number of the ticket's events at or before ``checkpoint_at``.
    checkpoint_at: Mapped[datetime | None]
    checkpoint_seq: Mapped[int | None] = mapped_column(Integer)
    checkpoint_events: Mapped[int | None] = mapped_column(Integer)


class SlaFiredRow(Base):
    """A claimed milestone: the unique key is what makes it fire once, across restarts and processes."""

    __tablename__ = "sla_fired"
    __table_args__ = (UniqueConstraint("ticket_id", "clock", "seq", "milestone", name="uq_sla_fired_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    clock: Mapped[str] = mapped_column(String(24))
    seq: Mapped[int] = mapped_column(Integer)
    milestone: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime]
    fired_by: Mapped[str] = mapped_column(String(64))


class OutboxRow(Base):
    """A notification to deliver to one webhook URL (at least once; receivers dedupe on the key)."""

    __tablename__ = "sla_outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key", "url", name="uq_sla_outbox_key_url"),
        Index("ix_sla_outbox_next_attempt_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(500))
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]  # None once delivered: the index then only holds pending rows
    delivered_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
