"""Polling into the readings history (性能采集/巡检): on the scheduler (agent/jobs.py), every inventory
device is surveyed for the reading kinds of ``poll_kinds`` (optical power, interface status, counters,
optionally its alarm table) on its inventory ports; one ``OpticalSample`` row per port and poll keeps
Rx/Tx, oper/admin status and the rates since the port's previous poll. Each poll is recorded
(``PollRun``: duration, values, failures and survey time per device), the admin status feeds the trap
receiver's suppression, and the readings are handed to the health grader (agent/telemetry/grading.py).

Device trouble is counted, never raised; nothing runs at start-up (the first poll runs one interval
after start). Roll-up and retention are a job of their own (agent/telemetry/jobs.py).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, selectinload

from agent.db import unit_of_work
from agent.inventory.targets import device_target, speed_from_transceiver
from agent.models import Device, OpticalSample, PollRun, Site
from agent.telemetry.history import sample_rows, store_samples
from collectors import AdminStatus, Collector, CounterSample, DeviceSurvey
from collectors.target import DeviceTarget
from diagnosis import readings as dr
from diagnosis.enums import Method

log = logging.getLogger("faultline.polling")

POLL_WANTS = ("optical", "interface", "counters")
MAX_TREND_POINTS = 400  # per port: plenty for a slope, cheap to read and to diagnose
# Errors of these items concern the whole device, whatever the poll asked.
_DEVICE_ITEMS = ("device", "snmp", "cli", "survey")


@dataclass(frozen=True)
class PollReport:
    at: datetime
    devices: int
    samples: int
    failed: dict[str, str] = field(default_factory=dict)  # device -> why no sample came
    wants: tuple[str, ...] = POLL_WANTS
    duration_s: float = 0.0
    values: int = 0  # readings stored (non-empty metric values)
    measurement_faults: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolledState:
    """What the latest polls read of every device, for grading: each device's latest survey (its
    counters those of the poll before, so that ``agent.evidence.observations`` computes the rates
    between the two polls), the latest counters, and the devices no survey came from."""

    at: datetime
    surveys: dict[str, DeviceSurvey]
    second: dict[tuple[str, str], CounterSample]
    missing: dict[str, str]


def poll_targets(session: Session, regions: Collection[str] | None = None,
                 ) -> tuple[list[DeviceTarget], dict[tuple[str, str], int | None]]:
    """A target per inventory device with its inventory ports, and every port's nominal speed;
    ``regions``: only the devices of sites in these regions (a collector pinned to its regions)."""
    query = select(Device).options(selectinload(Device.ports))
    if regions is not None:
        query = query.join(Site, Site.id == Device.site_id).where(Site.region.in_(sorted(regions)))
    devices = session.scalars(query).all()
    targets, speeds = [], {}
    for dev in devices:
        if dev.ports:
            targets.append(device_target(dev, list(dev.ports)))
            speeds.update({(dev.name, p.name): speed_from_transceiver(p.transceiver) for p in dev.ports})
    return targets, speeds


def fibre_targets(session: Session) -> list[DeviceTarget]:
    """A target per inventory device, with only its ports that carry a transceiver."""
    devices = session.scalars(select(Device).options(selectinload(Device.ports))).all()
    return [device_target(dev, ports) for dev in devices if (ports := [p for p in dev.ports if p.transceiver])]


_SURVEY_FIELD = {"optical": "optical", "interface": "interfaces", "counters": "counters", "alarms": "alarms"}


def merged(old: DeviceSurvey | None, new: DeviceSurvey, wants: Sequence[str]) -> DeviceSurvey:
    """The device's latest survey: the kinds just polled from ``new``, the others kept from ``old``
    (a counters-only poll does not forget the optical readings of the poll before)."""
    if old is None:
        return new
    kept = {name: getattr(old, name) for want, name in _SURVEY_FIELD.items() if want not in wants}
    errors = tuple(e for e in new.errors if e.item in wants or e.item in _DEVICE_ITEMS) + tuple(
        e for e in old.errors if e.item not in wants and e.item not in _DEVICE_ITEMS)
    return replace(new, errors=errors, **kept)


class OpticalPoller:
    """The poller (its first name kept: it began with optical power only)."""

    def __init__(self, services, *, max_concurrent: int | None = None, device_timeout: float | None = None,
                 grader=None) -> None:
        self.services = services
        s = services.settings
        self.max_concurrent = max_concurrent or s.poll_max_concurrent
        self.device_timeout = device_timeout or s.poll_device_timeout_seconds
        self.grader = grader  # agent.telemetry.grading.HealthGrader, or None
        self._collector: Collector | None = None
        self._lock = asyncio.Lock()
        self.last: PollReport | None = None
        self.last_partial: PollReport | None = None  # the last poll of some devices only (key assurance)
        self._latest: dict[str, DeviceSurvey] = {}
        self._counters: dict[tuple[str, str], CounterSample] = {}  # the latest counter sample of each port
        self._previous: dict[tuple[str, str], CounterSample] = {}  # the one before it
        self._missing: dict[str, str] = {}

    @property
    def collector(self) -> Collector:
        if self._collector is None:  # made inside the serving loop (a pysnmp engine belongs to one loop)
            self._collector = Collector()
        return self._collector

    def state(self) -> PolledState:
        surveys = {}
        for device, sv in self._latest.items():
            firsts = tuple(self._previous.get((c.device, c.port), c) for c in sv.counters)
            surveys[device] = replace(sv, counters=firsts)
        second = {k: c for k, c in self._counters.items() if k in self._previous}
        return PolledState(self.last.at if self.last else self.services.clock.now(), surveys, second, dict(self._missing))

    async def poll_once(self, wants: Sequence[str] | None = None, devices: Iterable[str] | None = None,
                        regions: Collection[str] | None = None) -> PollReport:
        """Survey every device once for ``wants`` (default: the settings' poll kinds), store the samples
        and the poll's record, then grade the circuits. ``devices``: only these (the key-assurance poll,
        agent/telemetry/assurance.py); such a poll is ``last_partial``, ``last`` stays the full poll.
        ``regions``: only the devices of these regions (a collector pinned to its regions, agent/work/)."""
        wants = tuple(wants or self.services.settings.poll_kinds or POLL_WANTS)
        only = None if devices is None else frozenset(devices)
        async with self._lock:
            at = self.services.clock.now()
            t0 = time.perf_counter()
            targets, speeds = await asyncio.to_thread(self._targets, regions)
            if only is not None:
                targets = [t for t in targets if t.name in only]
            sem = asyncio.Semaphore(self.max_concurrent)
            since = self.last.at if self.last is not None else None
            seconds: dict[str, float] = {}

            async def one(t: DeviceTarget) -> DeviceSurvey:
                async with sem:
                    started = time.perf_counter()
                    try:
                        return await self.collector.survey(t, None, wants, since, self.device_timeout)
                    finally:
                        seconds[t.name] = round(time.perf_counter() - started, 3)

            results = await asyncio.gather(*(one(t) for t in targets), return_exceptions=True)
            rows: list[dict] = []
            failed: dict[str, str] = {}
            faults: list[str] = []
            admin: list[tuple[str, str, bool]] = []
            for t, r in zip(targets, results):
                if isinstance(r, BaseException):
                    failed[t.name] = f"{type(r).__name__}: {r}"[:300]
                    self._missing[t.name] = failed[t.name]
                    continue
                self._missing.pop(t.name, None)
                if not r.reachable or (r.errors and not (r.optical or r.interfaces or r.counters)):
                    # unreachable, or cut short by its timeout before any reading came back
                    failed[t.name] = "; ".join(str(e.error) for e in r.errors)[:300] or "unreachable"
                new_rows, new_faults = sample_rows(r, at, self._counters, speeds)
                rows += new_rows
                faults += new_faults
                self._latest[t.name] = merged(self._latest.get(t.name), r, wants)
                for c in r.counters:
                    key = (c.device, c.port)
                    if key in self._counters:
                        self._previous[key] = self._counters[key]
                    self._counters[key] = c
                admin += [(i.device, i.port, i.admin == AdminStatus.DOWN) for i in r.interfaces]
            for fault in faults:  # loud: a rate no port can carry is a measurement fault, stored as no rate
                log.warning("poll: measurement fault, no rate stored: %s", fault)
            values = sum(1 for row in rows for k in ("rx_dbm", "tx_dbm", "oper", "in_mbps", "out_mbps", "crc_per_s",
                                                      "in_errors_per_s") if row[k] is not None)
            duration = time.perf_counter() - t0
            run = dict(started_at=at, wants=",".join(wants), duration_s=round(duration, 3), devices=len(targets),
                       samples=len(rows), failed=len(failed), failures=failed, device_seconds=seconds,
                       note="; ".join(faults)[:4000] or None)
            await asyncio.to_thread(self._store, rows, run)
            traps = self.services.traps
            if traps is not None:
                for device, port, down in admin:
                    traps.set_admin_down(device, port, down)
            report = PollReport(at, len(targets), len(rows), failed, wants, round(duration, 3), values, tuple(faults))
            if only is None:
                self.last = report
            else:
                self.last_partial = report
            log.info("poll %s: %d devices, %d samples, %d values, %d failed in %.1f s", ",".join(wants), len(targets),
                     len(rows), values, len(failed), duration)
        if self.grader is not None:
            await self.grader.grade(self.state())
        return report

    def _targets(self, regions: Collection[str] | None = None) -> tuple[list[DeviceTarget], dict[tuple[str, str], int | None]]:
        with self.services.session_factory() as session:
            return poll_targets(session, regions)

    def _store(self, rows: list[dict], run: dict) -> None:
        with unit_of_work(self.services.session_factory) as session:
            store_samples(session, rows)
            session.add(PollRun(**run))

    async def start(self) -> None:
        """Nothing runs until the scheduler's first poll (agent/jobs.py)."""

    async def stop(self) -> None:
        if self._collector is not None:
            self._collector.close()
            self._collector = None


Poller = OpticalPoller


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
