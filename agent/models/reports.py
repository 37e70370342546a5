"""Fault reports (故障报告, rule 10): one per resolution of a ticket, every version kept.

The report is drafted from the ticket's record; the officer edits its text and submits it. A version
is never changed after it is written: an edit writes the next version, so what was submitted (and
when, and by whom) stays readable next to the draft it came from.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent.db import Base


class FaultReport(Base):
    __tablename__ = "fault_report"
    __table_args__ = (UniqueConstraint("ticket_id", "resolution_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    # which resolution of the ticket it reports (a reopened and resolved again ticket owes another)
    resolution_seq: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16))  # draft | submitted
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    submitted_by: Mapped[str | None] = mapped_column(String(128))
    submitted_version: Mapped[int | None]
    versions: Mapped[list[FaultReportVersion]] = relationship(
        back_populates="report", order_by="FaultReportVersion.version", cascade="all, delete-orphan")

    @property
    def current(self) -> FaultReportVersion:
        return self.versions[-1]


class FaultReportVersion(Base):
    __tablename__ = "fault_report_version"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("fault_report.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(String(16))  # drafted (from the record) | edited | redrafted
    note: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    report: Mapped[FaultReport] = relationship(back_populates="versions")


class OptimisationRequest(Base):
    """A network optimisation request (网络优化需求) raised from a recurring fault, tracked to the end.

    ``needs_construction``: the branch's O&M decided new construction is needed (an engineering task
    of the network construction department) or not (O&M optimises it). ``history`` lists every
    step with its time, actor and note."""

    __tablename__ = "optimisation_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), index=True)  # the proposal's key (segment:..., port:...)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)  # the proposal as raised: tickets, times, verdicts
    state: Mapped[str] = mapped_column(String(16))  # open | in_progress | done | rejected
    needs_construction: Mapped[bool | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime]
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
