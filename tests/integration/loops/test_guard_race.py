"""The guard holds under real concurrency: 50 loop requests at once through the API on one circuit give
exactly one accepted and 49 409s naming the active loop (SQLite and PostgreSQL); two circuits racing
for one shared port get one loop; the loop ends cleared and absent on the lab device."""
from __future__ import annotations

import asyncio

import pytest

pytestmark = [pytest.mark.asyncio(loop_scope="module")]

EPL = "CIR-EPL-0001"
SHARED = ["CIR-MPLS-0002", "CIR-MPLS-0003"]  # also carried by acc-a-sw1 XGE0/0/1 and agg-rtr1 Te1/1/1
PORTS = [("agg-rtr1", "TenGigabitEthernet1/1/1"), ("acc-a-sw1", "XGigabitEthernet0/0/1"),
         ("acc-a-sw1", "GigabitEthernet0/0/1"), ("metro-egr1", "XGigabitEthernet1/0/0")]


async def _cancel_and_check(api, lab, accepted: dict) -> None:
    r = await api.post(f"/api/v1/loop-tests/{accepted['id']}/cancel")
    assert r.status_code == 200, r.text
    done = await api.loop_test_ended(accepted["id"])
    assert done["state"] == "cleared", done
    point = done["loopPoint"]
    assert lab.port_state(point["device"], point["port"]).loop is None


async def test_fifty_concurrent_requests_on_one_circuit_one_accepted(db_url, lab, loops_kit):
    async with loops_kit.agent_on(db_url, lab) as api:
        tid = await api.signed_ticket(EPL)
        bodies = [{"device": d, "port": p, "mode": "remote", "holdSeconds": 60, "confirmSharedCircuits": SHARED,
                   "confirmServiceAffecting": True}
                  for d, p in (PORTS[i % len(PORTS)] for i in range(50))]
        answers = await asyncio.gather(*(api.post(f"/api/v1/tickets/{tid}/loop-tests", json=b) for b in bodies))
        codes = sorted(r.status_code for r in answers)
        assert codes == [202] + [409] * 49, codes
        accepted = next(r.json() for r in answers if r.status_code == 202)
        for r in answers:
            if r.status_code == 409:
                assert r.json()["activeLoopTest"]["id"] == accepted["id"], r.json()
                assert f"loop test {accepted['id']}" in r.json()["detail"]
        active = (await api.get("/api/v1/loop-tests", params={"active": "true"})).json()
        assert [a["id"] for a in active] == [accepted["id"]]
        await _cancel_and_check(api, lab, accepted)
        # once cleared, the circuit takes a loop again
        r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json={**bodies[0], "holdSeconds": 5})
        assert r.status_code == 202, r.text
        assert (await api.loop_test_ended(r.json()["id"]))["state"] == "cleared"


async def test_two_circuits_racing_for_one_shared_port_one_loop(db_url, lab, loops_kit):
    async with loops_kit.agent_on(db_url, lab) as api:
        t1, t2 = await api.signed_ticket(EPL), await api.signed_ticket("CIR-MPLS-0002")
        port = {"device": "acc-a-sw1", "port": "XGigabitEthernet0/0/1", "mode": "remote", "holdSeconds": 60,
                "confirmServiceAffecting": True}
        answers = await asyncio.gather(*(
            api.post(f"/api/v1/tickets/{tid}/loop-tests", json={**port, "confirmSharedCircuits": others})
            for _ in range(10) for tid, others in ((t1, SHARED), (t2, [EPL, "CIR-MPLS-0003"]))))
        codes = sorted(r.status_code for r in answers)
        assert codes == [202] + [409] * 19, codes
        accepted = next(r.json() for r in answers if r.status_code == 202)
        assert all(r.json()["activeLoopTest"]["id"] == accepted["id"] for r in answers if r.status_code == 409)
        await _cancel_and_check(api, lab, accepted)
