"""Key assurance (重保) on a real database: alarms on the period's paths notified to its contacts through
the outbox (once each, only its paths, only alarms after it was set up), the tighter early-warning
settings of its ports, the duty board's mark on its tickets, and the route's checks."""
from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from agent.db import unit_of_work
from agent.inventory import import_inventory
from agent.models import Alarm
from agent.models.sla import OutboxRow
from agent.services import build_services
from agent.settings import BootstrapUser, Settings
from agent.telemetry import assurance
from api.app import create_app
from api.pages.board_view import board_rows
from diagnosis.thresholds import DEFAULT_THRESHOLDS
from tests.integration.reports.conftest import ROLES, SPARE_PORT, T0, As, inventory_text, token

HOOK = "http://127.0.0.1:9/assurance-hook"


@pytest.fixture
def services(db_url, clock):
    settings = Settings(database_url=db_url, trap_port=0, poll_interval_seconds=0,
                        sla={"webhooks": {"assurance.alarm": [HOOK]}},
                        bootstrap_users=[BootstrapUser(name=f"{r}-1", role=r, token=token(r)) for r in ROLES])
    svc = build_services(settings, clock, migrate=False)
    with unit_of_work(svc.session_factory) as s:
        import_inventory(s, inventory_text())
    yield svc
    svc.close()


@pytest.fixture
def api(services):
    with TestClient(create_app(services)) as client:
        yield lambda role: As(client, role)


def _alarm(session, device, port, at, cause="linkDown"):
    row = Alarm(reduction_key=f"{device}|{port}|{cause}", device_name=device, port_name=port, alarm_type="communications",
                probable_cause=cause, perceived_severity="major", state="raised", raised_at=at, cleared_at=None,
                count=1, source="trap", data={})
    session.add(row)
    session.flush()
    return row.id


