"""Every device of the default lab surveyed at once, several times, with the lab in the same event loop
as the collector (as in the demo and the end-to-end tests). Regression: 1-3 random Huawei/ZTE surveys
used to hang in netmiko's send_command until the survey timeout, because the lab's SSH line editor
echoed type-ahead Enters before the prompts (see tests/integration/lab/test_ssh_typeahead.py)."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from collectors.cli.session import CliRunner
from collectors.survey import Collector
from collectors.target import target_from_inventory
from lab import Lab

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROUNDS = 4




async def test_all_devices_surveyed_concurrently_finish_every_time(lab: Lab) -> None:
    lab.inject("fiber_cut", "CIR-EPL-0001#1")  # alarms and history to read, as in a real triage
    targets = [target_from_inventory(d) for d in lab.inventory()["devices"]]
    assert len(targets) == 9
    since = datetime.now(UTC) - timedelta(hours=24)  # with `since` the alarm history commands run too
    async with Collector(cli=CliRunner(max_sessions=16)) as collector:
        for round_no in range(ROUNDS):
            surveys = await asyncio.gather(*(
                collector.survey(t, None, ("optical", "interface", "counters", "alarms"), since, 15.0)
                for t in targets))
            for t, survey in zip(targets, surveys, strict=True):
                assert survey.reachable, (round_no, t.name)
                assert not survey.errors, (round_no, t.name, [(e.item, str(e.error)) for e in survey.errors])
                assert survey.optical and survey.interfaces, (round_no, t.name)
