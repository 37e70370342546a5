"""End to end: the lab network and the agent (API + triage) in one event loop, over real SNMP/SSH/HTTP."""
from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

import httpx
import pytest_asyncio
import yaml

from agent.settings import BootstrapUser, Settings
from faultline.demo import wait_for_diagnosis
from faultline.server import running_agent

TOKENS = {r: f"e2e-{r}-token-0123456789" for r in ("admin", "duty_officer", "engineer", "noc", "province")}
_blocks = itertools.count()
_base = random.Random().randrange(60, 200)


def next_block() -> str:
    """A fresh 127.x.y.0/24 block per lab (a stopped lab's sockets may linger for a moment)."""
    n = next(_blocks)
    return f"127.{_base}.{100 + n}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def agent(tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e") / "faultline.db"
    # a 2 s counter interval keeps the measured utilisation steady when the machine is loaded
    settings = Settings(database_url=f"sqlite:///{db}", triage_deadline_seconds=10.0, triage_counter_interval_seconds=2.0,
                        trap_port=0, poll_interval_seconds=0,
                        bootstrap_users=[BootstrapUser(name=f"e2e-{r}", role=r, token=t) for r, t in TOKENS.items()])
    async with running_agent(settings) as running:
        yield running


class Scenario:
    """One lab, the agent's inventory pointed at it, and helpers to file tickets as upstream does."""

    def __init__(self, agent, lab) -> None:
        self.agent, self.lab = agent, lab
        self.client = httpx.AsyncClient(base_url=agent.base_url, timeout=60,
                                        headers={"Authorization": f"Bearer {TOKENS['duty_officer']}"})

    async def import_inventory(self) -> None:
        r = await self.client.post("/api/v1/inventory:import", content=yaml.safe_dump(self.lab.inventory(), allow_unicode=True),
                                   headers={"Authorization": f"Bearer {TOKENS['admin']}"})
        assert r.status_code == 200, r.text

    async def file(self, circuit: str, kind: str, symptom: str) -> dict:
        ext = f"E2E-{datetime.now(UTC):%H%M%S%f}"
        r = await self.client.post("/api/v1/tickets", json={
            "externalId": ext, "ticketType": kind, "symptom": symptom, "circuitId": circuit,
            "reportedDate": datetime.now(UTC).isoformat(), "description": "e2e"})
        assert r.status_code == 201, r.text
        return r.json()

    async def triage(self, circuit: str, kind: str, symptom: str) -> tuple[dict, dict]:
        ticket = await self.file(circuit, kind, symptom)
        return ticket, await wait_for_diagnosis(self.client, ticket["id"], timeout=45)

    async def wait_for_alarms(self, device: str, port: str, name: str, count: int, timeout: float = 15.0) -> None:
        """Wait (on the lab's own alarm history, not a fixed time) until `count` alarms were raised."""
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            seen = [a for a in self.lab.alarms(device, active=False) if a.port == port and a.name == name]
            if len(seen) >= count:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"{count} {name} alarms on {device} {port} did not happen within {timeout} s")

    async def post_as(self, role: str, url: str, body: dict) -> httpx.Response:
        return await self.client.post(url, json=body, headers={"Authorization": f"Bearer {TOKENS[role]}"})

    async def journal(self, ticket_id: str) -> list[dict]:
        return (await self.client.get(f"/api/v1/tickets/{ticket_id}/journal")).json()


@pytest_asyncio.fixture(loop_scope="module")
async def scenario(agent):
    from lab import DEFAULT_TOPOLOGY, Lab

    lab = Lab.load(DEFAULT_TOPOLOGY, address_block=next_block())
    await lab.start()
    sc = Scenario(agent, lab)
    await sc.import_inventory()
    try:
        yield sc
    finally:
        await sc.client.aclose()
        await lab.stop()
