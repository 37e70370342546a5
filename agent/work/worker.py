"""``faultline worker``: one process running jobs from the queues it is given (and, with the API,
``faultline serve --workers N``). It builds the parts its queues need: triage (and its collectors) for
``triage``, the SLA engine for ``notify``, a poller pinned to its regions for ``poll.<region>``."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Sequence

from procrastinate import App, PsycopgConnector
from procrastinate.worker import Worker
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
    """Run jobs until stopped (SIGINT/SIGTERM, or cancelled when embedded): running jobs finish first.

    A worker that loses the database is not a dead process: procrastinate stops its worker when a
    query or the listener fails, and this loop starts a new one (a new worker id) once the database
    answers again. The jobs that were running when the database went are retried by the stalled-job
    recovery after ``worker_stalled_seconds`` (their diagnosis stored once: ``Diagnosis.job_key``)."""
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
    stopping = asyncio.Event()
    current: list[Worker] = []

    def stop() -> None:
        stopping.set()
        for w in current:
            w.stop()

    loop = asyncio.get_running_loop()
    if own:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        await services.start()
    delay = 1.0
    try:
        while not stopping.is_set():
            worker = Worker(app, queues=list(queues), name=name, concurrency=concurrency, wait=True,
                            listen_notify=True, fetch_job_polling_interval=2.0, install_signal_handlers=False,
                            delete_jobs="successful", update_heartbeat_interval=settings.worker_heartbeat_seconds,
                            stalled_worker_timeout=settings.worker_stalled_seconds,
                            shutdown_graceful_timeout=settings.triage_deadline_seconds + 30,
                            additional_context={"parts": WorkerParts(services, metrics, regions=regions_of(queues))})
            current[:] = [worker]
            try:
                async with app.open_async():
                    log.info("worker %s: queues %s, concurrency %d", name, ",".join(queues), concurrency)
                    await worker.run()
                    delay = 1.0
            except Exception as exc:  # noqa: BLE001 - the database went away: wait for it, then a new worker
                log.warning("worker %s lost the database (%s: %s); reconnecting in %.0f s", name,
                            type(exc).__name__, str(exc).strip()[:200], delay)
            else:
                if stopping.is_set():
                    break
                log.warning("worker %s stopped on a failed side task (database lost?); reconnecting in %.0f s",
                            name, delay)
            try:
                await asyncio.wait_for(stopping.wait(), delay)
            except TimeoutError:
                pass
            delay = min(delay * 2, 30.0)
    except asyncio.CancelledError:
        stop()
        raise
    finally:
        if own:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            await services.stop()
            services.close()
