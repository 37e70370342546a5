"""The periodic sweep of circuit orders (预警, overdue, overtime) and resource checks (催办, late
results), on the serving loop; the database work runs in a worker thread."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from agent.db import unit_of_work

log = logging.getLogger("faultline.orders")


class OrderSweep:
    def __init__(self, orders, checks, factory, interval_s: float) -> None:
        self.orders, self.checks, self.factory, self.interval_s = orders, checks, factory, interval_s
        self._task: asyncio.Task | None = None

    def once(self) -> tuple:
        with unit_of_work(self.factory) as s:
            result = self.orders.sweep(s), self.checks.sweep(s)
        return result

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.once)
            except Exception:  # noqa: BLE001 - one failed sweep is logged; the next one tries again
                log.exception("order and check sweep failed")
            await asyncio.sleep(self.interval_s)

    async def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
