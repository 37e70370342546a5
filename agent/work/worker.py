"""``faultline worker``: one process running jobs from the queues it is given (and, with the API,
``faultline serve --workers N``). It builds the parts its queues need: triage (and its collectors) for
``triage``, the SLA engine for ``notify``, a poller pinned to its regions for ``poll.<region>``."""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence

from procrastinate import App, PsycopgConnector
from sqlalchemy import select

from agent.settings import Settings
from agent.work.metrics import WorkMetrics
from agent.work.queues import ALL_QUEUES, TRIAGE, check_queues, conninfo, regions_of
from agent.work.tasks import WorkerParts, register_tasks

log = logging.getLogger("faultline.work")


def inventory_regions(services) -> list[str]:
    """The regions of the inventory's sites (each gets its periodic poll)."""
    from agent.models import Site

    with services.session_factory() as s:
        return sorted(set(s.scalars(select(Site.region)).all()))


def worker_app(settings: Settings, services, concurrency: int) -> App:
    regions = inventory_regions(services)
    groups = None
    if settings.poll_interval_seconds > 0:
        kinds: dict[float, list[str]] = {}
        for kind in settings.poll_kinds:
            kinds.setdefault(float(settings.poll_kind_intervals.get(kind, settings.poll_interval_seconds)), []).append(kind)
        groups = {i: tuple(k) for i, k in kinds.items() if i > 0}
    connector = PsycopgConnector(conninfo=conninfo(settings.database_url), min_size=1, max_size=concurrency + 4,
                                 kwargs={"connect_timeout": 5})
    return register_tasks(App(connector=connector), settings, regions, groups)


def worker_settings(settings: Settings, name: str) -> Settings:
    """A worker's own settings: no trap receiver (traps stay with the serving process, one port per
    host) and an instance name of its own, so that its start-up never takes another process's running
    loops for its own leftovers."""
    return settings.model_copy(update={"trap_port": 0, "instance_name": f"{settings.instance_name or 'worker'}-{name}"})


def build_worker_services(settings: Settings, queues: Sequence[str]):
    """The parts the queues need; triages this process schedules itself (none today) go to the queue."""
    from agent.services import build_services
    from agent.work.queue import JobQueue

    services = build_services(settings, triage=TRIAGE in queues, monitoring=bool(regions_of(queues)), jobs=False)
    JobQueue(settings).attach(services)
    return services


async def run_worker(settings: Settings, queues: Sequence[str] | None = None, concurrency: int | None = None,
                     name: str | None = None, services=None, metrics: WorkMetrics | None = None) -> None:
    """Run jobs until stopped (SIGINT/SIGTERM: running jobs finish first, up to their deadline)."""
    queues = check_queues(queues or ALL_QUEUES)
    concurrency = concurrency or settings.worker_concurrency
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    own = services is None
    if own:
        settings = worker_settings(settings, name)
        services = build_worker_services(settings, queues)
    metrics = metrics or WorkMetrics()
    if logging.getLevelName(settings.log_level.upper()) != logging.DEBUG:
        # procrastinate says every job's start and end at INFO: the SLA sweep alone, every 5 s
        logging.getLogger("procrastinate").setLevel(logging.WARNING)
    app = worker_app(settings, services, concurrency)
    if own:
        await services.start()
    try:
        async with app.open_async():
            log.info("worker %s: queues %s, concurrency %d", name, ",".join(queues), concurrency)
            await app.run_worker_async(
                queues=list(queues), concurrency=concurrency, name=name, wait=True, listen_notify=True,
                fetch_job_polling_interval=2.0, install_signal_handlers=own, delete_jobs="successful",
                update_heartbeat_interval=settings.worker_heartbeat_seconds,
                stalled_worker_timeout=settings.worker_stalled_seconds,
                additional_context={"parts": WorkerParts(services, metrics, regions=regions_of(queues))})
    finally:
        if own:
            await services.stop()
            services.close()
