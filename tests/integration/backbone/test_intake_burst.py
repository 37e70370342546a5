"""A burst of intakes through the real server process (`faultline serve`: uvicorn, triage and SLA jobs).

Regression: with more concurrent intakes than pooled connections, triage waited for a connection on
the event loop while finished requests held theirs until the loop sent their responses: the server
stopped answering. Every ticket must be created, answered and journalled.
"""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from agent.models import JournalEntry, Ticket

pytestmark = pytest.mark.slow

TOKEN = "burst-token-0123456789abcdef"
TICKETS, CONCURRENCY = 300, 48


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_burst_of_intakes_beyond_the_pool_is_answered_and_journalled(tmp_path):
    db = tmp_path / "burst.db"
    port = _free_port()
    env = {**os.environ, "FAULTLINE_DATABASE_URL": f"sqlite:///{db}", "FAULTLINE_TRAP_PORT": "0",
           "FAULTLINE_POLL_INTERVAL_SECONDS": "0", "FAULTLINE_LOG_LEVEL": "WARNING",
           "FAULTLINE_BOOTSTRAP_USERS": f'[{{"name":"upstream","role":"duty_officer","token":"{TOKEN}"}}]'}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("faultline")), "serve", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "faultline serve did not become ready"
            try:
                if httpx.get(f"{base}/healthz", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)

        async def burst() -> list[int]:
            gate = asyncio.Semaphore(CONCURRENCY)
            async with httpx.AsyncClient(base_url=base, timeout=30,
                                         headers={"Authorization": f"Bearer {TOKEN}"}) as c:
                async def one(i: int) -> int:
                    async with gate:
                        r = await c.post("/api/v1/tickets", json={
                            "externalId": f"BURST-{i}", "ticketType": "interruption", "symptom": "down",
                            "circuitId": f"CIR-UNKNOWN-{i % 7}", "reportedDate": "2026-11-25T08:00:00+08:00"})
                        return r.status_code
                return await asyncio.gather(*(one(i) for i in range(TICKETS)))

        codes = asyncio.run(burst())
        assert codes.count(201) == TICKETS, sorted(set(codes))
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Ticket)) == TICKETS
        created = conn.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "created"))
        assert created == TICKETS
    engine.dispose()
