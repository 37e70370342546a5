"""Loop tests (打环) through the API on the lab, as jobs: 202 with the resource, its states with their
times, the result from the physics, the loop read back absent on the lab device, every state change in
the journal with its loop point, a cancel that clears at once, and a loop left by a crash cleared."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from agent.db import unit_of_work
from agent.models import LoopTest

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

EPL = "CIR-EPL-0001"
# far end of segment 1; the port carries no other circuit
LOOP_AT = {"device": "agg-rtr1", "port": "TenGigabitEthernet1/1/1", "mode": "remote",
           "confirmSharedCircuits": ["CIR-MPLS-0002", "CIR-MPLS-0003"], "confirmServiceAffecting": True}
STATES = ["requested", "setting", "set", "measuring", "clearing", "cleared"]


async def _signed_ticket(scenario) -> str:
    ticket = await scenario.file(EPL, "interruption", "down")
    r = await scenario.post_as("duty_officer", f"/api/v1/tickets/{ticket['id']}/sign", {})
    assert r.status_code == 200
    return ticket["id"]


async def _ended(scenario, loop_id: int, timeout: float = 60.0) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        body = (await scenario.get(f"/api/v1/loop-tests/{loop_id}")).json()
        if not body["active"] and body["result"] is not None:  # the result follows the final state
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"loop test {loop_id} still active after {timeout} s: {body}")


async def test_loop_on_healthy_segment_returns_signal_and_is_cleared(scenario):
    tid = await _signed_ticket(scenario)
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{tid}/loop-tests", {**LOOP_AT, "holdSeconds": 60})
    assert r.status_code == 202, r.text
    assert r.json()["state"] == "requested" and r.headers["Location"] == r.json()["href"]
    done = await _ended(scenario, r.json()["id"])
    assert done["state"] == "cleared"
    assert [h["state"] for h in done["stateHistory"]] == STATES
    assert done["result"]["signal"]["signal"] == "returned" and done["result"]["clearVerified"] is True
    assert done["observer"] == {"device": "acc-a-sw1", "port": "XGigabitEthernet0/0/1"}
    assert scenario.lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None  # really cleared
    assert scenario.lab.circuit_state(EPL).up
    entries = [n for n in await scenario.journal(tid) if n["kind"].startswith("loop_")]
    assert [n["kind"] for n in entries] == [f"loop_{s}" for s in STATES] + ["loop_result"]
    assert all(n["data"]["loop_point"] == {"device": "agg-rtr1", "port": "TenGigabitEthernet1/1/1"} for n in entries)


async def test_loop_beyond_a_cut_gets_no_signal_back(scenario):
    tid = await _signed_ticket(scenario)
    scenario.lab.inject("fiber_cut", f"{EPL}#1")
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{tid}/loop-tests", LOOP_AT)
    done = await _ended(scenario, r.json()["id"])
    assert done["result"]["signal"]["signal"] == "not_returned" and done["state"] == "cleared"
    notes = [n for n in await scenario.journal(tid) if n["kind"] == "loop_result"]
    assert "no signal back" in notes[-1]["text"]
    assert scenario.lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None


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
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{tid}/loop-tests", {**LOOP_AT, "holdSeconds": 121})
    assert r.status_code == 422  # over the configured maximum hold (120 s)


async def test_shared_port_needs_the_other_circuits_named(scenario):
    tid = await _signed_ticket(scenario)
    # agg-rtr1 Te1/1/4 carries every circuit of the lab towards the metro egress
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{tid}/loop-tests",
                               {"device": "agg-rtr1", "port": "TenGigabitEthernet1/1/4", "mode": "remote"})
    assert r.status_code == 409, r.text
    named = r.json()["sharedCircuits"]
    assert named == ["CIR-EPL-0005", "CIR-INET-0004", "CIR-INET-0006", "CIR-MPLS-0002", "CIR-MPLS-0003"]
    assert all(c in r.json()["detail"] for c in named)
    assert scenario.lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/4").loop is None  # never touched


async def test_cancel_clears_at_once(scenario):
    tid = await _signed_ticket(scenario)
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{tid}/loop-tests", {**LOOP_AT, "holdSeconds": 120})
    loop_id = r.json()["id"]
    # wait until the loop is really on the lab device, then cancel
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while scenario.lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None:
        assert loop.time() < deadline, "the loop never reached the device"
        await asyncio.sleep(0.05)
    t0 = loop.time()
    r = await scenario.post_as("engineer", f"/api/v1/loop-tests/{loop_id}/cancel", {})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "cleared" and r.json()["cancelledBy"] == "engineer-user"
    assert loop.time() - t0 < 30  # not the 120 s hold
    assert scenario.lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None
    active = (await scenario.get("/api/v1/loop-tests", params={"active": "true"})).json()
    assert loop_id not in [a["id"] for a in active]


async def test_loop_left_by_a_crash_is_cleared_at_start(scenario):
    tid = await _signed_ticket(scenario)
    services = scenario.agent.services
    # A previous run of this process set the loop and died before clearing it: the device is looped, the row says "set".
    scenario.lab.set_loop("agg-rtr1", "TenGigabitEthernet1/1/1", "remote")
    assert not scenario.lab.circuit_state(EPL).up
    with unit_of_work(services.session_factory) as s:
        s.add(LoopTest(ticket_id=int(tid), circuit_id=EPL, device_name="agg-rtr1", port_name="TenGigabitEthernet1/1/1",
                       mode="remote", state="set", requested_by="crashed-run", requested_at=services.clock.now(),
                       owner=services.loops.owner))
    active = (await scenario.get("/api/v1/loop-tests", params={"active": "true"})).json()
    assert [a["loopPoint"]["device"] for a in active] == ["agg-rtr1"]
    cleared = await services.loops.clear_leftovers()
    assert len(cleared) == 1
    assert scenario.lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").loop is None
    assert scenario.lab.circuit_state(EPL).up
    with services.session_factory() as s:
        assert s.scalar(select(LoopTest.state).where(LoopTest.id == cleared[0])) == "cleared"
    assert "loop_cleared" in [n["kind"] for n in await scenario.journal(tid)]


ALL_SHARED = ["CIR-EPL-0005", "CIR-INET-0004", "CIR-INET-0006", "CIR-MPLS-0002", "CIR-MPLS-0003"]


async def _localised(scenario, tid: str, body: dict, timeout: float = 240.0) -> dict:
    r = await scenario.post_as("engineer", f"/api/v1/tickets/{tid}/loop-tests", body)
    assert r.status_code == 202, r.text
    href = r.json()["href"]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        loc = (await scenario.get(href)).json()
        if loc["state"] != "running":
            return loc
        await asyncio.sleep(0.2)
    raise AssertionError(f"localisation still running: {loc}")


@pytest.mark.parametrize("segment", [1, 2, 3])
async def test_localise_finds_the_cut_segment(scenario, segment):
    from faultline.demo import wait_for_diagnosis

    scenario.lab.inject("fiber_cut", f"{EPL}#{segment}")
    ticket = await scenario.file(EPL, "interruption", "down")
    assert (await scenario.post_as("duty_officer", f"/api/v1/tickets/{ticket['id']}/sign", {})).status_code == 200
    triage = await wait_for_diagnosis(scenario, ticket["id"], timeout=60)
    loc = await _localised(scenario, ticket["id"], {"localise": True, "holdSeconds": 30,
                                                    "confirmSharedCircuits": ALL_SHARED, "authorisedBy": "省公司 王工"})
    assert loc["state"] == "concluded", loc
    assert loc["conclusion"]["outcome"] == "fault_segment" and loc["conclusion"]["segment"] == segment, loc["conclusion"]
    assert loc["supersedesDiagnosisId"] == triage["id"]
    # every loop point in the journal, in the plan's order, each cleared and absent on the device
    tested = [(t["loopPoint"]["device"], t["loopPoint"]["port"]) for t in loc["loopTests"]]
    planned = [(p["device"], p["port"]) for p in loc["plan"]]
    assert tested == [p for p in planned if p in tested][:len(tested)]
    assert all(t["state"] == "cleared" for t in loc["loopTests"])
    assert all(scenario.lab.port_state(d, p).loop is None for d, p in tested)
    diagnoses = (await scenario.get(f"/api/v1/tickets/{ticket['id']}/diagnoses")).json()
    last = diagnoses[-1]
    assert last["id"] == loc["diagnosisId"] and last["basis"] == "loop_test" and last["supersedes"] == triage["id"]
    assert last["suspectedSegments"][0]["index"] == segment
    assert [e["device"] for e in last["evidence"]] == [d for d, _ in tested]
    kinds = [n["kind"] for n in await scenario.journal(ticket["id"])]
    assert kinds.count("loop_requested") == len(tested) + 1 and "loop_localised" in kinds
