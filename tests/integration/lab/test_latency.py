"""Realistic latency over the real protocols: an SNMP round trip, an SSH login and a CLI command take
the device's configured times (lower bounds only: the lab waits at least that long, never less), and
an SNMP value is read half-way through the round trip, as a real agent reads it between request and
response."""
from __future__ import annotations

import asyncio
import random
import time

import pytest
import pytest_asyncio
import yaml

from lab import DEFAULT_TOPOLOGY, Lab

pytestmark = pytest.mark.asyncio(loop_scope="module")

SNMP_MS, LOGIN_MS, COMMAND_MS = 400.0, 1200.0, 500.0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def slow_lab():
    raw = yaml.safe_load(DEFAULT_TOPOLOGY.read_text(encoding="utf-8"))
    raw["lab"]["latency"] = {"default": {"jitter": 0.0},
                             "devices": {"acc-a-sw1": {"snmp_ms": SNMP_MS, "ssh_login_ms": LOGIN_MS,
                                                       "command_ms": COMMAND_MS}}}
    lab = Lab.load(raw, address_block=f"127.{random.randint(100, 250)}.{random.randint(1, 254)}",
                   snmp_port=random.randint(20000, 40000), ssh_port=random.randint(40001, 60000), latency="realistic")
    await lab.start()
    try:
        yield lab
    finally:
        await lab.stop()


async def test_snmp_round_trip_takes_the_device_time_and_reads_half_way(slow_lab: Lab, tools) -> None:
    ticks_before = slow_lab.model.uptime_ticks("acc-a-sw1")
    t0 = time.monotonic()
    (uptime,) = await tools.pysnmp_get(slow_lab, "acc-a-sw1", "1.3.6.1.2.1.1.3.0")
    elapsed = time.monotonic() - t0
    ticks_after = slow_lab.model.uptime_ticks("acc-a-sw1")
    assert elapsed >= SNMP_MS / 1000 - 0.001
    half = int(SNMP_MS / 2 / 10)  # ticks are 1/100 s
    assert ticks_before + half - 1 <= int(uptime) <= ticks_after - half + 1, (ticks_before, int(uptime), ticks_after)


async def test_a_device_without_own_times_answers_after_its_vendor_default(slow_lab: Lab, tools) -> None:
    expected = slow_lab.topology.devices["agg-rtr1"].latency.snmp_ms / 1000  # Cisco default, jitter 0
    t0 = time.monotonic()
    await tools.pysnmp_get(slow_lab, "agg-rtr1", "1.3.6.1.2.1.1.5.0")
    assert time.monotonic() - t0 >= expected - 0.001


async def test_ssh_login_and_each_command_take_the_device_times(slow_lab: Lab, tools) -> None:
    def session() -> tuple[float, float, str]:
        t0 = time.monotonic()
        conn = tools.netmiko_session(slow_lab, "acc-a-sw1", "huawei")
        t1 = time.monotonic()
        out = conn.send_command("display interface brief")
        t2 = time.monotonic()
        conn.disconnect()
        return t1 - t0, t2 - t1, out

    login, command, out = await asyncio.to_thread(session)
    assert login >= LOGIN_MS / 1000 - 0.001
    assert command >= COMMAND_MS / 1000 - 0.001
    assert "XGigabitEthernet0/0/1" in out  # the output itself is unchanged


async def test_switching_latency_off_at_run_time_removes_the_waits(slow_lab: Lab) -> None:
    timing = slow_lab.timing["acc-a-sw1"]
    slow_lab.latency.mode = "off"
    try:
        assert (timing.snmp_s(), timing.login_s(), timing.command_s()) == (0.0, 0.0, 0.0)
    finally:
        slow_lab.latency.mode = "realistic"
    assert timing.snmp_s() == SNMP_MS / 1000
