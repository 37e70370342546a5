"""SLA clocks of the duty rules (DOMAIN.md "The duty rules (SLA)"): deadlines, pause on approved
suspension, escalation, working-day report deadlines, an exactly-once sweep, a webhook outbox, KPIs.

Integration contract (the ticket lifecycle service and the API call these):

``SlaEngine(settings, clock)`` — one per process.

``engine.on_ticket_event(session, ticket, event, at, data=None)``
    Called inside the lifecycle transaction (the caller commits) after each action. ``event`` is one
    of ``SlaEventKind`` — created (arrival), signed, dispatched, customer_contacted, progress,
    suspension_requested, suspension_approved, suspension_rejected, resumed, resolved,
    restoration_confirmed, closed, reopened, report_submitted — or the lifecycle's action names
    (each lifecycle action names its ``SlaEventKind``: agent/tickets/lifecycle.py). It stores
    the event in ``sla_event``, recomputes the ticket's clocks into ``sla_clock`` and, for a suspension
    decision, queues the notification. Only ``suspension_approved`` .. ``resumed`` pauses fault time.

``engine.clocks_for(session, ticket_id, now) -> list[ClockView]``
    Every started clock (kind, state running/paused/met/breached, due, remaining, met/breached times);
    ``api/schemas/sla.py`` shapes them for ``GET /api/v1/tickets/{id}``.

``engine.overdue_ticket_ids_query(now) -> Select`` of ticket ids with an obligation past due and owed.

``engine.sweep(session_factory, now=None) -> list[FiredEvent]``
    Finds due clocks through the indexed ``sla_clock.next_due_at`` and fires each due milestone
    (warning, breach, escalation, report due) exactly once: claim in ``sla_fired`` (unique key),
    journal entry (``agent.journal.append``), notification (log line + ``sla_outbox`` rows).

``install_jobs(scheduler, engine, session_factory)`` — APScheduler 3.x interval jobs for the sweep and
    the webhook outbox (``WebhookSender``); returns the sender (close it on shutdown).

``engine.upcoming(session, now, within)`` and ``engine.kpis(session, start, end, now)`` back
    ``GET /api/v1/sla/upcoming`` and ``GET /api/v1/kpis`` (``api/routers/sla.py``).

Pure parts, usable without a database: ``clocks.compute_clocks`` (history -> clocks),
``calendar.WorkingDayCalendar``, ``kpis.compute_kpis``.
"""
from __future__ import annotations

from agent.sla.calendar import WorkingDayCalendar
from agent.sla.clocks import compute_clocks
from agent.sla.engine import SlaEngine, UpcomingClock
from agent.sla.errors import HistoryError, SlaError, WebhookError
from agent.sla.jobs import install_jobs
from agent.sla.kpis import KpiReport, compute_kpis
from agent.sla.model import (
    ClockKind,
    ClockState,
    ClockView,
    MilestoneKind,
    NotificationKind,
    SlaEvent,
    SlaEventKind,
    SlaRules,
    TicketClocks,
)
from agent.sla.outbox import WebhookSender
from agent.sla.sweep import FiredEvent

__all__ = [
    "ClockKind", "ClockState", "ClockView", "FiredEvent", "HistoryError", "KpiReport",
    "MilestoneKind", "NotificationKind", "SlaEngine", "SlaError", "SlaEvent", "SlaEventKind", "SlaRules",
    "TicketClocks", "UpcomingClock", "WebhookError", "WebhookSender", "WorkingDayCalendar",
    "compute_clocks", "compute_kpis", "install_jobs",
]
