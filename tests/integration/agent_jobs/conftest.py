"""The lab and the agent in one event loop: the shared module lab (tests/conftest.py `lab`) or a
`fresh_lab` of a test's own, an agent per test on the `db_url` database with its trap receiver on a
free UDP port the lab sends to."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from lab import Lab
from tests.support.lab import started_lab
from tests.support.net import free_udp_port


@pytest_asyncio.fixture(loop_scope="module")
async def fresh_lab() -> AsyncIterator[Lab]:
    """A lab of its own for one test: no device alarm history left by the tests before it."""
    async with started_lab() as started:
        yield started


@pytest.fixture(scope="module")
def trap_port(lab) -> int:
    """One trap port per module: every test's agent binds it in turn; the lab sends there."""
    port = free_udp_port()
    lab.add_trap_receiver("127.0.0.1", port)
    return port
