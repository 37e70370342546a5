"""Benchmark: the duty console's server time, on SQLite and PostgreSQL.

    .venv/bin/python bench/console.py [--tickets 1000,10000] [--repeat 20] [--boards 50] [--backends sqlite,postgres]

- board: ``GET /`` with N open tickets (each with its SLA clocks; a third signed, so its sign clock is
  met and its progress clock runs), p50/p95 over --repeat, through the ASGI app in-process (no network:
  server time); also the rows' query alone and the fragment ``GET /board/rows``;
- ticket page: ``GET /tickets/{id}`` (clocks replayed by the SLA engine, journal, path, forms), for a
  seeded ticket and for a real case on the lab (a triaged fiber cut, signed, one loop test run: the
  diagnosis, the path, the loop panel), plus the loop panel's fragment;
- SSE fan-out: --boards signed-in boards connected to ``/events`` of a real ``faultline serve``; one
  ticket is filed through the API; time until every board has the ``board`` event (the feed reads the
  journal's newest id once a second, so up to ~1 s is by design).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from agent.enums import Role, Symptom, TicketKind  # noqa: E402
from agent.services import build_services  # noqa: E402
from agent.settings import BootstrapUser, Settings  # noqa: E402
from agent.tickets import Actor, Intake  # noqa: E402
from api.app import create_app  # noqa: E402
from api.pages.board_view import BOARD_LIMIT, board_rows  # noqa: E402
from bench.common import TOKEN, pct, pg_scratch_db, served  # noqa: E402

OFFICER = Actor("bench-officer", Role.DUTY_OFFICER)


def seed(services, n: int) -> int:
    """n open tickets through TicketService (intake, and sign for every third), 250 per transaction."""
    svc, now = services.tickets, services.clock.now()
    first = None
    for start in range(0, n, 250):
        with services.session_factory() as s:
            for i in range(start, min(n, start + 250)):
                t, _ = svc.intake(s, Intake(f"BENCH-{i:06d}", TicketKind.INTERRUPTION, Symptom.DOWN,
                                            f"CIR-BENCH-{i % 400:04d}", now), OFFICER)
                first = first or t.id
                if i % 3 == 0:
                    svc.sign(s, t, OFFICER)
            s.commit()
    return first


async def sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post("/login", data={"csrf_token": token, "token": TOKEN, "next": "/"})
    assert r.status_code == 303, r.text


async def timed(client: httpx.AsyncClient, url: str, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and process CPU time per request (the app runs in this process: CPU time is the server's
    work plus a little client, and stays honest when other work loads the machine's cores)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        r = await client.get(url)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return wall, cpu


def line(name: str, ms: tuple[list[float], list[float]] | list[float]) -> str:
    wall, cpu = ms if isinstance(ms, tuple) else (ms, None)
    text = f"  {name:<30} wall p50 {pct(wall, 50):7.1f} ms  p95 {pct(wall, 95):7.1f} ms"
    if cpu:
        text += f"   cpu p50 {pct(cpu, 50):6.1f} ms"
    return text + f"   (n={len(wall)})"


async def pages(url: str, n: int, repeat: int) -> None:
    settings = Settings(database_url=url, bootstrap_users=[BootstrapUser(name="bench", role="admin", token=TOKEN)])
    services = build_services(settings)
    t0 = time.perf_counter()
    first = seed(services, n)
    print(f"  seeded {n} open tickets in {time.perf_counter() - t0:.1f} s; load average {os.getloadavg()[0]:.1f}")
    app = create_app(services)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", follow_redirects=False) as client:
            await sign_in(client)
            await client.get("/")  # warm the templates
            board = await timed(client, "/", repeat)
            whole = await client.get("/")
            html = whole.text
            shown = min(n, BOARD_LIMIT)  # the soonest deadlines first; the page says how many more there are
            assert html.count('class="ticket-row"') == shown and f'data-total="{n}"' in html, "the board's rows"
            if shown < n:
                print(f"  the board draws the {shown} soonest of {n} open tickets (api/pages/board_view.BOARD_LIMIT)")
            print(line(f"board GET / ({n} tickets)", board))
            print(line("board rows fragment", await timed(client, "/board/rows", repeat)))
            print(line("ticket page", await timed(client, f"/tickets/{first + n // 2}", repeat * 2)))
            print(f"  board page size {len(html) / 1024:.0f} K characters, {len(html.encode()) / 1024:.0f} KiB UTF-8, "
                  f"{whole.num_bytes_downloaded / 1024:.0f} KiB "
                  f"on the wire ({whole.headers.get('content-encoding', 'identity')})")
    query = []
    for _ in range(repeat):
        with services.session_factory() as s:
            t0 = time.perf_counter()
            rows = board_rows(s, services.sla, services.clock.now())
            query.append((time.perf_counter() - t0) * 1000)
    assert len(rows) == min(n, BOARD_LIMIT)
    print(line("board rows query alone", query))
    services.close()


async def fan_out(url: str, boards: int) -> None:
    with served(url) as base:
        clients = [httpx.AsyncClient(base_url=base, timeout=30) for _ in range(boards)]
        try:
            for c in clients:
                await sign_in(c)
            got: list[float] = []
            ready = asyncio.Event()
            connected = 0

            async def listen(c: httpx.AsyncClient, started: dict) -> None:
                nonlocal connected
                async with c.stream("GET", "/events") as r:
                    async for text in r.aiter_lines():
                        if text.startswith("event: hello"):
                            connected += 1
                            if connected == boards:
                                ready.set()
                        elif text.startswith("event: board") and "t" in started:
                            got.append((time.perf_counter() - started["t"]) * 1000)
                            return

            started: dict = {}
            tasks = [asyncio.create_task(listen(c, started)) for c in clients]
            await asyncio.wait_for(ready.wait(), 30)
            await asyncio.sleep(1.5)  # let the feed settle on the current version (not a measured wait)
            api = clients[0]
            started["t"] = time.perf_counter()
            r = await api.post("/api/v1/tickets", headers={"Authorization": f"Bearer {TOKEN}"}, json={
                "externalId": "BENCH-SSE-1", "ticketType": "interruption", "symptom": "down",
                "circuitId": "CIR-BENCH-0001", "reportedDate": datetime.now(UTC).isoformat()})
            assert r.status_code == 201, r.text
            await asyncio.wait_for(asyncio.gather(*tasks), 30)
            print(f"  SSE fan-out to {boards} boards: every board had the event {max(got):.0f} ms after the "
                  f"intake was posted (first {min(got):.0f} ms, p50 {pct(got, 50):.0f} ms)")
        finally:
            for c in clients:
                await c.aclose()


async def ticket_on_the_lab(url: str, repeat: int) -> None:
    """The ticket page of a real case: the lab's fiber cut on CIR-EPL-0001 segment 1 triaged by the agent
    (diagnosis with ~60 evidence items, the path, a service problem), signed, one loop test run from the
    plan: the page with its diagnosis, path, loop panel and journal, and the loop panel's fragment."""
    import random

    import yaml

    from faultline.server import running_agent
    from lab import DEFAULT_TOPOLOGY, Lab

    lab = Lab.load(DEFAULT_TOPOLOGY, address_block=f"127.{random.randint(100, 250)}.{random.randint(1, 254)}",
                   snmp_port=random.randint(20000, 40000), ssh_port=random.randint(40001, 60000))
    await lab.start()
    admin = {"Authorization": f"Bearer {TOKEN}"}
    settings = Settings(database_url=url, trap_port=0, poll_interval_seconds=0, device_read_fresh_seconds=0,
                        triage_deadline_seconds=20, loop_max_hold_seconds=2,
                        bootstrap_users=[BootstrapUser(name="bench", role="admin", token=TOKEN)])
    try:
        async with running_agent(settings) as agent, httpx.AsyncClient(base_url=agent.base_url, timeout=60) as c:
            r = await c.post("/api/v1/inventory:import", headers=admin,
                             content=yaml.safe_dump(dict(lab.inventory()), allow_unicode=True))
            assert r.status_code == 200, r.text
            lab.inject("fiber_cut", "CIR-EPL-0001#1")
            r = await c.post("/api/v1/tickets", headers=admin, json={
                "externalId": "BENCH-CUT-1", "ticketType": "interruption", "symptom": "down",
                "circuitId": "CIR-EPL-0001", "reportedDate": datetime.now(UTC).isoformat()})
            assert r.status_code == 201, r.text
            tid = r.json()["id"]
            for _ in range(600):
                diagnoses = (await c.get(f"/api/v1/tickets/{tid}/diagnoses", headers=admin)).json()
                if diagnoses:
                    break
                await asyncio.sleep(0.1)
            assert diagnoses, "no diagnosis"
            assert (await c.post(f"/api/v1/tickets/{tid}/sign", headers=admin, json={})).status_code == 200
            r = await c.post(f"/api/v1/tickets/{tid}/loop-tests", headers=admin, json={
                "device": "agg-rtr1", "port": "TenGigabitEthernet1/1/1", "mode": "remote", "holdSeconds": 2,
                "confirmSharedCircuits": ["CIR-MPLS-0002", "CIR-MPLS-0003"]})
            assert r.status_code == 202, r.text
            for _ in range(600):
                if not (await c.get(r.headers["Location"], headers=admin)).json()["active"]:
                    break
                await asyncio.sleep(0.1)
            await sign_in(c)
            page = await c.get(f"/tickets/{tid}")
            assert "no_light_fiber_cut" in page.text and 'class="loop-test"' in page.text, page.text[:500]
            print(line("ticket page (fiber cut, lab)", await timed(c, f"/tickets/{tid}", repeat * 2)))
            print(line("loop panel fragment", await timed(c, f"/tickets/{tid}/loops", repeat * 2)))
            print(f"  ticket page size {len(page.text.encode()) / 1024:.0f} KiB UTF-8, "
                  f"{page.num_bytes_downloaded / 1024:.0f} KiB on the wire")
    finally:
        await lab.stop()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", default="1000,10000")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--boards", type=int, default=50)
    ap.add_argument("--backends", default="sqlite,postgres")
    args = ap.parse_args()
    for backend in args.backends.split(","):
        for n in (int(x) for x in args.tickets.split(",")):
            print(f"{backend}, {n} open tickets")
            if backend == "sqlite":
                with tempfile.TemporaryDirectory() as d:
                    await pages(f"sqlite:///{d}/bench.db", n, args.repeat)
            else:
                with pg_scratch_db() as url:
                    if url:
                        await pages(url, n, args.repeat)
        print(f"{backend}, ticket page of a triaged fiber cut on the lab")
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as d:
                await ticket_on_the_lab(f"sqlite:///{d}/bench.db", args.repeat)
        else:
            with pg_scratch_db() as url:
                if url:
                    await ticket_on_the_lab(url, args.repeat)
        if args.boards == 0:
            continue
        print(f"{backend}, SSE fan-out")
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as d:
                await fan_out(f"sqlite:///{d}/bench.db", args.boards)
        else:
            with pg_scratch_db() as url:
                if url:
                    await fan_out(url, args.boards)


if __name__ == "__main__":
    asyncio.run(main())
