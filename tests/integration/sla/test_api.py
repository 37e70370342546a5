"""SLA through the HTTP API with the real lifecycle service: visible clocks on GET /tickets/{id}, the
overdue filter, the duty board (/sla/upcoming), the fault report (rule 10) and the KPIs."""
from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from agent.services import build_services
from api.app import create_app
from tests.support.settings import settings_for
from tests.support.users import auth as tok


@pytest.fixture
def api(db_url, clock):
    services = build_services(settings_for(db_url), clock, migrate=False)
    with TestClient(create_app(services)) as client:
        yield client, services
    services.close()


def clocks(client, tid) -> dict[str, dict]:
    body = client.get(f"/api/v1/tickets/{tid}", headers=tok("noc")).json()
    return {c["clock"]: c for c in body["slaClocks"]}


def test_sla_visible_through_the_api_over_a_whole_ticket(api, clock):
    client, services = api
    t0 = clock.now()
    iso = lambda m: (t0 + timedelta(minutes=m)).isoformat()  # noqa: E731
    r = client.post("/api/v1/tickets", headers=tok("duty_officer"), json={
        "externalId": "10069-SLA-1", "ticketType": "interruption", "symptom": "down", "circuitId": "C-X",
        "reportedDate": t0.isoformat()})
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    sign = clocks(client, tid)["sign"]
    assert (sign["state"], sign["dueAt"], sign["warnAt"], sign["remainingSeconds"]) == ("running", iso(10), iso(5), 600)

    board = client.get("/api/v1/sla/upcoming", params={"within": "15m"}, headers=tok("noc")).json()
    assert [(i["ticketId"], i["clock"], i["remainingSeconds"]) for i in board["items"]] == [(tid, "sign", 600)]
    bad = client.get("/api/v1/sla/upcoming", params={"within": "soon"}, headers=tok("noc"))
    assert bad.status_code == 422 and "duration" in bad.json()["detail"]
    assert client.get("/api/v1/sla/upcoming").status_code == 401

    do = lambda path, role="duty_officer", **body: client.post(f"/api/v1/tickets/{tid}/{path}", headers=tok(role), json=body)  # noqa: E731
    clock.advance(minutes=3)
    assert do("sign").status_code == 200
    assert do("dispatch", specialty="transmission", contractor="Contractor A").status_code == 200
    clock.advance(minutes=10)
    assert do("customer-contact", customerPerson="Mr Zhao", result="CPE powered, link down").status_code == 200
    clock.advance(minutes=2)   # +15
    assert do("progress", text="checking the access room").status_code == 200
    clock.advance(minutes=5)   # +20
    assert do("suspension", reason="waiting for the customer's site access", localFault=True,
              customerConsent=True).status_code == 200
    clock.advance(minutes=1)   # +21
    assert do("suspension/approve", role="province").status_code == 200
    held = clocks(client, tid)
    assert held["escalation_l1"]["state"] == "paused" and held["escalation_l1"]["paused"] is True
    assert held["escalation_l1"]["remainingSeconds"] == 99 * 60
    clock.advance(minutes=39)  # +60
    assert do("resume", role="province").status_code == 200
    assert clocks(client, tid)["escalation_l1"]["dueAt"] == iso(159)  # 120 + 39 paused
    for m in (80, 110, 140, 170):
        clock.set(t0 + timedelta(minutes=m))
        services.sla.sweep(services.session_factory)
        assert do("progress", text=f"progress at {m}").status_code == 200
    fired = services.sla.sweep(services.session_factory)  # +170: fault time 131 min
    assert [f.clock.value for f in fired] == []  # escalation fired by the sweep at +170 before the entry
    overdue = client.get("/api/v1/tickets", params={"overdue": "true"}, headers=tok("noc")).json()
    assert [t["id"] for t in overdue["items"]] == [tid]  # escalated (level 1) and still unresolved
    journal = client.get(f"/api/v1/tickets/{tid}/journal", headers=tok("noc")).json()
    assert [j["kind"] for j in journal].count("sla_escalation") == 1

    clock.advance(minutes=5)   # +175: fault time 136 min <= 180: on time, report due in 2 working days
    assert do("resolve", cause="loose fiber connector in the access room ODF").status_code == 200
    assert do("close", cause="loose fiber connector in the access room ODF").status_code == 409  # rule 9
    assert do("restoration", method="customer_service", confirmedBy="CS agent Liu").status_code == 200
    assert do("close", cause="loose fiber connector in the access room ODF").status_code == 200
    report = clocks(client, tid)["report"]
    # Monday 2026-03-02 -> 2 working days -> end of Wednesday 03-04 in Shanghai (16:00 UTC)
    assert report["dueAt"] == "2026-03-04T16:00:00+00:00" and report["workingDays"] == 2
    assert client.get("/api/v1/tickets", params={"overdue": "true"}, headers=tok("noc")).json()["items"] == []

    clock.advance(hours=24)
    r = client.post(f"/api/v1/sla/tickets/{tid}/report", headers=tok("noc"), json={"reference": "FR-1"})
    assert r.status_code == 403
    r = client.post(f"/api/v1/sla/tickets/{tid}/report", headers=tok("duty_officer"), json={"reference": "FR-1"})
    assert r.status_code == 201, r.text
    assert {c["clock"]: c["state"] for c in r.json()["clocks"]}["report"] == "met"
    again = client.post(f"/api/v1/sla/tickets/{tid}/report", headers=tok("duty_officer"), json={"reference": "FR-1"})
    assert again.status_code == 409

    k = client.get("/api/v1/kpis", params={"from": "2026-03-01T00:00:00+08:00", "to": "2026-03-08T00:00:00+08:00"},
                   headers=tok("noc")).json()["kpis"]
    got = {name: (v["onTime"], v["late"]) for name, v in k.items()}
    assert got == {"faultHandlingTimeliness": (1, 0), "signTimeliness": (1, 0), "contactFeedbackTimeliness": (1, 0),
                   "progressCompliance": (5, 0), "reportTimeliness": (1, 0)}
    bad = client.get("/api/v1/kpis", params={"from": "2026-03-08T00:00:00", "to": "2026-03-01T00:00:00"},
                     headers=tok("noc"))
    assert bad.status_code == 422


