"""Loops set over SSH with each vendor's real config commands change the loop-test physics, show in
the interface output and on SNMP at the origin port, take the service down; undoing restores it."""
from __future__ import annotations

import asyncio

import pytest

from lab import Lab, LoopMode

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _huawei(lab: Lab, tools, device: str, commands: list[str]) -> str:
    conn = tools.netmiko_session(lab, device, "huawei")
    try:
        return conn.send_config_set(commands)
    finally:
        conn.disconnect()


def _huawei_prompted(lab: Lab, tools, device: str, commands: list[str]) -> str:
    """The same config commands sent one by one, waiting for the prompt instead of netmiko's ~2 s
    quiet periods per config-mode check (kept for the set, skipped for the undo to save time)."""
    conn = tools.netmiko_session(lab, device, "huawei")
    try:
        out = conn.send_command("system-view", expect_string=r"\]")
        for cmd in commands:
            out += conn.send_command(cmd, expect_string=r"\]")
        return out + conn.send_command("return", expect_string=r">")
    finally:
        conn.disconnect()


def _ios_like(lab: Lab, tools, device: str, device_type: str, commands: list[str]) -> str:
    conn = tools.netmiko_session(lab, device, device_type)
    try:
        return conn.send_config_set(commands)
    finally:
        conn.disconnect()


async def test_huawei_remote_loop_at_cpe_follows_fiber_health(lab: Lab, tools) -> None:
    origin = ("acc-a-sw1", "GigabitEthernet0/0/1")
    loop_point = ("cpe-bank-1", "GigabitEthernet0/0/1")
    assert not lab.loop_test(*origin, *loop_point).returned  # no loop set yet
    out = await asyncio.to_thread(_huawei, lab, tools, "cpe-bank-1",
                                  ["interface GigabitEthernet0/0/1", "loopback remote"])
    assert "[cpe-bank-1-GigabitEthernet0/0/1]" in out
    try:
        assert lab.port_state(*loop_point).loop is LoopMode.REMOTE
        result = lab.loop_test(*origin, *loop_point)
        assert result.returned and result.round_trip_loss_db == pytest.approx(4.6)
        assert not lab.circuit_state("CIR-EPL-0001").up  # a loop takes the service down
        # origin sees its own light back: Rx = own Tx - round-trip loss, visible over SNMP
        acc = lab.port_state(*origin)
        assert acc.oper_up and acc.rx_dbm == pytest.approx(acc.tx_dbm - 4.6)
        ent = 16_000 + lab.topology.port("acc-a-sw1:GigabitEthernet0/0/1").if_index
        rx, = await tools.pysnmp_get(lab, "acc-a-sw1", f"1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8.{ent}")
        assert int(rx) == round(acc.rx_dbm * 100)
        parsed = await asyncio.to_thread(tools.run_commands, lab, "cpe-bank-1", "huawei_vrp",
                                         ["display interface GigabitEthernet0/0/1"], True)
        assert parsed["display interface GigabitEthernet0/0/1"][0]["loopback"] == "REMOTE"
        # a degraded segment between origin and loop point: the signal no longer comes back
        fid = lab.inject("fiber_degraded", "CIR-EPL-0001#0", db=9.0)
        try:
            result = lab.loop_test(*origin, *loop_point)
            assert not result.returned
            assert not lab.port_state(*origin).oper_up  # -5 - 2 x 11.3 dB is below -20 dBm
        finally:
            lab.clear(fid)
        assert lab.loop_test(*origin, *loop_point).returned
    finally:
        await asyncio.to_thread(_huawei_prompted, lab, tools, "cpe-bank-1",
                                ["interface GigabitEthernet0/0/1", "undo loopback"])
    assert lab.port_state(*loop_point).loop is None
    assert lab.circuit_state("CIR-EPL-0001").up
    assert not lab.loop_test(*origin, *loop_point).returned


async def test_cisco_loop_shows_in_show_interfaces(lab: Lab, tools) -> None:
    await asyncio.to_thread(_ios_like, lab, tools, "cpe-hosp-1", "cisco_ios",
                            ["interface GigabitEthernet0/1", "loopback remote"])
    try:
        raw = await asyncio.to_thread(tools.run_commands, lab, "cpe-hosp-1", "cisco_ios",
                                      ["show interfaces GigabitEthernet0/1"], False)
        assert "Encapsulation ARPA, loopback set" in raw["show interfaces GigabitEthernet0/1"]
        assert lab.loop_test("acc-a-sw1", "GigabitEthernet0/0/3", "cpe-hosp-1", "GigabitEthernet0/1").returned
        assert lab.circuit_state("CIR-MPLS-0003").looped_at == ("cpe-hosp-1:GigabitEthernet0/1",)
    finally:
        await asyncio.to_thread(_ios_like, lab, tools, "cpe-hosp-1", "cisco_ios",
                                ["interface GigabitEthernet0/1", "no loopback"])
    assert lab.circuit_state("CIR-MPLS-0003").up


