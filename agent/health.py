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
from datetime import timedelta
from typing import Any

from agent.evidence import observations, read_path, stored
from agent.inventory.targets import ResolvedCircuit, resolve_circuit
from diagnosis import readings as dr
from diagnosis.engine import diagnose
from diagnosis.result import Diagnosis, EvidenceItem
from diagnosis.ticket import TicketContext


def lookback(settings) -> timedelta:
    """How far back stored alarms count as the circuit's recent history: the same window a ticket's
    "historical alarm" (历史告警) check uses, ``triage_lookback_hours``."""
    return timedelta(hours=settings.triage_lookback_hours)


def _items(evidence: Sequence[EvidenceItem], name: str, **match: Any) -> list[EvidenceItem]:
    return [e for e in evidence if e.name == name and all(getattr(e, k) == v for k, v in match.items())]


def _ev(e: EvidenceItem | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"value": e.value, "unit": e.unit, "limit": e.limit, "assessment": str(e.assessment),
            "threshold": e.threshold, "note": e.note_en}


def shape(result: Diagnosis, obs: dr.Observations, resolved: ResolvedCircuit) -> dict[str, Any]:
    """The diagnosis and the readings, per segment, in the NOC's terms."""
    status = {(s.device, s.port): s for s in obs.status}
    util = {(u.device, u.port): u for u in obs.utilisation}
    optical = {(o.device, o.port): o for o in obs.optical}
    suspected = {s.index: s for s in result.suspected_segments}
    segments = []
    for seg in resolved.path.segments:
        ends = []
        for end in seg.ends:
            st, u, o = status.get(end.key), util.get(end.key), optical.get(end.key)
            margin = next(iter(_items(result.evidence, "rx_margin_db", device=end.device, port=end.port)), None)
            power = next(iter(_items(result.evidence, "rx_power_dbm", device=end.device, port=end.port)), None)
            # the sensitivity the diagnosis used: the module's DDM threshold before the inventory's figure
            sensitivity = power.limit if power is not None and power.limit is not None else end.rx_sensitivity_dbm
            ends.append({
                "device": end.device, "port": end.port, "siteKind": str(end.site_kind),
                "operStatus": str(st.oper) if st else None, "adminStatus": str(st.admin) if st else None,
                "rxDbm": o.rx_dbm if o and o.rx_dbm is not None and o.rx_dbm > -100 else None,
                "txDbm": o.tx_dbm if o else None, "rxSensitivityDbm": sensitivity,
                "rxMargin": _ev(margin),
                "utilisation": None if u is None else {
                    "inMbps": u.in_mbps and round(u.in_mbps, 3), "outMbps": u.out_mbps and round(u.out_mbps, 3),
                    "speedMbps": u.speed_mbps,
                    "fraction": (round(max(u.in_mbps or 0, u.out_mbps or 0) / u.speed_mbps, 4)
                                 if u.speed_mbps else None)},
            })
        losses = _items(result.evidence, "segment_loss_db", segment=seg.index)
        budget = next(iter(_items(result.evidence, "loss_budget_db", segment=seg.index)), None)
        worst = max(losses, key=lambda e: e.value if isinstance(e.value, (int, float)) else -1, default=None)
        s = suspected.get(seg.index)
        segments.append({
            "index": seg.index, "a": ends[0], "z": ends[1], "lengthKm": seg.length_km,
            "lossDb": _ev(worst), "lossBudgetDb": budget.value if budget else (worst.limit if worst else None),
            "lossByDirection": [{"towards": f"{e.device} {e.port}", **(_ev(e) or {})} for e in losses],
            "suspected": s is not None,
            "verdict": str(s.verdict) if s else None, "reason": s.reason_en if s else None,
        })
    return {
        "circuitId": resolved.path.circuit_id, "customer": resolved.path.customer,
        "rateMbps": resolved.path.rate_mbps, "checkedAt": result.made_at.isoformat(),
        "verdict": str(result.verdict), "healthy": str(result.verdict) == "no_fault_found",
        "summary": {"zh": result.summary_zh, "en": result.summary_en},
        "suspectedSegments": [s.index for s in result.suspected_segments],
        "segments": segments,
        "couldNotCheck": [n.text_en for n in result.could_not_check],
        "findings": [{"verdict": str(f.verdict), "segment": f.segment, "reason": f.reason_en} for f in result.findings],
    }


class CircuitHealth:
    """The NOC's live read of a circuit over the triage's collector. Asks for the same circuit while a
    read is under way share that read: a busy NOC screen never multiplies device load."""

    def __init__(self, services, collector) -> None:
        self.services = services
        self.collector = collector
        self._inflight: dict[str, asyncio.Future] = {}

    async def read(self, circuit_id: str) -> dict[str, Any]:
        """Raises ``agent.errors.UnknownCircuit`` for a circuit not in the inventory."""
        task = self._inflight.get(circuit_id)
        if task is None:
            task = asyncio.ensure_future(self._read(circuit_id))
            self._inflight[circuit_id] = task
            task.add_done_callback(lambda _t: self._inflight.pop(circuit_id, None))
        return await asyncio.shield(task)  # one caller going away does not cancel the others' read

    def _stored(self, circuit_id: str, window_start, now):
        """The circuit and what the database knows of it (in a worker thread, off the event loop)."""
        with self.services.session_factory() as s:
            resolved = resolve_circuit(s, circuit_id)
            evidence = stored(s, resolved, window_start, now - timedelta(days=self.services.settings.trend_lookback_days))
        return resolved, evidence

    async def _read(self, circuit_id: str) -> dict[str, Any]:
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
        out = shape(diagnose(resolved.path, obs, ctx), obs, resolved)
        out["alarmWindow"] = {"start": window_start.isoformat(), "hours": settings.triage_lookback_hours,
                              "storedAlarms": len(evidence.alarms)}
        out["durationMs"] = round((time.perf_counter() - t0) * 1000, 1)
        return out
