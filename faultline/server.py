"""The composition root: one process's services behind the API (``build_app``), and the agent run
inside the current event loop (``running_agent``) for the demo, end-to-end tests and benches, where
the lab must share the loop (its API is called from its own loop's thread).

The scheduler runs once per process started with ``jobs=True`` (``faultline serve``), never once per
web worker: uvicorn runs one worker here.
"""
from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from agent.clock import Clock
from agent.evidence.read import PathCollector
from agent.loops import LoopDriver
from agent.services import Services, build_services
from agent.settings import Settings
from api.app import create_app


def build_app(settings: Settings, clock: Clock | None = None, *, jobs: bool = True,
              collector: PathCollector | None = None, loop_driver: LoopDriver | None = None,
              workers: int | None = None) -> FastAPI:
    """The serving process: triage, loops and health always; traps, polling and the SLA jobs with ``jobs``.

    With ``settings.job_queue == "queue"`` (PostgreSQL) the jobs go to procrastinate queues instead
    (agent/work/): this process runs a worker of ``workers`` jobs at a time (default
    ``worker_concurrency``; 0: it only enqueues, ``faultline worker`` processes run them)."""
    queued = settings.job_queue == "queue"
    services = build_services(settings, clock, triage=True, monitoring=jobs, jobs=jobs and not queued,
                              collector=collector, loop_driver=loop_driver)
    if queued:  # --- issue 17: jobs on the queue
        from agent.work.wiring import install

        install(services, (settings.worker_concurrency if workers is None else workers) if jobs else 0)
    return create_app(services)


@dataclass
class RunningAgent:
    base_url: str
    app: FastAPI

    @property
    def services(self) -> Services:
        return self.app.state.services


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# Idle keep-alive connections are held longer than clients keep them (httpx: 5 s): with uvicorn's
# default, also 5 s, the server could close a connection just as a client sent on it (ReadError).
KEEP_ALIVE_SECONDS = 65


@asynccontextmanager
async def running_agent(settings: Settings, *, host: str = "127.0.0.1", port: int | None = None,
                        clock: Clock | None = None, jobs: bool = True) -> AsyncIterator[RunningAgent]:
    app = build_app(settings, clock, jobs=jobs)
    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on",
                                           timeout_keep_alive=KEEP_ALIVE_SECONDS))
    server.install_signal_handlers = lambda: None  # the caller owns the process's signals
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # re-raise why it could not start (e.g. the port is taken)
            raise RuntimeError(f"the API did not start on {host}:{port}")
        await asyncio.sleep(0.02)
    try:
        yield RunningAgent(f"http://{host}:{port}", app)
    finally:
        server.should_exit = True
        await task
        app.state.services.close()
