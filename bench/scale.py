"""Scaling past one process (issue 17): a ticket burst with 1, 2 and 4 `faultline worker` processes,
and the steady-state poll with 1, 2 and 4 collector processes (one region each, or several regions
per collector), on the generated lab with realistic device latency, on PostgreSQL.

    .venv/bin/python bench/scale.py [--tickets 1000] [--devices 1000] [--ports 20] [--workers 1,2,4]
                                    [--collectors 1,2,4] [--concurrency 8] [--skip-burst] [--skip-poll]

Burst: N tickets filed through the intake (which enqueues each triage), triaged SNMP-only by the
workers (each --concurrency jobs at once); throughput (tickets/s from the first arrival to the last
diagnosis), p50/p95 arrival -> diagnosis, and any ticket diagnosed twice. Poll: the inventory's sites
split over 4 regions; each collector serves its regions' queues (poll.rN) with at most 16 devices in
flight per process; the second poll of every region (steady state: facts cached) is measured:
values/s over the round's wall time, the collectors' CPU per 1,000 values, and snmpbulkwalk on the
same columns in the same run as the reference. Asserts nothing; prints figures.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import PG_ADMIN, pct  # noqa: E402
from bench.poll import _cpu_of, run_netsnmp  # noqa: E402

REGIONS = 4


def _serve(devices: int, ports: int, block: str, snmp_port: int, ssh_port: int, ready, stop, inventory) -> None:  # noqa: ANN001
    from lab import Lab
    from lab.generator import generate_topology

    async def main() -> None:
        lab = Lab.load(generate_topology(devices, ports), address_block=block, snmp_port=snmp_port, ssh_port=ssh_port,
                       latency="realistic")
        async with lab:
            inventory.put(lab.inventory())
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.2)

    asyncio.run(main())


def _with_regions(inv: dict) -> dict:
    for i, site in enumerate(sorted(inv["sites"], key=lambda s: s["id"])):
        site["region"] = f"r{i % REGIONS}"
    return inv


def _template(inv: dict) -> str:
    """A migrated database with the inventory: each run copies it."""
    from agent.db import make_engine, make_session_factory
    from agent.inventory import import_inventory
    from tests.support.databases import create_pg_database, migrate, unique_name

    name = unique_name("faultline_scale_tmpl")
    url = migrate(create_pg_database(name, admin_url=PG_ADMIN))
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        import_inventory(s, inv)
        s.commit()
    engine.dispose()
    return name


def _spawn(url: str, queues: list[str], name: str, folder: Path, concurrency: int, env: dict[str, str],
           metrics_port: int | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-c", "from faultline.cli import app; app()", "worker", "--queues", ",".join(queues),
           "--concurrency", str(concurrency), "--name", name]
    if metrics_port:
        cmd += ["--metrics-port", str(metrics_port)]
    environment = {**os.environ, "FAULTLINE_DATABASE_URL": url, "FAULTLINE_TRAP_PORT": "0",
                   "FAULTLINE_LOG_LEVEL": "WARNING", **env}
    out = (folder / f"{name}.log").open("wb")
    return subprocess.Popen(cmd, env=environment, stdout=out, stderr=subprocess.STDOUT, cwd=folder)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()


def _registered(url: str) -> int:
    from tests.support.workers import query

    return query(url, "SELECT count(*) FROM procrastinate_workers")[0][0]


def burst(template: str, inv: dict, n_workers: int, tickets: int, concurrency: int, folder: Path) -> dict:
    from sqlalchemy import func, select

    from agent.models import Diagnosis, Ticket
    from agent.services import build_services
    from agent.settings import Settings
    from agent.tickets.service import Actor, Intake
    from agent.work.queue import JobQueue
    from diagnosis.enums import Symptom, TicketKind
    from tests.support.databases import create_pg_database, drop_pg_database, unique_name

    name = unique_name("faultline_scale")
    url = create_pg_database(name, template, PG_ADMIN)
    env = {"FAULTLINE_TRIAGE_USE_CLI": "false", "FAULTLINE_POLL_INTERVAL_SECONDS": "0",
           "FAULTLINE_DEVICE_READ_FRESH_SECONDS": "5"}
    procs = [_spawn(url, ["triage"], f"b{n_workers}-{i}", folder, concurrency, env) for i in range(n_workers)]
    services = build_services(Settings(database_url=url, job_queue="queue", trap_port=0), migrate=False)
    queue = JobQueue(services.settings)
    queue.attach(services)
    try:
        deadline = time.monotonic() + 120
        while _registered(url) < n_workers:
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start")
            time.sleep(0.2)
        from agent.enums import Role

        duty = Actor("bench", Role.DUTY_OFFICER)
        circuits = [c["id"] for c in inv["circuits"]]
        now = datetime.now(UTC)
        for i in range(tickets):
            with services.session_factory() as s:
                services.tickets.receive(s, Intake(f"SCALE-{i}", TicketKind.ASSIST_CHECK, Symptom.INTERRUPTION_OR_FLAP,
                                                   circuits[i % len(circuits)], now), duty)
        deadline = time.monotonic() + 1800
        while True:
            with services.session_factory() as s:
                done = s.scalar(select(func.count(func.distinct(Diagnosis.ticket_id))))
            if done >= tickets or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        with services.session_factory() as s:
            rows = s.execute(select(Ticket.created_at, Diagnosis.created_at, Diagnosis.ticket_id)
                             .join(Diagnosis, Diagnosis.ticket_id == Ticket.id)).all()
            verdicts = dict(s.execute(select(Diagnosis.verdict, func.count()).group_by(Diagnosis.verdict)).all())
        per_ticket: dict[int, int] = {}
        for _, _, tid in rows:
            per_ticket[tid] = per_ticket.get(tid, 0) + 1
        lat = [(d - a).total_seconds() for a, d, _ in rows]
        first = min(a for a, _, _ in rows)
        last = max(d for _, d, _ in rows)
        span = (last - first).total_seconds()
        return {"workers": n_workers, "tickets": tickets, "diagnosed": len(per_ticket),
                "twice": sum(1 for v in per_ticket.values() if v > 1), "span": span,
                "rate": len(per_ticket) / span if span else float("nan"), "p50": pct(lat, 50), "p95": pct(lat, 95),
                "verdicts": verdicts}
    finally:
        queue.close()
        services.close()
        _stop(procs)
        drop_pg_database(name, PG_ADMIN)


def poll_round(template: str, n_collectors: int, folder: Path, device_region: dict[str, str]) -> dict:
    from sqlalchemy import case, func, select

    from agent.db import make_engine, make_session_factory
    from agent.models import OpticalSample, PollRun
    from tests.support.databases import create_pg_database, drop_pg_database, unique_name

    name = unique_name("faultline_scale")
    url = create_pg_database(name, template, PG_ADMIN)
    regions = [f"r{i}" for i in range(REGIONS)]
    shares = [regions[i::n_collectors] for i in range(n_collectors)]
    procs = []
    for i, mine in enumerate(shares):
        # every minute: a round that takes less starts the next one on the minute, all regions together
        # a collector polls its regions one after the other (one poller, one poll at a time): 16 devices in
        # flight per process whatever the number of its regions
        env = {"FAULTLINE_POLL_INTERVAL_SECONDS": "60", "FAULTLINE_POLL_MAX_CONCURRENT": "16",
               "FAULTLINE_POLL_DEVICE_TIMEOUT_SECONDS": "30"}
        procs.append(_spawn(url, [f"poll.{r}" for r in mine], f"c{n_collectors}-{i}", folder, len(mine), env))
    engine = make_engine(url)
    factory = make_session_factory(engine)

    def runs() -> list:
        with factory() as s:
            return s.scalars(select(PollRun).order_by(PollRun.id)).all()

    samples: list[tuple[float, float]] = []  # (time, the collectors' CPU seconds so far)

    def sample() -> None:
        samples.append((time.time(), sum(_cpu_of(p.pid) for p in procs)))

    def cpu_at(t: float) -> float:
        return min(samples, key=lambda x: abs(x[0] - t))[1]

    def by_region() -> dict[str, list]:
        out: dict[str, list] = {}
        for r in runs():
            out.setdefault(device_region[next(iter(r.device_seconds))], []).append(r)
        return out

    try:
        deadline = time.monotonic() + 1500
        # every region's first poll (facts) and its second (steady state)
        while len(polled := by_region()) < REGIONS or min(len(v) for v in polled.values()) < 2:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError("the polls did not finish")
            sample()
            time.sleep(0.25)
        sample()
        second = [v[1] for v in polled.values()]
        firsts = [v[0] for v in polled.values()]
        start = min(r.started_at.timestamp() for r in second)
        end = max(r.started_at.timestamp() + r.duration_s for r in second)
        wall = end - start
        with factory() as s:
            values = 0
            for r in second:
                values += s.scalar(select(func.sum(
                    sum(case((col.is_not(None), 1), else_=0) for col in (
                        OpticalSample.rx_dbm, OpticalSample.tx_dbm, OpticalSample.oper, OpticalSample.in_mbps,
                        OpticalSample.out_mbps, OpticalSample.crc_per_s, OpticalSample.in_errors_per_s))))
                    .where(OpticalSample.at == r.started_at, OpticalSample.device_name.in_(list(r.device_seconds)))) or 0
        overlap = max(r.started_at.timestamp() + r.duration_s for r in firsts) > start
        cpu = cpu_at(end) - cpu_at(start)
        return {"collectors": n_collectors, "values": values, "wall": wall, "vps": values / wall, "cpu": cpu,
                "cpu_per_k": 1000 * cpu / max(values, 1), "failed": sum(r.failed for r in second),
                "devices": sum(r.devices for r in second), "overlap": overlap}
    finally:
        _stop(procs)
        engine.dispose()
        drop_pg_database(name, PG_ADMIN)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--ports", type=int, default=20)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--collectors", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=8, help="jobs at a time per triage worker")
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--skip-poll", action="store_true")
    args = parser.parse_args()

    from collectors.target import target_from_inventory
    from tests.support.databases import drop_pg_database

    block = f"127.{random.randint(100, 250)}"
    snmp_port, ssh_port = random.randint(20000, 40000), random.randint(40001, 60000)
    ctx = mp.get_context("spawn")
    ready, stop, inventory = ctx.Event(), ctx.Event(), ctx.Queue()
    child = ctx.Process(target=_serve, args=(args.devices, args.ports, block, snmp_port, ssh_port, ready, stop, inventory))
    child.start()
    folder = Path(tempfile.mkdtemp(prefix="faultline-scale-"))
    template = None
    try:
        deadline = time.monotonic() + 600
        while not ready.wait(0.5):
            if not child.is_alive() or time.monotonic() > deadline:
                sys.exit("the lab did not start")
        inv = _with_regions(inventory.get(timeout=60))
        site_region = {x["id"]: x["region"] for x in inv["sites"]}
        regions = {d["name"]: site_region[d["site"]] for d in inv["devices"]}
        template = _template(inv)
        ports = sum(len(d.get("ports", [])) for d in inv["devices"])
        print(f"generated lab: {len(inv['devices'])} devices, {ports} ports, {len(inv['circuits'])} circuits, "
              f"realistic latency; PostgreSQL; {os.cpu_count()} cores; logs in {folder}")
        if not args.skip_burst:
            print(f"burst of {args.tickets} tickets (SNMP-only triage, {args.concurrency} jobs per worker):")
            for n in [int(x) for x in args.workers.split(",")]:
                r = burst(template, inv, n, args.tickets, args.concurrency, folder)
                print(f"  {r['workers']} worker(s): {r['diagnosed']}/{r['tickets']} diagnosed, {r['twice']} twice, "
                      f"{r['rate']:.1f} tickets/s over {r['span']:.1f} s; arrival -> diagnosis p50 {r['p50']:.2f} s, "
                      f"p95 {r['p95']:.2f} s; verdicts {r['verdicts']}", flush=True)
        if not args.skip_poll:
            print(f"steady-state poll, {REGIONS} regions over the collectors (16 devices in flight per process):")
            for n in [int(x) for x in args.collectors.split(",")]:
                r = poll_round(template, n, folder, regions)
                print(f"  {r['collectors']} collector(s): {r['values']:,.0f} values from {r['devices']} devices in "
                      f"{r['wall']:.1f} s = {r['vps']:,.0f} values/s; collectors' CPU {r['cpu']:.1f} s = "
                      f"{r['cpu_per_k']:.3f} s per 1,000 values; {r['failed']} devices failed"
                      f"{' (overlapped the first round)' if r['overlap'] else ''}", flush=True)
            if shutil.which("snmpbulkwalk"):
                targets = [target_from_inventory(d) for d in inv["devices"]]
                ref = asyncio.run(run_netsnmp(targets, 16, steady=True, agent_pid=child.pid))
                print(f"  snmpbulkwalk, same columns, 16 devices at once: {ref['values']:,.0f} values in {ref['wall']:.1f} s = "
                      f"{ref['values'] / ref['wall']:,.0f} values/s; its CPU {1000 * ref['cpu'] / max(ref['values'], 1):.3f} s "
                      f"per 1,000 values", flush=True)
    finally:
        stop.set()
        child.join(30)
        if child.is_alive():
            child.terminate()
        if template:
            drop_pg_database(template, PG_ADMIN)


if __name__ == "__main__":
    main()
