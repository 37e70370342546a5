"""Early warning (预警) with a date, per circuit port: the robust trend of Rx, Tx and the CRC error rate
over ``trend_lookback_days`` (``diagnosis.trend``: Theil-Sen, restarted after a module swap) and the
projected date each crosses its limits; flagged when that date is within ``early_warning_horizon_days``
(the source's preventive rule: act before the alarm). Stored in ``port_trend``, one row per port and
metric, replaced at each run; the grader lists the flagged ones with the circuit's grade.

The limits are those the diagnosis judges a reading against, so the module's own DDM thresholds come
from the latest poll (the poller's memory): a port the poller has not read since start-up is projected
onto the inventory's and the transceiver type's limits.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agent.db import unit_of_work
from agent.evidence.mapping import optical as optical_reading
from agent.inventory.targets import resolve_circuits
from agent.models import PortTrend
from agent.telemetry.assurance import warning_overrides
from agent.telemetry.history import series_for_trend
from diagnosis import readings as dr
from diagnosis.path import PortEnd
from diagnosis.thresholds import DEFAULT_THRESHOLDS, Thresholds
from diagnosis.trend import EarlyWarning, Metric, Sample, early_warning, limits

log = logging.getLogger("faultline.warning")


def crossing_json(w: EarlyWarning) -> list[dict[str, Any]]:
    return [{"limit": c.limit.value, "value": c.limit_value, "from": c.limit_from,
             "at": c.at.isoformat() if c.at else None, "withinHorizon": c.within_horizon} for c in w.crossings]


def compute(session: Session, now: datetime, lookback: timedelta, horizon: timedelta,
            readings: dict[tuple[str, str], dr.OpticalReading], thresholds: Thresholds = DEFAULT_THRESHOLDS,
            overrides: dict[tuple[str, str], tuple[timedelta, Thresholds]] | None = None) -> list[EarlyWarning]:
    """The early warnings of every circuit port (and uplink), from the stored history. ``overrides``:
    per port, a tighter horizon and thresholds (a key-assurance period, agent/telemetry/assurance.py)."""
    overrides = overrides or {}
    ends: dict[tuple[str, str], PortEnd] = {}
    for resolved in resolve_circuits(session):
        for _, end in resolved.path.ports():
            ends.setdefault(end.key, end)
        for end in resolved.path.uplinks:
            ends.setdefault(end.key, end)
    since = now - lookback
    out = []
    for metric in Metric:
        series = series_for_trend(session, ends, metric.value, since)
        for key, points in series.items():
            end = ends[key]
            h, th = overrides.get(key, (horizon, thresholds))
            w = early_warning(end.device, end.port, metric, [Sample(t, v) for t, v in points],
                              limits(metric, end, readings.get(key), th), h, th)
            if w is not None:
                out.append(w)
    return out


def store(session: Session, warnings: list[EarlyWarning], now: datetime) -> None:
    """Replace every port's stored trend with this run's (a port without a trend now has none stored)."""
    session.execute(delete(PortTrend))
    session.add_all(PortTrend(device_name=w.device, port_name=w.port, metric=w.metric.value,
                              slope_per_day=w.trend.slope_per_day, level=w.trend.level, points=w.trend.points,
                              since=w.trend.since, until=w.trend.until, restarted_at=w.trend.restarted_at,
                              crossings=crossing_json(w), first_crossing=w.first_crossing, flagged=w.flagged,
                              computed_at=now) for w in warnings)


@dataclass(frozen=True)
class WarningReport:
    at: datetime
    ports: int
    flagged: int
    duration_s: float


class EarlyWarnings:
    def __init__(self, services, poller=None) -> None:
        self.services = services
        self.poller = poller
        self.last: WarningReport | None = None

    def _readings(self) -> dict[tuple[str, str], dr.OpticalReading]:
        if self.poller is None:
            return {}
        return {(r.device, r.port): optical_reading(r) for sv in self.poller.state().surveys.values() for r in sv.optical}

    def run_sync(self, readings: dict[tuple[str, str], dr.OpticalReading] | None = None) -> WarningReport:
        t0 = time.perf_counter()
        s = self.services.settings
        now = self.services.clock.now()
        horizon = timedelta(days=s.early_warning_horizon_days)
        with unit_of_work(self.services.session_factory) as session:
            tighter = warning_overrides(session, now, horizon, DEFAULT_THRESHOLDS)
            warnings = compute(session, now, timedelta(days=s.trend_lookback_days), horizon,
                               self._readings() if readings is None else readings, overrides=tighter)
            store(session, warnings, now)
        flagged = sum(1 for w in warnings if w.flagged)
        self.last = WarningReport(now, len(warnings), flagged, round(time.perf_counter() - t0, 3))
        log.info("early warning: %d port trends, %d flagged, %.1f s", len(warnings), flagged, self.last.duration_s)
        return self.last

    async def run(self) -> WarningReport:
        # the poller's memory is read here, in the event loop that changes it; the rest in a worker
        return await asyncio.to_thread(self.run_sync, self._readings())


def stored_trends(session: Session, device: str, port: str) -> list[PortTrend]:
    return list(session.scalars(select(PortTrend).where(PortTrend.device_name == device, PortTrend.port_name == port)
                                .order_by(PortTrend.metric)))
