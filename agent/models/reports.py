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


class PeriodReport(Base):
    """A report of a period (issue 16): the operation report (运行分析报告) of one customer, or the
    quarterly report (季报) of one branch's customer response center. Drafted from the data of the
    period, the texts edited by the officer (every version kept), submitted against its due date.

    ``scope``: the customer id (operation) or the branch (quarterly); ``due_at``: the end of the
    N-th working day after the period (settings sla.operation_report_working_days / ...quarterly...)."""

    __tablename__ = "period_report"
    __table_args__ = (UniqueConstraint("kind", "scope", "period_start", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # operation | quarterly
    scope: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))  # draft | submitted
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    submitted_by: Mapped[str | None] = mapped_column(String(128))
    submitted_version: Mapped[int | None]
    versions: Mapped[list[PeriodReportVersion]] = relationship(
        back_populates="report", order_by="PeriodReportVersion.version", cascade="all, delete-orphan")

    @property
    def current(self) -> PeriodReportVersion:
        return self.versions[-1]


class PeriodReportVersion(Base):
    __tablename__ = "period_report_version"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("period_report.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(String(16))  # drafted | edited | redrafted
    note: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    report: Mapped[PeriodReport] = relationship(back_populates="versions")


class KeyAssurance(Base):
    """A key communications assurance period (重保) for named customers or circuits: an event, a
    holiday. While it runs its circuits' devices are polled every ``poll_interval_seconds``, their
    early warnings use the tighter ``rx_margin_db`` / ``warning_horizon_days``, every alarm on their
    paths is notified to ``contacts`` (outbox, kind ``assurance.alarm``) and the duty board marks their
    tickets. ``cancelled_at`` ends it early."""

    __tablename__ = "key_assurance"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[datetime] = mapped_column(index=True)
    end: Mapped[datetime] = mapped_column(index=True)
    customers: Mapped[list[str]] = mapped_column(JSON)
    circuits: Mapped[list[str]] = mapped_column(JSON)
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{name, contact}]
    poll_interval_seconds: Mapped[float]
    rx_margin_db: Mapped[float]
    warning_horizon_days: Mapped[float]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(128))
    cancelled_at: Mapped[datetime | None]
    # the last alarm id notified (alarms after it are looked at on the next run)
    notified_alarm_id: Mapped[int] = mapped_column(Integer, default=0)
