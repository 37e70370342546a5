"""Triage orchestration: a ticket's arrival schedules it at once; evidence is collected from every
device of the path concurrently within a total deadline; the diagnosis is stored and journalled."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from agent import journal, problems
from agent.cutovers import approved_windows
from agent.db import unit_of_work
from agent.devices import fresh_reads
from agent.enums import JournalKind, TicketStatus
from agent.errors import UnknownCircuit
from agent.evidence import observations, read_path, stored
from agent.evidence.read import PathCollector
from agent.inventory.targets import resolve_circuit
from agent.models import Diagnosis, Ticket
from diagnosis.engine import choose_playbook, diagnose
from diagnosis.enums import Playbook
from diagnosis.render import render_text
from diagnosis.ticket import TicketContext

log = logging.getLogger("faultline.triage")

# Tickets in these states are finished: nothing left to triage for them.
_FINISHED = (TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value)
# Only playbook 2 (latency / bit errors) reads rates: CRC/s and utilisation need two counter samples.
_NEEDS_RATES = frozenset({Playbook.ASSIST_QUALITY})


@dataclass(frozen=True)
class TriageResult:
    ticket_id: int
    diagnosis_id: int | None
    verdict: str | None
    duration_ms: float


class TriageService:
    def __init__(self, services, collector: PathCollector, *, max_concurrent: int = 16,
                 counter_interval_s: float = 1.0) -> None:
        self.services = services
        self.collector = collector
        self.counter_interval_s = counter_interval_s
        self._sem = asyncio.Semaphore(max_concurrent)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task] = set()
        self.completed: asyncio.Queue[TriageResult] | None = None
        # Where a triage goes when scheduled: this process's own tasks (default), or a queue of workers
        # (agent/work/: the process then only enqueues, and the queue recovers what it missed).
        self.dispatch: Callable[[int, str], None] | None = None
        # In-process triages that lose the database are retried when it returns: first after this
        # many seconds, doubling, for as long as db_retry_total_s.
        self.db_retry_s = 1.0
        self.db_retry_total_s = 600.0

    # -- scheduling -----------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.completed = asyncio.Queue()
        if self.dispatch is None:
            await self._recover()

    async def stop(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def schedule(self, ticket_id: int, reason: str = "arrival") -> None:
        """Queue a triage now; safe to call from the API's worker threads."""
        if self.dispatch is not None:
            self.dispatch(ticket_id, reason)
            return
        if self._loop is None:
            log.warning("triage not started; ticket %s waits for the next start", ticket_id)
            return
        self._loop.call_soon_threadsafe(self._spawn, ticket_id, reason)

    def _spawn(self, ticket_id: int, reason: str) -> None:
        task = asyncio.ensure_future(self._run_retrying(ticket_id, reason))
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

    async def _run_retrying(self, ticket_id: int, reason: str) -> TriageResult:
        """An in-process triage that lost the database is run again when it is back (a queue job is
        retried by the queue instead)."""
        delay, waited = self.db_retry_s, 0.0
        while True:
            try:
                return await self.run(ticket_id, reason, raise_unavailable=waited < self.db_retry_total_s)
            except DatabaseLost as exc:
                log.warning("triage of ticket %s: database unreachable (%s); again in %.0f s", ticket_id, exc, delay)
                await asyncio.sleep(delay)
                waited += delay
                delay = min(delay * 2, 60.0)

    # -- one triage -----------------------------------------------------------------------------
    async def run(self, ticket_id: int, reason: str = "arrival", *, job_key: str | None = None,
                  raise_unavailable: bool = False, fresh: bool = False) -> TriageResult:
        """One triage. ``job_key``: the queue job it runs for (its diagnosis is stored once per key).
        ``raise_unavailable``: a lost database raises ``DatabaseLost`` (to be retried) instead of being
        recorded as a failed triage. ``fresh``: read every device anew, reusing no recent read of another
        triage (an officer's re-run)."""
        async with self._sem:
            t0 = time.perf_counter()
            try:
                with fresh_reads() if fresh else nullcontext():
                    result = await self._run(ticket_id, reason, t0, job_key)
            except DBAPIError as exc:
                if raise_unavailable and _connection_lost(exc):
                    raise DatabaseLost(str(exc.orig or exc)[:300]) from exc
                log.exception("triage of ticket %s failed", ticket_id)
                result = await asyncio.to_thread(self._record_failure, ticket_id, exc, t0)
            except Exception as exc:  # noqa: BLE001 - a triage failure is recorded, never lost
                log.exception("triage of ticket %s failed", ticket_id)
                result = await asyncio.to_thread(self._record_failure, ticket_id, exc, t0)
            if self.completed is not None:
                self.completed.put_nowait(result)
            return result

    async def _run(self, ticket_id: int, reason: str, t0: float, job_key: str | None = None) -> TriageResult:
        # Database work runs in a worker thread, never on the event loop: a loop blocked waiting for a
        # pooled connection also stops the API's responses that would give connections back (deadlock
        # seen under a burst of intakes).
        prepared = await asyncio.to_thread(self._prepare, ticket_id, reason, t0, job_key)
        if isinstance(prepared, TriageResult):
            return prepared
        resolved, ctx, evidence = prepared
        reading = await read_path(self.collector, resolved, since=ctx.window_start,
                                  deadline=self.services.settings.triage_deadline_seconds, clock=self.services.clock,
                                  retry_s=self.services.settings.triage_retry_seconds,
                                  counter_interval_s=self.counter_interval_s,
                                  rates=choose_playbook(ctx) in _NEEDS_RATES)  # playbooks 1, 3: alarms, status, light
        speeds = resolved.speeds()
        obs = observations(reading.surveys, reading.second, speeds, evidence.alarms, reading.missing,
                           rx_trend=evidence.trend, second_missing=reading.second_missing)
        ctx = replace(ctx, now=self.services.clock.now())
        result = diagnose(resolved.path, obs, ctx)
        if reading.retried:
            log.info("ticket %s: surveys cut short by their timeout read again: %s", ticket_id, reading.retried)
        return await asyncio.to_thread(self._store, ticket_id, result, reason, t0, job_key, reading.retried)

    def _prepare(self, ticket_id: int, reason: str, t0: float, job_key: str | None = None):
        """What the triage needs from the database: the circuit, the ticket window, stored alarms, the Rx trend
        (or the result, when the circuit is unknown)."""
        clock = self.services.clock
        with self.services.session_factory() as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is None:
                raise LookupError(f"ticket {ticket_id} not found")
            if job_key is not None and (done := _stored_for(s, job_key)) is not None:
                return done  # this job ran before, on a worker that died before the queue heard of it
            try:
                resolved = resolve_circuit(s, ticket.circuit_id)
            except UnknownCircuit as exc:
                return self._record_unknown_circuit(s, ticket, str(exc), reason, t0)
            lookback = timedelta(hours=self.services.settings.triage_lookback_hours)
            window_start = ticket.reported_at - lookback
            ctx = TicketContext(kind=ticket.kind, symptom=ticket.symptom, reported_at=ticket.reported_at,
                                now=clock.now(), window_start=window_start, ticket_id=str(ticket.id),
                                cutover_windows=approved_windows(s, ticket.circuit_id, window_start, clock.now()))
            evidence = stored(s, resolved, ctx.window_start,
                              ctx.now - timedelta(days=self.services.settings.trend_lookback_days))
        return resolved, ctx, evidence

    # -- recording ------------------------------------------------------------------------------
    def _store(self, ticket_id: int, result, reason: str, t0: float, job_key: str | None = None,
               retried: dict[str, int] | None = None) -> TriageResult:
        try:
            return self._store_once(ticket_id, result, reason, t0, job_key, retried)
        except IntegrityError:
            with self.services.session_factory() as s:
                done = _stored_for(s, job_key) if job_key is not None else None
            if done is None:
                raise
            return done  # the same job, run twice at once (a worker thought dead was not): one diagnosis

    def _store_once(self, ticket_id: int, result, reason: str, t0: float, job_key: str | None,
                    retried: dict[str, int] | None = None) -> TriageResult:
        now = self.services.clock.now()
        duration_ms = (time.perf_counter() - t0) * 1000
        data = result.to_dict()
        with unit_of_work(self.services.session_factory) as s:
            row = Diagnosis(ticket_id=ticket_id, created_at=now, playbook=str(result.playbook),
                            verdict=str(result.verdict), summary=f"{result.summary_zh}\n{result.summary_en}",
                            duration_ms=duration_ms, data=data, job_key=job_key)
            s.add(row)
            s.flush()
            journal.append(s, ticket_id, at=now, kind=JournalKind.DIAGNOSIS,
                           text=render_text(result),
                           data={"diagnosis_id": row.id, "verdict": str(result.verdict),
                                 "playbook": str(result.playbook), "reason": reason,
                                 "duration_ms": round(duration_ms, 1), "diagnosis": data,
                                 # devices surveyed again after a survey cut short by its timeout
                                 **({"surveys_retried": retried} if retried else {})})
            diag_id = row.id
        log.info("ticket %s triaged in %.0f ms: %s", ticket_id, duration_ms, result.verdict)
        # --- service problems (issue 14): group the ticket with others of one cause, after the
        # diagnosis is committed (its own transaction: a grouping failure never loses the diagnosis)
        problems.after_diagnosis(self.services.session_factory, self.services.clock, ticket_id)
        return TriageResult(ticket_id, diag_id, str(result.verdict), duration_ms)

    def _record_unknown_circuit(self, s: Session, ticket: Ticket, detail: str, reason: str, t0: float) -> TriageResult:
        # On arrival the intake's own unknown_circuit entry already says triage cannot run: one entry, not two.
        if reason != "arrival" or ticket.circuit_known:
            journal.append(s, ticket.id, at=self.services.clock.now(), kind=JournalKind.TRIAGE_SKIPPED,
                           text=f"未自动诊断：{detail} / triage not run: {detail}",
                           data={"reason": "unknown_circuit", "circuit_id": ticket.circuit_id})
            s.commit()
        return TriageResult(ticket.id, None, None, (time.perf_counter() - t0) * 1000)

    def _record_failure(self, ticket_id: int, exc: Exception, t0: float) -> TriageResult:
        try:
            with unit_of_work(self.services.session_factory) as s:
                if s.get(Ticket, ticket_id) is not None:
                    journal.append(s, ticket_id, at=self.services.clock.now(), kind=JournalKind.TRIAGE_FAILED,
                                   text=f"自动诊断失败 / triage failed: {type(exc).__name__}: {exc}",
                                   data={"error": type(exc).__name__, "detail": str(exc)[:1000]})
        except Exception:  # noqa: BLE001
            log.exception("could not journal the triage failure of ticket %s", ticket_id)
        return TriageResult(ticket_id, None, None, (time.perf_counter() - t0) * 1000)


class DatabaseLost(ConnectionError):
    """The database went away during a triage: run it again when it is back."""


def _connection_lost(exc: DBAPIError) -> bool:
    from sqlalchemy.exc import InterfaceError, OperationalError

    return bool(exc.connection_invalidated) or isinstance(exc, OperationalError | InterfaceError)


def _stored_for(s: Session, job_key: str) -> TriageResult | None:
    row = s.scalar(select(Diagnosis).where(Diagnosis.job_key == job_key))
    return None if row is None else TriageResult(row.ticket_id, row.id, row.verdict, row.duration_ms or 0.0)


def diagnoses_of(s: Session, ticket_id: int) -> Sequence[Diagnosis]:
    """The ticket's stored diagnoses, oldest first."""
    return s.scalars(select(Diagnosis).where(Diagnosis.ticket_id == ticket_id).order_by(Diagnosis.id)).all()
