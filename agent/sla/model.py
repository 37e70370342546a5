"""The SLA vocabulary as plain values: event kinds, clock kinds and states, and the frozen records the
pure clock computation reads and returns. Nothing here touches a database or reads the time.

Rule numbers refer to the table "The duty rules (SLA)" in DOMAIN.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any, Protocol


class SlaEventKind(StrEnum):
    """What happened to a ticket, as far as its clocks care (the lifecycle service reports these)."""

    CREATED = "created"  # arrival: the sign clock and the fault time start
    SIGNED = "signed"  # 签收 (rule 1)
    DISPATCHED = "dispatched"  # to specialty and contractor (rule 2); starts the contact clock (rule 3)
    CUSTOMER_CONTACTED = "customer_contacted"  # result of contacting the reporting customer (rule 3)
    PROGRESS = "progress"  # 追加故障处理进展 (rule 4)
    SUSPENSION_REQUESTED = "suspension_requested"  # pending: does NOT pause (rule 6)
    SUSPENSION_APPROVED = "suspension_approved"  # 挂起 approved: pauses every fault-time clock (rule 6)
    SUSPENSION_REJECTED = "suspension_rejected"  # never paused anything
    RESUMED = "resumed"  # 解挂: fault time runs again
    RESOLVED = "resolved"  # repaired: fault time stops; restoration and report clocks start (rules 9, 10)
    RESTORATION_CONFIRMED = "restoration_confirmed"  # customer service / NOC confirmed (rule 9)
    CLOSED = "closed"  # 返单
    REOPENED = "reopened"  # MEF 124: fault time runs again, counted on top of what was spent
    REPORT_SUBMITTED = "report_submitted"  # the fault report (故障报告) was handed in (rule 10)


class ClockKind(StrEnum):
    SIGN = "sign"  # rule 1
    CONTACT = "contact_feedback"  # rule 3
    PROGRESS = "progress"  # rule 4
    ESCALATION_L1 = "escalation_l1"  # rule 7: customer response center director (客响中心主任)
    ESCALATION_L2 = "escalation_l2"  # rule 7: deputy GM for operations (分管运维副总)
    RESOLUTION = "resolution"  # fault handling time limit: 故障处理及时率; over it the report is due in 1 day
    RESTORATION = "restoration"  # rule 9: restoration confirmed before close (no deadline, a gate)
    REPORT = "report"  # rule 10: fault report within 2 (over-time: 1) working days


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # an approved suspension holds the fault time
    MET = "met"  # satisfied (or no longer owed) before its deadline
    BREACHED = "breached"  # the deadline passed first; met_at says whether it was satisfied late


class MilestoneKind(StrEnum):
    """A moment the sweep fires once: a journal entry plus a notification."""

    WARNING = "warning"  # sign target (5 min) passed
    BREACH = "breach"
    ESCALATION = "escalation"
    REPORT_DUE = "report_due"  # the fault report is now owed, with its due time


class NotificationKind(StrEnum):
    """Kinds of outbound notification; webhook URLs are configured per kind."""

    WARNING = "sla.warning"
    BREACH = "sla.breach"
    ESCALATION = "sla.escalation"
    REPORT_DUE = "sla.report_due"
    SUSPENSION_APPROVED = "suspension.approved"
    SUSPENSION_REJECTED = "suspension.rejected"
    ASSURANCE_ALARM = "assurance.alarm"  # an alarm on a key-assurance circuit's path (agent/telemetry/assurance.py)


MILESTONE_NOTIFICATION = {
    MilestoneKind.WARNING: NotificationKind.WARNING,
    MilestoneKind.BREACH: NotificationKind.BREACH,
    MilestoneKind.ESCALATION: NotificationKind.ESCALATION,
    MilestoneKind.REPORT_DUE: NotificationKind.REPORT_DUE,
}


@dataclass(frozen=True)
class SlaEvent:
    """One recorded event of a ticket's history; ``at`` is timezone-aware UTC."""

    kind: SlaEventKind
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SlaRules:
    """Durations of the duty rules (from ``SlaSettings``; the defaults are the source's)."""

    sign_warn: timedelta = timedelta(minutes=5)
    sign_limit: timedelta = timedelta(minutes=10)
    contact_feedback: timedelta = timedelta(minutes=15)
    progress_interval: timedelta = timedelta(minutes=30)
    escalation_level1: timedelta = timedelta(minutes=120)
    escalation_level2: timedelta = timedelta(minutes=180)
    fault_time_limit: timedelta = timedelta(minutes=180)
    report_working_days: int = 2
    report_working_days_overtime: int = 1

    @classmethod
    def from_settings(cls, sla: Any, tier: str | None = None) -> SlaRules:
        """Build from ``agent.settings.SlaSettings`` (minutes and day counts); ``tier``: a configured
        service-level tier whose own durations replace the source's (``SlaSettings.tiers``)."""
        over = sla.tiers.get(tier) if tier and getattr(sla, "tiers", None) else None
        v = lambda name: getattr(over, name, None) if getattr(over, name, None) is not None else getattr(sla, name)  # noqa: E731
        m = lambda name: timedelta(minutes=v(name))  # noqa: E731
        return cls(
            sign_warn=m("sign_warn_minutes"),
            sign_limit=m("sign_limit_minutes"),
            contact_feedback=m("contact_feedback_minutes"),
            progress_interval=m("progress_interval_minutes"),
            escalation_level1=m("escalation_level1_minutes"),
            escalation_level2=m("escalation_level2_minutes"),
            fault_time_limit=m("fault_time_limit_minutes"),
            report_working_days=v("report_working_days"),
            report_working_days_overtime=v("report_working_days_overtime"),
        )


