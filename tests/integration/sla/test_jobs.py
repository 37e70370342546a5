"""The APScheduler 3.x jobs from install_jobs: the sweep fires on its own and the outbox delivers to a
real receiver, each event once (the manual clock says what is due; the scheduler runs in real time)."""
from __future__ import annotations

import time
from collections import Counter

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from agent.models import JournalEntry
from agent.settings import SlaSettings
from agent.sla import install_jobs


@pytest.fixture
def sla_settings(endpoint) -> SlaSettings:
    host, port = endpoint
    return SlaSettings(webhooks={"sla.warning": [f"http://{host}:{port}/warn"]})


def wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met before the deadline")


def test_installed_jobs_sweep_and_deliver(sla, factory, clock, make_ticket, endpoint, webhook_receiver):
    receiver = webhook_receiver(*endpoint)
    tid = make_ticket("JOB-1")
    clock.advance(minutes=6)  # sign warning due
    scheduler = BackgroundScheduler(timezone="UTC")
    sender = install_jobs(scheduler, sla, factory, interval_seconds=0.05)
    assert {j.id for j in scheduler.get_jobs()} == {"sla-sweep", "sla-outbox"}
    executed: Counter[str] = Counter()
    scheduler.add_listener(lambda e: executed.update([e.job_id]), EVENT_JOB_EXECUTED)
    scheduler.start()
    try:
        wait_for(lambda: receiver.processed)
        seen = dict(executed)
        # five more runs of each job after the delivery: still one journal entry, one post
        wait_for(lambda: all(executed[j] >= seen.get(j, 0) + 5 for j in ("sla-sweep", "sla-outbox")))
    finally:
        scheduler.shutdown(wait=True)
        sender.close()
    runs = _journal(factory, tid)
    assert runs == ["sla_warning"]
    assert list(receiver.posts.values()) == [1]
    (body,) = receiver.processed.values()
    assert body["kind"] == "sla.warning" and body["ticketId"] == tid and body["milestone"] == "warning"


def _journal(factory, tid):
    with factory() as s:
        return list(s.scalars(select(JournalEntry.kind).where(JournalEntry.ticket_id == tid,
                                                               JournalEntry.kind.like("sla_%"))))
