"""How a serving process takes part in the queue (``Settings.job_queue == "queue"``): it enqueues its
triages, and with ``workers`` > 0 also runs a worker of that concurrency inside its own event loop on
every queue (one host, no separate worker process); with 0 it runs no job at all."""
from __future__ import annotations

import asyncio
import logging

from agent.work.metrics import WorkMetrics
from agent.work.queue import JobQueue
from agent.work.queues import ALL_QUEUES, poll_queue

log = logging.getLogger("faultline.work")


def install(services, workers: int) -> JobQueue:
    from agent.services import Lifecycle
    from agent.work.worker import inventory_regions, run_worker

    queue = JobQueue(services.settings)
    queue.attach(services)
    services.work_metrics = WorkMetrics(services.session_factory)
    if services.loops is not None:
        _install_loop_reaper(services)
    if workers <= 0:
        return queue
    task: asyncio.Task | None = None

    async def start() -> None:
        nonlocal task
        regions = await asyncio.to_thread(inventory_regions, services) if services.poller is not None else []
        queues = [*ALL_QUEUES, *(poll_queue(r) for r in regions)]
        task = asyncio.create_task(run_worker(services.settings, queues, workers, services=services,
                                              metrics=services.work_metrics, name=services.settings.instance_name))

    async def stop() -> None:
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    services.lifecycle.append(Lifecycle("queue worker", start, stop))
    return queue


def _install_loop_reaper(services) -> None:
    """Loop tests still run in the serving process: so does their reaper (failed clears retried, loops
    of a dead process cleared after their deadline), which agent/jobs.py's scheduler ran before."""
    from agent.jobs import _reap
    from agent.services import Lifecycle

    task: asyncio.Task | None = None

    async def every() -> None:
        while True:
            await asyncio.sleep(services.settings.loop_reaper_interval_seconds)
            await _reap(services.loops)

    async def start() -> None:
        nonlocal task
        task = asyncio.create_task(every())

    async def stop() -> None:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    services.lifecycle.append(Lifecycle("loop reaper", start, stop))
