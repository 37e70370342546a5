"""Triage speed on the lab: ticket arrival -> diagnosis stored (工单到达 -> 诊断入库).

The lab network (bench/topologies/branch5.yaml: branch.yaml with CIR-EPL-0001 extended to 5 segments /
6 devices) runs in a child process, as a real network would run apart from the agent; the agent
(API + triage, `faultline.server.running_agent`) runs in this process on a fresh SQLite file per phase.
Tickets are filed over HTTP exactly as upstream files them; "stored" is the moment the triage
service reports the committed diagnosis on `services.triage.completed`; every ticket is
then checked to have a diagnosis through `GET /tickets/{id}/diagnoses`.

Figures printed:
  1. sequential tickets on the 5-segment circuit, p50/p95: with CLI and SNMP-only, each with the
     default counter interval (1.0 s between the two counter reads for rates) and a smaller one;
     goals p50 <= 2 s with CLI, <= 0.5 s SNMP-only. Reference in the same run: one concurrent
     `collectors.Collector.survey` of every device of the path, done directly (the collection floor).
  2. a burst of 200 tickets over 10 s spread over all circuits: all triaged? throughput, p50/p95.
     Reference in the same run: 16 triages' worth (the triage concurrency) of direct path surveys at once,
     with the triage's per-device timeout, counting the surveys that timeout cuts short.
Asserts nothing about time; exits non-zero with a clear message when something fails.

    .venv/bin/python bench/triage.py [--tickets 20] [--intervals 1.0,0.2] [--burst 200] [--burst-seconds 10]
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TOPOLOGY = Path(__file__).resolve().parent / "topologies" / "branch5.yaml"
CIRCUIT_5 = "CIR-EPL-0001"
TRIAGE_CONCURRENCY = 16  # TriageService's default max_concurrent: triages in flight at once


class BenchError(Exception):
    """The bench could not measure (lab or agent did not start, a ticket was lost...)."""


# -- the lab, in its own process --------------------------------------------------------------------
def _serve_lab(topology: str, block: str, fault: tuple[str, str, dict] | None, conn, stop) -> None:
    from lab import Lab

    async def main() -> None:
        try:
            lab = Lab.load(topology, address_block=block)
            await lab.start()
            if fault is not None:
                lab.inject(fault[0], fault[1], **fault[2])
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which stops with the message
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            return
        try:
            conn.send(("ready", lab.inventory()))
            while not stop.is_set():
                await asyncio.sleep(0.2)
        finally:
            await lab.stop()

    asyncio.run(main())


class LabProcess:
    def __init__(self, topology: Path, fault: tuple[str, str, dict] | None) -> None:
        ctx = mp.get_context("spawn")
        self.block = f"127.{random.randint(64, 250)}.{random.randint(0, 250)}"
        self._parent, child = ctx.Pipe()
        self._stop = ctx.Event()
        self._proc = ctx.Process(target=_serve_lab, args=(str(topology), self.block, fault, child, self._stop), daemon=True)
        self.inventory: dict = {}

    def __enter__(self) -> LabProcess:
        self._proc.start()
        if not self._parent.poll(90):
            self.__exit__()
            raise BenchError("the lab did not start within 90 s")
        try:
            kind, payload = self._parent.recv()
        except EOFError:
            self._proc.join(5)
            raise BenchError(f"the lab process died during start-up (exit code {self._proc.exitcode}); "
                             "its traceback is above") from None
        if kind != "ready":
            self.__exit__()
            raise BenchError(f"the lab failed to start: {payload}")
        self.inventory = payload
        self.pid = self._proc.pid
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._proc.join(15)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(5)


# -- figures ----------------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def fmt(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (f"p50 {pct(values, 50):6.3f} s  p95 {pct(values, 95):6.3f} s  "
            f"min {min(values):.3f}  max {max(values):.3f}  (n={len(values)})")


def cut_note(agent_s: list[float], deadline: float) -> str:
    """Name triages whose own duration sits at the per-device survey timeout (0.6 x the triage deadline,
    agent/triage/service.py): their slowest surveys were cut short and stored partial readings."""
    cut = deadline * 0.6
    hit = sorted(v for v in agent_s if cut - 0.3 <= v <= cut + 0.9)
    if not hit:
        return ""
    return (f"    ! {len(hit)} of {len(agent_s)} triages took {cut - 0.3:.1f}-{cut + 0.9:.1f} s inside the agent "
            f"(median {statistics.median(hit):.2f} s) = the per-device survey timeout {cut:.1f} s "
            "(0.6 x triage deadline): surveys cut short, readings partial (the '~4.8 s' outliers)")


def proc_cpu_s(pid: int) -> float:
    """utime + stime of a process (all threads) from /proc, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    sent: dict[int, float] = field(default_factory=dict)      # ticket id -> perf_counter at POST send
    stored: dict[int, float] = field(default_factory=dict)    # ticket id -> perf_counter when reported stored
    agent_ms: dict[int, float] = field(default_factory=dict)  # the agent's own durationMs
    verdicts: Counter = field(default_factory=Counter)
    failed: list[int] = field(default_factory=list)           # triage ran but stored no diagnosis

    def latencies(self, ids=None) -> list[float]:
        ids = self.sent.keys() if ids is None else ids
        return [self.stored[i] - self.sent[i] for i in ids if i in self.stored and i in self.sent]


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# -- one agent --------------------------------------------------------------------------------------
class Agent:
    """A running agent on a fresh SQLite file, the lab's inventory imported, and a watcher of triage results."""

    def __init__(self, workdir: Path, inventory: dict, *, use_cli: bool, interval: float, deadline: float) -> None:
        from agent.settings import BootstrapUser, Settings

        self.tokens = {r: f"bench-{r}-{secrets.token_hex(8)}" for r in ("admin", "duty_officer")}
        db = workdir / f"triage-{'cli' if use_cli else 'snmp'}-{interval:g}-{secrets.token_hex(3)}.db"
        self.settings = Settings(
            database_url=f"sqlite:///{db}", log_level="WARNING", triage_use_cli=use_cli,
            triage_counter_interval_seconds=interval, triage_deadline_seconds=deadline,
            trap_port=free_udp_port(),  # the served default (16162) may be taken by another agent on this host
            bootstrap_users=[BootstrapUser(name=f"bench-{r}", role=r, token=t) for r, t in self.tokens.items()])
        self.inventory = inventory
        self.phase = Phase()
        self._events: dict[int, asyncio.Event] = {}

    async def __aenter__(self) -> Agent:
        import httpx
        import yaml

        from faultline.server import running_agent

        self._cm = running_agent(self.settings)
        try:
            self.agent = await self._cm.__aenter__()
        except Exception as exc:
            raise BenchError(f"the agent did not start: {type(exc).__name__}: {exc}") from exc
        self.triage = self.agent.services.triage
        if self.triage is None or self.triage.completed is None:
            await self._cm.__aexit__(None, None, None)
            raise BenchError("the agent runs no triage service (services.triage is None)")
        self.client = httpx.AsyncClient(base_url=self.agent.base_url, timeout=60,
                                        limits=httpx.Limits(max_connections=64))
        self.duty = {"Authorization": f"Bearer {self.tokens['duty_officer']}"}
        r = await self.client.post("/api/v1/inventory:import", headers={"Authorization": f"Bearer {self.tokens['admin']}"},
                                   content=yaml.safe_dump(self.inventory, allow_unicode=True))
        if r.status_code >= 300:
            await self.__aexit__(None, None, None)
            raise BenchError(f"inventory import failed: HTTP {r.status_code} {r.text[:300]}")
        self._watcher = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if getattr(self, "_watcher", None):
            self._watcher.cancel()
        await self.client.aclose()
        await self._cm.__aexit__(None, None, None)

    async def _watch(self) -> None:
        while True:
            res = await self.triage.completed.get()
            now = time.perf_counter()
            p = self.phase
            p.stored[res.ticket_id] = now
            p.agent_ms[res.ticket_id] = res.duration_ms
            if res.diagnosis_id is None:
                p.failed.append(res.ticket_id)
            else:
                p.verdicts[res.verdict] += 1
            self._event(res.ticket_id).set()

    def _event(self, ticket_id: int) -> asyncio.Event:
        return self._events.setdefault(ticket_id, asyncio.Event())

    async def file(self, circuit: str, tag: str) -> int:
        """POST one ticket; returns its id (the send time is recorded under it)."""
        body = {"externalId": f"BENCH-{tag}-{secrets.token_hex(4)}", "ticketType": "interruption", "symptom": "down",
                "circuitId": circuit, "reportedDate": datetime.now(UTC).isoformat(),
                "description": "bench: customer reports the line down"}
        t0 = time.perf_counter()
        r = await self.client.post("/api/v1/tickets", headers=self.duty, json=body)
        if r.status_code != 201:
            raise BenchError(f"ticket intake answered HTTP {r.status_code}: {r.text[:300]}")
        tid = int(r.json()["id"])
        self.phase.sent[tid] = t0
        return tid

    async def wait(self, ticket_id: int, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._event(ticket_id).wait(), timeout)
        except TimeoutError:
            raise BenchError(f"ticket {ticket_id}: no triage result within {timeout:.0f} s") from None

    async def stored_count(self, ids: list[int]) -> int:
        """How many of the tickets have a diagnosis readable through the API (not just reported)."""
        sem = asyncio.Semaphore(16)

        async def one(tid: int) -> bool:
            async with sem:
                r = await self.client.get(f"/api/v1/tickets/{tid}/diagnoses", headers=self.duty)
                return r.status_code == 200 and bool(r.json())

        return sum(await asyncio.gather(*[one(t) for t in ids]))

    def path_targets(self):
        from agent.inventory.targets import resolve_circuit

        with self.agent.services.session_factory() as s:
            return resolve_circuit(s, CIRCUIT_5).targets


