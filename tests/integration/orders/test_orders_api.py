"""The API of resource checks and circuit orders against the running agent and the lab: roles from the
policy table, problem+json errors, and one activation from the check to the completion report."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.waiting import until

pytestmark = pytest.mark.asyncio(loop_scope="module")

CIRCUIT = "CIR-EPL-0001"
PROBLEM = "application/problem+json"


def _check_body(upstream="RC-API-1") -> dict:
    return {"upstreamId": upstream, "customer": "某某银行", "aSite": "城东支行", "zSite": "省中心", "serviceType": "ethernet_private_line",
            "rateMbps": 100, "wantedDate": "2026-03-20", "accessDevice": "acc-a-sw1", "accessKm": 3.0,
            "path": [{"aDevice": "acc-a-sw1", "aPort": "XGigabitEthernet0/0/1", "zDevice": "agg-rtr1", "zPort": "TenGigabitEthernet1/1/1"}]}


async def test_a_resource_check_through_the_api(lab, db_url, helpers):
    async with helpers.agent_on(db_url, 0, triage_counter_interval_seconds=0.5) as api:
        await api.import_inventory(lab)
        r = await api.post("/api/v1/resource-checks", role="group_customer", json=_check_body())
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        again = await api.post("/api/v1/resource-checks", role="group_customer", json=_check_body())
        assert again.status_code == 200 and again.json()["id"] == cid
        denied = await api.post("/api/v1/resource-checks", role="noc", json=_check_body("RC-API-2"))
        assert denied.status_code == 403 and denied.headers["content-type"].startswith(PROBLEM)
        bad = await api.post("/api/v1/resource-checks", role="group_customer", json={**_check_body("RC-API-3"), "rateMbps": -1})
        assert bad.status_code == 422 and bad.headers["content-type"].startswith(PROBLEM)
        m = await api.post(f"/api/v1/resource-checks/{cid}/measurement", role="engineer")
        assert m.status_code == 200, m.text
        measured = m.json()["measurement"]
        # the default lab's only free port on the access switch: no module fitted, so the class to fit is named
        assert (measured["port"], measured["needs_module"]) == ("GigabitEthernet0/0/4", "1000BASE-LX")
        assert measured["fits"] is True
        r = await api.post(f"/api/v1/resource-checks/{cid}/distribution", role="duty_officer", json={})
        assert [i["department"] for i in r.json()["items"]] == ["fixed_network", "mobile"]
        early = await api.post(f"/api/v1/resource-checks/{cid}/feedback", role="duty_officer", json={})
        assert early.status_code == 409 and "waiting for fixed_network, mobile" in early.json()["detail"]
        for dept in ("fixed_network", "mobile"):
            r = await api.post(f"/api/v1/resource-checks/{cid}/answers", role="engineer",
                               json={"department": dept, "fits": True, "answer": "具备"})
            assert r.status_code == 200, r.text
        done = (await api.post(f"/api/v1/resource-checks/{cid}/feedback", role="duty_officer", json={})).json()
        assert done["state"] == "fed_back" and done["fits"] is True and done["ledger"]["port"] == "GigabitEthernet0/0/4"
        assert [j["kind"] for j in done["journal"]][-1] == "check_fed_back"
        assert (await api.get("/api/v1/resource-checks/999999", role="noc")).status_code == 404


async def test_an_order_from_intake_to_completion_through_the_api(lab, db_url, helpers):
    inv = lab.inventory()
    ordered = next(c for c in inv["circuits"] if c["id"] == CIRCUIT)
    inv["circuits"] = [c for c in inv["circuits"] if c["id"] != CIRCUIT]
    now = datetime.now(UTC)
    body = {"upstreamId": "DD-API-1", "circuitId": CIRCUIT, "customerId": "CUST-001", "customerName": "某某银行城东支行",
            "serviceType": "ethernet_private_line", "rateMbps": 100, "officeRole": "lead", "leadOffice": "分公司A",
            "dueAt": (now + timedelta(days=10)).isoformat(),
            "design": {"segments": [{"a": s["a"], "z": s["z"], "lengthKm": s["length_km"], "connectors": s["connectors"],
                                     "splices": s["splices"]} for s in ordered["segments"]]}}
    async with helpers.agent_on(db_url, 0, triage_counter_interval_seconds=0.5,
                                orders={"acceptance_window_seconds": 1.0}) as api:
        await api.import_inventory(inv)
        r = await api.post("/api/v1/orders", role="province", json=body)
        assert r.status_code == 201, r.text
        order = r.json()
        oid = order["id"]
        assert order["outcome"] == "created" and [s["step"] for s in order["steps"]][2] == "access_construction"
        assert (await api.post("/api/v1/orders", role="province", json=body)).json()["outcome"] == "existing"
        assert (await api.post("/api/v1/orders", role="engineer", json=body)).status_code == 403
        # a step is done by its department
        assert (await api.post(f"/api/v1/orders/{oid}/steps/access_construction", role="engineer", json={})).status_code == 403
        r = await api.post(f"/api/v1/orders/{oid}/steps/access_construction", role="network_construction", json={"note": "光缆已布放"})
        assert r.status_code == 200 and r.json()["timing"] == "on_time"
        again = await api.post(f"/api/v1/orders/{oid}/steps/access_construction", role="network_construction", json={})
        assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
        # a customer-caused delay before the limit, up the chain and approved
        new_due = (now + timedelta(days=12)).isoformat()
        r = await api.post(f"/api/v1/orders/{oid}/delay-requests", role="group_customer",
                           json={"cause": "customer", "reason": "客户机房未就绪", "requestedDueAt": new_due})
        assert r.status_code == 201 and r.json()["state"] == "filed"
        rid = r.json()["id"]
        assert (await api.post(f"/api/v1/orders/{oid}/delay-requests/{rid}/submission", role="province", json={})).status_code == 200
        r = await api.post(f"/api/v1/orders/{oid}/delay-requests/{rid}/decision", role="province", json={"approve": True})
        assert r.json()["state"] == "approved"
        assert (await api.get(f"/api/v1/orders/{oid}", role="noc")).json()["dueAt"] == datetime.fromisoformat(new_due).isoformat()
        # the test reports from the network
        tests = {}
        for scope in ("local", "end_to_end"):
            r = await api.post(f"/api/v1/orders/{oid}/tests", role="engineer", json={"scope": scope})
            assert r.status_code == 202 and r.json()["state"] == "measuring", r.text
            tid = r.json()["id"]

            async def finished(tid=tid):
                t = (await api.get(f"/api/v1/orders/{oid}/tests/{tid}", role="noc")).json()
                return t if t["state"] != "measuring" else None
            t = await until(finished, 60, f"{scope} test report")
            assert t["state"] == "passed", [i for i in t["indicators"] if not i["pass"]] or t["error"]
            assert t["progress"] == 1.0 and t["windowSeconds"] == 1.0 and t["readings"]["errorsLast"]
            tests[scope] = tid
            r = await api.post(f"/api/v1/orders/{oid}/tests/{tid}/tester-signature", role="engineer", json={"signer": "王工"})
            assert r.status_code == 200, r.text
        r = await api.post(f"/api/v1/orders/{oid}/completion", role="duty_officer")
        assert r.status_code == 409 and "customer" in r.json()["detail"]
        assert (await api.post(f"/api/v1/orders/{oid}/tests/{tests['end_to_end']}/customer-signature", role="engineer",
                               json={"signer": "张伟"})).status_code == 403
        r = await api.post(f"/api/v1/orders/{oid}/tests/{tests['end_to_end']}/customer-signature", role="group_customer",
                           json={"signer": "张伟"})
        assert r.status_code == 200, r.text
        r = await api.post(f"/api/v1/orders/{oid}/completion", role="duty_officer")
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "completed" and r.json()["journal"][-1]["kind"] == "order_completed"
        health = await api.get(f"/api/v1/circuits/{CIRCUIT}/health", role="noc")
        assert health.status_code == 200  # the circuit is in the inventory now
        k = (await api.get("/api/v1/orders/kpis", role="noc")).json()
        assert (k["ordersCompleted"], k["ordersOnTime"], k["activationTimeliness"]) == (1, 1, 1.0)
        assert (await api.get("/api/v1/orders/424242", role="noc")).status_code == 404