DEFAULT_TIER = "default"


def tier_of(events: Any) -> str:
    """The service-level tier a ticket arrived with (in its ``created`` event), "default" without."""
    for ev in events:
        if ev.kind is SlaEventKind.CREATED:
            return (ev.data or {}).get("tier") or DEFAULT_TIER
    return DEFAULT_TIER


class ReportCalendar(Protocol):
    def report_due(self, resolved_at: datetime, working_days: int) -> datetime:
        """End of the ``working_days``-th working day after ``resolved_at`` (UTC)."""
        ...


@dataclass(frozen=True)
class Milestone:
    """A due moment of one clock; (clock, seq, kind) is its identity, fired exactly once."""

    clock: ClockKind
    seq: int
    kind: MilestoneKind
    due_at: datetime
    # what the journal text needs of the milestone's own obligation (report due: its deadline and
    # working days), so it never depends on a later state of the clock; not part of the identity
    detail: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @cached_property  # looked up for every milestone of every due ticket in each sweep
    def key(self) -> tuple[str, int, str]:
        return (self.clock.value, self.seq, self.kind.value)


@dataclass(frozen=True)
class Outcome:
    """A decided obligation, for KPIs: met in time or not, and when it was decided."""

    clock: ClockKind
    seq: int
    on_time: bool
    decided_at: datetime


@dataclass(frozen=True)
class ClockView:
    """The visible state of one clock at ``now`` (``GET /tickets/{id}``, duty board; api/schemas/sla.py
    shapes it)."""

    kind: ClockKind
    seq: int  # cycle (progress) or resolution number (report, restoration); 0 otherwise
    state: ClockState
    started_at: datetime
    due_at: datetime | None  # None while paused (the wall time is unknown) or without a deadline
    warn_at: datetime | None
    met_at: datetime | None
    breached_at: datetime | None
    remaining_seconds: float | None  # fault time (or wall time for the report) left; negative when overdue
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def paused(self) -> bool:
        return self.state is ClockState.PAUSED

    @property
    def met(self) -> bool:
        return self.met_at is not None

    @property
    def breached(self) -> bool:
        return self.state is ClockState.BREACHED

    @property
    def outstanding_overdue(self) -> bool:
        """Deadline passed and the obligation is still owed."""
        return self.state is ClockState.BREACHED and self.met_at is None


@dataclass(frozen=True)
class ProgressMark:
    """A checkpoint of the progress clock (rule 4), so a replay need not re-read a long history.

    Every progress entry at or before ``at`` is used and the cycle ``seq`` starts at ``at``. ``events``
    counts the ticket's events (of every kind) at or before ``at``: an event recorded later with an
    earlier time changes that count, and the checkpoint is then not used.
    """

    at: datetime
    seq: int
    events: int


@dataclass(frozen=True)
class TicketClocks:
    """Everything the replay of one ticket's history yields at ``now``."""

    clocks: tuple[ClockView, ...]
    milestones: tuple[Milestone, ...]  # every one due up to now, plus each clock's next future one
    outcomes: tuple[Outcome, ...]  # obligations decided up to now
    fault_seconds: float  # fault time so far, approved suspension excluded
    open: bool  # the fault is being worked (not resolved/closed)
    held: bool  # an approved suspension is in force
    progress_marks: tuple[ProgressMark, ...] = ()  # where a later replay may resume (oldest first)

    def clock(self, kind: ClockKind) -> ClockView | None:
        return next((c for c in self.clocks if c.kind is kind), None)
