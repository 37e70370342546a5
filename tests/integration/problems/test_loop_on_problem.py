"""A loop test on one child of a service problem, over the lab's real SSH: its result is recorded on the
problem and in every child's journal as that child's progress (rules 4 and 8)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.db import unit_of_work
from agent.models import Diagnosis
from agent.problems import grouping
from tests.support import server
from tests.support.waiting import until

pytestmark = [pytest.mark.asyncio(loop_scope="module")]

EPL, MPLS = "CIR-EPL-0001", "CIR-MPLS-0002"  # both over acc-a-sw1 XGE0/0/1 -- agg-rtr1 Te1/1/1 (segment 1)


async def test_a_loop_result_on_one_child_reaches_the_problem_and_every_child(db_url, lab):
    async with server.agent_on(db_url, lab=lab, loop_reaper_interval_seconds=0.5) as api:
        await api.import_inventory(lab)
        engineer = api.as_role("engineer")
        first, second = await api.signed_ticket(EPL), await api.signed_ticket(MPLS)
        for t in (first, second):
            await api.first_diagnosis(t)
        # the cut is told, not made: the lab stays healthy so the loop returns its signal
        factory = api.agent.services.session_factory
        with unit_of_work(factory) as s:
            s.add(Diagnosis(ticket_id=first, created_at=datetime.now(UTC), playbook="interruption",
                            verdict="no_light_fiber_cut", summary="",
                            data={"suspected_segments": [{"index": 1, "verdict": "no_light_fiber_cut"}],
                                  "findings": [{"verdict": "no_light_fiber_cut", "segment": 1}]}))
        with unit_of_work(factory) as s:
            pid = grouping.on_diagnosis(s, first, datetime.now(UTC)).problem_id
        assert pid is not None
        r = await api.post(f"/api/v1/tickets/{second}/problem", json={"problemId": pid, "reason": "同一上联，人工并单"})
        assert r.status_code == 200, r.text
        r = await engineer.post(f"/api/v1/tickets/{first}/loop-tests", json={
            "device": "agg-rtr1", "port": "TenGigabitEthernet1/1/1", "mode": "remote", "holdSeconds": 3,
            "confirmSharedCircuits": ["CIR-MPLS-0002", "CIR-MPLS-0003"]})
        assert r.status_code == 202, r.text
        loop = await engineer.loop_test_ended(r.json()["id"])
        assert loop["state"] == "cleared", loop

        async def recorded():
            # status and record both, read again: on PostgreSQL one GET may read the problem row before
            # the hook's commit and its record after it (read committed, one snapshot per statement)
            p = (await api.get(f"/api/v1/problems/{pid}")).json()
            done = any(e["kind"] == "loop_result" for e in p["trackingRecord"]) and p["status"] == "inProgress"
            return p if done else None

        problem = await until(recorded, 30, "the loop result in the problem's journal, the problem in progress")
        entry = next(e for e in problem["trackingRecord"] if e["kind"] == "loop_result")
        assert entry["author"] == "engineer-user" and "agg-rtr1" in entry["text"]
        assert entry["data"]["tickets"] == [str(first), str(second)] and entry["data"]["skipped"] == []
        for t in (first, second):
            notes = [n for n in await api.journal(t) if n["kind"] == "progress"]
            assert len(notes) == 1, notes
            assert f"#{pid}" in notes[0]["text"] and f"loop test #{loop['id']} on ticket #{first}" in notes[0]["text"]
            assert "agg-rtr1" in notes[0]["text"]