# -- the measurements -------------------------------------------------------------------------------
async def survey_floor(agent: Agent, use_cli: bool, runs: int) -> list[float]:
    """Wall time of one concurrent survey of every device of the path, done directly with the collectors."""
    from dataclasses import replace

    from agent.devices import TRIAGE_WANTS
    from collectors import Collector

    targets = agent.path_targets()
    if not use_cli:
        targets = tuple(replace(t, cli=None) for t in targets)
    out, seen = [], set()
    async with Collector() as col:
        for _ in range(runs + 1):  # the first run warms the engine and the name/index mapping; not counted
            t0 = time.perf_counter()
            surveys = await asyncio.gather(*[col.survey(t, None, TRIAGE_WANTS, None, 10.0) for t in targets])
            out.append(time.perf_counter() - t0)
            for sv in surveys:
                for e in sv.errors:
                    msg = f"{sv.device} {e.item}: {e.error}"
                    if (e.item != "alarms" or use_cli) and msg not in seen:
                        seen.add(msg)
                        print(f"    (survey reported: {msg})")
    return out[1:]


async def concurrent_floor(agent: Agent, use_cli: bool, copies: int, timeout: float) -> str:
    """Reference for the burst: `copies` triages' worth of direct surveys of the path at once, one Collector."""
    from dataclasses import replace

    from agent.devices import TRIAGE_WANTS
    from collectors import Collector, CollectorTimeout

    targets = agent.path_targets()
    if not use_cli:
        targets = tuple(replace(t, cli=None) for t in targets)
    async with Collector() as col:
        await asyncio.gather(*[col.survey(t, None, TRIAGE_WANTS, None, timeout) for t in targets])  # warm
        t0 = time.perf_counter()
        svs = await asyncio.gather(*[col.survey(t, None, TRIAGE_WANTS, None, timeout)
                                     for _ in range(copies) for t in targets])
        wall = time.perf_counter() - t0
    took = [(sv.finished_at - sv.started_at).total_seconds() for sv in svs]
    cut = sum(1 for sv in svs if any(isinstance(e.error, CollectorTimeout) for e in sv.errors))
    return (f"{copies} x {len(targets)} surveys at once (timeout {timeout:.1f} s): wall {wall:.2f} s, "
            f"per survey p50 {pct(took, 50):.2f} s max {max(took):.2f} s, cut short by the timeout: {cut}/{len(svs)}")


