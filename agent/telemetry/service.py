"""The NOC's telemetry as one part of the process: the poller, the grader it feeds, the early
warnings, and the roll-up with retention; each scheduled on the one scheduler (agent/jobs.py)."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from agent.db import unit_of_work
from agent.polling import OpticalPoller
from agent.telemetry.assurance import AssurancePolling
from agent.telemetry.grading import HealthGrader
from agent.telemetry.history import Pruned, prune, roll_up
from agent.telemetry.warning import EarlyWarnings

log = logging.getLogger("faultline.telemetry")


@dataclass(frozen=True)
class RollupReport:
    at: datetime
    hours: int
    pruned: Pruned


class Telemetry:
    def __init__(self, services, poller: OpticalPoller) -> None:
        self.services = services
        self.poller = poller
        self.grader = HealthGrader(services)
        poller.grader = self.grader
        self.warnings = EarlyWarnings(services, poller)
        self.assurance = AssurancePolling(services, poller)  # key assurance (重保): tighter polls, alarm notices

    def poll_groups(self) -> dict[float, tuple[str, ...]]:
        """The reading kinds polled together, by interval (settings poll_kinds / poll_kind_intervals)."""
        s = self.services.settings
        groups: dict[float, list[str]] = {}
        for kind in s.poll_kinds:
            groups.setdefault(float(s.poll_kind_intervals.get(kind, s.poll_interval_seconds)), []).append(kind)
        return {interval: tuple(kinds) for interval, kinds in groups.items() if interval > 0}

    def roll_up_and_prune(self) -> RollupReport:
        """Roll up the finished hours, then apply both retentions (blocking: run in a worker thread)."""
        s = self.services.settings
        now = self.services.clock.now()
        # a poll that began before the hour ended lands within its own duration: one interval settles it
        settle = timedelta(seconds=max(60.0, s.poll_interval_seconds))
        with unit_of_work(self.services.session_factory) as session:
            hours = roll_up(session, now, settle)
        with unit_of_work(self.services.session_factory) as session:
            pruned = prune(session, now, timedelta(days=s.poll_retention_days),
                           timedelta(days=s.readings_hourly_retention_days))
        log.info("readings roll-up: %d hours; pruned %d raw, %d hourly rows", len(hours), pruned.raw, pruned.hourly)
        return RollupReport(now, len(hours), pruned)

    async def roll_up_job(self) -> RollupReport:
        return await asyncio.to_thread(self.roll_up_and_prune)
