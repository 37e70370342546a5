"""The queue's tasks: each calls the same service the in-process path calls (agent/jobs.py), with the
locks that keep it right across processes.

- ``triage`` (queue triage): ``queueing_lock`` triage-<ticket>: at most one pending triage per
  ticket; the diagnosis is stored once per job (``Diagnosis.job_key``), so a job run again after its
  worker was killed stores it once; a lost database is retried with back-off.
- ``sla_sweep`` / ``sla_outbox`` (queue notify): periodic, deferred once per period by the database
  (procrastinate_periodic_defers) whatever the number of workers, and ``lock``-ed so that two periods'
  jobs never run at once; their effects are idempotent anyway (claimed milestones, leased outbox rows).
- ``poll`` (queue poll.<region>): periodic per region and interval group; reads only that region's
  devices; ``lock`` per region and group.
- ``readings_rollup`` / ``early_warning`` (queue reports): periodic.
- ``retry_stalled_jobs`` / ``triage_recovery`` (queue triage): periodic. A worker whose heartbeat
  stopped (kill -9, host lost) is pruned and its running jobs are retried; open tickets that have no
  diagnosis, no failure and no queued or running triage (an enqueue lost with the database) are queued.
  These two take no ``lock``: a lock held by a dead worker's job would block the very recovery that
  frees it.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from procrastinate import App, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import select, text

from agent.enums import JournalKind, TicketStatus
from agent.models import Diagnosis, JournalEntry, Ticket
from agent.settings import Settings
from agent.triage.service import DatabaseLost
from agent.work.metrics import WorkMetrics
from agent.work.queues import NOTIFY, REPORTS, TRIAGE, cron_every, poll_queue

log = logging.getLogger("faultline.work")

TRIAGE_TASK = "triage"


def triage_lock(ticket_id: int) -> str:
    return f"triage-{ticket_id}"


@dataclass
class WorkerParts:
    """What a worker's jobs run with (procrastinate's additional context)."""

    services: Any  # agent.services.Services
    metrics: WorkMetrics
    regions: set[str] = field(default_factory=set)  # the regions whose devices this worker may read
    sender: Any = None  # the webhook sender, made on the first outbox job
    extra: dict[str, Any] = field(default_factory=dict)


def _parts(context) -> WorkerParts:
    return context.additional_context["parts"]


def register_tasks(app: App, settings: Settings, regions: Iterable[str] = (),
                   poll_groups: dict[float, tuple[str, ...]] | None = None) -> App:
    """Every task on ``app``; the periodic ones with their schedules (the same in every process, so the
    database dedupes their deferrals)."""

    @app.task(name=TRIAGE_TASK, queue=TRIAGE, pass_context=True,
              retry=RetryStrategy(max_attempts=settings.triage_job_attempts, wait=1, exponential_wait=2,
                                  retry_exceptions={DatabaseLost, ConnectionError, OSError}))
    async def triage(context, ticket_id: int, reason: str = "arrival") -> dict[str, Any]:
        parts = _parts(context)
        with parts.metrics.job(TRIAGE_TASK, TRIAGE):
            try:
                result = await parts.services.triage.run(ticket_id, reason, job_key=f"job-{context.job.id}",
                                                         raise_unavailable=True)
            except DatabaseLost as exc:
                log.warning("triage of ticket %s (job %s) lost the database (%s); the queue runs it again",
                            ticket_id, context.job.id, exc)
                raise
        return {"diagnosis": result.diagnosis_id, "verdict": result.verdict}

    @app.periodic(cron=cron_every(settings.sla.sweep_interval_seconds), periodic_id="sla-sweep")
    @app.task(name="sla_sweep", queue=NOTIFY, lock="sla-sweep", queueing_lock="sla-sweep", pass_context=True)
    async def sla_sweep(context, timestamp: int) -> int:
        from agent.sla.jobs import run_sweep

        parts = _parts(context)
        with parts.metrics.job("sla_sweep", NOTIFY):
            return await asyncio.to_thread(run_sweep, parts.services.sla, parts.services.session_factory)

    @app.periodic(cron=cron_every(settings.sla.sweep_interval_seconds), periodic_id="sla-outbox")
    @app.task(name="sla_outbox", queue=NOTIFY, lock="sla-outbox", queueing_lock="sla-outbox", pass_context=True)
    async def sla_outbox(context, timestamp: int) -> int:
        from agent.sla.jobs import run_outbox
        from agent.sla.outbox import WebhookSender

        parts = _parts(context)
        if parts.sender is None:
            parts.sender = WebhookSender(parts.services.settings.sla)
        with parts.metrics.job("sla_outbox", NOTIFY):
            return await asyncio.to_thread(run_outbox, parts.services.sla, parts.sender, parts.services.session_factory)

    @app.task(name="poll", pass_context=True)
    async def poll(context, timestamp: int, region: str, wants: list[str]) -> dict[str, Any]:
        parts = _parts(context)
        poller = parts.services.poller
        if poller is None or region not in parts.regions:
            raise RuntimeError(f"this worker does not collect for region {region!r} (its regions: "
                               f"{', '.join(sorted(parts.regions)) or 'none'})")
        with parts.metrics.job("poll", poll_queue(region)):
            report = await poller.poll_once(tuple(wants), regions=(region,))
        parts.metrics.poll(region, report)
        return {"devices": report.devices, "values": report.values, "failed": len(report.failed)}

    if poll_groups:
        for region in sorted(set(regions)):
            for interval, wants in poll_groups.items():
                app.periodic(cron=cron_every(interval), periodic_id=f"{region}-{interval:g}s", queue=poll_queue(region),
                             lock=f"poll-{region}-{interval:g}s", queueing_lock=f"poll-{region}-{interval:g}s",
                             task_kwargs={"region": region, "wants": list(wants)})(poll)

    @app.periodic(cron=cron_every(settings.readings_rollup_interval_seconds), periodic_id="rollup")
    @app.task(name="readings_rollup", queue=REPORTS, lock="readings-rollup", queueing_lock="readings-rollup",
              pass_context=True)
    async def readings_rollup(context, timestamp: int) -> None:
        parts = _parts(context)
        if parts.services.telemetry is not None:
            with parts.metrics.job("readings_rollup", REPORTS):
                await parts.services.telemetry.roll_up_job()

    @app.periodic(cron=cron_every(settings.early_warning_interval_seconds), periodic_id="early-warning")
    @app.task(name="early_warning", queue=REPORTS, lock="early-warning", queueing_lock="early-warning",
              pass_context=True)
    async def early_warning(context, timestamp: int) -> None:
        parts = _parts(context)
        if parts.services.telemetry is not None:
            with parts.metrics.job("early_warning", REPORTS):
                await parts.services.telemetry.warnings.run()

    @app.periodic(cron=cron_every(settings.worker_stalled_check_seconds), periodic_id="stalled")
    @app.task(name="retry_stalled_jobs", queue=TRIAGE, queueing_lock="retry-stalled-jobs")
    async def retry_stalled_jobs(timestamp: int) -> list[int]:
        manager = app.job_manager
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=settings.worker_stalled_seconds))
        for job in stalled:
            log.warning("job %s (%s on %s) stalled: its worker stopped; retrying it", job.id, job.task_name,
                        job.queue)
            await manager.retry_job(job)
        await manager.prune_stalled_workers(settings.worker_stalled_seconds)
        return [j.id for j in stalled]

    @app.periodic(cron=cron_every(settings.triage_recovery_seconds), periodic_id="triage-recovery")
    @app.task(name="triage_recovery", queue=TRIAGE, queueing_lock="triage-recovery", pass_context=True)
    async def triage_recovery(context, timestamp: int) -> list[int]:
        parts = _parts(context)
        missing = await asyncio.to_thread(untriaged_tickets, parts.services, settings.triage_recovery_seconds)
        queued = []
        for tid in missing:
            try:
                await triage.configure(queueing_lock=triage_lock(tid)).defer_async(ticket_id=tid, reason="recovery")
                queued.append(tid)
            except AlreadyEnqueued:
                pass
        if queued:
            log.warning("triage recovery: queued ticket(s) %s (no diagnosis, no triage queued or running)", queued)
        return queued

    return app


def untriaged_tickets(services, older_than_s: float) -> list[int]:
    """Open tickets on a known circuit, older than ``older_than_s``, with no diagnosis, no recorded
    triage failure and no triage job queued or running."""
    cutoff = services.clock.now() - timedelta(seconds=older_than_s)
    finished = (TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value)
    with services.session_factory() as s:
        candidates = s.scalars(select(Ticket.id).where(
            Ticket.status.not_in(finished), Ticket.circuit_known.is_(True), Ticket.created_at < cutoff,
            ~select(Diagnosis.id).where(Diagnosis.ticket_id == Ticket.id).exists(),
            ~select(JournalEntry.id).where(JournalEntry.ticket_id == Ticket.id,
                                           JournalEntry.kind == JournalKind.TRIAGE_FAILED.value).exists(),
        ).order_by(Ticket.id).limit(1000)).all()
        if not candidates:
            return []
        busy = set(s.scalars(text(
            "SELECT (args->>'ticket_id')::int FROM procrastinate_jobs WHERE task_name = :task "
            "AND status IN ('todo', 'doing')"), {"task": TRIAGE_TASK}).all())
    return [t for t in candidates if t not in busy]
