"""Idempotent intake under concurrency, authentication and roles, journal immutability, secrets, 422s."""
from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from agent.models import ExternalIdentifier, JournalEntry, Ticket

BODY = {"externalId": "UP-RACE-1", "ticketType": "interruption", "symptom": "down", "circuitId": "CIR-EPL-0001",
        "reportedDate": "2026-11-25T08:55:00+08:00", "description": "专线中断"}


def test_twenty_concurrent_posts_of_one_id_make_one_ticket(loaded, live_server, services):
    headers = {"Authorization": "Bearer test-token-for-duty_officer-0123456789"}

    async def burst():
        async with httpx.AsyncClient(base_url=live_server, timeout=30) as c:
            return await asyncio.gather(*[c.post("/api/v1/tickets", json=BODY, headers=headers) for _ in range(20)])

    responses = asyncio.run(burst())
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1 and codes.count(200) == 19, codes
    assert len({r.json()["id"] for r in responses}) == 1
    with services.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 1
        assert s.scalar(select(func.count()).select_from(ExternalIdentifier)) == 1
        assert s.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "created")) == 1


def test_posting_the_same_id_again_returns_the_existing_ticket(loaded, as_role):
    first = as_role("duty_officer").post("/api/v1/tickets", json=BODY)
    second = as_role("admin").post("/api/v1/tickets", json={**BODY, "description": "changed"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"] and second.json()["description"] == "专线中断"


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/circuits", "/api/v1/devices", "/api/v1/inventory:export",
                                  "/api/v1/tickets/1", "/api/v1/tickets/1/journal"])
def test_every_route_needs_a_token(client, path):
    r = client.get(path)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = client.get(path, headers={"Authorization": "Bearer not-a-real-token-000000"})
    assert r.status_code == 401


def test_every_api_route_declares_authentication(client):
    """No /api route can be reached without a bearer token (guards against a new route forgetting it)."""
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in ops.items():
            assert op.get("security"), f"{method.upper()} {path} has no authentication"


def test_roles_401_vs_403(loaded, as_role, client):
    assert client.post("/api/v1/tickets", json=BODY).status_code == 401
    for role in ("noc", "engineer", "province"):
        assert as_role(role).post("/api/v1/tickets", json=BODY).status_code == 403
    tid = as_role("duty_officer").post("/api/v1/tickets", json=BODY).json()["id"]
    assert as_role("noc").post(f"/api/v1/tickets/{tid}/sign", json={}).status_code == 403
    assert as_role("noc").get(f"/api/v1/tickets/{tid}").status_code == 200
    assert as_role("engineer").post(f"/api/v1/tickets/{tid}/sign", json={}).status_code == 403
    assert as_role("duty_officer").post(f"/api/v1/tickets/{tid}/sign", json={}).status_code == 200


def test_healthz_needs_no_token(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_journal_has_no_update_or_delete_route(client):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        if "journal" in path or "note" in path:
            assert set(ops) == {"get"}
    assert not [p for p, ops in spec["paths"].items() if {"put", "patch", "delete"} & set(ops)]


def test_database_refuses_journal_update_and_delete(loaded, as_role, services):
    as_role("duty_officer").post("/api/v1/tickets", json=BODY)
    for stmt in ("UPDATE journal_entry SET text = 'rewritten'", "DELETE FROM journal_entry"):
        with services.engine.connect() as conn:
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(stmt))
            conn.rollback()
    with services.session_factory() as s:
        assert s.scalar(select(JournalEntry.text).limit(1)) != "rewritten"


SECRETS = ("example-password", "example-ro", "example-auth-key", "example-priv-key", "example-enable")


def test_credentials_never_in_responses_or_logs(loaded, as_role, caplog):
    caplog.set_level(logging.DEBUG)
    tid = as_role("duty_officer").post("/api/v1/tickets", json=BODY).json()["id"]
    bodies = [as_role("admin").get(p).text for p in
              ("/api/v1/devices", "/api/v1/circuits", "/api/v1/inventory:export", f"/api/v1/tickets/{tid}", "/openapi.json")]
    blob = "\n".join(bodies) + caplog.text
    assert "cpe-logi" in blob  # the devices are there...
    for secret in SECRETS:
        assert secret not in blob  # ...their credentials are not


def test_malformed_body_is_422_with_field_errors(loaded, as_role):
    r = as_role("duty_officer").post("/api/v1/tickets", json={"externalId": "bad id with spaces", "ticketType": "other",
                                                                "circuitId": "", "reportedDate": "yesterday", "x": 1})
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    locs = {e["loc"] for e in body["errors"]}
    assert {"body.externalId", "body.ticketType", "body.symptom", "body.circuitId", "body.reportedDate", "body.x"} <= locs
    naive = {**BODY, "reportedDate": "2026-11-25T08:55:00"}
    assert as_role("duty_officer").post("/api/v1/tickets", json=naive).status_code == 422
