"""Cutovers (割接) through the API, and triage over the lab honouring them: a fault inside an approved
cutover window on an affected circuit is not a new fault; an unapproved one excuses nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.asyncio(loop_scope="module")

EPL = "CIR-EPL-0001"
SEG1 = (("acc-a-sw1", "XGigabitEthernet0/0/1"), ("agg-rtr1", "TenGigabitEthernet1/1/1"))


def window(minutes_before: int = 10, minutes_after: int = 30) -> dict[str, str]:
    now = datetime.now(UTC)
    return {"start": (now - timedelta(minutes=minutes_before)).isoformat(),
            "end": (now + timedelta(minutes=minutes_after)).isoformat()}


async def test_register_validates_and_only_the_province_or_an_admin_approves(lab, helpers, db_url):
    async with helpers.agent_on(db_url) as api:
        await api.import_inventory(lab.inventory())
        body = {"reference": "GJ-2026-001", "description": "汇聚光缆割接 / aggregation cable cutover",
                "circuits": [EPL, "CIR-MPLS-0002"], **window()}
        for role in ("noc", "engineer"):  # neither registers planned work
            r = await api.post("/api/v1/cutovers", json=body, role=role)
            assert r.status_code == 403 and role in r.json()["detail"], r.text
        assert (await api.http.post("/api/v1/cutovers", json=body, headers={"Authorization": ""})).status_code == 401
        r = await api.post("/api/v1/cutovers", json={**body, "approved": True})  # duty officer self-approving
        assert r.status_code == 403, r.text
        r = await api.post("/api/v1/cutovers", json=body)
        assert r.status_code == 201, r.text
        made = r.json()
        assert (made["reference"], made["circuits"], made["approved"], made["createdBy"]) == (
            "GJ-2026-001", [EPL, "CIR-MPLS-0002"], False, "triage-duty_officer")
        for bad, where in (({**body, "reference": "GJ-2026-002", "circuits": ["CIR-NOPE"]}, "not in the inventory"),
                           ({**body, "reference": "GJ-2026-003", "start": body["end"], "end": body["start"]},
                            "must end after it starts"),
                           (body, "already registered")):
            r = await api.post("/api/v1/cutovers", json=bad)
            assert r.status_code == 422 and where in r.text, r.text
        r = await api.post("/api/v1/cutovers", json={**body, "reference": "GJ-2026-004", "start": "2026-12-01T08:00:00"})
        assert r.status_code == 422  # times without a timezone are refused
        for role in ("duty_officer", "engineer", "noc"):
            assert (await api.post(f"/api/v1/cutovers/{made['id']}/approve", role=role)).status_code == 403
        r = await api.post(f"/api/v1/cutovers/{made['id']}/approve", role="province")
        assert r.status_code == 200 and r.json()["approved"] and r.json()["approvedBy"] == "triage-province"
        listed = (await api.get("/api/v1/cutovers", role="noc", params={"circuit": EPL,
                                                                        "activeAt": datetime.now(UTC).isoformat()})).json()
        assert [c["reference"] for c in listed] == ["GJ-2026-001"]
        later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        assert (await api.get("/api/v1/cutovers", params={"activeAt": later})).json() == []
        assert (await api.get("/api/v1/cutovers", params={"circuit": "CIR-INET-0004"})).json() == []
        assert (await api.get("/api/v1/cutovers/999")).status_code == 404


async def test_alarms_inside_an_approved_cutover_on_the_circuit_are_not_a_new_fault(lab, helpers, tmp_path):
    async with helpers.agent_on(f"sqlite:///{tmp_path / 'c.db'}") as api:
        await api.import_inventory(lab.inventory())
        r = await api.post("/api/v1/cutovers", json={"reference": "GJ-2026-010", "circuits": [EPL],
                                                     "description": "acc-a-sw1 uplink fiber re-routing", **window()})
        assert r.status_code == 201, r.text
        cutover = r.json()
        # the planned work: the segment goes dark, then comes back
        fid = lab.inject("fiber_cut", f"{EPL}#1")
        await helpers.until(lambda: all(any(a.port == p and a.name == "linkDown" for a in lab.alarms(d, active=False))
                                        for d, p in SEG1), what="linkDown raised on both ends")
        lab.clear(fid)
        await helpers.until(lambda: all(lab.port_state(d, p).oper_up for d, p in SEG1), what="segment 1 up again")

        ticket = await api.file(EPL, "assist_check", "interruption_or_flap")
        first = await api.first_diagnosis(ticket["id"])
        # registered but not approved: the alarms are historical alarms like any other
        assert first["verdict"] == "historical_alarms_dispatch_customer_end", first["summaryEn"]
        assert [s["index"] for s in first["suspectedSegments"]] == [1]

        r = await api.post(f"/api/v1/cutovers/{cutover['id']}/approve", role="province")
        assert r.status_code == 200, r.text
        r = await api.post(f"/api/v1/tickets/{ticket['id']}/triage")
        assert r.status_code == 200, r.text
        second = r.json()
        assert second["verdict"] == "within_approved_cutover", second["summaryEn"]
        assert second["suspectedSegments"] == []
        assert "GJ-2026-010" in second["summaryEn"]
        planned = [e for e in second["evidence"] if e["name"] == "alarm" and e.get("segment") == 1]
        assert {(e["device"], e["port"]) for e in planned} == set(SEG1)

        # CIR-MPLS-0002 runs over the same segment but the cutover does not name it: a fault there
        other = await api.file("CIR-MPLS-0002", "assist_check", "interruption_or_flap")
        d = await api.first_diagnosis(other["id"])
        assert d["verdict"] == "historical_alarms_dispatch_customer_end", d["summaryEn"]
        assert [s["index"] for s in d["suspectedSegments"]] == [1]
