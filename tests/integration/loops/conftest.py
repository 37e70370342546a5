"""Loop tests against the lab over real SSH, an agent per test on its own database (SQLite file or the
session's PostgreSQL database), the module lab of tests/conftest.py as the network."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import pytest

from tests.support import server
from tests.support.settings import settings_for as _settings_for
from tests.support.waiting import until

# the guard's retries and reaper at test pace
LOOP_PACE: dict[str, Any] = {"loop_clear_retry_seconds": 0.5, "loop_reaper_interval_seconds": 0.5}


def settings_for(db_url: str, **overrides: Any):
    return _settings_for(db_url, **{**LOOP_PACE, **overrides})


@asynccontextmanager
async def agent_on(db_url: str, lab, **overrides: Any) -> AsyncIterator[Any]:
    """The agent with the lab's inventory; the client speaks as the engineer unless told otherwise."""
    async with server.agent_on(db_url, lab=lab, **{**LOOP_PACE, **overrides}) as api:
        await api.import_inventory(lab)
        yield api.as_role("engineer")


@pytest.fixture
def loops_kit():
    return SimpleNamespace(agent_on=agent_on, wait_until=until, settings_for=settings_for)


@pytest.fixture(autouse=True)
def _no_loop_left(lab):
    """Every test ends with no loop on any lab port: a loop left set is a failure of the test."""
    yield
    looped = [k for k, ps in lab.model.ports.items() if ps.loop is not None]
    for key in looped:  # leave the module's lab clean for the next test, then fail
        device, port = key.split(":", 1)
        lab.set_loop(device, port, None)
    assert not looped, f"loops left set on the lab: {looped}"
