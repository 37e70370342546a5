"""Optical power polling (光功率巡检): every ``poll_interval_seconds`` (a job of agent/jobs.py) each inventory device is surveyed
for optical power and interface status on its fibre ports only (SNMP first, CLI where SNMP has no
optics, e.g. ZTE), and one ``OpticalSample`` per port is stored. The series feeds the Rx-trend early
warning of triage (``rx_trend``) and the poll's admin status feeds the trap receiver's suppression.

Cheap by design: fibre ports only, two wants, a few devices at a time, nothing at start-up (the first
poll runs one interval after start), samples older than the retention are pruned.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session, selectinload

from agent.db import unit_of_work
from agent.inventory.targets import device_target
from agent.models import Device, OpticalSample
from collectors import AdminStatus, Collector, DeviceSurvey
from collectors.target import DeviceTarget
from diagnosis import readings as dr
from diagnosis.enums import Method

log = logging.getLogger("faultline.polling")

POLL_WANTS = ("optical", "interface")
MAX_TREND_POINTS = 400  # per port: plenty for a least-squares slope, cheap to read and to diagnose


@dataclass(frozen=True)
class PollReport:
    at: datetime
    devices: int
    samples: int
    failed: dict[str, str] = field(default_factory=dict)  # device -> why no sample came


def fibre_targets(session: Session) -> list[DeviceTarget]:
    """A target per inventory device, with only its ports that carry a transceiver."""
    devices = session.scalars(select(Device).options(selectinload(Device.ports))).all()
    out = []
    for dev in devices:
        ports = [p for p in dev.ports if p.transceiver]
        if ports:
            out.append(device_target(dev, ports))
    return out


def samples_of(survey: DeviceSurvey, at: datetime) -> list[OpticalSample]:
    optical = {r.port: r for r in survey.optical}
    status = {r.port: r for r in survey.interfaces}
    out = []
    for port in sorted(set(optical) | set(status)):
        o, s = optical.get(port), status.get(port)
        rx = o.rx_dbm if o is not None else None
        out.append(OpticalSample(device_name=survey.device, port_name=port, at=at,
                                 rx_dbm=rx if rx is None or rx > -100 else None,  # -inf: no light, not a level
                                 tx_dbm=o.tx_dbm if o is not None else None,
                                 oper=str(s.oper) if s is not None else None))
    return out


class OpticalPoller:
    def __init__(self, services, *, max_concurrent: int = 8, device_timeout: float = 30.0) -> None:
        self.services = services
        self.max_concurrent = max_concurrent
        self.device_timeout = device_timeout
        self._collector: Collector | None = None
        self._lock = asyncio.Lock()
        self.last: PollReport | None = None

    @property
    def collector(self) -> Collector:
        if self._collector is None:  # made inside the serving loop (a pysnmp engine belongs to one loop)
            self._collector = Collector()
        return self._collector

    async def poll_once(self) -> PollReport:
        """Survey every device once and store the samples; device trouble is counted, never raised."""
        async with self._lock:
            at = self.services.clock.now()
            targets = await asyncio.to_thread(self._targets)
            sem = asyncio.Semaphore(self.max_concurrent)

            async def one(t: DeviceTarget) -> DeviceSurvey:
                async with sem:
                    return await self.collector.survey(t, None, POLL_WANTS, None, self.device_timeout)

            results = await asyncio.gather(*(one(t) for t in targets), return_exceptions=True)
            rows: list[OpticalSample] = []
            failed: dict[str, str] = {}
            admin: list[tuple[str, str, bool]] = []
            for t, r in zip(targets, results):
                if isinstance(r, BaseException):
                    failed[t.name] = f"{type(r).__name__}: {r}"
                    continue
                if not r.reachable:
                    failed[t.name] = "; ".join(str(e.error) for e in r.errors)[:300] or "unreachable"
                rows += samples_of(r, at)
                admin += [(i.device, i.port, i.admin == AdminStatus.DOWN) for i in r.interfaces]
            await asyncio.to_thread(self._store, rows, at)
            traps = self.services.traps
            if traps is not None:
                for device, port, down in admin:
                    traps.set_admin_down(device, port, down)
            self.last = PollReport(at, len(targets), len(rows), failed)
            log.info("optical poll: %d devices, %d samples, %d failed", len(targets), len(rows), len(failed))
            return self.last

    def _targets(self) -> list[DeviceTarget]:
        with self.services.session_factory() as session:
            return fibre_targets(session)

    def _store(self, rows: list[OpticalSample], at: datetime) -> None:
        keep = timedelta(days=self.services.settings.poll_retention_days)
        with unit_of_work(self.services.session_factory) as session:
            session.add_all(rows)
            session.execute(delete(OpticalSample).where(OpticalSample.at < at - keep))

    async def start(self) -> None:
        """Nothing runs until the scheduler's first poll (agent/jobs.py)."""

    async def stop(self) -> None:
        if self._collector is not None:
            self._collector.close()
            self._collector = None


def rx_trend(session: Session, ports: Iterable[tuple[str, str]], since: datetime) -> list[dr.RxTrendPoint]:
    """The stored Rx series of these ports since ``since``, as diagnosis trend points (oldest first)."""
    ports = sorted(set(ports))
    if not ports:
        return []
    rows = session.execute(select(OpticalSample.id, OpticalSample.device_name, OpticalSample.port_name,
                                  OpticalSample.at, OpticalSample.rx_dbm).where(
        tuple_(OpticalSample.device_name, OpticalSample.port_name).in_(ports), OpticalSample.at >= since,
        OpticalSample.rx_dbm.is_not(None)).order_by(OpticalSample.at, OpticalSample.id)).all()
    by_port: dict[tuple[str, str], list] = {}
    for r in rows:
        by_port.setdefault((r.device_name, r.port_name), []).append(r)
    out = []
    for series in by_port.values():
        step = -(-len(series) // MAX_TREND_POINTS)  # 14 days of 5-minute polls thinned to hourly-ish points
        kept = series[::step]
        if kept[-1] is not series[-1]:
            kept.append(series[-1])  # the latest reading always counts
        out += [dr.RxTrendPoint(device=r.device_name, port=r.port_name, time=r.at, rx_dbm=r.rx_dbm,
                                source=dr.Source(device=r.device_name, port=r.port_name, method=Method.STORED,
                                                 time=r.at, reference=f"optical_sample#{r.id}",
                                                 raw=f"rx={r.rx_dbm} dBm"))
                for r in kept]
    return out
