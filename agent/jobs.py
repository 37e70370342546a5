"""The agent's scheduled work, on one APScheduler 3.x scheduler in the serving event loop: the SLA
sweep and its webhook outbox (blocking database work: run in the scheduler's worker threads), the
polls (one job per interval of reading kinds; each poll then grades the circuits), the readings
roll-up with retention, the early warning, the key-assurance tick (重保: its circuits' devices polled at
the periods' own intervals, alarm notices; agent/telemetry/assurance.py) and the loop reaper
(coroutines on the loop, like the collectors they drive; their database work goes to worker threads).

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
from agent.telemetry.service import Telemetry

log = logging.getLogger("faultline.jobs")

POLL_JOB_ID = "optical-poll"  # the poll at poll_interval_seconds; other intervals get "poll-<seconds>s"
ROLLUP_JOB_ID = "readings-rollup"
WARNING_JOB_ID = "early-warning"
LOOP_REAPER_JOB_ID = "loop-reaper"
ASSURANCE_JOB_ID = "key-assurance"


class Jobs:
    def __init__(self, sla: SlaEngine, session_factory, poller: OpticalPoller | None, poll_interval_s: float, *,
                 loops: LoopGuard | None = None, loop_reap_interval_s: float = 5.0,
                 telemetry: Telemetry | None = None) -> None:
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._sender = install_sla_jobs(self.scheduler, sla, session_factory)
        if loops is not None:
            # Failed clears retried with back-off, loops of a dead process cleared after their deadline.
            self.scheduler.add_job(_reap, "interval", seconds=loop_reap_interval_s, args=[loops], id=LOOP_REAPER_JOB_ID,
                                   name="loop reaper", max_instances=1, coalesce=True, replace_existing=True)
        once = dict(max_instances=1, coalesce=True, replace_existing=True)
        if poller is not None and poll_interval_s > 0:
            # The first poll runs one interval after start: start-up stays cheap, the API answers at once.
            groups = telemetry.poll_groups() if telemetry is not None else {poll_interval_s: None}
            for interval, wants in groups.items():
                job_id = POLL_JOB_ID if interval == poll_interval_s else f"poll-{interval:g}s"
                self.scheduler.add_job(_poll, "interval", seconds=interval, args=[poller, wants], id=job_id,
                                       name=f"poll {','.join(wants or ())}", **once)
        if telemetry is not None and poll_interval_s > 0:
            s = telemetry.services.settings
            self.scheduler.add_job(_roll_up, "interval", seconds=s.readings_rollup_interval_seconds, args=[telemetry],
                                   id=ROLLUP_JOB_ID, name="readings roll-up and retention", **once)
            self.scheduler.add_job(_warn, "interval", seconds=s.early_warning_interval_seconds, args=[telemetry],
                                   id=WARNING_JOB_ID, name="early warning", **once)
        if telemetry is not None and telemetry.services.settings.key_assurance_tick_seconds > 0:
            # key assurance (重保): its circuits' devices at the periods' own intervals, its alarm notices
            self.scheduler.add_job(_assure, "interval", seconds=telemetry.services.settings.key_assurance_tick_seconds,
                                   args=[telemetry.assurance], id=ASSURANCE_JOB_ID,
                                   name="key-assurance polls and alarm notices", **once)

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


async def _poll(poller: OpticalPoller, wants=None) -> None:
    try:
        await poller.poll_once(wants)
    except Exception:  # the next interval tries again
        log.exception("poll failed")


async def _roll_up(telemetry: Telemetry) -> None:
    try:
        await telemetry.roll_up_job()
    except Exception:  # the next interval rolls up what this one did not
        log.exception("readings roll-up failed")


async def _assure(assurance) -> None:
    try:
        await assurance.tick()
    except Exception:  # the next tick tries again
        log.exception("key-assurance tick failed")


async def _warn(telemetry: Telemetry) -> None:
    try:
        await telemetry.warnings.run()
    except Exception:
        log.exception("early warning failed")
