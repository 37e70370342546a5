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


class ServerProcess:
    """``faultline serve`` as a real process of its own (its own event loop, database connections and
    device sessions), for what only separate processes show: two servers racing on one PostgreSQL
    database, a ``kill -9`` in the middle of a loop and the restart after it.

    ``settings``: Settings fields as environment (FAULTLINE_<NAME>; nested with ``__``); the test users
    and the test defaults (no trap receiver, no poller) are set. ``instance_name`` names the process in
    the loop rows, so a restart with the same name clears what its predecessor left at once."""

    def __init__(self, db_url: str, *, instance_name: str, log_dir: Any, **settings: Any) -> None:
        import json
        import os

        from tests.support.settings import TEST_DEFAULTS
        from tests.support.users import bootstrap_users

        self.port = free_tcp_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{instance_name}.log"
        values = {**TEST_DEFAULTS, "database_url": db_url, "instance_name": instance_name, "log_level": "WARNING",
                  "bootstrap_users": [{"name": u.name, "role": u.role, "token": u.token.get_secret_value()}
                                     for u in bootstrap_users()],
                  **settings}
        self.env = {**os.environ}
        for key, value in values.items():
            self.env[f"FAULTLINE_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
        self.proc: Any = None
        self.started_at = 0.0

    def start(self) -> ServerProcess:
        import subprocess
        import sys
        import time
        from pathlib import Path

        exe = Path(sys.executable).with_name("faultline")
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child writes it; closed with the process
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen([str(exe), "serve", "--port", str(self.port)], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        return self

    async def ready(self, timeout: float = 60.0) -> None:
        from tests.support.waiting import until

        async def up() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"faultline serve ended ({self.proc.returncode}): "
                                     f"{self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                async with httpx.AsyncClient(timeout=1.0) as http:
                    return (await http.get(f"{self.base_url}/healthz")).json().get("status") == "ok"
            except (httpx.HTTPError, ValueError):
                return False

        await until(up, timeout, f"faultline serve on {self.base_url}")

    def kill9(self) -> None:
        """SIGKILL: no shutdown hook runs, the loops stay as they are on the devices."""
        import signal

        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        import subprocess

        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
