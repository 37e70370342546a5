"""Per-customer service levels through the API: a gold customer's ticket gets the gold sign limit,
another customer's the source's, and the KPIs answer per tier."""
from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from agent.db import unit_of_work
from agent.inventory import import_inventory
from agent.services import build_services
from agent.settings import BootstrapUser, Settings
from api.app import create_app
from tests.integration.reports.conftest import ROLES, T0, As, inventory_text, token


@pytest.fixture
def tiered(db_url, clock):
    settings = Settings(database_url=db_url, trap_port=0, poll_interval_seconds=0,
                        sla={"tiers": {"gold": {"sign_limit_minutes": 5, "sign_warn_minutes": 3}},
                             "customer_tiers": {"CUST-BANK": "gold"}},
                        bootstrap_users=[BootstrapUser(name=f"{r}-1", role=r, token=token(r)) for r in ROLES])
    svc = build_services(settings, clock, migrate=False)
    with unit_of_work(svc.session_factory) as s:
        import_inventory(s, inventory_text())
    with TestClient(create_app(svc)) as client:
        yield lambda role: As(client, role)
    svc.close()


def _sign_clock(api, external_id: str, circuit: str) -> tuple[str, dict]:
    r = api("duty_officer").post("/api/v1/tickets", json={
        "externalId": external_id, "ticketType": "interruption", "symptom": "down", "circuitId": circuit,
        "reportedDate": T0.isoformat()})
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    clocks = {c["clock"]: c for c in api("noc").get(f"/api/v1/tickets/{tid}").json()["slaClocks"]}
    return tid, clocks["sign"]


def test_gold_customer_has_the_gold_sign_limit_and_kpis_split(tiered, clock):
    gold_id, gold = _sign_clock(tiered, "10069-T-1", "CIR-EPL-0001")  # CUST-BANK: gold
    std_id, std = _sign_clock(tiered, "10069-T-2", "CIR-INET-0002")  # CUST-LOGI: default
    assert gold["dueAt"] == (T0 + timedelta(minutes=5)).isoformat() and gold["warnAt"] == (T0 + timedelta(minutes=3)).isoformat()
    assert std["dueAt"] == (T0 + timedelta(minutes=10)).isoformat()
    clock.advance(minutes=7)  # late for gold, in time for the default tier
    for tid in (gold_id, std_id):
        assert tiered("duty_officer").post(f"/api/v1/tickets/{tid}/sign", json={}).status_code == 200
    k = tiered("noc").get("/api/v1/kpis", params={"from": "2026-03-01T00:00:00+08:00",
                                                  "to": "2026-03-03T00:00:00+08:00"}).json()
    assert k["byTier"]["gold"]["signTimeliness"]["late"] == 1 and k["byTier"]["gold"]["signTimeliness"]["onTime"] == 0
    assert k["byTier"]["default"]["signTimeliness"]["onTime"] == 1 and k["byTier"]["default"]["signTimeliness"]["late"] == 0
    assert (k["kpis"]["signTimeliness"]["onTime"], k["kpis"]["signTimeliness"]["late"]) == (1, 1)