def _period(api, clock, **extra):
    body = {"name": "两会重保", "start": clock.now().isoformat(), "end": (clock.now() + timedelta(days=5)).isoformat(),
            "customers": ["CUST-BANK"], "contacts": [{"name": "客户经理周", "contact": "13700000000"}],
            "rxMarginDb": 5.0, "warningHorizonDays": 60, **extra}
    r = api("duty_officer").post("/api/v1/reports/key-assurance", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_alarms_on_its_paths_are_notified_to_its_contacts_once(api, services, clock):
    with unit_of_work(services.session_factory) as s:
        _alarm(s, "cpe-bank", "GigabitEthernet0/0/1", T0 - timedelta(minutes=5))  # before the period: not notified
    period = _period(api, clock)
    assert period["coveredCircuits"] == ["CIR-EPL-0001"]
    clock.advance(minutes=10)
    with unit_of_work(services.session_factory) as s:
        on_path = _alarm(s, "cpe-bank", "GigabitEthernet0/0/1", clock.now(), "linkDown2")
        device = _alarm(s, "agg-1", None, clock.now(), "powerSupplyFailure")
        _alarm(s, "pex-1", SPARE_PORT, clock.now())  # a port no assured circuit uses
        _alarm(s, "cpe-logi", "GigabitEthernet0/1", clock.now())  # another customer's line only
    with unit_of_work(services.session_factory) as s:
        assert assurance.notify_alarms(s, services.settings.sla.webhooks, clock.now()) == 2
    with unit_of_work(services.session_factory) as s:
        assert assurance.notify_alarms(s, services.settings.sla.webhooks, clock.now()) == 0  # once each
    with services.session_factory() as s:
        rows = s.scalars(select(OutboxRow).where(OutboxRow.kind == "assurance.alarm").order_by(OutboxRow.id)).all()
    assert [(r.payload["alarmId"], r.url) for r in rows] == [(on_path, HOOK), (device, HOOK)]
    first = rows[0].payload
    assert first["contacts"] == [{"name": "客户经理周", "contact": "13700000000"}] and first["assurance"] == "两会重保"
    assert first["circuits"] == ["CIR-EPL-0001"] and first["idempotencyKey"] == f"assurance-{period['id']}:alarm-{on_path}"
    assert "重保告警" in first["text"]


def test_tighter_early_warning_on_its_ports_only(api, services, clock):
    horizon = timedelta(days=30)
    with services.session_factory() as s:
        assert assurance.warning_overrides(s, clock.now(), horizon, DEFAULT_THRESHOLDS) == {}
    _period(api, clock)
    with services.session_factory() as s:
        tighter = assurance.warning_overrides(s, clock.now(), horizon, DEFAULT_THRESHOLDS)
    assert ("cpe-bank", "GigabitEthernet0/0/1") in tighter and ("pex-1", "XGigabitEthernet0/0/1") in tighter
    assert ("cpe-logi", "GigabitEthernet0/1") not in tighter and ("pex-1", SPARE_PORT) not in tighter
    h, th = tighter[("cpe-bank", "GigabitEthernet0/0/1")]
    assert h == timedelta(days=60) and th.rx_low_margin_db == 5.0 and DEFAULT_THRESHOLDS.rx_low_margin_db == 3.0
    # never looser than the normal settings
    with services.session_factory() as s:
        h, th = assurance.warning_overrides(s, clock.now(), timedelta(days=90), DEFAULT_THRESHOLDS)[
            ("cpe-bank", "GigabitEthernet0/0/1")]
    assert h == timedelta(days=90)
    clock.advance(days=6)  # the period is over
    with services.session_factory() as s:
        assert assurance.warning_overrides(s, clock.now(), horizon, DEFAULT_THRESHOLDS) == {}


def test_the_duty_board_marks_its_tickets(api, services, clock):
    duty = api("duty_officer")
    for ext, cid in (("KA-1", "CIR-EPL-0001"), ("KA-2", "CIR-INET-0002")):
        assert duty.post("/api/v1/tickets", json={"externalId": ext, "ticketType": "interruption", "symptom": "down",
                                                  "circuitId": cid, "reportedDate": T0.isoformat()}).status_code == 201
    _period(api, clock)
    with services.session_factory() as s:
        rows = {r.circuit_id: r.assurance for r in board_rows(s, services.sla, clock.now())}
    assert rows == {"CIR-EPL-0001": ("两会重保",), "CIR-INET-0002": ()}


def test_the_period_is_checked(api, clock):
    duty = api("duty_officer")
    base = {"name": "x", "start": clock.now().isoformat(), "end": (clock.now() + timedelta(days=1)).isoformat()}
    assert duty.post("/api/v1/reports/key-assurance", json=base).status_code == 422  # nobody named
    r = duty.post("/api/v1/reports/key-assurance", json={**base, "circuits": ["CIR-NOPE-1"]})
    assert r.status_code == 422 and "CIR-NOPE-1" in r.text
    r = duty.post("/api/v1/reports/key-assurance", json={**base, "circuits": ["CIR-EPL-0001"],
                                                         "end": (clock.now() - timedelta(hours=1)).isoformat()})
    assert r.status_code == 422
    assert duty.post("/api/v1/reports/key-assurance", json={**base, "circuits": ["CIR-EPL-0001"],
                                                            "pollIntervalSeconds": 1}).status_code == 422
    assert api("noc").post("/api/v1/reports/key-assurance", json={**base, "circuits": ["CIR-EPL-0001"]}).status_code == 403
    assert api("noc").get("/api/v1/reports/key-assurance/999").status_code == 404


def test_the_board_page_shows_the_mark(api, services, clock):
    duty = api("duty_officer")
    assert duty.post("/api/v1/tickets", json={"externalId": "KA-3", "ticketType": "interruption", "symptom": "down",
                                              "circuitId": "CIR-EPL-0001", "reportedDate": T0.isoformat()}).status_code == 201
    _period(api, clock)
    with TestClient(create_app(services)) as page:
        page.get("/login")
        csrf = page.cookies.get("fl_login_csrf")
        r = page.post("/login", data={"csrf_token": csrf, "token": token("duty_officer"), "next": "/"},
                      follow_redirects=True)
        assert r.status_code == 200, r.text
        assert 'data-assurance="两会重保"' in r.text and "重保 · 两会重保" in r.text
