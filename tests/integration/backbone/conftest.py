"""The backbone through its API in-process (TestClient) on the `db_url` database, the API as each role
sees it (`as_role`), the sample inventory, and the API behind a real uvicorn (`live_server`)."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.services import build_services
from agent.settings import Settings
from api.app import create_app
from tests.support.api import Api
from tests.support.server import served_in_thread
from tests.support.settings import settings_for

SAMPLE_INVENTORY = Path(__file__).resolve().parents[3] / "examples" / "inventory.yaml"


@pytest.fixture
def settings(db_url) -> Settings:
    return settings_for(db_url)


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
    """as_role("duty_officer").post(...): the in-process API as that role (tests.support.api.Api)."""
    return lambda role: Api(client, role)


@pytest.fixture
def sample_inventory_text() -> str:
    return SAMPLE_INVENTORY.read_text(encoding="utf-8")


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
        return as_role("duty_officer").file(
            circuit, kind, symptom, external_id=external_id, expect=(200, 201),
            reported=None, reportedDate="2026-11-25T08:55:00+08:00", description="客户反映专线中断",
            reporterContact="王经理 13800000001", observedImpact="down")

    return _file


@pytest.fixture
def live_server(services):
    """The API served by a real uvicorn on a free 127.0.0.1 port, in a thread; yields its base URL."""
    with served_in_thread(create_app(services)) as base:
        yield base


@pytest.fixture
def second_db_url(db_url, fresh_db):
    """Another migrated, empty database on the same backend as ``db_url`` (for export -> import elsewhere)."""
    return fresh_db(like=db_url)
