"""Loop tests (环测/打环) and localisations (a run of loop tests along a circuit's plan).

The guard lives here, in the database: at most one active loop per circuit and per port, by partial
unique indexes over the active states (PostgreSQL and SQLite both index ``WHERE state IN (...)``), so
two requests racing for one circuit or one shared port cannot both be accepted, whichever process
they reach.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from agent.db import Base
from agent.enums import LoopState

# The predicate of the partial unique indexes; migration 0006 writes the same text.
ACTIVE_PREDICATE = "state IN (" + ", ".join(f"'{s.value}'" for s in LoopState.active()) + ")"


class LoopLocalisation(Base):
    """Localising the faulty segment by loop tests (故障段落定位): the plan, each point's evidence, the
    conclusion and the diagnosis it wrote (basis ``loop_test``)."""

    __tablename__ = "loop_localisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    circuit_id: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))  # auto | guided
    state: Mapped[str] = mapped_column(String(16))  # running | concluded | inconclusive | cancelled
    requested_by: Mapped[str] = mapped_column(String(128))
    authorised_by: Mapped[str | None] = mapped_column(String(128))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    plan: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    conclusion: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    diagnosis_id: Mapped[int | None]
    supersedes_diagnosis_id: Mapped[int | None]


class LoopTest(Base):
    """A loop (打环) on a port: persisted before the device is touched, so a crash never leaves it behind.

    ``history`` holds every state with its time; ``deadline_at`` is when the job that owns it must have
    ended (set + hold + clear limits): past it, the reaper clears the loop whoever owned it."""

    __tablename__ = "loop_test"
    __table_args__ = (
        Index("uq_loop_test_active_circuit", "circuit_id", unique=True,
              sqlite_where=text(ACTIVE_PREDICATE), postgresql_where=text(ACTIVE_PREDICATE)),
        Index("uq_loop_test_active_port", "device_name", "port_name", unique=True,
              sqlite_where=text(ACTIVE_PREDICATE), postgresql_where=text(ACTIVE_PREDICATE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    circuit_id: Mapped[str] = mapped_column(String(64), index=True)
    device_name: Mapped[str] = mapped_column(String(128))
    port_name: Mapped[str] = mapped_column(String(128))
    mode: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_at: Mapped[datetime]
    set_at: Mapped[datetime | None]
    cleared_at: Mapped[datetime | None]
    max_hold_seconds: Mapped[int] = mapped_column(Integer, default=120)  # the hold asked for
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    segment: Mapped[int | None]
    observer_device: Mapped[str | None] = mapped_column(String(128))
    observer_port: Mapped[str | None] = mapped_column(String(128))
    history: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    owner: Mapped[str | None] = mapped_column(String(128))
    deadline_at: Mapped[datetime | None]
    clear_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_clear_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    shared_circuits: Mapped[list[str] | None] = mapped_column(JSON)  # other circuits the port carries, confirmed
    authorised_by: Mapped[str | None] = mapped_column(String(128))
    cancelled_by: Mapped[str | None] = mapped_column(String(128))
    localisation_id: Mapped[int | None] = mapped_column(ForeignKey("loop_localisation.id"), index=True)
