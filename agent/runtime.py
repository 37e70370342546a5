"""Assemble the running process: services, API, and the agent's background jobs.

The scheduler runs once per process that is started with ``jobs=True`` (``faultline serve``), never
once per web worker: uvicorn runs one worker here.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI

from agent.clock import Clock
from agent.health import install_monitoring
from agent.services import Services, build_services
from agent.settings import Settings
from api.app import create_app

log = logging.getLogger("faultline")


def build_app(settings: Settings, clock: Clock | None = None, *, jobs: bool = True,
              collector=None, loop_driver=None) -> FastAPI:
    services = build_services(settings, clock)
    install_routers(services)
    install_triage(services, collector, loop_driver)
    install_monitoring(services, jobs=jobs)  # traps -> alarms, optical polling, NOC health (agent/health.py)
    if jobs:
        install_jobs(services)
    return create_app(services)


def install_routers(services: Services) -> None:
    try:
        from api.routers import sla as sla_router
    except ImportError:
        return
    services.extras.setdefault("routers", []).append(sla_router.router)


def install_triage(services: Services, collector=None, loop_driver=None) -> None:
    """Triage on ticket arrival and the loop-test guard, over the real collectors unless given others."""
    from agent.loops import LoopGuard
    from agent.triage.collect import CollectorsAdapter
    from agent.triage.service import TriageService

    adapter = CollectorsAdapter(use_cli=services.settings.triage_use_cli)
    triage = TriageService(services, collector or adapter,
                           counter_interval_s=services.settings.triage_counter_interval_seconds)
    guard = LoopGuard(services, loop_driver or adapter)
    services.extras["triage"] = triage
    services.extras["loops"] = guard
    from api.routers import cutovers as cutover_router  # the cutover windows triage reads (割接)

    services.extras.setdefault("routers", []).append(cutover_router.router)

    async def start() -> None:
        cleared = await guard.clear_leftovers()
        if cleared:
            log.warning("cleared %d loop(s) left set by a previous run: %s", len(cleared), cleared)
        await triage.start()

    async def stop() -> None:
        await triage.stop()
        adapter.close()

    services.extras.setdefault("startup", []).append(start)
    services.extras.setdefault("shutdown", []).append(stop)


def install_jobs(services: Services) -> None:
    """APScheduler 3.x jobs of the agent process: the SLA sweep and its webhook outbox."""
    sla = services.extras.get("sla")
    if sla is None:
        return
    from apscheduler.schedulers.background import BackgroundScheduler

    from agent.sla import install_jobs as install_sla_jobs

    scheduler = BackgroundScheduler(timezone="UTC")
    sender = install_sla_jobs(scheduler, sla, services.session_factory)
    services.extras["scheduler"] = scheduler

    async def start() -> None:
        scheduler.start()

    async def stop() -> None:
        scheduler.shutdown(wait=False)
        close = getattr(sender, "close", None)
        if close is not None:
            close()

    services.extras.setdefault("startup", []).append(start)
    services.extras.setdefault("shutdown", []).append(stop)
