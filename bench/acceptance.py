"""Acceptance and resource-check benchmark (issue 15), on the lab with realistic device latency
(FAULTLINE_LAB_LATENCY=realistic is set here unless the environment says otherwise):

1. resource-check answer time for an access device with 48 ports (the default lab's acc-a-sw1 grown to
   48 GE ports + its 10G uplink): every port read (SNMP, CLI where SNMP gives nothing), the free port
   chosen; alone, and with a two-hop path over existing segments (optical budget and utilisation: two
   counter reads ``--interval`` s apart);
2. time to produce a local and an end-to-end test report of CIR-EPL-0001 without the test window (the
   path read with its counter interval, indicators judged; the window itself is configuration).

    FAULTLINE_LAB_LATENCY=realistic .venv/bin/python bench/acceptance.py [--runs 5] [--interval 1.0]

SQLite scratch database. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("FAULTLINE_LAB_LATENCY", "realistic")

import yaml  # noqa: E402

ACCESS = "acc-a-sw1"
CIRCUIT = "CIR-EPL-0001"
PATH = [{"aDevice": "acc-a-sw1", "aPort": "XGigabitEthernet0/0/1", "zDevice": "agg-rtr1", "zPort": "TenGigabitEthernet1/1/1"},
        {"aDevice": "agg-rtr1", "aPort": "TenGigabitEthernet1/1/4", "zDevice": "metro-egr1", "zPort": "XGigabitEthernet1/0/0"}]
LX = {"transceiver": "1000BASE-LX", "wavelength_nm": 1310, "rx_sensitivity_dbm": -20.0, "rx_overload_dbm": -3.0}


def topology() -> dict:
    from lab import DEFAULT_TOPOLOGY

    topo = yaml.safe_load(Path(DEFAULT_TOPOLOGY).read_text(encoding="utf-8"))
    acc = next(d for d in topo["devices"] if d["name"] == ACCESS)
    have = {p["name"] for p in acc["ports"]}
    for n in range(1, 49):
        name = f"GigabitEthernet0/0/{n}"
        if name not in have:
            # every third spare port has a module, every fifth a description (reserved): a mix to judge
            acc["ports"].append({"name": name, "if_index": 100 + n, **(LX if n % 3 == 0 else {})})
            if n % 5 == 0:
                topo["lab"]["ports"][f"{ACCESS}:{name}"] = {"description": f"RESERVED-{n}"}
    return topo


def _stats(values: list[float]) -> str:
    return (f"p50 {statistics.median(values):.0f} ms, min {min(values):.0f}, max {max(values):.0f} "
            f"(n={len(values)})")


async def main(runs: int, interval: float) -> None:
    from agent.checks.service import CheckRequest, CheckService
    from agent.clock import SystemClock
    from agent.db import make_engine, make_session_factory, unit_of_work
    from agent.devices import DeviceGateway
    from agent.enums import Role
    from agent.inventory import import_inventory
    from agent.migrate import upgrade
    from agent.orders.acceptance import AcceptanceTests
    from agent.orders.rules import OfficeRole
    from agent.orders.service import OrderIntake, OrderService
    from agent.settings import Settings
    from agent.tickets import Actor
    from tests.support.lab import started_lab

    folder = tempfile.mkdtemp(prefix="faultline-bench-acceptance-")
    url = f"sqlite:///{folder}/bench.db"
    upgrade(url)
    settings = Settings(database_url=url, trap_port=0, poll_interval_seconds=0, triage_counter_interval_seconds=interval,
                        triage_deadline_seconds=30.0, orders={"acceptance_window_seconds": 0.01})
    engine = make_engine(url)
    factory = make_session_factory(engine)
    actor = Actor("bench", Role.ADMIN)
    async with started_lab(topology()) as lab:
        print(f"lab latency: {lab.latency.mode if hasattr(lab, 'latency') else os.environ['FAULTLINE_LAB_LATENCY']}")
        inv = lab.inventory()
        ordered = next(c for c in inv["circuits"] if c["id"] == CIRCUIT)
        inv["circuits"] = [c for c in inv["circuits"] if c["id"] != CIRCUIT]
        with unit_of_work(factory) as s:
            import_inventory(s, inv)
        ports = len(next(d for d in inv["devices"] if d["name"] == ACCESS)["ports"])
        checks = CheckService(settings, SystemClock())
        gateway = DeviceGateway(fresh_s=0)
        try:
            for label, path in (("port only", []), (f"with a 2-hop path ({interval:g} s counter interval)", PATH)):
                times, port = [], None
                for i in range(runs):
                    with unit_of_work(factory) as s:
                        cid = checks.request(s, CheckRequest(customer="bench", a_site="A", z_site="Z",
                                                             service_type="ethernet_private_line", rate_mbps=100,
                                                             access_device=ACCESS, access_km=3.0, path=path,
                                                             upstream_id=f"RC-{label[:4]}-{i}"), actor)[0].id
                    t0 = time.perf_counter()
                    m = await checks.measure(factory, gateway.collector, cid, actor)
                    times.append((time.perf_counter() - t0) * 1000)
                    port = m["port"]
                    assert m["ports"], "no port read"
                print(f"resource check, {ACCESS} with {ports} ports, {label}: {_stats(times)}; proposed {port}, "
                      f"{len(m['ports'])} ports read, {sum(p['free'] for p in m['ports'])} free")

            orders = OrderService(settings, SystemClock())
            tests = AcceptanceTests(orders, factory, gateway)
            design = {"segments": [{"a": s["a"], "z": s["z"], "lengthKm": s["length_km"], "connectors": s["connectors"],
                                    "splices": s["splices"]} for s in ordered["segments"]]}
            with unit_of_work(factory) as s:
                oid = orders.receive(s, OrderIntake(upstream_id="DD-BENCH", circuit_id=CIRCUIT, customer_id="CUST-001",
                                                    customer_name="bench", service_type="ethernet_private_line", rate_mbps=100,
                                                    office_role=OfficeRole.LEAD, due_at=datetime.now(UTC) + timedelta(days=10),
                                                    design=design), actor)[0].id
            for scope in ("local", "end_to_end"):
                reads, totals, state = [], [], None
                for _ in range(runs):
                    with unit_of_work(factory) as s:
                        tid = tests.start(s, orders.get(s, oid), scope, actor).id
                    result = await tests.measure(tid)
                    state = result["state"]
                    reads.append(result["readings"]["readMs"])
                    totals.append(result["readings"]["totalMs"] - settings.orders.acceptance_window_seconds * 1000)
                print(f"{scope} test report ({len(result['indicators'])} indicators, {state}): path read + counter interval "
                      f"{_stats(reads)}; whole report without the window {_stats(totals)}")
        finally:
            gateway.close()
    engine.dispose()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--interval", type=float, default=1.0, help="counter interval for utilisation (s)")
    args = ap.parse_args()
    asyncio.run(main(args.runs, args.interval))
