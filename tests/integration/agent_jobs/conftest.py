"""The lab and the agent in one event loop: the shared module lab (tests/conftest.py `lab`) or a
`fresh_lab` of a test's own, an agent per test on the `db_url` database with its trap receiver on a
free UDP port the lab sends to."""
from __future__ import annotations

import random
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
import yaml

from agent.clock import Clock
from agent.settings import BootstrapUser, Settings
from faultline.server import RunningAgent, running_agent
from lab import DEFAULT_TOPOLOGY, Lab

TOKENS = {r: f"jobs-{r}-token-0123456789" for r in ("admin", "duty_officer", "engineer", "noc", "province")}


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


async def _start_lab() -> AsyncIterator[Lab]:
    for _ in range(5):  # another run may hold the random block
        block = f"127.{random.randint(100, 250)}.{random.randint(1, 254)}"
        candidate = Lab.load(DEFAULT_TOPOLOGY, address_block=block, snmp_port=random.randint(20000, 40000),
                             ssh_port=random.randint(40001, 60000))
        try:
            await candidate.start()
        except Exception:  # noqa: BLE001, S112 - a taken address: the next random block
            continue
        try:
            yield candidate
        finally:
            await candidate.stop()
        return
    pytest.fail("could not start the lab on any random loopback block")


@pytest_asyncio.fixture(loop_scope="module")
async def fresh_lab() -> AsyncIterator[Lab]:
    """A lab of its own for one test: no device alarm history left by the tests before it."""
    async for started in _start_lab():
        yield started


@pytest.fixture(scope="module")
def trap_port(lab) -> int:
    """One trap port per module: every test's agent binds it in turn; the lab sends there."""
    port = free_udp_port()
    lab.add_trap_receiver("127.0.0.1", port)
    return port


class Client:
    """The agent's API as a role sees it."""

    def __init__(self, agent: RunningAgent) -> None:
        self.agent = agent
        self.http = httpx.AsyncClient(base_url=agent.base_url, timeout=60)

    def _h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {TOKENS[role]}"}

    async def get(self, url: str, role: str = "noc", **kw: Any) -> httpx.Response:
        return await self.http.get(url, headers=self._h(role), **kw)

    async def post(self, url: str, role: str = "duty_officer", **kw: Any) -> httpx.Response:
        return await self.http.post(url, headers=self._h(role), **kw)

    async def import_inventory(self, lab: Lab) -> None:
        r = await self.post("/api/v1/inventory:import", role="admin",
                            content=yaml.safe_dump(lab.inventory(), allow_unicode=True))
        assert r.status_code == 200, r.text

    async def file(self, circuit: str, kind: str = "assist_check", symptom: str = "latency_or_errors",
                   reported: datetime | None = None) -> dict:
        r = await self.post("/api/v1/tickets", json={
            "externalId": f"JOBS-{datetime.now(UTC):%H%M%S%f}-{random.randint(0, 9999)}", "ticketType": kind,
            "symptom": symptom, "circuitId": circuit, "description": "agent jobs test",
            "reportedDate": (reported or datetime.now(UTC)).isoformat()})
        assert r.status_code == 201, r.text
        return r.json()


@asynccontextmanager
async def agent_on(db_url: str, trap_port: int, clock: Clock | None = None, **overrides: Any) -> AsyncIterator[Client]:
    settings = Settings(database_url=db_url, trap_port=trap_port, poll_interval_seconds=0,
                        triage_deadline_seconds=15.0,
                        bootstrap_users=[BootstrapUser(name=f"jobs-{r}", role=r, token=t) for r, t in TOKENS.items()],
                        **overrides)
    async with running_agent(settings, clock=clock) as running:
        client = Client(running)
        try:
            yield client
        finally:
            await client.http.aclose()


@pytest.fixture
def helpers(until):
    """agent_on and until for the tests (test modules cannot import conftest under importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(agent_on=agent_on, until=until)
