"""The agent's scheduled work, on one APScheduler 3.x scheduler in the serving event loop: the SLA
sweep and its webhook outbox (blocking database work: run in the scheduler's worker threads), the
optical poll and the loop reaper (coroutines on the loop, like the collectors they drive).

One scheduler per deployment: the process started with jobs (``faultline serve``), never one per web
worker. Each job runs at most once at a time and missed runs coalesce into one.
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from agent.loops import LoopGuard
from agent.polling import OpticalPoller
from agent.sla import install_jobs as install_sla_jobs
from agent.sla.engine import SlaEngine

log = logging.getLogger("faultline.jobs")

POLL_JOB_ID = "optical-poll"
LOOP_REAPER_JOB_ID = "loop-reaper"


class Jobs:
    def __init__(self, sla: SlaEngine, session_factory, poller: OpticalPoller | None, poll_interval_s: float, *,
                 loops: LoopGuard | None = None, loop_reap_interval_s: float = 5.0) -> None:
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._sender = install_sla_jobs(self.scheduler, sla, session_factory)
        if loops is not None:
            # Failed clears retried with back-off, loops of a dead process cleared after their deadline.
            self.scheduler.add_job(_reap, "interval", seconds=loop_reap_interval_s, args=[loops], id=LOOP_REAPER_JOB_ID,
                                   name="loop reaper", max_instances=1, coalesce=True, replace_existing=True)
        if poller is not None and poll_interval_s > 0:
            # The first poll runs one interval after start: start-up stays cheap, the API answers at once.
            self.scheduler.add_job(_poll, "interval", seconds=poll_interval_s, args=[poller], id=POLL_JOB_ID,
                                   name="optical poll", max_instances=1, coalesce=True, replace_existing=True)

    async def start(self) -> None:
        self.scheduler.start()  # inside the running loop: AsyncIOScheduler binds to it

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        close = getattr(self._sender, "close", None)
        if close is not None:
            close()


async def _reap(loops: LoopGuard) -> None:
    try:
        cleared = await loops.reap()
        if cleared:
            log.warning("loop reaper cleared loop test(s) %s", cleared)
    except Exception:  # the next interval tries again
        log.exception("loop reaper failed")


async def _poll(poller: OpticalPoller) -> None:
    try:
        await poller.poll_once()
    except Exception:  # the next interval tries again
        log.exception("optical poll failed")
