"""Circuit health for the NOC (电路健康): a live, read-only read of one circuit's path, judged by the
same diagnosis as a line-quality assist check (kind=assist_check, symptom=latency_or_errors), shown per
segment: fibre loss against its budget, Rx margins, oper status, utilisation, and the overall verdict.

No ticket, no journal, nothing stored: the NOC may ask as often as it likes (each ask does read the
devices, so the answer costs one survey of the path plus the counter interval).
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from agent.devices import fresh_reads
from agent.evidence import observations, read_path, stored
from agent.inventory.targets import ResolvedCircuit, resolve_circuit
from diagnosis import readings as dr
from diagnosis.engine import diagnose
from diagnosis.enums import LinkState, SiteKind, Verdict
from diagnosis.result import Diagnosis, EvidenceItem, SuspectedSegment
from diagnosis.ticket import TicketContext


def lookback(settings) -> timedelta:
    """How far back stored alarms count as the circuit's recent history: the same window a ticket's
    "historical alarm" (历史告警) check uses, ``triage_lookback_hours``."""
    return timedelta(hours=settings.triage_lookback_hours)


def _items(evidence: Sequence[EvidenceItem], name: str, **match: Any) -> list[EvidenceItem]:
    return [e for e in evidence if e.name == name and all(getattr(e, k) == v for k, v in match.items())]


@dataclass(frozen=True)
class Utilisation:
    in_mbps: float | None
    out_mbps: float | None
    speed_mbps: float | None
    fraction: float | None  # the busier direction over the port speed


@dataclass(frozen=True)
class EndHealth:
    """One end of a segment as read now."""

    device: str
    port: str
    site_kind: SiteKind
    oper_status: LinkState | None
    admin_status: LinkState | None
    rx_dbm: float | None  # None also for "no light" (a module's -inf or -40 dBm floor)
    tx_dbm: float | None
    rx_sensitivity_dbm: float | None  # the one the diagnosis used: the module's DDM threshold, else the inventory's
    rx_margin: EvidenceItem | None
    utilisation: Utilisation | None


@dataclass(frozen=True)
class SegmentHealth:
    index: int
    a: EndHealth
    z: EndHealth
    length_km: float
    loss: EvidenceItem | None  # the worse of the directions measured
    loss_budget_db: float | None
    loss_by_direction: tuple[EvidenceItem, ...]
    suspect: SuspectedSegment | None  # the diagnosis suspects this segment, with its verdict and reason


@dataclass(frozen=True)
class AlarmWindow:
    start: datetime
    hours: float
    stored_alarms: int


@dataclass(frozen=True)
class HealthReport:
    """A circuit's live health: the diagnosis of a line-quality check and the readings, per segment."""

    circuit_id: str
    customer: str
    rate_mbps: float | None
    diagnosis: Diagnosis
    segments: tuple[SegmentHealth, ...]
    alarm_window: AlarmWindow
    duration_ms: float

    @property
    def healthy(self) -> bool:
        return self.diagnosis.verdict == Verdict.NO_FAULT_FOUND


def _end(end, status, util, optical, evidence: Sequence[EvidenceItem]) -> EndHealth:
    st, u, o = status.get(end.key), util.get(end.key), optical.get(end.key)
    margin = next(iter(_items(evidence, "rx_margin_db", device=end.device, port=end.port)), None)
    power = next(iter(_items(evidence, "rx_power_dbm", device=end.device, port=end.port)), None)
    sensitivity = power.limit if power is not None and power.limit is not None else end.rx_sensitivity_dbm
    return EndHealth(
        device=end.device, port=end.port, site_kind=end.site_kind,
        oper_status=st.oper if st else None, admin_status=st.admin if st else None,
        rx_dbm=o.rx_dbm if o and o.rx_dbm is not None and o.rx_dbm > -100 else None,
        tx_dbm=o.tx_dbm if o else None, rx_sensitivity_dbm=sensitivity, rx_margin=margin,
        utilisation=None if u is None else Utilisation(
            in_mbps=u.in_mbps and round(u.in_mbps, 3), out_mbps=u.out_mbps and round(u.out_mbps, 3),
            speed_mbps=u.speed_mbps,
            fraction=round(max(u.in_mbps or 0, u.out_mbps or 0) / u.speed_mbps, 4) if u.speed_mbps else None))


