"""A worker killed mid-triage (kill -9): its job is retried by another worker once its heartbeat is
seen to stop, and the ticket gets exactly one diagnosis."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from agent.models import Device, Diagnosis, Port, Segment
from tests.support.net import free_udp_port
from tests.support.waiting import until
from tests.support.workers import query, spawn_worker

pytestmark = [pytest.mark.postgres, pytest.mark.asyncio(loop_scope="module")]


def _make_one_device_silent(queued) -> str:
    """Point one device of the first circuit at a UDP port nobody answers: its reads run to the
    triage deadline, so the triage is still running when the worker is killed."""
    with queued.services.session_factory() as s:
        seg = s.scalars(select(Segment).where(Segment.circuit_id == queued.circuits[0]).order_by(Segment.index)).first()
        device = s.scalars(select(Device).join(Port, Port.device_id == Device.id).where(Port.id == seg.z_port_id)).one()
        device.snmp_port = free_udp_port()
        s.commit()
        return device.name


@pytest.mark.slow
async def test_kill_9_mid_triage_retried_elsewhere_one_diagnosis(queued, tmp_path):
    _make_one_device_silent(queued)
    slow = {"FAULTLINE_TRIAGE_DEADLINE_SECONDS": "4"}
    first = spawn_worker(queued.url, tmp_path, "doomed", queues=("triage",), concurrency=1, **slow)
    second = None
    try:
        [tid] = queued.file(1, "KILL")

        def running():
            rows = query(queued.url, "SELECT id FROM procrastinate_jobs WHERE task_name = 'triage' AND status = 'doing'")
            return rows[0][0] if rows else None

        job_id = await until(running, 60, "the triage running on the first worker")
        first.kill()
        with queued.services.session_factory() as s:
            assert s.scalars(select(Diagnosis).where(Diagnosis.ticket_id == tid)).all() == []  # killed mid-triage
        second = spawn_worker(queued.url, tmp_path, "heir", queues=("triage",), concurrency=1, **slow)

        def diagnosed():
            with queued.services.session_factory() as s:
                return s.scalars(select(Diagnosis).where(Diagnosis.ticket_id == tid)).all()

        rows = await until(diagnosed, 60, "the diagnosis by the second worker")
        await until(lambda: "retrying it" in second.output(), 10, "the second worker's stalled-job log")
        assert f"job {job_id} (triage" in second.output()
        # the job is done: nothing left running or queued for it
        await until(lambda: not query(queued.url, "SELECT 1 FROM procrastinate_jobs WHERE task_name = 'triage' "
                                                  "AND status IN ('todo', 'doing')"), 30, "the job finished")
        assert len(diagnosed()) == 1 == len(rows)
        assert rows[0].job_key == f"job-{job_id}"
    finally:
        first.kill()
        if second is not None:
            second.stop()


@pytest.mark.slow
async def test_triage_cut_off_from_the_database_is_retried_when_it_returns(queued, tmp_path):
    """The database goes away (for this worker) in the middle of a triage and comes back: the worker
    reconnects without a restart and the ticket gets its one diagnosis."""
    from sqlalchemy.engine import make_url

    from tests.support.tcpproxy import TcpProxy

    _make_one_device_silent(queued)
    url = make_url(queued.url)
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    via_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    worker = spawn_worker(via_proxy, tmp_path, "cut", queues=("triage",), concurrency=1,
                          FAULTLINE_TRIAGE_DEADLINE_SECONDS="3")
    try:
        [tid] = queued.file(1, "OUTAGE")

        def running():
            return query(queued.url, "SELECT 1 FROM procrastinate_jobs WHERE task_name = 'triage' AND status = 'doing'")

        await until(running, 60, "the triage running")
        proxy.cut()
        # the triage ends while the database is away: its diagnosis cannot be stored
        # the triage fails on the lost database, or (cut while it read the devices) the worker notices the
        # outage first; either way the ticket has no diagnosis while the database is away
        await until(lambda: f"triage of ticket {tid} (job" in worker.output() or "lost the database" in worker.output(),
                    60, "the worker losing the database")
        proxy.restore()

        def diagnosed():
            with queued.services.session_factory() as s:
                return s.scalars(select(Diagnosis).where(Diagnosis.ticket_id == tid)).all()

        rows = await until(diagnosed, 90, "the diagnosis after the database returned")
        await until(lambda: not query(queued.url, "SELECT 1 FROM procrastinate_jobs WHERE task_name = 'triage' "
                                                  "AND status IN ('todo', 'doing')"), 60, "the job finished")
        assert len(diagnosed()) == 1 == len(rows)
        assert worker.proc.poll() is None, worker.output()[-3000:]  # reconnected, not restarted
        assert "reconnecting" in worker.output()
    except AssertionError:
        print(worker.output()[-8000:])
        raise
    finally:
        worker.kill()
        await proxy.close()
