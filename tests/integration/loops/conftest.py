"""Loop tests against the lab over real SSH, an agent per test on its own database (SQLite file or the
session's PostgreSQL database), the module lab of tests/conftest.py as the network."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from itertools import count
from typing import Any

import httpx
import pytest
import yaml

from agent.settings import BootstrapUser, Settings
from faultline.server import running_agent

TOKENS = {r: f"loops-{r}-token-0123456789" for r in ("admin", "duty_officer", "engineer", "noc", "province")}
_ext = count()


def settings_for(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(database_url=db_url, trap_port=0, poll_interval_seconds=0, triage_deadline_seconds=15.0,
                                  loop_clear_retry_seconds=0.5, loop_reaper_interval_seconds=0.5,
                                  bootstrap_users=[BootstrapUser(name=f"loops-{r}", role=r, token=t) for r, t in TOKENS.items()])
    values.update(overrides)
    return Settings(**values)


class Api:
    def __init__(self, base_url: str, running=None) -> None:
        self.running = running
        self.http = httpx.AsyncClient(base_url=base_url, timeout=90, limits=httpx.Limits(max_connections=100))

    @property
    def services(self):
        return self.running.services

    def _auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {TOKENS[role]}"}

    async def get(self, url: str, role: str = "noc", **kw: Any) -> httpx.Response:
        return await self.http.get(url, headers=self._auth(role), **kw)

    async def post(self, url: str, body: dict | None = None, role: str = "engineer", **kw: Any) -> httpx.Response:
        return await self.http.post(url, json=body if body is not None else {}, headers=self._auth(role), **kw)

    async def import_inventory(self, inventory: dict) -> None:
        r = await self.http.post("/api/v1/inventory:import", content=yaml.safe_dump(inventory, allow_unicode=True),
                                 headers=self._auth("admin"))
        assert r.status_code == 200, r.text

    async def signed_ticket(self, circuit: str) -> int:
        r = await self.post("/api/v1/tickets", {
            "externalId": f"LOOP-{datetime.now(UTC):%H%M%S%f}-{next(_ext)}", "ticketType": "interruption",
            "symptom": "down", "circuitId": circuit, "description": "loop guard test",
            "reportedDate": datetime.now(UTC).isoformat()}, role="duty_officer")
        assert r.status_code == 201, r.text
        tid = r.json()["id"]
        r = await self.post(f"/api/v1/tickets/{tid}/sign", role="duty_officer")
        assert r.status_code == 200, r.text
        return int(tid)

    async def ended(self, loop_id: int, timeout: float = 90.0) -> dict:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        body: dict = {}
        while loop.time() < deadline:
            body = (await self.get(f"/api/v1/loop-tests/{loop_id}")).json()
            if not body["active"] and body["result"] is not None:  # the result follows the final state
                return body
            await asyncio.sleep(0.1)
        raise AssertionError(f"loop test {loop_id} still active after {timeout} s: {body}")

    async def journal(self, ticket_id: int) -> list[dict]:
        return (await self.get(f"/api/v1/tickets/{ticket_id}/journal")).json()


@asynccontextmanager
async def agent_on(db_url: str, lab, **overrides: Any) -> AsyncIterator[Api]:
    async with running_agent(settings_for(db_url, **overrides)) as running:
        api = Api(running.base_url, running)
        try:
            await api.import_inventory(lab.inventory())
            yield api
        finally:
            await api.http.aclose()


async def wait_until(check, timeout: float = 30.0, what: str = "condition"):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"{what} not reached within {timeout} s")


@pytest.fixture
def loops_kit():
    from types import SimpleNamespace

    return SimpleNamespace(agent_on=agent_on, wait_until=wait_until, settings_for=settings_for, Api=Api, TOKENS=TOKENS)


@pytest.fixture(autouse=True)
def _no_loop_left(lab):
    """Every test ends with no loop on any lab port: a loop left set is a failure of the test."""
    yield
    looped = [k for k, ps in lab.model.ports.items() if ps.loop is not None]
    for key in looped:  # leave the module's lab clean for the next test, then fail
        device, port = key.split(":", 1)
        lab.set_loop(device, port, None)
    assert not looped, f"loops left set on the lab: {looped}"
