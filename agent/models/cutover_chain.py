"""The cutover approval chain (割接审批): every decision on an application, append-only.

The chain's current step is ``Cutover.state``; this table is its record (who decided what, when, on
which facts), the way the ticket journal is the record of a fault.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent.db import Base


class CutoverDecision(Base):
    __tablename__ = "cutover_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    cutover_id: Mapped[int] = mapped_column(ForeignKey("cutover.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    step: Mapped[str] = mapped_column(String(32))  # CutoverStep
    outcome: Mapped[str] = mapped_column(String(32))  # what was decided (approved, refused, affected, ...)
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
