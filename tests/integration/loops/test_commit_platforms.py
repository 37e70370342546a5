"""Loops that lift themselves, over real SSH on the lab's commit platforms: Junos and IOS-XR
(``commit confirmed N``) and a Huawei VRP8 switch in two-stage mode (``commit trial N``). The set is
committed under the device's rollback timer (rounded up to the platform's unit and range), read back
from the device; the clear's plain commit confirms and removes it, stopping the timer."""
from __future__ import annotations

import pytest
import pytest_asyncio

from collectors import Collector, target_from_inventory
from lab import COMMIT_TOPOLOGY
from tests.support.lab import started_lab

pytestmark = [pytest.mark.asyncio(loop_scope="module")]

# (device, port, mode, the rollback timer asked for 26 s: the platform's smallest that covers it)
POINTS = [("mx-acc1", "ge-0/0/1", "local", 60, "commit confirmed 1"),
          ("ncs-acc1", "GigabitEthernet0/0/0/1", "remote", 30, "commit confirmed 30"),
          ("ce-acc1", "GigabitEthernet1/0/1", "remote", 60, "commit trial 60")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def commit_lab():
    async with started_lab(COMMIT_TOPOLOGY) as lab:
        yield lab


def _target(lab, device: str):
    return target_from_inventory(next(d for d in lab.inventory()["devices"] if d["name"] == device))


@pytest.mark.parametrize(("device", "port", "mode", "timer_s", "command"), POINTS)
async def test_a_loop_set_under_the_rollback_timer_then_confirmed_by_the_clear(commit_lab, device, port, mode,
                                                                                timer_s, command):
    target = _target(commit_lab, device)
    async with Collector() as collector:
        action = await collector.set_loop(target, port, mode, lifts_after_s=26)
        assert action.lifts_after_s == timer_s and action.commands[-1] == command, action
        assert commit_lab.port_state(device, port).loop is not None
        assert commit_lab.commit_timer(device) == timer_s  # the device waits for a confirmation
        back = await collector.loop_state(target, port)
        assert back.looped, back.output
        await collector.clear_loop(target, port)
        assert commit_lab.port_state(device, port).loop is None
        assert commit_lab.commit_timer(device) is None  # the clear's commit confirmed: no rollback pending
        assert not (await collector.loop_state(target, port)).looped
