"""Localisation on a 5-segment circuit (bench/topologies/branch5.yaml: CPE, access, aggregation, metro,
province exit, provincial core), a cut and a degradation on each segment position in turn: the walk
names the faulty segment, its loop points are in the journal in the plan's order, the province exit is
looped first only where the triage found the segment unclear (or suspects the segment there), and a new diagnosis (basis loop_test)
supersedes the triage one. A lab of its own per case."""
from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.api import Api
from tests.support.lab import started_lab

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

TOPOLOGY = Path(__file__).resolve().parents[2] / "bench" / "topologies" / "branch5.yaml"
CIRCUIT = "CIR-EPL-0001"
OTHERS = ["CIR-EPL-0005", "CIR-INET-0004", "CIR-INET-0006", "CIR-MPLS-0002", "CIR-MPLS-0003"]
FAULTS = {"fiber_cut": {}, "fiber_degraded": {"db": 7.0}}


@pytest_asyncio.fixture(loop_scope="module")
async def five(agent):
    """A fresh lab per case (its devices' alarm history would colour the next triage), inventory imported."""
    async with started_lab(TOPOLOGY) as lab:
        api = Api(agent.http, agent=agent.agent, lab=lab)
        await api.import_inventory(lab)
        yield api


@pytest.mark.parametrize("kind", sorted(FAULTS))
@pytest.mark.parametrize("segment", [0, 1, 2, 3, 4])
async def test_localise_names_the_faulty_segment_on_each_position(five, kind, segment):
    fault = five.lab.inject(kind, f"{CIRCUIT}#{segment}", **FAULTS[kind])
    try:
        ticket = await five.file(CIRCUIT, "interruption", "down")
        await five.sign(ticket["id"])
        triage = await five.first_diagnosis(ticket["id"], timeout=60)
        engineer = five.as_role("engineer")
        r = await engineer.post(f"/api/v1/tickets/{ticket['id']}/loop-tests",
                                json={"localise": True, "holdSeconds": 30, "confirmSharedCircuits": OTHERS,
                                      "confirmServiceAffecting": True, "authorisedBy": "省公司 王工"})
        assert r.status_code == 202, r.text

        async def ended():
            loc = (await engineer.get(r.json()["href"])).json()
            return loc if loc["state"] != "running" else None

        from tests.support.waiting import until
        loc = await until(ended, 240, "the localisation's conclusion")
    finally:
        five.lab.clear(fault)
    seen = [(t["loopPoint"], t["observer"], (t["result"] or {}).get("signal")) for t in loc["loopTests"]]
    assert loc["state"] == "concluded" and loc["conclusion"]["segment"] == segment, (triage["verdict"], seen)
    tested = [(t["loopPoint"]["device"], t["loopPoint"]["port"]) for t in loc["loopTests"]]
    planned = [(p["device"], p["port"]) for p in loc["plan"]]
    assert tested == [p for p in planned if p in tested]  # the plan's order
    # the province exit first where the segment is unclear; otherwise only when the suspected segment is there
    first = loc["plan"][0]
    if triage["verdict"] == "fault_segment_unclear":
        assert first["siteKind"] == "province_exit", first
    elif first["siteKind"] == "province_exit":
        assert first["segment"] in [s["index"] for s in triage["suspectedSegments"]], (triage, first)
    assert all(t["state"] == "cleared" for t in loc["loopTests"])
    assert all(five.lab.port_state(d, p).loop is None for d, p in tested)
    points = [n["data"]["loop_point"] for n in await five.journal(ticket["id"]) if n["kind"] == "loop_requested"
              and "loop_point" in n["data"]]
    assert [(p["device"], p["port"]) for p in points] == tested
    last = (await five.get(f"/api/v1/tickets/{ticket['id']}/diagnoses")).json()[-1]
    assert last["basis"] == "loop_test" and last["supersedes"] == triage["id"]
