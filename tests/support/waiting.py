"""Waiting for an outcome, never for a fixed time."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

POLL_SECONDS = 0.05


async def until(check: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Wait for ``check()`` (sync or async) to return something truthy, up to ``timeout`` seconds; return it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last = None
    while loop.time() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(POLL_SECONDS)
    raise AssertionError(f"{what} not reached within {timeout:.0f} s (last: {last!r})")


def until_sync(check: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """``until`` for code outside an event loop (threads, subprocesses)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"{what} not reached within {timeout:.0f} s (last: {last!r})")
