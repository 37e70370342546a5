"""Concurrent triages asking for the same device share surveys (over the lab's real SNMP/SSH)."""
from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from agent.devices import DeviceGateway, fresh_reads
from collectors.target import target_from_inventory

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_twelve_concurrent_requests_cost_at_most_two_surveys_and_each_gets_its_ports(lab):
    device = next(d for d in lab.inventory()["devices"] if d["name"] == "agg-rtr1")
    full = target_from_inventory(device)
    assert len(full.ports) >= 3
    adapter = DeviceGateway()
    try:
        # Requests for different port subsets, as triages of different circuits through this router ask.
        subsets = [replace(full, ports=(full.ports[i % len(full.ports)],)) for i in range(12)]
        results = await asyncio.gather(*[adapter.survey(t, None, 15.0) for t in subsets])
    finally:
        adapter.close()
    assert adapter.surveys_run <= 2
    for asked, got in zip(subsets, results, strict=True):
        assert got.errors == ()
        assert {i.port for i in got.interfaces} == {asked.ports[0].name}
        truth = lab.port_state("agg-rtr1", asked.ports[0].name)
        assert got.interfaces[0].oper.value == ("up" if truth.oper_up else "down")


async def test_a_survey_its_timeout_cut_short_is_not_reused_as_fresh(lab):
    device = next(d for d in lab.inventory()["devices"] if d["name"] == "agg-rtr1")
    full = target_from_inventory(device)
    adapter = DeviceGateway(fresh_s=30.0)  # a window that would reuse any finished survey
    try:
        cut = await adapter.survey(full, None, 0.001)
        again = await adapter.survey(full, None, 15.0)
    finally:
        adapter.close()
    assert cut.timed_out and not cut.interfaces
    assert adapter.surveys_run == 2 and adapter.surveys_reused == 0
    assert not again.timed_out and {i.port for i in again.interfaces} == {p.name for p in full.ports}


async def test_a_read_asked_fresh_is_a_new_read_and_sees_a_change_a_reused_read_does_not(lab):
    """Within the freshness window a second request gets the first survey's readings (a port cut since
    shows up yet); under ``fresh_reads()`` the device is read anew and the cut shows."""
    inv = lab.inventory()
    seg = next(s for c in inv["circuits"] for s in c["segments"] if s["a"]["device"] == "agg-rtr1"
               or s["z"]["device"] == "agg-rtr1")
    end = seg["a"] if seg["a"]["device"] == "agg-rtr1" else seg["z"]
    full = target_from_inventory(next(d for d in inv["devices"] if d["name"] == "agg-rtr1"))
    target = replace(full, ports=tuple(p for p in full.ports if p.name == end["port"]))
    adapter = DeviceGateway(fresh_s=60.0)  # the window outlasts the test: the reuse is not a matter of timing
    fault = None
    try:
        before = await adapter.survey(target, None, 15.0)
        assert before.interfaces[0].oper.value == "up" and lab.port_state("agg-rtr1", end["port"]).oper_up
        fault = lab.inject("fiber_cut", f"agg-rtr1:{end['port']}")
        assert not lab.port_state("agg-rtr1", end["port"]).oper_up
        reused = await adapter.survey(target, None, 15.0)
        assert (adapter.surveys_run, adapter.surveys_reused) == (1, 1)
        assert reused.interfaces[0].oper.value == "up" and reused.started_at == before.started_at
        with fresh_reads():
            forced = await adapter.survey(target, None, 15.0)
        assert (adapter.surveys_run, adapter.surveys_reused, adapter.forced) == (2, 1, 1)
        assert forced.interfaces[0].oper.value == "down" and forced.started_at > before.started_at
        # the forced read is now the recent one: a later plain request reuses it, not the old one
        later = await adapter.survey(target, None, 15.0)
        assert later.interfaces[0].oper.value == "down" and adapter.surveys_run == 2
    finally:
        if fault is not None:
            lab.clear(fault)
        adapter.close()
