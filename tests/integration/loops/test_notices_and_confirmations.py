"""Each loop state change is a notification (an outbox row per configured webhook, ``loop.<state>``), a
failed clear notifies at once at alarm level; a shared port without the other circuits named is refused
naming them, and a circuit that is up takes a loop only with an explicit service-affecting confirmation."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from agent.db import unit_of_work
from agent.models import CircuitHealthRow
from agent.models.sla import OutboxRow

pytestmark = [pytest.mark.asyncio(loop_scope="module")]

EPL = "CIR-EPL-0001"
AGG = {"device": "agg-rtr1", "port": "TenGigabitEthernet1/1/1", "mode": "remote",
       "confirmSharedCircuits": ["CIR-MPLS-0002", "CIR-MPLS-0003"], "confirmServiceAffecting": True}
HOOKS = {"sla": {"webhooks": {"loop.clear_failed": ["http://127.0.0.1:9/alarm"], "*": ["http://127.0.0.1:9/all"]}}}


def _outbox(api, loop_id: int) -> list[OutboxRow]:
    with api.agent.services.session_factory() as s:
        return [r for r in s.scalars(select(OutboxRow).order_by(OutboxRow.id)) if r.payload.get("loopTestId") == loop_id]


async def test_every_state_change_is_notified(db_url, lab, loops_kit):
    async with loops_kit.agent_on(db_url, lab, **HOOKS) as api:
        tid = await api.signed_ticket(EPL)
        r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json={**AGG, "holdSeconds": 5})
        assert r.status_code == 202, r.text
        done = await api.loop_test_ended(r.json()["id"])
        assert done["state"] == "cleared"
        rows = _outbox(api, done["id"])
        assert [r.kind for r in rows] == [f"loop.{h['state']}" for h in done["stateHistory"]]
        assert {r.url for r in rows} == {"http://127.0.0.1:9/all"}
        assert all(r.payload["loopPoint"] == {"device": "agg-rtr1", "port": "TenGigabitEthernet1/1/1"} for r in rows)
        assert len({r.idempotency_key for r in rows}) == len(rows)


async def test_a_failed_clear_notifies_at_once_at_alarm_level(db_url, lab, loops_kit):
    async with loops_kit.agent_on(db_url, lab, loop_clear_timeout_seconds=20.0, loop_clear_retry_seconds=30.0,
                                  **HOOKS) as api:
        tid = await api.signed_ticket(EPL)
        r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json={**AGG, "holdSeconds": 60})
        loop_id = r.json()["id"]
        await loops_kit.wait_until(lambda: lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is not None,
                                   what="the loop on the device")
        fault = lab.inject("cpe_power_off", "agg-rtr1")
        try:
            r = await api.post(f"/api/v1/loop-tests/{loop_id}/cancel")
            assert r.json()["state"] == "clear_failed", r.json()
            failed = [row for row in _outbox(api, loop_id) if row.kind == "loop.clear_failed"]
            # written with the state change: one row for the alarm hook, one for the catch-all
            assert sorted(row.url for row in failed) == ["http://127.0.0.1:9/alarm", "http://127.0.0.1:9/all"]
            assert all(row.payload["level"] == "alarm" and "ALARM" in row.payload["text"] for row in failed)
            alarms = [n for n in await api.journal(tid) if n["kind"] == "loop_clear_failed"]
            assert alarms[0]["data"]["level"] == "alarm"
        finally:
            lab.clear(fault)
        r = await api.post(f"/api/v1/loop-tests/{loop_id}/clear")
        assert r.json()["state"] == "cleared", r.json()
        assert lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None


async def test_shared_port_and_service_affecting_need_confirmation(db_url, lab, loops_kit):
    async with loops_kit.agent_on(db_url, lab) as api:
        tid = await api.signed_ticket(EPL)
        bare = {k: v for k, v in AGG.items() if k not in ("confirmSharedCircuits", "confirmServiceAffecting")}
        r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json=bare)
        assert r.status_code == 409 and r.json()["sharedCircuits"] == ["CIR-MPLS-0002", "CIR-MPLS-0003"], r.text
        assert "CIR-MPLS-0002" in r.json()["detail"] and "CIR-MPLS-0003" in r.json()["detail"]
        r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json={**AGG, "confirmSharedCircuits": ["CIR-MPLS-0002"]})
        assert r.status_code == 409 and r.json()["sharedCircuits"] == ["CIR-MPLS-0003"], r.text
        # the poller graded the circuit ok just now, after the ticket's triage: it is up, a loop interrupts it
        await api.first_diagnosis(tid)
        now = datetime.now(UTC)
        with unit_of_work(api.agent.services.session_factory) as s:
            s.merge(CircuitHealthRow(circuit_id=EPL, customer="CUST-001", grade="ok", rank=3, verdict="no_fault_found",
                                     reasons=[], segments=[], graded_at=now, since=now))
        unconfirmed = {**AGG, "confirmServiceAffecting": False}
        r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json=unconfirmed)
        assert r.status_code == 409, r.text
        assert r.json()["serviceAffecting"]["circuitId"] == EPL and "health grade is ok" in r.json()["detail"]
        assert lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None  # never touched
        r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json={**AGG, "holdSeconds": 3})
        assert r.status_code == 202, r.text
        assert (await api.loop_test_ended(r.json()["id"]))["state"] == "cleared"


async def test_hold_means_hold_on_a_slow_huawei_measured_on_the_device(sqlite_template, tmp_path, lab, loops_kit):
    """Realistic device times (a VRP5 S-switch: 1.8 s login, 0.3 s per command): a 10 s hold asked, the
    request answered at once (202), and the loop on the device at most hold + clear time, by the
    device's own record of when it went on and off."""
    point = {"device": "acc-a-sw1", "port": "GigabitEthernet0/0/1", "mode": "remote", "confirmServiceAffecting": True}
    db_url = sqlite_template.copy(tmp_path / "faultline.db")  # device timing, not the database, is tested here
    async with loops_kit.agent_on(db_url, lab, loop_clear_timeout_seconds=20.0) as api:
        tid = await api.signed_ticket(EPL)
        lab.latency.mode = "realistic"
        try:
            r = await api.post(f"/api/v1/tickets/{tid}/loop-tests", json={**point, "holdSeconds": 10})
            assert r.status_code == 202 and r.json()["state"] == "requested", r.text
            done = await api.loop_test_ended(r.json()["id"])
        finally:
            lab.latency.mode = "off"
        assert done["state"] == "cleared" and done["result"]["signal"]["signal"] == "returned", done
        on_device = lab.loop_seconds("acc-a-sw1", "GigabitEthernet0/0/1")[-1]
        assert 0 < on_device <= 10 + 20, on_device