async def sequential(agent: Agent, n: int, timeout: float) -> tuple[float, list[float], list[float]]:
    first = await agent.file(CIRCUIT_5, "warm")
    await agent.wait(first, timeout)
    warm = agent.phase.latencies([first])[0]
    ids = []
    for i in range(n):
        tid = await agent.file(CIRCUIT_5, f"seq{i}")
        await agent.wait(tid, timeout)
        ids.append(tid)
    missing = n - await agent.stored_count(ids)
    if missing:
        raise BenchError(f"{missing} of {n} tickets reported triaged have no diagnosis through the API")
    return warm, agent.phase.latencies(ids), [agent.phase.agent_ms[i] / 1000 for i in ids]


async def burst(agent: Agent, n: int, seconds: float, circuits: list[str], timeout: float, *,
                use_cli: bool, lab_pid: int) -> None:
    phase = agent.phase
    errors: list[str] = []

    async def post(i: int) -> int | None:
        try:
            return await agent.file(circuits[i % len(circuits)], f"burst{i}")
        except Exception as exc:  # noqa: BLE001 - counted and shown, the burst goes on
            errors.append(f"{type(exc).__name__}: {exc}")
            return None

    cpu0, lab_cpu0 = time.process_time(), proc_cpu_s(lab_pid)
    t_start = time.perf_counter()
    posts = []
    for i in range(n):
        delay = t_start + i * seconds / n - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        posts.append(asyncio.create_task(post(i)))
    ids = [t for t in await asyncio.gather(*posts) if t is not None]
    send_span = max(phase.sent[i] for i in ids) - t_start if ids else 0.0
    deadline = time.perf_counter() + timeout
    while any(i not in phase.stored for i in ids) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    done = [i for i in ids if i in phase.stored]
    wall = time.perf_counter() - t_start
    cpu, lab_cpu = time.process_time() - cpu0, proc_cpu_s(lab_pid) - lab_cpu0
    lat = phase.latencies(done)
    readable = await agent.stored_count(ids)
    span = (max(phase.stored[i] for i in done) - t_start) if done else float("nan")
    print(f"    filed {len(ids)}/{n} in {send_span:.1f} s; triaged {len(done)}/{len(ids)}, "
          f"diagnosis readable through the API for {readable}/{len(ids)}; "
          f"{'ALL TRIAGED' if readable == n else 'NOT ALL TRIAGED'}")
    if errors:
        print(f"    ! {len(errors)} intake errors, e.g. {errors[0]}")
    if phase.failed:
        print(f"    ! {len(phase.failed)} triages stored no diagnosis (failed; see the tickets' journal)")
    print(f"    throughput {len(done) / span:.1f} tickets/s (first send -> last diagnosis stored: {span:.1f} s)")
    print(f"    arrival -> stored   {fmt(lat)}")
    print(f"    agent durationMs    {fmt([phase.agent_ms[i] / 1000 for i in done])}")
    print(f"    verdicts: {dict(phase.verdicts)}")
    print(f"    CPU over the burst ({wall:.1f} s): agent process {cpu / wall:.0%} of a core, "
          f"lab process {lab_cpu / wall:.0%} (2-core machine)")
    note = cut_note([phase.agent_ms[i] / 1000 for i in done], agent.settings.triage_deadline_seconds)
    if note:
        print(note)


