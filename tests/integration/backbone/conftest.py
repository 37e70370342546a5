from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from agent.clock import ManualClock
from agent.services import build_services
from agent.settings import BootstrapUser, Settings
from api.app import create_app

ROLES = ("duty_officer", "engineer", "noc", "province", "admin")
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def token_for(role: str) -> str:
    return f"test-token-for-{role}-0123456789"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def settings(db_url) -> Settings:
    return Settings(database_url=db_url,
                    bootstrap_users=[BootstrapUser(name=f"{r}-user", role=r, token=token_for(r)) for r in ROLES])


@pytest.fixture
def services(settings, clock):
    svc = build_services(settings, clock, migrate=False)
    yield svc
    svc.close()


@pytest.fixture
def client(services):
    with TestClient(create_app(services)) as c:
        yield c


@pytest.fixture
def as_role(client):
    """as_role("duty_officer").post(...) : the client with that role's bearer token."""

    class _As:
        def __init__(self, role: str) -> None:
            self.headers = {"Authorization": f"Bearer {token_for(role)}"}

        def get(self, url, **kw):
            return client.get(url, headers=self.headers, **kw)

        def post(self, url, **kw):
            return client.post(url, headers=self.headers, **kw)

    return _As


@pytest.fixture
def sample_inventory_text() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parents[3] / "examples" / "inventory.yaml").read_text(encoding="utf-8")


@pytest.fixture
def loaded(services, sample_inventory_text):
    from agent.db import unit_of_work
    from agent.inventory import import_inventory

    with unit_of_work(services.session_factory) as s:
        import_inventory(s, sample_inventory_text)
    return services


@pytest.fixture
def file_ticket(as_role):
    """file_ticket(external_id=..., circuit=..., kind=..., symptom=...) -> the created ticket body."""

    def _file(external_id="UP-1", circuit="CIR-EPL-0001", kind="interruption", symptom="down"):
        return _post_ticket(as_role, external_id, circuit, kind, symptom)

    return _file


def _post_ticket(as_role, external_id, circuit, kind, symptom):
    r = as_role("duty_officer").post("/api/v1/tickets", json={
        "externalId": external_id, "ticketType": kind, "symptom": symptom, "circuitId": circuit,
        "reportedDate": "2026-11-25T08:55:00+08:00", "description": "客户反映专线中断",
        "reporterContact": "王经理 13800000001", "observedImpact": "down"})
    assert r.status_code in (200, 201), r.text
    return r.json()


@pytest.fixture
def live_server(services):
    """The API served by a real uvicorn on a free 127.0.0.1 port, in a thread; yields its base URL."""
    import socket
    import threading

    import httpx
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    started = threading.Event()
    for _ in range(500):  # wait until it answers, not for a fixed time
        try:
            if httpx.get(f"{base}/healthz", timeout=0.2).status_code == 200:
                started.set()
                break
        except httpx.HTTPError:
            started.wait(0.02)
    assert started.is_set(), "uvicorn did not start"
    yield base
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def second_db_url(db_url, tmp_path):
    """Another migrated, empty database on the same backend as ``db_url`` (for export -> import elsewhere)."""
    from agent.migrate import upgrade

    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'second.db'}"
        upgrade(url)
        yield url
        return
    import os
    import uuid

    import psycopg

    admin = os.environ.get("FAULTLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")  # as tests/conftest.py
    name = f"faultline_t2_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