def segments_of(result: Diagnosis, obs: dr.Observations, resolved: ResolvedCircuit) -> tuple[SegmentHealth, ...]:
    """The diagnosis and the readings, per segment, in the NOC's terms."""
    status = {(s.device, s.port): s for s in obs.status}
    util = {(u.device, u.port): u for u in obs.utilisation}
    optical = {(o.device, o.port): o for o in obs.optical}
    suspected = {s.index: s for s in result.suspected_segments}
    segments = []
    for seg in resolved.path.segments:
        a, z = (_end(end, status, util, optical, result.evidence) for end in seg.ends)
        losses = _items(result.evidence, "segment_loss_db", segment=seg.index)
        budget = next(iter(_items(result.evidence, "loss_budget_db", segment=seg.index)), None)
        worst = max(losses, key=lambda e: e.value if isinstance(e.value, (int, float)) else -1, default=None)
        segments.append(SegmentHealth(
            index=seg.index, a=a, z=z, length_km=seg.length_km, loss=worst,
            loss_budget_db=budget.value if budget else (worst.limit if worst else None),
            loss_by_direction=tuple(losses), suspect=suspected.get(seg.index)))
    return tuple(segments)


class CircuitHealth:
    """The NOC's live read of a circuit over the triage's collector. Asks for the same circuit while a
    read is under way share that read: a busy NOC screen never multiplies device load."""

    def __init__(self, services, collector) -> None:
        self.services = services
        self.collector = collector
        self._inflight: dict[str, asyncio.Future] = {}

    async def read(self, circuit_id: str, *, fresh: bool = False) -> HealthReport:
        """Raises ``agent.errors.UnknownCircuit`` for a circuit not in the inventory. ``fresh``: new reads
        of the devices (no read under way or a few seconds old is reused); later callers share it."""
        if fresh:
            with fresh_reads():
                task = asyncio.ensure_future(self._read(circuit_id))  # the task keeps the forced reads
            self._inflight[circuit_id] = task
            task.add_done_callback(lambda t: self._inflight.pop(circuit_id, None)
                                   if self._inflight.get(circuit_id) is t else None)
            return await asyncio.shield(task)
        task = self._inflight.get(circuit_id)
        if task is None:
            task = asyncio.ensure_future(self._read(circuit_id))
            self._inflight[circuit_id] = task
            task.add_done_callback(lambda t: self._inflight.pop(circuit_id, None)
                                   if self._inflight.get(circuit_id) is t else None)
        return await asyncio.shield(task)  # one caller going away does not cancel the others' read

    def _stored(self, circuit_id: str, window_start, now):
        """The circuit and what the database knows of it (in a worker thread, off the event loop)."""
        with self.services.session_factory() as s:
            resolved = resolve_circuit(s, circuit_id)
            evidence = stored(s, resolved, window_start, now - timedelta(days=self.services.settings.trend_lookback_days))
        return resolved, evidence

    async def _read(self, circuit_id: str) -> HealthReport:
        services = self.services
        settings, now = services.settings, services.clock.now()
        window_start = now - lookback(settings)
        resolved, evidence = await asyncio.to_thread(self._stored, circuit_id, window_start, now)
        t0 = time.perf_counter()
        reading = await read_path(self.collector, resolved, since=None, deadline=settings.triage_deadline_seconds,
                                  clock=services.clock, counter_interval_s=settings.triage_counter_interval_seconds,
                                  rates=True)
        speeds = resolved.speeds()
        obs = observations(reading.surveys, reading.second, speeds, evidence.alarms, reading.missing,
                           rx_trend=evidence.trend)
        now = services.clock.now()
        ctx = TicketContext(kind="assist_check", symptom="latency_or_errors", reported_at=now, now=now,
                            window_start=window_start, ticket_id=f"health:{circuit_id}")
        result = diagnose(resolved.path, obs, ctx)
        return HealthReport(
            circuit_id=resolved.path.circuit_id, customer=resolved.path.customer, rate_mbps=resolved.path.rate_mbps,
            diagnosis=result, segments=segments_of(result, obs, resolved),
            alarm_window=AlarmWindow(start=window_start, hours=settings.triage_lookback_hours,
                                     stored_alarms=len(evidence.alarms)),
            duration_ms=round((time.perf_counter() - t0) * 1000, 1))
