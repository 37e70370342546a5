"""Loop tests (环测) on the lab: localisation time per position of the faulty segment, the time a loop
spends on the device against its hold, and kill -9 of a real server while loops are set.

1. Localisation (`POST /tickets/{id}/loop-tests {"localise": true}`) on the 5-segment circuit of
   bench/topologies/branch5.yaml with realistic device latency (FAULTLINE_LAB_LATENCY=realistic times:
   SSH logins of 1.2-2.5 s, 0.2-0.4 s per command): a fiber cut on each segment position in turn, the
   wall time from the localisation's start to its conclusion, the loop points it took, and whether it
   named the cut segment.
2. Hold: a loop with a 10 s hold at a VRP5 access switch (realistic latency), the seconds it stayed on
   the device by the device's own record (lab `loop_seconds`) against hold and hold + clear limit.
3. kill -9: `faultline serve` as its own process, killed with loops on 6 devices, restarted with the same
   instance name, until 100 loops were left by a killed process: seconds from each restart's launch
   until the devices show no loop, and how many were left behind.

The lab runs in this process (the agent in (1) and (2) too; the server in (3) is its own process).
Asserts nothing about time; exits non-zero when something fails.

    .venv/bin/python bench/loops.py [--positions 0,1,2,3,4] [--tries 100] [--skip-kill]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TOPOLOGY = Path(__file__).resolve().parent / "topologies" / "branch5.yaml"
CIRCUIT = "CIR-EPL-0001"
OTHERS = ["CIR-EPL-0005", "CIR-INET-0004", "CIR-INET-0006", "CIR-MPLS-0002", "CIR-MPLS-0003"]


_TEMPLATE = []


def _db(work: Path, name: str) -> str:
    """A migrated SQLite file of its own (a copy of one migrated template)."""
    from tests.support.databases import SqliteTemplate

    if not _TEMPLATE:
        (work / "template").mkdir(exist_ok=True)
        _TEMPLATE.append(SqliteTemplate(work / "template"))
    return _TEMPLATE[0].copy(work / name)


def _seconds(a: str, b: str) -> float:
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()


async def localisation(positions: list[int], work: Path) -> list[dict]:
    from faultline.demo import wait_for_diagnosis
    from tests.support.lab import started_lab
    from tests.support.server import agent_on

    rows = []
    async with started_lab(TOPOLOGY, latency="realistic") as lab:
        async with agent_on(_db(work, "localise.db"), lab=lab, triage_deadline_seconds=30.0) as api:
            await api.import_inventory(lab)
            for position in positions:
                fault = lab.inject("fiber_cut", f"{CIRCUIT}#{position}")
                try:
                    ticket = await api.file(CIRCUIT, "interruption", "down")
                    await api.sign(ticket["id"])
                    await wait_for_diagnosis(api, ticket["id"], timeout=90)
                    engineer = api.as_role("engineer")
                    t0 = time.monotonic()
                    r = await engineer.post(f"/api/v1/tickets/{ticket['id']}/loop-tests",
                                            json={"localise": True, "holdSeconds": 30, "confirmSharedCircuits": OTHERS,
                                                  "authorisedBy": "bench 省公司", "confirmServiceAffecting": True})
                    if r.status_code != 202:
                        raise SystemExit(f"localise refused: {r.status_code} {r.text}")
                    href = r.json()["href"]
                    while True:
                        loc = (await engineer.get(href)).json()
                        if loc["state"] != "running":
                            break
                        if time.monotonic() - t0 > 600:
                            raise SystemExit(f"localisation at position {position} still running after 600 s")
                        await asyncio.sleep(0.2)
                    conclusion = loc["conclusion"] or {}
                    rows.append({"position": position, "state": loc["state"], "found": conclusion.get("segment"),
                                 "right": conclusion.get("segment") == position,
                                 "seconds": round(_seconds(loc["startedAt"], loc["endedAt"]), 1),
                                 "points": [f"{t['loopPoint']['device']} {t['loopPoint']['port']}" for t in loc["loopTests"]],
                                 "per_point_s": [round(_seconds(t["requestedAt"], t["clearedAt"]), 1)
                                                 for t in loc["loopTests"] if t["clearedAt"]]})
                    print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
                finally:
                    lab.clear(fault)
    return rows


async def hold_on_device(work: Path, hold: int = 10, clear_limit: float = 20.0) -> dict:
    from tests.support.lab import started_lab
    from tests.support.server import agent_on

    point = {"device": "acc-a-sw1", "port": "GigabitEthernet0/0/1", "mode": "remote", "holdSeconds": hold,
             "confirmServiceAffecting": True}
    async with started_lab(TOPOLOGY, latency="realistic") as lab:
        async with agent_on(_db(work, "hold.db"), lab=lab, loop_clear_timeout_seconds=clear_limit) as api:
            await api.import_inventory(lab)
            engineer = api.as_role("engineer")
            tid = await engineer.signed_ticket(CIRCUIT)
            t0 = time.monotonic()
            r = await engineer.post(f"/api/v1/tickets/{tid}/loop-tests", json=point)
            answered = time.monotonic() - t0
            done = await engineer.loop_test_ended(r.json()["id"])
            on_device = lab.loop_seconds("acc-a-sw1", "GigabitEthernet0/0/1")[-1]
    states = {h["state"]: h["at"] for h in done["stateHistory"]}
    return {"hold_s": hold, "clear_limit_s": clear_limit, "state": done["state"], "answered_s": round(answered, 3),
            "set_s": round(_seconds(states["requested"], states["set"]), 1),
            "on_device_s": round(on_device, 1), "bound_s": hold + clear_limit,
            "request_to_cleared_s": round(_seconds(states["requested"], states["cleared"]), 1)}


async def kill9(work: Path, tries: int) -> dict:
    from tests.support.lab import started_lab
    from tests.support.loop_kills import kill9_rounds

    db = _db(work, "kill9.db")
    async with started_lab() as lab:
        return await kill9_rounds(lab, db, work, tries=tries)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", default="0,1,2,3,4")
    parser.add_argument("--tries", type=int, default=100)
    parser.add_argument("--skip-kill", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-loops-") as tmp:
        work = Path(tmp)
        rows = await localisation([int(p) for p in args.positions.split(",") if p], work)
        print("localisation:", json.dumps(rows, ensure_ascii=False))
        hold = await hold_on_device(work)
        print("hold:", json.dumps(hold))
        if not args.skip_kill:
            figures = await kill9(work, args.tries)
            print("kill -9:", json.dumps(figures))
        if not all(r["right"] for r in rows):
            raise SystemExit("a localisation did not name the cut segment")
        print("median localisation s:", statistics.median(r["seconds"] for r in rows) if rows else None)


if __name__ == "__main__":
    asyncio.run(main())
