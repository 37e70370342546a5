"""Settings for a test agent: the test users, and none of the background work a test did not ask for."""
from __future__ import annotations

from typing import Any

from agent.settings import Settings
from tests.support.users import bootstrap_users

# No trap receiver (a test that wants one passes its port), no optical poller, and a triage deadline
# with room for a loaded 2-core machine (the product's 8 s is a production figure, not a test one).
# Tests change the lab's network seconds apart (inject a fault, then read): a device survey reused
# from before the change would describe the old network, so tests read afresh unless they test the
# reuse itself (tests/e2e/test_problems.py sets the window).
TEST_DEFAULTS: dict[str, Any] = {"trap_port": 0, "poll_interval_seconds": 0, "triage_deadline_seconds": 15.0,
                                 "device_read_fresh_seconds": 0}


def settings_for(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"database_url": db_url, "bootstrap_users": bootstrap_users(), **TEST_DEFAULTS}
    values.update(overrides)
    return Settings(**values)
