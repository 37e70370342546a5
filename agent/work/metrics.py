"""Prometheus metrics (prometheus-client, text format): counted where the work runs, read from the
database where the state lives.

- Counted in the process that ran it (each process has its own registry, no global one): jobs by task,
  queue and outcome, job durations, polls and poll failures per region, poll durations per region.
  Workers expose theirs with ``faultline worker --metrics-port``; the API process on ``/metrics``.
- Read from the database at scrape time (the API's ``/metrics``, one process answers for the whole
  deployment): queue depths by queue and status (procrastinate's rows, PostgreSQL), stalled jobs,
  open tickets by state, SLA breaches by clock, active loop tests.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select, text

from agent.enums import LoopState, TicketStatus

log = logging.getLogger("faultline.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_DURATIONS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80, 160, 320)


class WorkMetrics:
    """One process's metrics; ``state_of`` (a session factory) adds the database-derived gauges."""

    def __init__(self, session_factory=None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.jobs = Counter("faultline_jobs", "Jobs run by this process", ["task", "queue", "outcome"],
                            registry=self.registry)
        self.job_seconds = Histogram("faultline_job_duration_seconds", "Job durations", ["task", "queue"],
                                     buckets=_DURATIONS, registry=self.registry)
        self.polls = Counter("faultline_polls", "Polls run", ["region"], registry=self.registry)
        self.poll_failures = Counter("faultline_poll_device_failures", "Devices a poll got no reading from",
                                     ["region"], registry=self.registry)
        self.poll_seconds = Histogram("faultline_poll_duration_seconds", "Poll durations", ["region"],
                                      buckets=_DURATIONS, registry=self.registry)
        self.poll_values = Counter("faultline_poll_values", "Values stored by polls", ["region"],
                                   registry=self.registry)
        if session_factory is not None:
            self.registry.register(_StateCollector(session_factory))

    @contextmanager
    def job(self, task: str, queue: str) -> Iterator[None]:
        t0 = time.perf_counter()
        outcome = "failed"
        try:
            yield
            outcome = "succeeded"
        finally:
            self.jobs.labels(task, queue, outcome).inc()
            self.job_seconds.labels(task, queue).observe(time.perf_counter() - t0)

    def poll(self, region: str, report) -> None:
        self.polls.labels(region).inc()
        self.poll_failures.labels(region).inc(len(report.failed))
        self.poll_seconds.labels(region).observe(report.duration_s)
        self.poll_values.labels(region).inc(report.values)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _StateCollector:
    """Gauges read from the database at scrape time (a failed read leaves them out and says so in the log)."""

    def __init__(self, session_factory) -> None:
        self.session_factory = session_factory

    def describe(self):
        return []  # no fixed set: registered without a describe-time scrape of the database

    def collect(self):
        from agent.models import LoopTest, Ticket
        from agent.models.sla import SlaClockRow

        try:
            with self.session_factory() as s:
                tickets = s.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all()
                breaches = s.execute(select(SlaClockRow.kind, func.count()).where(
                    SlaClockRow.breached_at.is_not(None)).group_by(SlaClockRow.kind)).all()
                loops = s.scalar(select(func.count()).select_from(LoopTest).where(
                    LoopTest.state.in_([x.value for x in LoopState.active()])))
                queues = _queue_rows(s)
        except Exception:  # noqa: BLE001 - a scrape never fails on a lost database: the gauges are absent
            log.exception("metrics: database state unreadable")
            return
        g = GaugeMetricFamily("faultline_tickets_open", "Open tickets by state", labels=["state"])
        finished = {TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value}
        for status, n in tickets:
            if status not in finished:
                g.add_metric([status], n)
        yield g
        g = GaugeMetricFamily("faultline_sla_breaches", "SLA clocks breached, by clock", labels=["clock"])
        for kind, n in breaches:
            g.add_metric([kind], n)
        yield g
        yield GaugeMetricFamily("faultline_loops_active", "Loop tests set or being set/cleared", value=loops or 0)
        if queues is not None:
            depth, stalled = queues
            g = GaugeMetricFamily("faultline_queue_jobs", "Queue jobs by queue and status", labels=["queue", "status"])
            for q, st, n in depth:
                g.add_metric([q, st], n)
            yield g
            g = GaugeMetricFamily("faultline_queue_stalled_jobs", "Running jobs whose worker stopped its heartbeat",
                                  labels=["queue"])
            for q, n in stalled:
                g.add_metric([q], n)
            yield g


def _queue_rows(s):
    if s.get_bind().dialect.name != "postgresql":
        return None  # SQLite: no queue, the jobs run in-process
    depth = s.execute(text("SELECT queue_name, status::text, count(*) FROM procrastinate_jobs "
                           "WHERE status IN ('todo', 'doing') GROUP BY 1, 2")).all()
    stalled = s.execute(text(
        "SELECT j.queue_name, count(*) FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w ON w.id = j.worker_id "
        "WHERE j.status = 'doing' AND (w.id IS NULL OR w.last_heartbeat < now() - interval '30 seconds') GROUP BY 1")).all()
    return depth, stalled
