"""The lab network for a test: started on a random loopback block and random ports."""
from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lab import DEFAULT_TOPOLOGY, Lab
from tests.support.net import random_block
from tests.support.waiting import until

ATTEMPTS = 5  # another run may hold the random block or port: try a few


@asynccontextmanager
async def started_lab(topology: str | Path | dict[str, Any] = DEFAULT_TOPOLOGY, **load: Any) -> AsyncIterator[Lab]:
    """A started lab (stopped on exit); ``load`` goes to ``Lab.load`` (e.g. ``time_scale``)."""
    errors: list[str] = []
    for _ in range(ATTEMPTS):
        candidate = Lab.load(topology, address_block=random_block(), snmp_port=random.randint(20000, 40000),
                             ssh_port=random.randint(40001, 60000), **load)
        try:
            await candidate.start()
        except Exception as exc:  # noqa: BLE001 - address or port in use (start cleans up): another block
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        try:
            yield candidate
        finally:
            await candidate.stop()
        return
    raise RuntimeError(f"could not start the lab on any of {ATTEMPTS} random loopback blocks: {errors}")


async def wait_for_alarms(lab: Lab, device: str, port: str, name: str, count: int, timeout: float = 15.0) -> None:
    """Wait (on the lab's own alarm history, not a fixed time) until ``count`` ``name`` alarms were raised."""
    def raised() -> int:
        return len([a for a in lab.alarms(device, active=False) if a.port == port and a.name == name]) >= count

    await until(raised, timeout, f"{count} {name} alarms on {device} {port}")
