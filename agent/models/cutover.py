"""Planned cutovers (割接): approved windows of work that interrupt the circuits they name.

DOMAIN: a fault inside an approved cutover window on an affected circuit is not a new fault. Triage
passes the approved windows of a ticket's circuit to the diagnosis (``within_approved_cutover``).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent.db import Base


class Cutover(Base):
    __tablename__ = "cutover"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)  # the work order / approval number
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(128))
    # Approved when an approver is recorded; only approved windows excuse a fault.
    approved_by: Mapped[str | None] = mapped_column(String(128))
    approved_at: Mapped[datetime | None]
    # The approval chain (agent/cutovers.py, agent/models/cutover_chain.py): the step it is at, the
    # applying branch, the network elements it touches, and the province's findings on the way.
    state: Mapped[str] = mapped_column(String(32), default="applied")
    branch: Mapped[str | None] = mapped_column(String(200))
    elements: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # [{"device": .., "port": ..|None}]
    affects_customers: Mapped[bool | None] = mapped_column(Boolean)
    international: Mapped[bool | None] = mapped_column(Boolean)
    circuits: Mapped[list[CutoverCircuit]] = relationship(back_populates="cutover", cascade="all, delete-orphan",
                                                          order_by="CutoverCircuit.circuit_id")

    @property
    def approved(self) -> bool:
        return self.approved_by is not None


class CutoverCircuit(Base):
    """One circuit a cutover affects. Not a foreign key to ``circuit``: an inventory re-import may
    replace circuit rows, and the record of planned work must outlive that."""

    __tablename__ = "cutover_circuit"

    cutover_id: Mapped[int] = mapped_column(ForeignKey("cutover.id", ondelete="CASCADE"), primary_key=True)
    circuit_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    cutover: Mapped[Cutover] = relationship(back_populates="circuits")
