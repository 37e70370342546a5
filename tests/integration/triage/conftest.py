"""Triage wiring against the lab: an agent per test (API + triage over the real collectors) on its own
database, the shared module lab of tests/conftest.py as the network."""
from __future__ import annotations

import random
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import yaml

from agent.settings import BootstrapUser, Settings
from faultline.demo import wait_for_diagnosis
from faultline.server import RunningAgent, running_agent

TOKENS = {r: f"triage-{r}-token-0123456789" for r in ("admin", "duty_officer", "engineer", "noc", "province")}


def settings_for(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(database_url=db_url, trap_port=0, poll_interval_seconds=0, triage_deadline_seconds=15.0,
                                  bootstrap_users=[BootstrapUser(name=f"triage-{r}", role=r, token=t)
                                                   for r, t in TOKENS.items()])
    values.update(overrides)
    return Settings(**values)


class Api:
    """The agent's API as the roles see it."""

    def __init__(self, agent: RunningAgent) -> None:
        self.agent = agent
        self.http = httpx.AsyncClient(base_url=agent.base_url, timeout=60,
                                      headers={"Authorization": f"Bearer {TOKENS['duty_officer']}"})

    async def get(self, url: str, role: str = "duty_officer", **kw: Any) -> httpx.Response:
        return await self.http.get(url, headers={"Authorization": f"Bearer {TOKENS[role]}"}, **kw)

    async def post(self, url: str, role: str = "duty_officer", **kw: Any) -> httpx.Response:
        return await self.http.post(url, headers={"Authorization": f"Bearer {TOKENS[role]}"}, **kw)

    async def import_inventory(self, inventory: dict) -> None:
        r = await self.post("/api/v1/inventory:import", role="admin", content=yaml.safe_dump(inventory, allow_unicode=True))
        assert r.status_code == 200, r.text

    async def file(self, circuit: str, kind: str = "assist_check", symptom: str = "interruption_or_flap",
                   reported: datetime | None = None) -> dict:
        r = await self.post("/api/v1/tickets", json={
            "externalId": f"TRI-{datetime.now(UTC):%H%M%S%f}-{random.randint(0, 9999)}", "ticketType": kind,
            "symptom": symptom, "circuitId": circuit, "description": "triage wiring test",
            "reportedDate": (reported or datetime.now(UTC)).isoformat()})
        assert r.status_code == 201, r.text
        return r.json()

    async def first_diagnosis(self, ticket_id: int | str, timeout: float = 45.0) -> dict:
        return await wait_for_diagnosis(self.http, str(ticket_id), timeout=timeout)

    async def diagnoses(self, ticket_id: int | str) -> list[dict]:
        r = await self.get(f"/api/v1/tickets/{ticket_id}/diagnoses")
        assert r.status_code == 200, r.text
        return r.json()

    async def journal(self, ticket_id: int | str) -> list[dict]:
        r = await self.get(f"/api/v1/tickets/{ticket_id}/journal")
        assert r.status_code == 200, r.text
        return r.json()


@asynccontextmanager
async def agent_on(db_url: str, **overrides: Any) -> AsyncIterator[Api]:
    async with running_agent(settings_for(db_url, **overrides)) as running:
        api = Api(running)
        try:
            yield api
        finally:
            await api.http.aclose()


@pytest.fixture
def silent_endpoint():
    """A UDP port and a TCP port on loopback that take packets and connections and never answer: a
    device whose management address points there is silent (no SNMP reply, no SSH banner)."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(16)
    try:
        yield "127.0.0.1", udp.getsockname()[1], tcp.getsockname()[1]
    finally:
        udp.close()
        tcp.close()


@pytest.fixture
def helpers(until):
    """agent_on and until for the tests (test modules cannot import conftest under importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(agent_on=agent_on, until=until, settings_for=settings_for)
