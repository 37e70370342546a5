"""The application's parts, built once from settings and handed to the API and the jobs.

``Services`` is the wiring diagram: every part is a typed field, ``None`` where this process does not
run it (a process built without triage answers its routes with 503, never with a missing route).
Parts with a running life (the triage queue, the trap receiver, the poller, the scheduler) add a
``Lifecycle`` hook; the API's lifespan starts them in order and stops them in reverse.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agent.alarms import TrapIngest
from agent.auth import add_user, hash_token
from agent.checks.service import CheckService
from agent.clock import Clock, SystemClock
from agent.db import make_engine, make_session_factory, unit_of_work
from agent.problems import notify as problem_notices
from agent.devices import DeviceGateway
from agent.evidence.read import PathCollector
from agent.health import CircuitHealth
from agent.jobs import Jobs
from agent.loops import LoopDriver, LoopGuard
from agent.migrate import upgrade
from agent.models import User
from agent.orders.acceptance import AcceptanceTests
from agent.orders.service import OrderService
from agent.orders.sweep import OrderSweep
from agent.polling import OpticalPoller
from agent.reports.service import FaultReports
from agent.settings import Settings
from agent.sla import SlaEngine
from agent.telemetry.service import Telemetry
from agent.tickets import TicketService
from agent.triage.service import TriageService

log = logging.getLogger("faultline")


@dataclass(frozen=True)
class Lifecycle:
    """A part that runs while the process serves: started in order, stopped in reverse."""

    name: str
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]


@dataclass
class Services:
    settings: Settings
    clock: Clock
    engine: Engine
    session_factory: sessionmaker[Session]
    tickets: TicketService
    sla: SlaEngine
    triage: TriageService | None = None
    loops: LoopGuard | None = None
    health: CircuitHealth | None = None
    traps: TrapIngest | None = None
    poller: OpticalPoller | None = None
    telemetry: Telemetry | None = None  # the poller's grader, early warnings, roll-up (with monitoring)
    scheduler: BaseScheduler | None = None
    # before the fault (issue 15): circuit orders and resource checks are records (every process);
    # acceptance tests and measured checks read the network (with triage's collector)
    orders: OrderService | None = None
    checks: CheckService | None = None
    acceptance: AcceptanceTests | None = None
    devices: DeviceGateway | None = None
    work_metrics: Any = None  # agent.work.metrics.WorkMetrics: /metrics (issue 17)
    lifecycle: list[Lifecycle] = field(default_factory=list)

    async def start(self) -> None:
        for part in self.lifecycle:
            await part.start()

    async def stop(self) -> None:
        for part in reversed(self.lifecycle):
            try:
                await part.stop()
            except Exception:  # one part failing to stop never keeps the others running
                log.exception("stopping %s failed", part.name)

    def close(self) -> None:
        self.engine.dispose()


def build_services(settings: Settings, clock: Clock | None = None, *, migrate: bool = True,
                   triage: bool = False, monitoring: bool = False, jobs: bool = False,
                   collector: PathCollector | None = None, loop_driver: LoopDriver | None = None) -> Services:
    """The parts of one process.

    ``triage``: triage on ticket arrival, the loop guard and circuit health over the real collectors
    (or the given ``collector`` / ``loop_driver``). ``monitoring``: the trap receiver and the optical
    poller. ``jobs``: the SLA sweep and its webhook outbox on a scheduler. The bare call builds the
    ticket store and the SLA engine only (tests of the API edge and the command line).
    """
    clock = clock or SystemClock()
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    problem_notices.install(factory, lambda: settings.sla.webhooks)  # problem events -> the webhook outbox
    sla = SlaEngine(settings, clock)
    services = Services(settings, clock, engine, factory, TicketService(settings, clock, sla), sla)
    services.orders, services.checks = OrderService(settings, clock), CheckService(settings, clock)
    services.acceptance = AcceptanceTests(services.orders, factory, None)  # measures once triage gives a collector
    # the fault report (rule 10) is drafted from the record when a ticket is resolved (agent/reports)
    services.tickets.after_action.append(FaultReports(sla, settings.timezone, services.tickets).after_action)
    _bootstrap_users(services)
    if triage:
        _install_triage(services, collector, loop_driver)
    if monitoring:
        _install_monitoring(services)
    if jobs:
        _install_jobs(services)
    return services


def _install_triage(services: Services, collector: PathCollector | None, loop_driver: LoopDriver | None) -> None:
    adapter = DeviceGateway(use_cli=services.settings.triage_use_cli,
                            fresh_s=services.settings.device_read_fresh_seconds,
                            cli_sessions=services.settings.device_cli_sessions)
    services.triage = TriageService(services, collector or adapter,
                                    max_concurrent=services.settings.triage_max_concurrent,
                                    counter_interval_s=services.settings.triage_counter_interval_seconds)
    services.loops = LoopGuard(services, loop_driver or adapter)
    services.health = CircuitHealth(services, services.triage.collector)
    services.devices = adapter
    services.acceptance.collector = services.triage.collector
    triage, guard = services.triage, services.loops
    services.tickets.on_new_fault.append(triage.schedule)

    async def start() -> None:
        guard.start_leftover_clearing()  # this process's loops from before a crash; the API answers meanwhile
        await triage.start()

    async def stop() -> None:
        await guard.stop()  # running loop tests clear their loops before the collectors close
        await triage.stop()
        adapter.close()

    services.lifecycle.append(Lifecycle("triage", start, stop))


def _install_monitoring(services: Services) -> None:
    """The trap receiver (settings trap_host/trap_port; port 0 disables it) and the optical poller."""
    if services.settings.trap_port:
        services.traps = TrapIngest(services)
        services.lifecycle.append(Lifecycle("traps", services.traps.start, services.traps.stop))
    services.poller = OpticalPoller(services)
    services.telemetry = Telemetry(services, services.poller)
    services.lifecycle.append(Lifecycle("optical polling", services.poller.start, services.poller.stop))


def _install_jobs(services: Services) -> None:
    """The SLA sweep, its webhook outbox and (with monitoring) the optical poll on one scheduler."""
    jobs = Jobs(services.sla, services.session_factory, services.poller, services.settings.poll_interval_seconds,
                loops=services.loops, loop_reap_interval_s=services.settings.loop_reaper_interval_seconds,
                telemetry=services.telemetry)
    services.scheduler = jobs.scheduler
    services.lifecycle.append(Lifecycle("scheduled jobs", jobs.start, jobs.stop))
    sweep = OrderSweep(services.orders, services.checks, services.session_factory, services.settings.sla.sweep_interval_seconds)
    services.lifecycle.append(Lifecycle("order and check sweep", sweep.start, sweep.stop))


def _bootstrap_users(services: Services) -> None:
    with unit_of_work(services.session_factory) as session:
        for u in services.settings.bootstrap_users:
            token = u.token.get_secret_value()
            existing = session.query(User).filter_by(name=u.name).one_or_none()
            if existing is None or existing.token_hash != hash_token(token) or existing.role != u.role:
                add_user(session, u.name, u.role, services.clock, token=token)
                log.info("bootstrap user %s (%s) ready", u.name, u.role)
