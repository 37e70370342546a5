"""Triage orchestration: a ticket's arrival schedules it at once; evidence is collected from every
device of the path concurrently within a total deadline; the diagnosis is stored and journalled."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from agent import journal
from agent.db import unit_of_work
from agent.enums import TicketStatus
from agent.errors import UnknownCircuit
from agent.models import Alarm, Diagnosis, Ticket
from agent.polling import rx_trend
from agent.triage.cutovers import approved_windows
from agent.triage.evidence import observations
from agent.triage.path import ResolvedCircuit, resolve_circuit
from collectors import readings as cr
from collectors.enums import AlarmType, Method, ProbableCause, Severity
from collectors.target import DeviceTarget
from diagnosis.engine import choose_playbook, diagnose
from diagnosis.enums import Playbook
from diagnosis.ticket import TicketContext

log = logging.getLogger("faultline.triage")

# Tickets in these states are finished: nothing left to triage for them.
_FINISHED = (TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value)
# Only playbook 2 (latency / bit errors) reads rates: CRC/s and utilisation need two counter samples.
_NEEDS_RATES = frozenset({Playbook.ASSIST_QUALITY})


class Collector(Protocol):
    async def survey(self, target: DeviceTarget, since: datetime | None, timeout: float) -> cr.DeviceSurvey: ...

    async def counters(self, target: DeviceTarget, timeout: float) -> Sequence[cr.CounterSample]: ...


@dataclass(frozen=True)
class TriageResult:
    ticket_id: int
    diagnosis_id: int | None
    verdict: str | None
    duration_ms: float


class TriageService:
    def __init__(self, services, collector: Collector, *, max_concurrent: int = 16,
                 counter_interval_s: float = 1.0) -> None:
        self.services = services
        self.collector = collector
        self.counter_interval_s = counter_interval_s
        self._sem = asyncio.Semaphore(max_concurrent)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task] = set()
        self.completed: asyncio.Queue[TriageResult] | None = None

    # -- scheduling -----------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.completed = asyncio.Queue()
        await self._recover()

    async def stop(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def schedule(self, ticket_id: int, reason: str = "arrival") -> None:
        """Queue a triage now; safe to call from the API's worker threads."""
        if self._loop is None:
            log.warning("triage not started; ticket %s waits for the next start", ticket_id)
            return
        self._loop.call_soon_threadsafe(self._spawn, ticket_id, reason)

    def _spawn(self, ticket_id: int, reason: str) -> None:
        task = asyncio.ensure_future(self.run(ticket_id, reason))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _recover(self) -> None:
        """Open tickets without a diagnosis are triaged on start: they arrived while the agent was down,
        or it crashed mid-triage (also after the ticket was signed meanwhile: any open status counts)."""
        with self.services.session_factory() as s:
            pending = s.scalars(select(Ticket.id).where(
                Ticket.status.not_in(_FINISHED), Ticket.circuit_known.is_(True),
                ~select(Diagnosis.id).where(Diagnosis.ticket_id == Ticket.id).exists()).order_by(Ticket.id)).all()
        for tid in pending:
            self._spawn(tid, "recovery")

    # -- one triage -----------------------------------------------------------------------------
    async def run(self, ticket_id: int, reason: str = "arrival") -> TriageResult:
        async with self._sem:
            t0 = time.perf_counter()
            try:
                result = await self._run(ticket_id, reason, t0)
            except Exception as exc:  # noqa: BLE001 - a triage failure is recorded, never lost
                log.exception("triage of ticket %s failed", ticket_id)
                result = await asyncio.to_thread(self._record_failure, ticket_id, exc, t0)
            if self.completed is not None:
                self.completed.put_nowait(result)
            return result

    async def _run(self, ticket_id: int, reason: str, t0: float) -> TriageResult:
        # Database work runs in a worker thread, never on the event loop: a loop blocked waiting for a
        # pooled connection also stops the API's responses that would give connections back (deadlock
        # seen under a burst of intakes).
        prepared = await asyncio.to_thread(self._prepare, ticket_id, reason, t0)
        if isinstance(prepared, TriageResult):
            return prepared
        resolved, ctx, stored, trend = prepared
        clock = self.services.clock
        deadline = self.services.settings.triage_deadline_seconds
        surveys, missing = await self._collect(resolved, ctx.window_start, deadline)
        second: dict[tuple[str, str], cr.CounterSample] = {}
        if choose_playbook(ctx) in _NEEDS_RATES:  # playbooks 1 and 3 decide on alarms, status and light
            second = await self._second_counters(resolved, surveys, t0, deadline)
        speeds = {(seg_end.device, seg_end.port): seg_end.speed_mbps for _, seg_end in resolved.path.ports()}
        obs = observations(surveys, second, speeds, stored, missing, rx_trend=trend)
        ctx = replace(ctx, now=clock.now())
        result = diagnose(resolved.path, obs, ctx)
        return await asyncio.to_thread(self._store, ticket_id, result, reason, t0)

    def _prepare(self, ticket_id: int, reason: str, t0: float):
        """What the triage needs from the database: the circuit, the ticket window, stored alarms, the Rx trend
        (or the result, when the circuit is unknown)."""
        clock = self.services.clock
        with self.services.session_factory() as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is None:
                raise LookupError(f"ticket {ticket_id} not found")
            try:
                resolved = resolve_circuit(s, ticket.circuit_id)
            except UnknownCircuit as exc:
                return self._record_unknown_circuit(s, ticket, str(exc), reason, t0)
            lookback = timedelta(hours=self.services.settings.triage_lookback_hours)
            window_start = ticket.reported_at - lookback
            ctx = TicketContext(kind=ticket.kind, symptom=ticket.symptom, reported_at=ticket.reported_at,
                                now=clock.now(), window_start=window_start, ticket_id=str(ticket.id),
                                cutover_windows=approved_windows(s, ticket.circuit_id, window_start, clock.now()))
            stored = self._stored_alarms(s, resolved, ctx.window_start)
            trend = rx_trend(s, [e.key for _, e in resolved.path.ports()],
                             ctx.now - timedelta(days=self.services.settings.trend_lookback_days))

        return resolved, ctx, stored, trend

    async def _collect(self, resolved: ResolvedCircuit, since: datetime | None,
                       deadline: float) -> tuple[list[cr.DeviceSurvey], dict[str, str]]:
        per_device = max(1.0, deadline * 0.6)
        tasks = {asyncio.ensure_future(self.collector.survey(t, since, per_device)): t for t in resolved.targets}
        done, pending = await asyncio.wait(tasks, timeout=deadline * 0.75)
        missing: dict[str, str] = {}
        for task in pending:
            task.cancel()
            missing[tasks[task].name] = f"no answer within the triage deadline ({deadline * 0.75:.1f} s)"
        surveys = []
        for task in done:
            exc = task.exception()
            if exc is not None:
                missing[tasks[task].name] = f"survey failed: {exc}"
            else:
                surveys.append(task.result())
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        return surveys, missing

    async def _second_counters(self, resolved: ResolvedCircuit, surveys: list[cr.DeviceSurvey], t0: float,
                               deadline: float) -> dict[tuple[str, str], cr.CounterSample]:
        """A second counter read, for rates and utilisation, once the interval has passed since the first."""
        have = {sv.device for sv in surveys if sv.counters}
        targets = [t for t in resolved.targets if t.name in have]
        if not targets:
            return {}
        first_read = min(c.read_at for sv in surveys for c in sv.counters)
        wait = self.counter_interval_s - (self.services.clock.now() - first_read).total_seconds()
        remaining = deadline - (time.perf_counter() - t0)
        if remaining < wait + 0.5:
            return {}
        if wait > 0:
            await asyncio.sleep(wait)  # the counters need time to advance: this is the measurement interval
        results = await asyncio.gather(*[self.collector.counters(t, min(2.0, remaining)) for t in targets],
                                       return_exceptions=True)
        out: dict[tuple[str, str], cr.CounterSample] = {}
        for r in results:
            if isinstance(r, BaseException):
                continue
            for c in r:
                out[(c.device, c.port)] = c
        return out

    def _stored_alarms(self, s: Session, resolved: ResolvedCircuit, since: datetime) -> list[cr.AlarmRecord]:
        """Alarms faultline itself received (traps) on the path's ports since the window start."""
        ports = {(e.device, e.port) for _, e in resolved.path.ports()}
        devices = {d for d, _ in ports}
        rows = s.scalars(select(Alarm).where(
            Alarm.device_name.in_(devices),
            or_(Alarm.cleared_at.is_(None), Alarm.cleared_at >= since),
        )).all()
        out = []
        for a in rows:
            if a.port_name is not None and (a.device_name, a.port_name) not in ports:
                continue
            src = cr.Source(device=a.device_name, port=a.port_name, method=Method.TRAP, ref=f"alarm#{a.id}",
                            raw=str((a.data or {}).get("raw", ""))[:400], time=a.raised_at)
            out.append(cr.AlarmRecord(device=a.device_name, port=a.port_name, alarm_type=_enum(AlarmType, a.alarm_type,
                                      AlarmType.COMMUNICATIONS), probable_cause=_enum(ProbableCause, a.probable_cause,
                                      ProbableCause.UNKNOWN), severity=_enum(Severity, a.perceived_severity,
                                      Severity.INDETERMINATE), raised_at=a.raised_at, source=src,
                                      cleared_at=a.cleared_at, count=a.count))
        return out

    # -- recording ------------------------------------------------------------------------------
    def _store(self, ticket_id: int, result, reason: str, t0: float) -> TriageResult:
        now = self.services.clock.now()
        duration_ms = (time.perf_counter() - t0) * 1000
        data = result.to_dict()
        with unit_of_work(self.services.session_factory) as s:
            row = Diagnosis(ticket_id=ticket_id, created_at=now, playbook=str(result.playbook),
                            verdict=str(result.verdict), summary=f"{result.summary_zh}\n{result.summary_en}",
                            duration_ms=duration_ms, data=data)
            s.add(row)
            s.flush()
            journal.append(s, ticket_id, at=now, kind="diagnosis",
                           text=result.render_text(),
                           data={"diagnosis_id": row.id, "verdict": str(result.verdict),
                                 "playbook": str(result.playbook), "reason": reason,
                                 "duration_ms": round(duration_ms, 1), "diagnosis": data})
            diag_id = row.id
        log.info("ticket %s triaged in %.0f ms: %s", ticket_id, duration_ms, result.verdict)
        return TriageResult(ticket_id, diag_id, str(result.verdict), duration_ms)

    def _record_unknown_circuit(self, s: Session, ticket: Ticket, detail: str, reason: str, t0: float) -> TriageResult:
        # On arrival the intake's own unknown_circuit entry already says triage cannot run: one entry, not two.
        if reason != "arrival" or ticket.circuit_known:
            journal.append(s, ticket.id, at=self.services.clock.now(), kind="triage_skipped",
                           text=f"未自动诊断：{detail} / triage not run: {detail}",
                           data={"reason": "unknown_circuit", "circuit_id": ticket.circuit_id})
            s.commit()
        return TriageResult(ticket.id, None, None, (time.perf_counter() - t0) * 1000)

    def _record_failure(self, ticket_id: int, exc: Exception, t0: float) -> TriageResult:
        try:
            with unit_of_work(self.services.session_factory) as s:
                if s.get(Ticket, ticket_id) is not None:
                    journal.append(s, ticket_id, at=self.services.clock.now(), kind="triage_failed",
                                   text=f"自动诊断失败 / triage failed: {type(exc).__name__}: {exc}",
                                   data={"error": type(exc).__name__, "detail": str(exc)[:1000]})
        except Exception:  # noqa: BLE001
            log.exception("could not journal the triage failure of ticket %s", ticket_id)
        return TriageResult(ticket_id, None, None, (time.perf_counter() - t0) * 1000)


def _enum(cls, value: str, default):
    try:
        return cls(value)
    except ValueError:
        return default


def diagnoses_of(s: Session, ticket_id: int) -> list[dict[str, Any]]:
    rows = s.scalars(select(Diagnosis).where(Diagnosis.ticket_id == ticket_id).order_by(Diagnosis.id)).all()
    return [{"id": d.id, "createdAt": d.created_at, "playbook": d.playbook, "verdict": d.verdict,
             "summary": d.summary, "durationMs": d.duration_ms, **{k: v for k, v in d.data.items()
                                                                  if k not in ("verdict", "playbook")}} for d in rows]
