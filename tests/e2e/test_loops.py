"""Loop tests (打环) through the API on the lab: the result follows the physics, the loop is always
cleared, every loop point is in the journal, and a loop left by a crash is cleared at start."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from agent.db import unit_of_work
from agent.models import LoopTest

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

EPL = "CIR-EPL-0001"
LOOP_AT = {"device": "agg-rtr1", "port": "TenGigabitEthernet1/1/1", "mode": "remote"}  # far end of seg 1


async def _signed_ticket(scenario) -> str:
    ticket = await scenario.file(EPL, "interruption", "down")
    r = await scenario.post_as("duty_officer", f"/api/v1/tickets/{ticket['id']}/sign", {})
    assert r.status_code == 200
    return ticket["id"]


async def test_loop_on_healthy_segment_returns_signal_and_is_cleared(scenario):
    tid = await _signed_ticket(scenario)
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{tid}/loop-tests", {**LOOP_AT, "holdSeconds": 60})
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["signalReturned"] is True and result["cleared"] is True and result["state"] == "cleared"
    assert result["observer"]["device"] == "acc-a-sw1"
    assert scenario.lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None  # really cleared
    assert scenario.lab.circuit_state(EPL).up
    kinds = [n["kind"] for n in await scenario.journal(tid) if n["kind"].startswith("loop_")]
    assert kinds == ["loop_requested", "loop_set", "loop_cleared", "loop_result"]


async def test_loop_beyond_a_cut_gets_no_signal_back(scenario):
    tid = await _signed_ticket(scenario)
    scenario.lab.inject("fiber_cut", f"{EPL}#1")
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{tid}/loop-tests", LOOP_AT)
    result = r.json()
    assert result["signalReturned"] is False and result["cleared"] is True
    notes = [n for n in await scenario.journal(tid) if n["kind"] == "loop_result"]
    assert "no signal back" in notes[-1]["text"]
    assert notes[-1]["data"]["loopPoint"] == {"device": "agg-rtr1", "port": "TenGigabitEthernet1/1/1"}


async def test_guard_refusals(scenario):
    ticket = await scenario.file(EPL, "interruption", "down")  # not signed yet
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{ticket['id']}/loop-tests", LOOP_AT)
    assert r.status_code == 409 and "inProgress" in r.json()["detail"]
    tid = await _signed_ticket(scenario)
    r = await scenario.post_as("noc", f"/api/v1/tickets/{tid}/loop-tests", LOOP_AT)
    assert r.status_code == 403
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{tid}/loop-tests",
                               {"device": "prov-exit1", "port": "xgei-1/1/0/2", "mode": "remote"})
    assert r.status_code == 409 and "not a port of circuit" in r.json()["detail"]
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{tid}/loop-tests",
                               {"device": "agg-rtr1", "port": "Te1/1/1; reload", "mode": "remote"})
    assert r.status_code == 422  # no free text reaches a device


async def test_loop_left_by_a_crash_is_cleared_at_start(scenario):
    tid = await _signed_ticket(scenario)
    services = scenario.agent.services
    # A previous run set the loop and died before clearing it: the device is looped, the row says "set".
    scenario.lab.set_loop("agg-rtr1", "TenGigabitEthernet1/1/1", "remote")
    assert not scenario.lab.circuit_state(EPL).up
    with unit_of_work(services.session_factory) as s:
        s.add(LoopTest(ticket_id=int(tid), circuit_id=EPL, device_name="agg-rtr1", port_name="TenGigabitEthernet1/1/1",
                       mode="remote", state="set", requested_by="crashed-run", requested_at=services.clock.now()))
    cleared = await services.loops.clear_leftovers()
    assert len(cleared) == 1
    assert scenario.lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None
    assert scenario.lab.circuit_state(EPL).up
    with services.session_factory() as s:
        assert s.scalar(select(LoopTest.state).where(LoopTest.id == cleared[0])) == "cleared"
    assert "loop_cleared" in [n["kind"] for n in await scenario.journal(tid)]
