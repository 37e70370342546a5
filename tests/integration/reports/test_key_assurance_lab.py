"""Key assurance (重保) against the lab: a period for one circuit polls that circuit's devices at its own
shorter interval (real SNMP to the lab), and no other device; the normal poll keeps its interval. The
clock is a manual one and the assurance ticks are driven by the test (the scheduler's own tick is off
here and checked separately: it is on the scheduler with the configured interval)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from agent.clock import ManualClock
from agent.jobs import ASSURANCE_JOB_ID, POLL_JOB_ID
from agent.models import OpticalSample, PollRun

pytestmark = pytest.mark.asyncio(loop_scope="module")

CIRCUIT = "CIR-MPLS-0003"  # the hospital's line: cpe-hosp-1 - acc-a-sw1 - agg-rtr1 - metro-egr1
PATH = {"cpe-hosp-1", "acc-a-sw1", "agg-rtr1", "metro-egr1"}


def _polled_devices(services) -> list[set[str]]:
    with services.session_factory() as s:
        runs = s.scalars(select(PollRun).order_by(PollRun.id)).all()
        return [set(r.device_seconds) for r in runs]


async def test_key_assurance_polls_its_circuits_only_at_its_interval(lab, db_url, helpers):
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    async with helpers.agent_on(db_url, clock=clock, poll_interval_seconds=300, key_assurance_tick_seconds=0) as api:
        await api.import_inventory(lab)
        services = api.agent.services
        assert services.scheduler.get_job(POLL_JOB_ID).trigger.interval == timedelta(seconds=300)
        assert services.scheduler.get_job(ASSURANCE_JOB_ID) is None  # off here: the test ticks
        assurance = services.telemetry.assurance
        assert await assurance.tick() == frozenset()  # no period: nothing polled

        r = await api.post("/api/v1/reports/key-assurance", role="duty_officer", json={
            "name": "春节重保", "start": (clock.now() - timedelta(minutes=1)).isoformat(),
            "end": (clock.now() + timedelta(days=3)).isoformat(), "circuits": [CIRCUIT],
            "contacts": [{"name": "医院信息科刘主任", "contact": "13900000003"}], "pollIntervalSeconds": 60})
        assert r.status_code == 201, r.text
        period = r.json()
        assert period["active"] is True and set(period["devices"]) >= PATH
        assert "cpe-bank-1" not in period["devices"] and "cpe-school-1" not in period["devices"]
        covered = set(period["devices"])

        first = await assurance.tick()
        assert first == covered and first < {d.name for d in lab.devices}
        report = services.poller.last_partial
        assert report.devices == len(covered) and not report.failed and report.samples > 0, report
        assert services.poller.last is None  # the full poll is not replaced by the partial one
        with services.session_factory() as s:
            sampled = set(s.scalars(select(OpticalSample.device_name).distinct()))
        assert sampled == covered  # readings of its circuits' devices only

        clock.advance(seconds=30)
        assert await assurance.tick() == frozenset()  # not due yet: 30 of 60 s
        clock.advance(seconds=30)
        assert await assurance.tick() == covered  # 60 s after the first: due again
        assert _polled_devices(services) == [covered, covered]

        # a second period on another customer's line with its own interval: each on its own clock
        r = await api.post("/api/v1/reports/key-assurance", role="province", json={
            "name": "高考重保", "start": clock.now().isoformat(), "end": (clock.now() + timedelta(days=1)).isoformat(),
            "circuits": ["CIR-EPL-0001"], "pollIntervalSeconds": 120})
        assert r.status_code == 201, r.text
        other = set(r.json()["devices"])
        assert "cpe-bank-1" in other and "cpe-hosp-1" not in other
        assert await assurance.tick() == other  # new: due at once; the first period polled 0 s ago
        clock.advance(seconds=60)
        assert await assurance.tick() == covered
        clock.advance(seconds=60)
        assert await assurance.tick() == covered | other

        assert (await api.post(f"/api/v1/reports/key-assurance/{period['id']}/cancel", role="duty_officer")).status_code == 200
        clock.advance(seconds=120)
        assert await assurance.tick() == other
        assert (await api.post(f"/api/v1/reports/key-assurance/{r.json()['id']}/cancel", role="noc")).status_code == 403
        listed = (await api.get("/api/v1/reports/key-assurance", role="noc")).json()
        assert [p["name"] for p in listed] == ["高考重保"]
