"""``Api``: the agent's HTTP API as one role sees it, the one client class of every tier.

It wraps either a sync client (FastAPI's ``TestClient``, an ``httpx.Client``) or an
``httpx.AsyncClient``; each call returns what the wrapped client returns, so with an async client
every method is awaited (``await api.file(...)``) and with a sync one it is not (``api.file(...)``).
Requests go out as ``role`` (the test user of that role) unless a call names another.
"""
from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import yaml

from faultline.demo import wait_for_diagnosis  # the demo's own wait: one copy, shared with the tests
from tests.support.users import auth

__all__ = ["Api", "wait_for_diagnosis"]

_serial = itertools.count(1)


def _then(response: Any, check: Callable[[httpx.Response], Any]) -> Any:
    """``check(response)`` now for a sync client, or an awaitable of it for an async one."""
    if inspect.isawaitable(response):
        async def later() -> Any:
            return check(await response)
        return later()
    return check(response)


def _expect(status: int | tuple[int, ...]) -> Callable[[httpx.Response], Any]:
    wanted = status if isinstance(status, tuple) else (status,)

    def check(r: httpx.Response) -> Any:
        assert r.status_code in wanted, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
        return r.json() if r.content else None
    return check


class Api:
    def __init__(self, http: httpx.Client | httpx.AsyncClient, role: str = "duty_officer", *,
                 agent: Any = None, lab: Any = None) -> None:
        self.http = http
        self.role = role
        self.agent = agent  # the RunningAgent behind an ``agent_on`` client (its services, base URL)
        self.lab = lab  # the lab whose inventory the agent was given, when a fixture did that

    def as_role(self, role: str) -> Api:
        """The same client as another role."""
        return Api(self.http, role, agent=self.agent, lab=self.lab)

    # --- requests as a role ------------------------------------------------------------------------
    def request(self, method: str, url: str, *, role: str | None = None, **kw: Any) -> Any:
        headers = {**auth(role or self.role), **(kw.pop("headers", None) or {})}
        return self.http.request(method, url, headers=headers, **kw)

    def get(self, url: str, role: str | None = None, **kw: Any) -> Any:
        return self.request("GET", url, role=role, **kw)

    def post(self, url: str, role: str | None = None, **kw: Any) -> Any:
        return self.request("POST", url, role=role, **kw)

    def put(self, url: str, role: str | None = None, **kw: Any) -> Any:
        return self.request("PUT", url, role=role, **kw)

    def patch(self, url: str, role: str | None = None, **kw: Any) -> Any:
        return self.request("PATCH", url, role=role, **kw)

    def delete(self, url: str, role: str | None = None, **kw: Any) -> Any:
        return self.request("DELETE", url, role=role, **kw)

    def post_as(self, role: str, url: str, body: Any) -> Any:
        """POST a JSON body as ``role`` (the scenario tests' short form)."""
        return self.post(url, role=role, json=body)

    # --- the steps tests repeat (each asserts its status and returns the JSON body) ----------------
    def import_inventory(self, inventory: Mapping[str, Any] | str | Any) -> Any:
        """Import as admin: an inventory dict, its YAML text, or a lab (its ``inventory()``)."""
        if hasattr(inventory, "inventory"):
            inventory = inventory.inventory()
        text = inventory if isinstance(inventory, str) else yaml.safe_dump(dict(inventory), allow_unicode=True)
        return _then(self.post("/api/v1/inventory:import", role="admin", content=text), _expect(200))

    def file(self, circuit: str, kind: str = "assist_check", symptom: str = "interruption_or_flap",
             reported: datetime | None = None, *, external_id: str | None = None, expect: int | tuple[int, ...] = 201,
             **fields: Any) -> Any:
        """File a ticket as upstream does, as the duty officer (the intake role) whatever this client's
        role; a unique external id unless given. The created ticket."""
        body = {"externalId": external_id or f"T-{datetime.now(UTC):%H%M%S%f}-{next(_serial)}", "ticketType": kind,
                "symptom": symptom, "circuitId": circuit, "description": "test ticket",
                "reportedDate": (reported or datetime.now(UTC)).isoformat(), **fields}
        return _then(self.post("/api/v1/tickets", role="duty_officer", json=body), _expect(expect))

    def ticket(self, ticket_id: int | str) -> Any:
        return _then(self.get(f"/api/v1/tickets/{ticket_id}"), _expect(200))

    def diagnoses(self, ticket_id: int | str) -> Any:
        return _then(self.get(f"/api/v1/tickets/{ticket_id}/diagnoses"), _expect(200))

    def journal(self, ticket_id: int | str) -> Any:
        return _then(self.get(f"/api/v1/tickets/{ticket_id}/journal"), _expect(200))

    def sign(self, ticket_id: int | str) -> Any:
        return _then(self.post(f"/api/v1/tickets/{ticket_id}/sign", role="duty_officer", json={}), _expect(200))

    async def signed_ticket(self, circuit: str, kind: str = "interruption", symptom: str = "down") -> int:
        """A ticket filed and signed by the duty officer (async clients only); its id."""
        ticket = await self.file(circuit, kind, symptom)
        await self.sign(ticket["id"])
        return int(ticket["id"])

    async def loop_test_ended(self, loop_id: int, timeout: float = 90.0) -> dict:
        """The loop test once it is no longer active and has its result (async clients only)."""
        from tests.support.waiting import until

        async def ended() -> dict | None:
            body = (await self.get(f"/api/v1/loop-tests/{loop_id}")).json()
            return body if not body["active"] and body["result"] is not None else None  # result follows the state
        return await until(ended, timeout, f"loop test {loop_id} ended")

    async def first_diagnosis(self, ticket_id: int | str, timeout: float = 45.0) -> dict:
        """The ticket's first stored diagnosis, waited for (async clients only)."""
        return await wait_for_diagnosis(self, str(ticket_id), timeout=timeout)

    async def triage(self, circuit: str, kind: str, symptom: str, timeout: float = 45.0) -> tuple[dict, dict]:
        """File a ticket and wait for its first diagnosis: (ticket, diagnosis)."""
        ticket = await self.file(circuit, kind, symptom)
        return ticket, await self.first_diagnosis(ticket["id"], timeout=timeout)
