"""Periodic work on the queue: the SLA sweep deferred by the database once per period whatever the
number of workers (each milestone fired once), and collectors pinned to their region."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from agent.clock import ManualClock
from agent.models import Device, JournalEntry, OpticalSample, PollRun
from agent.models.sla import SlaClockRow, SlaFiredRow
from agent.services import build_services
from agent.tickets.service import Intake
from diagnosis.enums import Symptom, TicketKind
from tests.integration.work.conftest import DUTY
from tests.support.waiting import until
from tests.support.workers import workers

pytestmark = [pytest.mark.postgres, pytest.mark.asyncio(loop_scope="module")]


async def test_sla_sweep_with_three_workers_fires_each_milestone_once(queued, tmp_path):
    # Tickets that arrived four hours ago (their clocks started then): sign, escalation and progress
    # milestones are all overdue when the workers' first sweep runs.
    past = build_services(queued.services.settings, ManualClock(datetime.now(UTC) - timedelta(hours=4)), migrate=False)
    try:
        ids = []
        for i, circuit in enumerate(queued.circuits[:4]):
            with past.session_factory() as s:
                t, _ = past.tickets.receive(s, Intake(f"SLA-{i}", TicketKind.INTERRUPTION, Symptom.DOWN, circuit,
                                                      past.clock.now()), DUTY)
                ids.append(t.id)
    finally:
        past.close()

    def settled():
        now = datetime.now(UTC)
        with queued.services.session_factory() as s:
            due = s.scalars(select(SlaClockRow).where(SlaClockRow.next_due_at < now)).all()
            return not due and s.scalars(select(SlaFiredRow)).all()

    with workers(queued.url, tmp_path, ["s1", "s2", "s3"], queues=("notify",), concurrency=2):
        fired = await until(settled, 60, "every overdue milestone fired")
    with queued.services.session_factory() as s:
        entries = s.scalars(select(JournalEntry).where(JournalEntry.kind.like("sla_%"))).all()
    keys = Counter((e.ticket_id, e.data["clock"], e.data["seq"], e.data["milestone"]) for e in entries)
    assert keys and max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    assert set(keys) == {(f.ticket_id, f.clock, f.seq, f.milestone) for f in fired}
    for tid in ids:  # the rules that must have fired by four hours: sign limit, both escalations
        milestones = {(c, m) for t, c, _, m in keys if t == tid}
        assert {c for c, _ in milestones} >= {"sign", "escalation_l1", "escalation_l2"}, milestones


class _Sink(asyncio.DatagramProtocol):
    """A UDP port that only counts what arrives: where region B's devices are, for a region A collector."""

    def __init__(self) -> None:
        self.datagrams = 0

    def datagram_received(self, data, addr) -> None:
        self.datagrams += 1


async def test_a_collector_of_region_east_never_reads_a_device_of_region_west(queued, tmp_path):
    loop = asyncio.get_running_loop()
    transport, sink = await loop.create_datagram_endpoint(_Sink, local_addr=("127.0.0.1", 0))
    sink_port = transport.get_extra_info("sockname")[1]
    east = {d for d, r in queued.device_regions.items() if r == "east"}
    west = {d for d, r in queued.device_regions.items() if r == "west"}
    assert east and west
    try:
        with queued.services.session_factory() as s:
            for dev in s.scalars(select(Device).where(Device.name.in_(west))):
                dev.snmp_port = sink_port  # any SNMP request to a west device lands in the sink
            s.commit()
        env = {"FAULTLINE_POLL_INTERVAL_SECONDS": "2"}
        with workers(queued.url, tmp_path, ["east1"], queues=("poll.east",), concurrency=2, **env):
            def polled_east():
                with queued.services.session_factory() as s:
                    runs = s.scalars(select(PollRun)).all()
                    names = set(s.scalars(select(OpticalSample.device_name).distinct()).all())
                return runs and names >= {d for d in east if _has_ports(queued, d)} and (runs, names)

            runs, names = await until(polled_east, 60, "a poll of every east device")
        assert names <= east, names - east
        assert all(set(r.device_seconds) <= east for r in runs)
        assert sink.datagrams == 0
    finally:
        transport.close()


def _has_ports(queued, device: str) -> bool:
    with queued.services.session_factory() as s:
        return bool(s.scalars(select(Device).where(Device.name == device)).one().ports)
