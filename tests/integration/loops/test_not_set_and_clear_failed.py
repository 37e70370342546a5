"""Loops that could not be set or cleared: a powered-off device gives not_set and blocks nothing (a loop
succeeds once it is back); a clear that fails (the device lost power under the loop) is clear_failed with
an alarm-level journal entry, retried through the API and by the reaper with back-off until the device,
read back, shows no loop."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.asyncio(loop_scope="module")]

EPL = "CIR-EPL-0001"
CPE_PORT = {"device": "acc-a-sw1", "port": "GigabitEthernet0/0/1", "mode": "remote", "confirmServiceAffecting": True}  # seg 0, observed from the CPE
AGG = {"device": "agg-rtr1", "port": "TenGigabitEthernet1/1/1", "mode": "remote",
       "confirmSharedCircuits": ["CIR-MPLS-0002", "CIR-MPLS-0003"], "confirmServiceAffecting": True}


async def test_powered_off_device_gives_not_set_and_blocks_nothing(db_url, lab, loops_kit):
    async with loops_kit.agent_on(db_url, lab) as api:
        tid = await api.signed_ticket(EPL)
        fault = lab.inject("cpe_power_off", "agg-rtr1")
        try:
            r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json={**AGG, "holdSeconds": 10})
            assert r.status_code == 202, r.text
            done = await api.loop_test_ended(r.json()["id"])
            assert done["state"] == "not_set", done
            assert [h["state"] for h in done["stateHistory"]] == ["requested", "setting", "not_set"]
            assert "SSH" in done["error"] or "Unreachable" in done["error"], done["error"]
            kinds = [n["kind"] for n in await api.journal(tid) if n["kind"].startswith("loop_")]
            assert kinds == ["loop_requested", "loop_setting", "loop_not_set", "loop_result"]
        finally:
            lab.clear(fault)
        # nothing held: the same circuit and port take a loop now that the device is back
        r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json={**AGG, "holdSeconds": 10})
        assert r.status_code == 202, r.text
        done = await api.loop_test_ended(r.json()["id"])
        assert done["state"] == "cleared" and done["result"]["signal"]["signal"] == "returned", done
        assert lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None


async def test_failed_clear_is_alarmed_and_retried_until_read_back_clear(db_url, lab, loops_kit):
    # a short clear limit: the powered-off device refuses at once anyway
    async with loops_kit.agent_on(db_url, lab, loop_clear_timeout_seconds=20.0,
                                  loop_clear_retry_seconds=1.0) as api:
        tid = await api.signed_ticket(EPL)
        r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json={**AGG, "holdSeconds": 60})
        loop_id = r.json()["id"]
        await loops_kit.wait_until(lambda: lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is not None,
                                   what="the loop on the device")
        fault = lab.inject("cpe_power_off", "agg-rtr1")  # the device dies with the loop set
        try:
            r = await api.post(f"/api/v1/loop-tests/{loop_id}/cancel")
            assert r.status_code == 200
            assert r.json()["state"] == "clear_failed", r.json()
            assert r.json()["clearAttempts"] >= 1 and r.json()["nextClearAt"] is not None
            alarms = [n for n in await api.journal(tid) if n["kind"] == "loop_clear_failed"]
            assert alarms and alarms[0]["data"]["level"] == "alarm" and "ALARM" in alarms[0]["text"]
            # it still holds the guard: the circuit takes no other loop
            r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json=CPE_PORT)
            assert r.status_code == 409 and r.json()["activeLoopTest"]["id"] == loop_id
            # a retry through the API while the device is still off fails again, counted
            r = await api.post(f"/api/v1/loop-tests/{loop_id}/clear")
            assert r.json()["state"] == "clear_failed" and r.json()["clearAttempts"] >= 2, r.json()
        finally:
            lab.clear(fault)
        # the device is back (its loop with it): the reaper's next retry clears it and reads it back
        done = await api.loop_test_ended(loop_id, timeout=60)
        assert done["state"] == "cleared", done
        assert lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None
        assert any(n["kind"] == "loop_cleared" and n["author"] == "faultline" for n in await api.journal(tid))
        r = await api.post(f"/api/v1/loop-tests/{loop_id}/clear")
        assert r.status_code == 409  # nothing left to retry
