"""Transceiver ageing in the lab over simulated days: the agent's optical poll stores a series each day,
and a line-quality ticket's triage reads it as the Rx trend and warns of the decline (rx_power_declining)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select

from agent.clock import ManualClock
from agent.models import OpticalSample

pytestmark = pytest.mark.asyncio(loop_scope="module")

AGEING_PORT = "acc-a-sw1:GigabitEthernet0/0/1"  # its Tx ages; the far end's Rx declines
FAR_END = ("cpe-bank-1", "GigabitEthernet0/0/1")


async def test_polled_series_of_an_ageing_transceiver_gives_rx_power_declining(lab, trap_port, db_url, helpers):
    clock = ManualClock(datetime.now(UTC))
    async with helpers.agent_on(db_url, trap_port, clock=clock) as api:
        await api.import_inventory(lab)
        services = api.agent.services
        poller = services.poller
        fault = lab.inject("transceiver_ageing", AGEING_PORT, db_per_day=0.5)
        try:
            for _day in range(5):
                report = await poller.poll_once()
                assert report.devices == len(lab.devices) and report.samples > 0 and not report.failed, report
                lab.advance(86400)
                clock.advance(days=1)
            with services.session_factory() as s:
                series = s.scalars(select(OpticalSample).where(OpticalSample.device_name == FAR_END[0],
                                                               OpticalSample.port_name == FAR_END[1])
                                   .order_by(OpticalSample.at)).all()
                other = s.scalars(select(OpticalSample).where(OpticalSample.device_name == "agg-rtr1")).all()
            assert len(series) == 5 and all(p.oper == "up" for p in series)
            drops = [round(a.rx_dbm - b.rx_dbm, 1) for a, b in pairwise(series)]
            assert drops == [0.5] * 4, drops  # the far end loses what the ageing Tx loses
            assert series[-1].at - series[0].at == timedelta(days=4)
            assert other and len({round(p.rx_dbm, 1) for p in other if p.port_name == "TenGigabitEthernet1/1/1"}) == 1

            ticket = await api.file("CIR-EPL-0001", symptom="latency_or_errors", reported=clock.now())
            diagnosis = await _diagnosis(api, ticket["id"], helpers)
        finally:
            lab.clear(fault)
    assert diagnosis["verdict"] == "rx_power_declining", (diagnosis["verdict"], diagnosis.get("summary"))
    trend = [e for e in diagnosis["evidence"] if e["name"] == "rx_trend_db_per_day"
             and (e["device"], e["port"]) == FAR_END]
    assert trend and trend[0]["value"] == pytest.approx(-0.5, abs=0.05) and trend[0]["assessment"] == "warn"
    assert trend[0]["method"] == "stored"


async def _diagnosis(api, ticket_id: str, helpers) -> dict:
    async def first():
        r = await api.get(f"/api/v1/tickets/{ticket_id}/diagnoses", role="duty_officer")
        return r.json()[0] if r.status_code == 200 and r.json() else None
    return await helpers.until(first, timeout=45, what="the ticket's diagnosis")
