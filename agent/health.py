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

from agent.alarms import stored_records
from agent.polling import rx_trend
from agent.triage.evidence import observations
from agent.triage.path import ResolvedCircuit, resolve_circuit
from collectors import readings as cr
from diagnosis import readings as dr
from diagnosis.engine import diagnose
from diagnosis.result import Diagnosis, EvidenceItem
from diagnosis.ticket import TicketContext



def lookback(settings) -> timedelta:
    """How far back stored alarms count as the circuit's recent history: the same window a ticket's
    "historical alarm" (历史告警) check uses, ``triage_lookback_hours``."""
    return timedelta(hours=settings.triage_lookback_hours)


class HealthUnavailable(RuntimeError):
    """No collector in this process (triage is not running here)."""


async def _read(collector, resolved: ResolvedCircuit, deadline: float, interval: float
                ) -> tuple[list[cr.DeviceSurvey], dict[tuple[str, str], cr.CounterSample], dict[str, str]]:
    t0 = time.perf_counter()
    tasks = {asyncio.ensure_future(collector.survey(t, None, max(1.0, deadline * 0.6))): t for t in resolved.targets}
    done, pending = await asyncio.wait(tasks, timeout=deadline * 0.75)
    missing = {tasks[t].name: f"no answer within {deadline * 0.75:.1f} s" for t in pending}
    for t in pending:
        t.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    surveys = []
    for t in done:
        if t.exception() is not None:
            missing[tasks[t].name] = f"survey failed: {t.exception()}"
        else:
            surveys.append(t.result())
    second: dict[tuple[str, str], cr.CounterSample] = {}
    with_counters = [t for t in resolved.targets if any(sv.device == t.name and sv.counters for sv in surveys)]
    remaining = deadline - (time.perf_counter() - t0)
    if with_counters and remaining > interval + 0.5:
        await asyncio.sleep(interval)  # the measurement interval of the rates and utilisation
        results = await asyncio.gather(*[collector.counters(t, min(2.0, remaining - interval))
                                         for t in with_counters], return_exceptions=True)
        for r in results:
            if not isinstance(r, BaseException):
                second.update({(c.device, c.port): c for c in r})
    return surveys, second, missing


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


async def circuit_health(services, circuit_id: str) -> dict[str, Any]:
    """Raises ``agent.errors.UnknownCircuit`` for a circuit not in the inventory. Asks for the same
    circuit while a read is under way share that read: a busy NOC screen never multiplies device load."""
    inflight: dict[str, asyncio.Future] = services.extras.setdefault("health_inflight", {})
    task = inflight.get(circuit_id)
    if task is None:
        task = asyncio.ensure_future(_circuit_health(services, circuit_id))
        inflight[circuit_id] = task
        task.add_done_callback(lambda _t: inflight.pop(circuit_id, None))
    return await asyncio.shield(task)  # one caller going away does not cancel the others' read


def _stored(services, circuit_id: str, window_start, now):
    """The circuit and what the database knows of it (in a worker thread, off the event loop)."""
    settings = services.settings
    with services.session_factory() as s:
        resolved = resolve_circuit(s, circuit_id)
        ports = [e.key for _, e in resolved.path.ports()]
        alarms = stored_records(s, ports, window_start)
        trend = rx_trend(s, ports, now - timedelta(days=settings.trend_lookback_days))
    return resolved, alarms, trend


async def _circuit_health(services, circuit_id: str) -> dict[str, Any]:
    triage = services.extras.get("triage")
    if triage is None:
        raise HealthUnavailable("no collector in this process")
    settings, now = services.settings, services.clock.now()
    window_start = now - lookback(settings)
    resolved, alarms, trend = await asyncio.to_thread(_stored, services, circuit_id, window_start, now)
    t0 = time.perf_counter()
    surveys, second, missing = await _read(triage.collector, resolved, settings.triage_deadline_seconds,
                                           settings.triage_counter_interval_seconds)
    speeds = {e.key: e.speed_mbps for _, e in resolved.path.ports()}
    obs = observations(surveys, second, speeds, alarms, missing, rx_trend=trend)
    now = services.clock.now()
    ctx = TicketContext(kind="assist_check", symptom="latency_or_errors", reported_at=now, now=now,
                        window_start=window_start, ticket_id=f"health:{circuit_id}")
    out = shape(diagnose(resolved.path, obs, ctx), obs, resolved)
    out["alarmWindow"] = {"start": window_start.isoformat(), "hours": settings.triage_lookback_hours,
                          "storedAlarms": len(alarms)}
    out["durationMs"] = round((time.perf_counter() - t0) * 1000, 1)
    return out


def install_monitoring(services, *, jobs: bool = True) -> None:
    """Health and alarm endpoints always; the trap receiver and the optical poller in a jobs process."""
    from agent.alarms import install_traps
    from agent.polling import install_polling
    from api.routers import health as health_router

    services.extras.setdefault("routers", []).append(health_router.router)
    if jobs:
        install_traps(services)
        install_polling(services)
