"""Circuit health benchmark (issue 13), on SQLite and PostgreSQL:

1. one full polling cycle of the agent's poller (optical, status, counters; store, record, grade) over
   the generated lab (default 1,000 devices x 20 ports, served by a separate process): wall time,
   values/s, peak memory, rows written per second, grading time; the goal is <= 50 % of the 300 s
   interval;
2. GET /api/v1/circuit-health?health=degraded with 10,000 graded circuits: p50/p95 (goal p95 <= 100 ms);
3. GET /api/v1/circuits/{id}/readings over 30 days of 5-minute samples of one port (hourly, by range)
   and over its last day (raw): p50/p95 (goal p95 <= 100 ms).

    .venv/bin/python bench/health.py [--devices 1000] [--ports 20] [--requests 200] [--no-postgres]

The API figures are measured in-process (httpx over ASGI: the app's own time, no network). Asserts nothing.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import pct, pg_scratch_db  # noqa: E402
from bench.poll import _serve  # noqa: E402

TOKEN = "bench-health-token-0123456789"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _services(url: str, clock=None):
    from agent.services import build_services
    from agent.settings import BootstrapUser, Settings

    settings = Settings(database_url=url, trap_port=0, poll_interval_seconds=300,
                        bootstrap_users=[BootstrapUser(name="bench", role="noc", token=TOKEN)])
    return build_services(settings, clock, monitoring=True)


async def poll_cycle(url: str, inventory: dict) -> dict[str, float]:
    import yaml
    from sqlalchemy import func, select

    from agent.db import unit_of_work
    from agent.inventory import import_inventory
    from agent.models import OpticalSample

    services = _services(url)
    with unit_of_work(services.session_factory) as s:
        import_inventory(s, yaml.safe_dump(inventory))
    poller = services.poller
    out = {}
    for n in (1, 2):  # the first poll has no rates (one counter sample); the second is the steady cycle
        t0 = time.perf_counter()
        report = await poller.poll_once()
        wall = time.perf_counter() - t0
        out = {"wall_s": wall, "poll_s": report.duration_s, "devices": report.devices, "failed": len(report.failed),
               "samples": report.samples, "values": report.values, "values_per_s": report.values / report.duration_s,
               "grade_s": services.telemetry.grader.last.duration_s, "circuits": services.telemetry.grader.last.circuits}
        print(f"    poll {n}: {wall:.1f} s wall ({report.duration_s:.1f} s polling + storing, "
              f"{out['grade_s']:.1f} s grading {out['circuits']} circuits), {report.values} values, "
              f"{len(report.failed)} failed devices")
    with services.session_factory() as s:
        rows = s.scalar(select(func.count()).select_from(OpticalSample))
    t0 = time.perf_counter()  # rows/s of the store alone: the same rows again, one transaction
    with services.session_factory() as s:
        sample = [dict(device_name=r.device_name, port_name=r.port_name, at=r.at, rx_dbm=r.rx_dbm, tx_dbm=r.tx_dbm,
                       oper=r.oper, admin=r.admin, in_mbps=r.in_mbps, out_mbps=r.out_mbps, crc_per_s=r.crc_per_s,
                       in_errors_per_s=r.in_errors_per_s) for r in s.scalars(select(OpticalSample).limit(out["samples"]))]
    from agent.telemetry.history import store_samples

    t0 = time.perf_counter()
    with unit_of_work(services.session_factory) as s:
        store_samples(s, sample)
    out["rows_per_s"] = len(sample) / (time.perf_counter() - t0)
    out["rows"] = rows
    out["peak_rss_mb"] = _rss_mb()
    await poller.stop()
    services.close()
    return out


async def api_latency(url: str, requests: int) -> dict[str, float]:
    import httpx

    from agent.clock import ManualClock
    from agent.db import unit_of_work
    from agent.models import CircuitHealthRow
    from agent.telemetry.history import roll_up, store_samples
    from api.app import create_app

    now = datetime(2026, 12, 1, tzinfo=UTC)
    services = _services(url, ManualClock(now))
    rng = random.Random(5)
    grades = ["down", "degraded", "unknown", "ok"]
    with unit_of_work(services.session_factory) as s:
        s.add_all(CircuitHealthRow(circuit_id=f"CIR-B-{i:05d}", customer=f"CUST-{i % 400}",
                                   grade=(g := rng.choices(grades, (2, 8, 5, 85))[0]), rank=grades.index(g),
                                   verdict="x", reasons=[{"grade": g, "code": "x", "zh": "理由", "en": "reason",
                                                          "segment": 0, "device": "d", "port": "p"}],
                                   segments=[{"index": i, "grade": "ok", "reasons": []} for i in range(4)],
                                   graded_at=now, since=now) for i in range(10_000))
    # one circuit's port with 30 days of 5-minute samples (the lab inventory's first circuit)
    from lab import DEFAULT_TOPOLOGY, Lab

    inventory = Lab.load(DEFAULT_TOPOLOGY).inventory()
    import yaml

    from agent.inventory import import_inventory

    with unit_of_work(services.session_factory) as s:
        import_inventory(s, yaml.safe_dump(inventory))
    start = now - timedelta(days=30)
    rows = [dict(device_name="cpe-bank-1", port_name="GigabitEthernet0/0/1", at=start + timedelta(minutes=5 * i),
                 rx_dbm=-7.0 - 0.01 * (i % 50), tx_dbm=-5.2, oper="up", admin="up", in_mbps=30.0, out_mbps=20.0,
                 crc_per_s=0.0, in_errors_per_s=0.0) for i in range(30 * 288)]
    with unit_of_work(services.session_factory) as s:
        store_samples(s, rows)
        roll_up(s, now, timedelta(minutes=5))
    app = create_app(services)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    out = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
        q = lambda t: t.isoformat().replace("+", "%2B")  # noqa: E731
        cases = {
            "list_degraded": "/api/v1/circuit-health?health=degraded&limit=50",
            "list_offset_5000": "/api/v1/circuit-health?limit=50&offset=5000",
            "readings_30d_hourly": f"/api/v1/circuits/CIR-EPL-0001/readings?device=cpe-bank-1&port=GigabitEthernet0/0/1"
                                   f"&from={q(start)}&to={q(now)}",
            "readings_1d_raw": f"/api/v1/circuits/CIR-EPL-0001/readings?device=cpe-bank-1&port=GigabitEthernet0/0/1"
                               f"&from={q(now - timedelta(days=1))}&to={q(now)}",
        }
        for name, path in cases.items():
            r = await client.get(path)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
            times = []
            for _ in range(requests):
                t0 = time.perf_counter()
                await client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
            out[name] = (pct(times, 50), pct(times, 95))
            print(f"    {name}: p50 {out[name][0]:.1f} ms, p95 {out[name][1]:.1f} ms")
    services.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--ports", type=int, default=20)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-poll", action="store_true", help="only the API figures")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="faultline-health-") as tmp, pg_scratch_db() as pg:
        urls = {"sqlite": f"sqlite:///{tmp}/bench.db"}
        if pg and not args.no_postgres:
            urls["postgresql"] = pg
        if not args.no_poll:
            block = f"127.{random.randint(100, 250)}"
            ctx = mp.get_context("spawn")
            ready, stop, inventory = ctx.Event(), ctx.Event(), ctx.Queue()
            child = ctx.Process(target=_serve, args=(args.devices, args.ports, block, random.randint(20000, 40000),
                                                     random.randint(40001, 60000), ready, stop, inventory))
            child.start()
            try:
                if not ready.wait(600):
                    sys.exit("the lab did not start")
                inv = inventory.get(timeout=60)
                for name, url in urls.items():
                    print(f"polling cycle, {name}, {args.devices} devices x {args.ports} ports:")
                    r = asyncio.run(poll_cycle(url.replace("bench.db", "poll.db") if name == "sqlite" else url, inv))
                    print(f"  {name}: cycle {r['wall_s']:.1f} s of the 300 s interval ({100 * r['wall_s'] / 300:.0f} %), "
                          f"{r['values_per_s']:.0f} values/s, {r['rows_per_s']:.0f} rows/s stored, "
                          f"peak RSS {r['peak_rss_mb']:.0f} MB")
            finally:
                stop.set()
                child.join(30)
                if child.is_alive():
                    child.terminate()
        for name, url in urls.items():
            print(f"API latency, {name} ({args.requests} requests each):")
            if name == "postgresql":  # the poll cycle's rows out of the way
                from sqlalchemy import create_engine, inspect, text

                import agent.models  # noqa: F401
                from agent.db import Base

                engine = create_engine(url)
                if inspect(engine).has_table("circuit_health"):
                    with engine.begin() as c:
                        c.execute(text(f"TRUNCATE {', '.join(Base.metadata.tables)} RESTART IDENTITY CASCADE"))
                engine.dispose()
            asyncio.run(api_latency(url, args.requests))


if __name__ == "__main__":
    main()
