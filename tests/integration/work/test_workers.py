"""Worker processes on PostgreSQL (issue 17): real ``faultline worker`` processes against the lab's
real SNMP devices, the test filing tickets through the same intake the API uses."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from agent.models import Diagnosis
from tests.support.waiting import until
from tests.support.workers import query, workers

pytestmark = [pytest.mark.postgres, pytest.mark.asyncio(loop_scope="module")]

N_TICKETS = 12  # the bench (bench/scale.py) runs the 200 and 1,000


def diagnoses_per_ticket(queued) -> dict[int, int]:
    with queued.services.session_factory() as s:
        return dict(s.execute(select(Diagnosis.ticket_id, func.count()).group_by(Diagnosis.ticket_id)).all())


async def test_two_workers_diagnose_every_ticket_once(queued, tmp_path):
    with workers(queued.url, tmp_path, ["w1", "w2"], queues=("triage",), concurrency=4) as procs:
        ids = queued.file(N_TICKETS, "BURST")
        per_ticket = await until(lambda: (d := diagnoses_per_ticket(queued)) and len(d) == len(ids) and d, 120,
                                 f"{len(ids)} diagnoses")
        assert set(per_ticket) == set(ids)
        assert set(per_ticket.values()) == {1}, f"a ticket diagnosed twice: {per_ticket}"
        with queued.services.session_factory() as s:
            evidence = [d.data["evidence"] for d in s.scalars(select(Diagnosis))]
        # the workers read the lab's devices (SNMP only here: alarm history, read over CLI, stays unread)
        assert all(any(e["name"] == "device_reachability" and e["value"] == "ok" for e in ev) for ev in evidence)
        assert all(p.proc.poll() is None for p in procs), [p.output()[-2000:] for p in procs]
    # every triage job finished, none left queued or running
    assert query(queued.url, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'triage' "
                             "AND status IN ('todo', 'doing')")[0][0] == 0


async def test_a_pending_triage_is_queued_once(queued):
    """No worker runs: a re-run asked while the arrival's triage is still queued adds no second job."""
    [tid] = queued.file(1, "ONCE")
    assert queued.queue.defer_triage(tid, "rerun") is None
    rows = query(queued.url, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'triage' AND status = 'todo'")
    assert rows[0][0] == 1