async def test_zte_province_exit_loop_localises_a_cut(lab: Lab, tools) -> None:
    """The province loops its exit port (internal, facing inwards): a cut between access and
    aggregation makes the test from the access room fail; without it the signal returns."""
    await asyncio.to_thread(_ios_like, lab, tools, "prov-exit1", "zte_zxros",
                            ["interface xgei-1/1/0/2", "loopback internal"])
    try:
        origin = ("acc-a-sw1", "GigabitEthernet0/0/1")
        ok = lab.loop_test(*origin, "prov-exit1", "xgei-1/1/0/2")
        assert ok.returned and len(ok.segments) == 3
        raw = await asyncio.to_thread(tools.run_commands, lab, "prov-exit1", "zte_zxros",
                                      ["show interface xgei-1/1/0/2"], False)
        assert "loopback internal" in raw["show interface xgei-1/1/0/2"]
        fid = lab.inject("fiber_cut", "CIR-EPL-0001#1")
        try:
            failed = lab.loop_test(*origin, "prov-exit1", "xgei-1/1/0/2")
            assert not failed.returned and "acc-a-sw1:XGigabitEthernet0/0/1--agg-rtr1" in failed.reason
        finally:
            lab.clear(fid)
    finally:
        await asyncio.to_thread(_ios_like, lab, tools, "prov-exit1", "zte_zxros",
                                ["interface xgei-1/1/0/2", "no loopback"])
    assert lab.port_state("prov-exit1", "xgei-1/1/0/2").loop is None


async def test_a_loop_stops_the_customer_traffic_counters_until_undone(lab: Lab, tools) -> None:
    """While a loop is set over SSH on the CPE port, the circuit's customer traffic stops: the access
    port's ifHCInOctets/ifHCOutOctets stand still and the shared uplink advances only with the other
    circuits' traffic; `no loopback` restores the service and the counters advance again."""
    access = lab.topology.port("acc-a-sw1:GigabitEthernet0/0/3")
    uplink = lab.topology.port("acc-a-sw1:XGigabitEthernet0/0/1")
    hc_in, hc_out = "1.3.6.1.2.1.31.1.1.1.6", "1.3.6.1.2.1.31.1.1.1.10"
    oids = (f"{hc_in}.{access.if_index}", f"{hc_out}.{access.if_index}", f"{hc_in}.{uplink.if_index}")

    async def octets() -> list[int]:
        return [int(v) for v in await tools.pysnmp_get(lab, "acc-a-sw1", *oids)]

    await asyncio.to_thread(_ios_like, lab, tools, "cpe-hosp-1", "cisco_ios",
                            ["interface GigabitEthernet0/1", "loopback remote"])
    lab.clock.scale = 0.0
    try:
        assert not lab.circuit_state("CIR-MPLS-0003").up
        before = await octets()
        lab.advance(10)
        looped = await octets()
        assert looped[0] == before[0] and looped[1] == before[1]  # the customer's service is down
        # the uplink still carries the other circuits: 135 - 85 Mbit/s downstream
        assert looped[2] - before[2] == pytest.approx((135 - 85) * 1e6 / 8 * 10, rel=1e-6)
    finally:
        lab.clock.scale = 1.0
        await asyncio.to_thread(_ios_like, lab, tools, "cpe-hosp-1", "cisco_ios",
                                ["interface GigabitEthernet0/1", "no loopback"])
    assert lab.circuit_state("CIR-MPLS-0003").up
    lab.clock.scale = 0.0
    try:
        restored0 = await octets()
        lab.advance(10)
        restored1 = await octets()
    finally:
        lab.clock.scale = 1.0
    assert restored1[0] - restored0[0] == pytest.approx(60e6 / 8 * 10, rel=1e-6)
    assert restored1[1] - restored0[1] == pytest.approx(85e6 / 8 * 10, rel=1e-6)
    assert restored1[2] - restored0[2] == pytest.approx(135e6 / 8 * 10, rel=1e-6)