def parse_fault(text: str) -> tuple[str, str, dict] | None:
    """KIND:TARGET[:name=value,...], e.g. fiber_degraded:CIR-EPL-0001#2:db=6; "none" for a healthy lab."""
    if text.strip().lower() == "none":
        return None
    parts = text.split(":")
    if len(parts) < 2:
        raise BenchError(f"--fault {text!r}: expected KIND:TARGET[:name=value,...] or none")
    params = {}
    for item in filter(None, (parts[2] if len(parts) > 2 else "").split(",")):
        name, _, value = item.partition("=")
        try:
            params[name] = float(value)
        except ValueError:
            params[name] = value
    return parts[0], parts[1], params


async def run(args: argparse.Namespace) -> int:
    intervals = [float(x) for x in args.intervals.split(",") if x.strip()]
    fault = parse_fault(args.fault)
    with LabProcess(TOPOLOGY, fault) as lab, tempfile.TemporaryDirectory(prefix="faultline-bench-triage-") as tmp:
        inv = lab.inventory
        circuits = [c["id"] for c in inv["circuits"]]
        segs = {c["id"]: len(c["segments"]) for c in inv["circuits"]}
        path5 = next(c for c in inv["circuits"] if c["id"] == CIRCUIT_5)
        if segs[CIRCUIT_5] != 5:
            raise BenchError(f"{CIRCUIT_5} has {segs[CIRCUIT_5]} segments in {TOPOLOGY}, expected 5")
        devices = [path5["segments"][0]["a"]["device"]] + [s["z"]["device"] for s in path5["segments"]]
        print(f"lab: {len(inv['devices'])} devices on {lab.block}.x in a child process; {CIRCUIT_5}: "
              f"{segs[CIRCUIT_5]} segments, {len(devices)} devices ({' -> '.join(devices)})")
        print(f"fault in the lab throughout: {args.fault} (none: healthy lab)")
        print(f"agent: this process, SQLite in {tmp}, triage deadline {args.deadline:g} s; "
              f"{args.tickets} sequential tickets per row after 1 warm-up ticket\n")

        goals = {True: 2.0, False: 0.5}
        print(f"1. {CIRCUIT_5} (5 segments), arrival -> diagnosis stored, one ticket at a time")
        for use_cli in (True, False):
            mode = "CLI+SNMP " if use_cli else "SNMP-only"
            for k, interval in enumerate(intervals):
                async with Agent(Path(tmp), inv, use_cli=use_cli, interval=interval, deadline=args.deadline) as agent:
                    if k == 0:
                        floor = await survey_floor(agent, use_cli, args.floor_runs)
                        print(f"  {mode} reference: direct Collector.survey of the {len(devices)} path devices "
                              f"at once: {fmt(floor)}")
                    warm, lat, agent_s = await sequential(agent, args.tickets, args.deadline + 30)
                    p50 = pct(lat, 50)
                    verdict = "meets" if p50 <= goals[use_cli] else "MISSES"
                    print(f"  {mode} interval {interval:g} s: {fmt(lat)}  -> {verdict} goal p50 <= {goals[use_cli]:g} s")
                    print(f"      agent durationMs {fmt(agent_s)}; warm-up ticket {warm:.3f} s; "
                          f"verdicts {dict(agent.phase.verdicts)}")
                    note = cut_note(agent_s, args.deadline)
                    if note:
                        print(note)
        if args.burst:
            print(f"\n2. burst: {args.burst} tickets over {args.burst_seconds:g} s, round-robin over "
                  f"{len(circuits)} circuits ({', '.join(f'{c}:{segs[c]}seg' for c in circuits)})")
            for use_cli in ((True, False) if not args.burst_cli_only else (True,)):
                interval = intervals[0]
                print(f"  {'CLI+SNMP' if use_cli else 'SNMP-only'}, interval {interval:g} s:")
                async with Agent(Path(tmp), inv, use_cli=use_cli, interval=interval, deadline=args.deadline) as agent:
                    ref = await concurrent_floor(agent, use_cli, TRIAGE_CONCURRENCY, args.deadline * 0.6)
                    print(f"    reference, direct Collector.survey of {CIRCUIT_5}'s path: {ref}")
                    await burst(agent, args.burst, args.burst_seconds, circuits, args.burst_timeout,
                                use_cli=use_cli, lab_pid=lab.pid)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=20, help="sequential tickets per row (after 1 warm-up)")
    ap.add_argument("--intervals", default="1.0,0.2", help="counter intervals to compare; the first is also the burst's")
    ap.add_argument("--fault", default="fiber_degraded:CIR-EPL-0001#0:db=6",
                    help="fault injected in the lab for the whole run (KIND:TARGET[:k=v,...]) or none")
    ap.add_argument("--deadline", type=float, default=8.0, help="triage_deadline_seconds")
    ap.add_argument("--floor-runs", type=int, default=5, help="direct survey runs for the reference")
    ap.add_argument("--burst", type=int, default=200, help="tickets in the burst (0: no burst)")
    ap.add_argument("--burst-seconds", type=float, default=10.0)
    ap.add_argument("--burst-timeout", type=float, default=180.0, help="wait this long after the last send")
    ap.add_argument("--burst-cli-only", action="store_true", help="skip the SNMP-only burst")
    args = ap.parse_args()
    t0 = time.perf_counter()
    try:
        rc = asyncio.run(run(args))
    except BenchError as exc:
        print(f"\nbench/triage.py FAILED: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(f"\n(total bench time {time.perf_counter() - t0:.0f} s)")
    return rc


if __name__ == "__main__":
    sys.exit(main())
