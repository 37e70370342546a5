"""The agent served for a test: in this event loop (``agent_on``, with the lab in the same loop) or
in a thread (``served_in_thread``, for sync tests that need real concurrent HTTP)."""
from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import uvicorn

from agent.clock import Clock
from faultline.server import running_agent
from tests.support.api import Api
from tests.support.net import free_tcp_port
from tests.support.settings import settings_for
from tests.support.waiting import until_sync


@asynccontextmanager
async def agent_on(db_url: str, trap_port: int = 0, *, clock: Clock | None = None, lab: Any = None,
                   **overrides: Any) -> AsyncIterator[Api]:
    """The agent (API, triage, jobs) on ``db_url`` served in this loop; an ``Api`` client of it.

    ``trap_port``: its trap receiver's UDP port (0: none); ``overrides``: Settings fields.
    """
    async with running_agent(settings_for(db_url, trap_port=trap_port, **overrides), clock=clock) as running:
        async with httpx.AsyncClient(base_url=running.base_url, timeout=60) as http:
            yield Api(http, agent=running, lab=lab)


@contextmanager
def served_in_thread(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """``app`` served by a real uvicorn on a free port in a thread; yields its base URL."""
    port = free_tcp_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://{host}:{port}"
    try:
        until_sync(lambda: server.started or not thread.is_alive(), timeout=30, what="uvicorn started")
        assert server.started, "uvicorn stopped before it served"
        yield base
    finally:
        server.should_exit = True
        thread.join(10)
