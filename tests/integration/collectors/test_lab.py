"""Collectors end to end against the lab's simulated devices: real SNMP (v2c and v3) and real SSH
(netmiko), every profile the lab has, faults, loops, an unreachable device and a wrong password."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from collectors.enums import LoopMode, OperStatus, ProbableCause
from collectors.errors import AuthenticationFailed, InvalidPort, UnreachableError
from collectors.survey import Collector
from collectors.target import CliParams, DeviceTarget, target_from_inventory
from collectors.traps import TrapReceiver
from lab import Lab

pytestmark = pytest.mark.asyncio(loop_scope="module")

# one device per platform and SNMP flavour of the default topology
DEVICES = ["cpe-bank-1", "cpe-factory-1", "agg-rtr1", "acc-b-sw1"]  # huawei v2c, huawei v3, cisco, zte




def target(lab: Lab, name: str) -> DeviceTarget:
    dev = next(d for d in lab.inventory()["devices"] if d["name"] == name)
    found = target_from_inventory(dev)
    return replace(found, snmp=replace(found.snmp, timeout=2.0, retries=1) if found.snmp else None)


@pytest.mark.parametrize("name", DEVICES)
async def test_survey_matches_the_lab_truth(lab, name):
    t = target(lab, name)
    async with Collector() as collector:
        result = await collector.survey(t, timeout=60)
    assert result.reachable and not [e for e in result.errors if e.item != "alarms"], result.errors
    optical = {r.port: r for r in result.optical}
    assert set(optical) == {p.name for p in t.ports}
    for port in t.ports:
        truth = lab.port_state(name, port.name)
        assert optical[port.name].rx_dbm == pytest.approx(truth.rx_dbm, abs=0.051), port.name
        assert optical[port.name].tx_dbm == pytest.approx(truth.tx_dbm, abs=0.051), port.name
    states = {s.port: s for s in result.interfaces}
    assert all(states[p.name].oper is OperStatus.UP for p in t.ports)
    assert {c.port for c in result.counters} >= {p.name for p in t.ports}


async def test_fibre_cut_shows_as_no_light_link_down_and_an_active_alarm(lab):
    fault = lab.inject("fiber_cut", "CIR-EPL-0001#0")  # cpe-bank-1 Gi0/0/1 -- acc-a-sw1 Gi0/0/1
    try:
        async with Collector() as collector:
            result = await collector.survey(target(lab, "acc-a-sw1"), ports=["GigabitEthernet0/0/1"], timeout=60)
    finally:
        lab.clear(fault)
    [optical] = result.optical
    assert optical.rx_dbm is not None and optical.rx_dbm <= -30 and optical.rx_state == "low_alarm"
    [state] = result.interfaces
    assert state.oper is OperStatus.DOWN
    active = [a for a in result.alarms if a.is_active]
    assert {a.probable_cause for a in active} >= {ProbableCause.LINK_DOWN}
    assert all(a.port == "GigabitEthernet0/0/1" for a in result.alarms)


async def test_history_window_keeps_cleared_alarms_after_since(lab):
    since = lab.clock.wall().replace(microsecond=0)
    fault = lab.inject("fiber_cut", "CIR-INET-0004#0")  # cpe-school-1 -- acc-b-sw1 (ZTE)
    lab.clear(fault)
    async with Collector() as collector:
        result = await collector.survey(target(lab, "acc-b-sw1"), ports=["gei-1/1/0/1"], want={"alarms"}, since=since,
                                        timeout=60)
    assert result.alarms, result.errors
    assert all(a.port == "gei-1/1/0/1" for a in result.alarms)


@pytest.mark.parametrize(("name", "port", "shown"), [
    # netmiko waits ~2 s of silence per Huawei config prompt, as with real gear: ~30 s for set + clear
    pytest.param("cpe-bank-1", "GigabitEthernet0/0/2", "local", marks=pytest.mark.slow),
    ("agg-rtr1", "TenGigabitEthernet1/1/2", "set"),
    ("acc-b-sw1", "gei-1/1/0/2", None),
])
async def test_loop_set_and_clear_over_cli(lab, name, port, shown):
    t = target(lab, name)
    async with Collector() as collector:
        action = await collector.set_loop(t, port, "local")
        try:
            assert lab.port_state(name, port).loop is not None
            assert action.mode is LoopMode.LOCAL and any(port in c for c in action.commands)
            if shown is not None:
                looped = await collector.survey(t, ports=[port], want={"interface"}, timeout=60)
                cli_view = [s for s in looped.interfaces if s.loopback is not None]
                assert all(shown in (s.loopback or "") for s in cli_view)
        finally:
            cleared = await collector.clear_loop(t, port)
    assert cleared.mode is None and lab.port_state(name, port).loop is None


async def test_loop_refuses_ports_outside_the_inventory(lab):
    t = target(lab, "cpe-bank-1")
    async with Collector() as collector:
        with pytest.raises(InvalidPort):
            await collector.set_loop(t, "GigabitEthernet0/0/1\nreboot", "local")
        with pytest.raises(InvalidPort):
            await collector.set_loop(t, "GigabitEthernet0/0/9", "remote")
        with pytest.raises(InvalidPort):
            await collector.survey(t, ports=["Vlanif1"])


async def test_unreachable_device_is_a_result(lab):
    good = target(lab, "cpe-bank-1")
    dead_host = good.address.rsplit(".", 1)[0] + ".250"  # in the lab's block, nothing listens there
    dead = replace(good, name="ghost", address=dead_host, snmp=replace(good.snmp, timeout=0.3, retries=0),
                   cli=replace(good.cli, timeout=3.0))
    async with Collector() as collector:
        result = await collector.survey(dead, timeout=30)
    assert not result.reachable
    [error] = [e for e in result.errors if e.item == "device"]
    assert isinstance(error.error, UnreachableError) and error.error.raw
    assert result.optical == () and result.interfaces == ()


async def test_wrong_ssh_password_is_reported_and_snmp_still_reads(lab):
    good = target(lab, "acc-b-sw1")  # ZTE: optical only over CLI
    bad = replace(good, cli=CliParams(good.cli.device_type, good.cli.port, good.cli.username, "wrong-password", timeout=10))
    async with Collector() as collector:
        result = await collector.survey(bad, timeout=60)
    errors = [e for e in result.errors if isinstance(e.error, AuthenticationFailed)]
    assert errors and "wrong-password" not in (errors[0].error.raw or "") and "wrong-password" not in repr(bad)
    assert result.reachable and len(result.interfaces) >= len(good.ports)  # IF-MIB over SNMP still answered


async def test_wrong_snmpv3_key_falls_back_to_cli(lab):
    good = target(lab, "cpe-factory-1")
    bad = replace(good, snmp=replace(good.snmp, auth_key="not-the-key-at-all", timeout=1.0, retries=0))
    async with Collector() as collector:
        result = await collector.survey(bad, timeout=60)
    assert [e.item for e in result.errors if isinstance(e.error, AuthenticationFailed)] == ["snmp"]
    assert result.reachable
    assert {r.port for r in result.optical} == {p.name for p in good.ports}
    assert all(r.source.method == "cli" for r in result.optical)


async def test_lab_traps_reach_the_receiver(lab):
    queue: asyncio.Queue = asyncio.Queue()
    devices = {d.host: d.name for d in lab.devices}
    async with TrapReceiver("127.0.0.1", 0, devices=devices, queue=queue, flap_window=timedelta(minutes=10)) as receiver:
        lab.add_trap_receiver("127.0.0.1", receiver.port)
        fault = lab.inject("fiber_cut", "CIR-EPL-0005#0")  # cpe-factory-1 -- acc-b-sw1
        try:
            records = [await asyncio.wait_for(queue.get(), 10) for _ in range(2)]
        finally:
            lab.clear(fault)
    assert {r.probable_cause for r in records} & {ProbableCause.LINK_DOWN, ProbableCause.RX_POWER_LOW}
    assert all(r.device in devices.values() and r.port for r in records)
