"""Benchmark: tickets created per second through the HTTP API (uvicorn, one process) on SQLite and
PostgreSQL, and GET /tickets/{id} p50/p95 with 100k tickets in the database.

    .venv/bin/python bench/intake.py [--tickets 2000] [--concurrency 16] [--bulk 100000]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import TOKEN, pct, pg_scratch_db, served  # noqa: E402

HEADERS = {"Authorization": f"Bearer {TOKEN}"}


async def _intake(base: str, n: int, concurrency: int, prefix: str) -> tuple[float, list[float]]:
    sem = asyncio.Semaphore(concurrency)
    lat: list[float] = []

    async with httpx.AsyncClient(base_url=base, timeout=60, headers=HEADERS) as c:
        async def one(i: int) -> None:
            async with sem:
                t = time.perf_counter()
                r = await c.post("/api/v1/tickets", json={
                    "externalId": f"{prefix}-{i}", "ticketType": "interruption", "symptom": "down",
                    "circuitId": f"CIR-B-{i % 500}", "reportedDate": "2026-11-25T08:00:00+08:00"})
                r.raise_for_status()
                lat.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*[one(i) for i in range(n)])
        return n / (time.perf_counter() - t0), lat


def _bulk_load(url: str, n: int) -> None:
    """Insert n tickets with their journal entries directly (setup only, not what is measured)."""
    from sqlalchemy import insert

    from agent.db import make_engine
    from agent.migrate import upgrade
    from agent.models import ExternalIdentifier, JournalEntry, Ticket

    upgrade(url)
    engine = make_engine(url)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for start in range(0, n, 10_000):
            rows = [{"id": i + 1, "external_id": f"BULK-{i}", "kind": "interruption", "symptom": "down",
                     "circuit_id": f"CIR-B-{i % 500}", "circuit_known": False, "status": "inProgress",
                     "status_changed_at": now, "description": "", "observed_impact": "down",
                     "reported_at": now - timedelta(minutes=i % 1440), "created_at": now, "updated_at": now,
                     "reopen_count": 0} for i in range(start, min(n, start + 10_000))]
            conn.execute(insert(Ticket), rows)
            conn.execute(insert(ExternalIdentifier), [{"ticket_id": r["id"], "external_id": r["external_id"],
                                                       "owner": "upstream", "created_at": now} for r in rows])
            conn.execute(insert(JournalEntry), [{"ticket_id": r["id"], "at": now, "author": "bench", "role": "system",
                                                 "kind": "created", "text": "bulk", "data": None} for r in rows])
        if engine.dialect.name == "postgresql":
            from sqlalchemy import text
            for table in ("ticket", "external_identifier", "journal_entry"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    engine.dispose()


async def _reads(base: str, n_tickets: int, n: int) -> list[float]:
    lat: list[float] = []
    rnd = random.Random(7)
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=HEADERS) as c:
        for _ in range(n):
            t = time.perf_counter()
            r = await c.get(f"/api/v1/tickets/{rnd.randint(1, n_tickets)}")
            r.raise_for_status()
            lat.append(time.perf_counter() - t)
    return lat


def run(label: str, url: str, args) -> None:
    _bulk_load(url, args.bulk)
    with served(url) as base:
        asyncio.run(_intake(base, 50, 4, f"WARM-{label}"))
        rate, lat = asyncio.run(_intake(base, args.tickets, args.concurrency, f"BENCH-{label}"))
        print(f"{label:10s} intake: {rate:8.1f} tickets/s  (n={args.tickets}, concurrency={args.concurrency}, "
              f"p50 {pct(lat, 50) * 1000:.1f} ms, p95 {pct(lat, 95) * 1000:.1f} ms)")
        reads = asyncio.run(_reads(base, args.bulk, args.reads))
        print(f"{label:10s} GET /tickets/{{id}} with {args.bulk + args.tickets:,} tickets: "
              f"p50 {pct(reads, 50) * 1000:.2f} ms, p95 {pct(reads, 95) * 1000:.2f} ms (n={args.reads})")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tickets", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--bulk", type=int, default=100_000)
    p.add_argument("--reads", type=int, default=1000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        run("sqlite", f"sqlite:///{d}/bench.db", args)
    with pg_scratch_db() as url:
        if url:
            run("postgresql", url, args)


if __name__ == "__main__":
    main()