def _intake(client, clock, external_id: str) -> str:
    r = client.post("/api/v1/tickets", headers=tok("duty_officer"), json={
        "externalId": external_id, "ticketType": "interruption", "symptom": "down", "circuitId": "C-Y",
        "reportedDate": clock.now().isoformat()})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_rule2_dispatch_names_specialty_and_contractor_and_starts_the_contact_clock(api, clock):
    client, _ = api
    tid = _intake(client, clock, "10069-R2")
    do = lambda path, **body: client.post(f"/api/v1/tickets/{tid}/{path}", headers=tok("duty_officer"), json=body)  # noqa: E731
    assert do("sign").status_code == 200
    assert "contact_feedback" not in clocks(client, tid)
    assert do("dispatch", specialty="transmission", contractor=" ").status_code in (409, 422)
    clock.advance(minutes=1)
    assert do("dispatch", specialty="transmission", contractor="Contractor B").status_code == 200
    contact = clocks(client, tid)["contact_feedback"]
    assert contact["startedAt"] == clock.now().isoformat() and contact["state"] == "running"
    assert contact["dueAt"] == (clock.now() + timedelta(minutes=15)).isoformat()


def test_rule5_return_needs_a_clear_cause(api, clock):
    client, _ = api
    tid = _intake(client, clock, "10069-R5")
    do = lambda path, **body: client.post(f"/api/v1/tickets/{tid}/{path}", headers=tok("duty_officer"), json=body)  # noqa: E731
    do("sign")
    assert do("resolve", cause="电路未验收").status_code in (409, 422)  # "circuit not accepted" is never a cause
    assert do("resolve", cause="degraded access fiber replaced").status_code == 200
    do("restoration", method="noc_alarm_cleared", confirmedBy="NOC night shift", customerUnreachable=True)
    assert do("close", cause="ok").status_code in (409, 422)  # not a clear cause
    assert do("close", cause="degraded access fiber replaced").status_code == 200


def test_rule8_escalated_leaders_are_recorded_as_participants_and_in_the_journal(api, clock):
    client, services = api
    tid = _intake(client, clock, "10069-R8")
    clock.advance(minutes=180, seconds=1)
    services.sla.sweep(services.session_factory)
    body = client.get(f"/api/v1/tickets/{tid}", headers=tok("noc")).json()
    leaders = [p for p in body.get("relatedParty", body.get("participants", []))
               if p.get("role", p.get("partyRole")) == "escalated_leader"]
    contacts = services.settings.sla.escalation_contacts["default"]
    assert sorted(p["name"] for p in leaders) == sorted(contacts.level1 + contacts.level2)
    escalations = [j for j in body["note"] if j["kind"] == "sla_escalation"]
    assert [j["data"]["level"] for j in escalations] == [1, 2]
    assert escalations[0]["data"]["contacts"] == contacts.level1


def test_rule9_close_waits_for_restoration_and_the_clock_shows_it(api, clock):
    client, _ = api
    tid = _intake(client, clock, "10069-R9")
    do = lambda path, **body: client.post(f"/api/v1/tickets/{tid}/{path}", headers=tok("duty_officer"), json=body)  # noqa: E731
    do("sign")
    do("resolve", cause="CPE power restored by the customer")
    assert clocks(client, tid)["restoration"]["state"] == "running"
    r = do("close", cause="CPE power restored by the customer")
    assert r.status_code == 409 and "rule 9" in r.json()["detail"]
    clock.advance(minutes=20)
    do("restoration", method="customer_service", confirmedBy="CS agent Ma")
    restoration = clocks(client, tid)["restoration"]
    assert restoration["state"] == "met" and restoration["metAt"] == clock.now().isoformat()
    assert do("close", cause="CPE power restored by the customer").status_code == 200
