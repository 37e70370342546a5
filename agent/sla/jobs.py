"""APScheduler 3.x jobs of the SLA engine: the sweep and the webhook outbox, each every few seconds.

Installed once per deployment (the process that runs the scheduler), never per web worker.
"""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from agent.sla.engine import SlaEngine
from agent.sla.outbox import WebhookSender

log = logging.getLogger("faultline.sla.jobs")

SWEEP_JOB_ID = "sla-sweep"
OUTBOX_JOB_ID = "sla-outbox"


def run_sweep(engine: SlaEngine, factory: sessionmaker[Session]) -> int:
    try:
        return len(engine.sweep(factory))
    except Exception:  # a failed sweep must not kill the job; the next one retries
        log.exception("SLA sweep failed")
        return 0


def run_outbox(engine: SlaEngine, sender: WebhookSender, factory: sessionmaker[Session]) -> int:
    try:
        return sender.deliver_due(factory, engine.clock.now()).delivered
    except Exception:
        log.exception("SLA webhook delivery failed")
        return 0


def install_jobs(scheduler, engine: SlaEngine, factory: sessionmaker[Session],
                 sender: WebhookSender | None = None, interval_seconds: float | None = None) -> WebhookSender:
    """Add (or replace) the two interval jobs on an APScheduler 3.x scheduler; returns the sender to close."""
    interval = interval_seconds or engine.cfg.sweep_interval_seconds
    sender = sender or WebhookSender(engine.cfg)
    common = dict(trigger="interval", seconds=interval, max_instances=1, coalesce=True, replace_existing=True)
    scheduler.add_job(run_sweep, id=SWEEP_JOB_ID, name="SLA sweep", args=[engine, factory], **common)
    scheduler.add_job(run_outbox, id=OUTBOX_JOB_ID, name="SLA webhook outbox", args=[engine, sender, factory],
                      **common)
    return sender
