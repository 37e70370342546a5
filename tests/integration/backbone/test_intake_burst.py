"""A burst of intakes through the real server process (`faultline serve`: uvicorn, triage and SLA jobs).

Regression: with more concurrent intakes than pooled connections, triage waited for a connection on
the event loop while finished requests held theirs until the loop sent their responses: the server
stopped answering. Every ticket must be created, answered and journalled.
"""
from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from agent.models import JournalEntry, Ticket
from bench.common import TOKEN, served

pytestmark = pytest.mark.slow

TICKETS, CONCURRENCY = 300, 48


def test_a_burst_of_intakes_beyond_the_pool_is_answered_and_journalled(tmp_path):
    url = f"sqlite:///{tmp_path / 'burst.db'}"
    with served(url, {"FAULTLINE_TRAP_PORT": "0", "FAULTLINE_POLL_INTERVAL_SECONDS": "0"}) as base:

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
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Ticket)) == TICKETS
        created = conn.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "created"))
        assert created == TICKETS
    engine.dispose()
