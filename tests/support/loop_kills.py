"""Loops across real server processes: the processes served with an engineer's client each, and the
kill -9 rounds (a server killed while loops are on the devices, then restarted) that the slow test and
bench/loops.py both run."""
from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.support.api import Api
from tests.support.server import ServerProcess
from tests.support.waiting import until

PACE = {"loop_clear_retry_seconds": 0.5, "loop_reaper_interval_seconds": 0.5}


@asynccontextmanager
async def served(*servers: ServerProcess) -> AsyncIterator[list[Api]]:
    """The processes started and ready; an engineer's client of each."""
    for server in servers:
        server.start()
    clients: list[httpx.AsyncClient] = []
    try:
        await asyncio.gather(*(server.ready() for server in servers))
        clients = [httpx.AsyncClient(base_url=s.base_url, timeout=60) for s in servers]
        yield [Api(c, "engineer") for c in clients]
    finally:
        for c in clients:
            await c.aclose()
        for server in servers:
            server.stop()


async def no_active_loops(api: Api) -> bool:
    return (await api.get("/api/v1/loop-tests", params={"active": "true"})).json() == []


# one loop point per device, each on its own circuit: a restart clears the devices at once
KILL_POINTS = [("CIR-EPL-0001", "cpe-bank-1", "GigabitEthernet0/0/1"),
               ("CIR-MPLS-0003", "cpe-hosp-1", "GigabitEthernet0/1"),
               ("CIR-INET-0004", "cpe-school-1", "gei-1/1/0/1"),
               ("CIR-EPL-0005", "cpe-factory-1", "GigabitEthernet0/0/1"),
               ("CIR-MPLS-0002", "acc-a-sw1", "GigabitEthernet0/0/2"),
               ("CIR-INET-0006", "acc-b-sw1", "gei-1/1/0/3")]
TRIES = 100


async def kill9_rounds(lab: Any, db: str, log_dir: Any, tries: int = TRIES) -> dict:
    """kill -9 of a real server while ``len(KILL_POINTS)`` loops are on the devices, then its restart,
    until ``tries`` loops were left by a killed process: the seconds from each restart's launch until
    every loop it inherited is off its device, and how many were left behind."""
    server = ServerProcess(db, instance_name="kill9", log_dir=log_dir, **PACE)
    seconds: list[float] = []
    left_behind = done = 0
    async with served(server) as (api,):
        await api.import_inventory(lab)
        tickets = {c: await api.signed_ticket(c) for c, _, _ in KILL_POINTS}
        while done < tries:
            answers = await asyncio.gather(*(
                api.post(f"/api/v1/tickets/{tickets[c]}/loop-tests",
                         json={"device": d, "port": p, "mode": "remote", "holdSeconds": 120,
                               "confirmServiceAffecting": True})
                for c, d, p in KILL_POINTS))
            assert all(r.status_code == 202 for r in answers), [r.text for r in answers]
            await until(lambda: all(lab.port_state(d, p).loop is not None for _, d, p in KILL_POINTS), 60,
                        "the loops on the devices")
            server.kill9()
            done += len(KILL_POINTS)
            server.start()
            try:
                await until(lambda: all(lab.port_state(d, p).loop is None for _, d, p in KILL_POINTS), 60,
                            "the restart clearing the loops")
            except AssertionError:
                left_behind += sum(lab.port_state(d, p).loop is not None for _, d, p in KILL_POINTS)
                raise
            seconds.append(time.monotonic() - server.started_at)
            await server.ready()
            await until(lambda: no_active_loops(api), 30, "the loop rows closed")
    return {"tries": done, "restarts": len(seconds), "left_behind": left_behind,
            "median_s": round(statistics.median(seconds), 2), "max_s": round(max(seconds), 2)}


