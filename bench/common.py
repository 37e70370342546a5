"""Helpers shared by the benchmarks: a served faultline on a free port, percentiles, PostgreSQL scratch DBs."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

# the tests' own helpers: each bench puts the checkout on sys.path
from tests.support.databases import create_pg_database, drop_pg_database, unique_name
from tests.support.needs import PG_ADMIN_URL
from tests.support.net import free_tcp_port

PG_ADMIN = os.environ.get("FAULTLINE_BENCH_PG", PG_ADMIN_URL)
TOKEN = "bench-token-0123456789abcdef"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


@contextmanager
def pg_scratch_db():
    """A throwaway PostgreSQL database; yields its SQLAlchemy URL, or None when PostgreSQL is absent."""
    name = unique_name("faultline_bench")
    try:
        url = create_pg_database(name, admin_url=PG_ADMIN)
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        print(f"  (PostgreSQL unavailable: {exc})")
        yield None
        return
    try:
        yield url
    finally:
        drop_pg_database(name, PG_ADMIN)


@contextmanager
def served(database_url: str, extra_env: dict[str, str] | None = None):
    """`faultline serve` in its own process (uvicorn, one worker) with an admin token; yields the base URL."""
    port = free_tcp_port()
    env = {**os.environ, "FAULTLINE_DATABASE_URL": database_url,
           "FAULTLINE_BOOTSTRAP_USERS": f'[{{"name":"bench","role":"admin","token":"{TOKEN}"}}]',
           "FAULTLINE_LOG_LEVEL": "WARNING", **(extra_env or {})}
    exe = Path(sys.executable).with_name("faultline")
    # stderr to a file, not a pipe: a pipe nobody reads fills up and blocks the server mid-run
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=0.5).json().get("status") == "ok":
                break
        except (httpx.HTTPError, ValueError):
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace")[-2000:])
            time.sleep(0.1)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
