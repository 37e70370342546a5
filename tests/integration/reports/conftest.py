"""Fixtures of the reports integration tests: the API on a migrated database (SQLite and PostgreSQL),
a manual clock, the example inventory, and each role's bearer token."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.clock import ManualClock
from agent.db import unit_of_work
from agent.inventory import import_inventory
from agent.services import build_services
from agent.settings import BootstrapUser, Settings
from api.app import create_app

ROLES = ("duty_officer", "engineer", "noc", "province", "admin")
# Monday 2026-03-02 09:00 in Shanghai
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
INVENTORY = Path(__file__).resolve().parents[3] / "examples" / "inventory.yaml"
PEX_PORT = "      - {name: XGigabitEthernet0/0/1, if_index: 9, transceiver: 10GBASE-ER, wavelength_nm: 1550, rx_sensitivity_dbm: -15.8, rx_overload_dbm: -1.0}\n"
# the example inventory plus a spare port at the province exit that carries no circuit
SPARE_PORT = "XGigabitEthernet0/0/9"


def inventory_text() -> str:
    text = INVENTORY.read_text(encoding="utf-8")
    assert text.count(PEX_PORT) == 1, "examples/inventory.yaml changed: update the spare port"
    return text.replace(PEX_PORT, PEX_PORT + PEX_PORT.replace("XGigabitEthernet0/0/1", SPARE_PORT).replace("if_index: 9", "if_index: 19"))


def token(role: str) -> str:
    return f"reports-test-token-{role}-0123456789"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def services(db_url, clock):
    settings = Settings(database_url=db_url, trap_port=0, poll_interval_seconds=0,
                        bootstrap_users=[BootstrapUser(name=f"{r}-1", role=r, token=token(r)) for r in ROLES])
    svc = build_services(settings, clock, migrate=False)
    with unit_of_work(svc.session_factory) as s:
        import_inventory(s, inventory_text())
    yield svc
    svc.close()


class As:
    def __init__(self, client: TestClient, role: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token(role)}"}

    def __getattr__(self, method: str):
        return lambda url, **kw: getattr(self.client, method)(url, headers=self.headers, **kw)


@pytest.fixture
def api(services):
    with TestClient(create_app(services)) as client:
        yield lambda role: As(client, role)
