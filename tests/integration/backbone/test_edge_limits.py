"""Bad input at the edge gets a 4xx, never a 500: ids beyond the database's integer, oversized bodies,
inventories nested beyond reason; a lost database is a 503 with Retry-After, and nothing is lost."""
from __future__ import annotations

import pytest

from tests.support.databases import drop_pg_database
from tests.support.users import token_for

ADMIN = {"Authorization": f"Bearer {token_for('admin')}"}
BIG = ["2147483648", "99999999999999999999", "0", "-1"]


@pytest.mark.parametrize("ticket_id", BIG)
@pytest.mark.parametrize("path", ["/api/v1/tickets/{}", "/api/v1/tickets/{}/journal", "/api/v1/tickets/{}/diagnoses",
                                  "/api/v1/tickets/{}/loop-tests", "/api/v1/cutovers/{}"])
def test_ids_beyond_the_database_integer_are_422(as_role, path, ticket_id):
    r = as_role("admin").get(path.format(ticket_id))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("offset", ["2147483648", "99999999999999999999", "-1"])
def test_pagination_beyond_the_database_integer_is_422(as_role, offset):
    r = as_role("admin").get(f"/api/v1/tickets?offset={offset}")
    assert r.status_code == 422, r.text


def test_largest_id_is_a_plain_404(as_role):
    r = as_role("admin").get("/api/v1/tickets/2147483647")
    assert r.status_code == 404, r.text


def test_oversized_body_is_413_before_it_is_read(client, as_role):
    body = b'{"externalId": "' + b"x" * 2_000_000 + b'"}'
    r = client.post("/api/v1/tickets", content=body, headers={**ADMIN,
                                                              "Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.json()["title"] == "Payload too large"


def test_oversized_streamed_body_without_length_is_413(client, as_role):
    def chunks():
        for _ in range(40):
            yield b"x" * 100_000

    r = client.post("/api/v1/tickets", content=chunks(), headers={**ADMIN,
                                                                  "Content-Type": "application/json"})
    assert r.status_code == 413, r.text


def test_deeply_nested_json_body_is_a_4xx(client, as_role):
    r = client.post("/api/v1/tickets", content=b"[" * 200_000 + b"]" * 200_000,
                    headers={**ADMIN, "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text


def test_inventory_nested_1000_deep_is_422_and_imports_nothing(as_role):
    text = "sites: " + "[" * 1000 + "]" * 1000
    r = as_role("admin").post("/api/v1/inventory:import", content=text)
    assert r.status_code == 422, r.text
    assert "nested deeper than" in r.text
    assert as_role("admin").get("/api/v1/circuits").json() == []


@pytest.mark.postgres
def test_a_lost_database_is_503_with_retry_after(pg_template, settings, clock):
    """The database goes away under a running server (dropped with its connections): requests are
    answered 503 + Retry-After, never 500."""
    from fastapi.testclient import TestClient

    from agent.services import build_services
    from agent.settings import Settings
    from api.app import create_app
    from tests.support.users import token_for

    url = pg_template.copy()
    name = url.rsplit("/", 1)[1]
    services = build_services(Settings(database_url=url, bootstrap_users=settings.bootstrap_users), clock, migrate=False)
    headers = {"Authorization": f"Bearer {token_for('duty_officer')}"}
    try:
        with TestClient(create_app(services)) as client:
            assert client.get("/api/v1/tickets", headers=headers).status_code == 200
            drop_pg_database(name)
            for path in ("/api/v1/tickets", "/api/v1/tickets/1", "/healthz"):
                r = client.get(path, headers=headers)
                assert r.status_code == 503, (path, r.status_code, r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
            r = client.get("/api/v1/tickets", headers=headers)
            assert r.headers.get("retry-after") == "5"
    finally:
        services.close()
        pg_template.drop(url)
