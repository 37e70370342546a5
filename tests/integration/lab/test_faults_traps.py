"""Injected faults change SNMP, CLI, traps and alarms consistently (the same Rx through both)."""
from __future__ import annotations

import asyncio
import re

import pytest

from lab import Lab

pytestmark = pytest.mark.asyncio(loop_scope="module")

HW_RX = "1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8"
LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
LINK_UP = "1.3.6.1.6.3.1.1.5.4"
HW_OPTICAL_INVALID = "1.3.6.1.4.1.2011.5.25.219.2.4.5"  # ENTITYTRAP/4/OPTICALINVALID
CISCO_THRESHOLD = "1.3.6.1.4.1.9.9.91.2.0.1"
CISCO_RECOVERY = "1.3.6.1.4.1.9.9.91.2.0.2"  # entSensorThresholdRecoveryNotification (2013 MIB revision)


async def _cli_rx(lab: Lab, tools, device: str, port: str) -> float:
    out = await asyncio.to_thread(tools.run_commands, lab, device, "huawei",
                                  [f"display transceiver interface {port} verbose"], False)
    return float(re.search(r"RX Power\(dBM\)\s+:(-?\d+\.\d+)", next(iter(out.values()))).group(1))


async def _snmp_rx(lab: Lab, tools, device: str, port: str) -> float:
    ent = 16_000 + lab.topology.port(f"{device}:{port}").if_index
    value, = await tools.pysnmp_get(lab, device, f"{HW_RX}.{ent}")
    return int(value) / 100


async def test_fiber_degraded_same_rx_over_snmp_and_cli(lab: Lab, tools) -> None:
    before = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").rx_dbm
    fid = lab.inject("fiber_degraded", "CIR-EPL-0001#0", db=11.0)
    try:
        truth = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1")
        assert truth.rx_dbm == pytest.approx(before - 11.0)
        assert truth.oper_up  # -18.5 dBm: above -20 sensitivity, inside the bit-error zone
        snmp_rx = await _snmp_rx(lab, tools, "acc-a-sw1", "GigabitEthernet0/0/1")
        cli_rx = await _cli_rx(lab, tools, "acc-a-sw1", "GigabitEthernet0/0/1")
        assert snmp_rx == cli_rx == pytest.approx(truth.rx_dbm, abs=0.005)
        lab.clock.scale = 0.0
        crc0 = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").counters["crc"]
        lab.advance(60)
        crc1 = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").counters["crc"]
        assert crc1 > crc0  # margin 1.5 dB: bit errors grow
        port = lab.topology.port("acc-a-sw1:GigabitEthernet0/0/1")
        in_errors, = await tools.pysnmp_get(lab, "acc-a-sw1", f"1.3.6.1.2.1.2.2.1.14.{port.if_index}")
        assert int(in_errors) == crc1
    finally:
        lab.clock.scale = 1.0
        lab.clear(fid)
    assert lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").rx_dbm == pytest.approx(before)


async def test_fiber_cut_sends_traps_and_raises_alarms(lab: Lab, tools, traps) -> None:
    acc = lab.device("acc-a-sw1")
    fid = lab.inject("fiber_cut", "cpe-bank-1:GigabitEthernet0/0/2--acc-a-sw1:GigabitEthernet0/0/2")
    port = lab.topology.port("acc-a-sw1:GigabitEthernet0/0/2")
    down = await traps.wait_for(lambda t: t.source == acc.host and t.trap_oid == LINK_DOWN)
    assert int(down[-1].varbinds[f"1.3.6.1.2.1.2.2.1.1.{port.if_index}"]) == port.if_index
    await traps.wait_for(lambda t: t.source == acc.host and t.trap_oid == HW_OPTICAL_INVALID)
    assert not lab.port_state("acc-a-sw1", "GigabitEthernet0/0/2").oper_up
    assert not lab.port_state("cpe-bank-1", "GigabitEthernet0/0/2").oper_up
    oper, = await tools.pysnmp_get(lab, "acc-a-sw1", f"1.3.6.1.2.1.2.2.1.8.{port.if_index}")
    assert int(oper) == 2
    assert await _snmp_rx(lab, tools, "acc-a-sw1", "GigabitEthernet0/0/2") == -40.0
    out = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei", ["display alarm active"], False)
    active = out["display alarm active"]
    assert "OperStatus=DOWN" in active and "GigabitEthernet0/0/2" in active and "input power is too low" in active
    assert not lab.circuit_state("CIR-MPLS-0002").up
    lab.clear(fid)
    await traps.wait_for(lambda t: t.source == acc.host and t.trap_oid == LINK_UP)
    assert lab.circuit_state("CIR-MPLS-0002").up
    out = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei",
                                  ["display alarm active", "display alarm history"], False)
    assert "GigabitEthernet0/0/2" not in out["display alarm active"]
    assert re.search(r"^  \d+/Independent/20\S+ \S+/20\S+ \S+/0x08520003/linkDown/Major/End/.*GigabitEthernet0/0/2",
                     out["display alarm history"], re.M)


async def test_cisco_optical_trap_and_transceiver_flag(lab: Lab, tools, traps) -> None:
    agg = lab.device("agg-rtr1")
    fid = lab.inject("fiber_cut", "CIR-INET-0004#1")
    try:
        await traps.wait_for(lambda t: t.source == agg.host and t.trap_oid == CISCO_THRESHOLD)
        parsed = await asyncio.to_thread(tools.run_commands, lab, "agg-rtr1", "cisco_ios",
                                         ["show interface transceiver"], True)
        row = next(r for r in parsed["show interface transceiver"] if r["interface"] == "Te1/1/2")
        assert row["rx_pwr"] == "-40.0"
    finally:
        lab.clear(fid)
    # the repair: a recovery notification, with the objects of the MIB in its order (value, severity,
    # threshold) - the raise had (threshold, value, severity)
    rx_sensor = 1000 + 10 * lab.topology.port("agg-rtr1:TenGigabitEthernet1/1/2").if_index + 1 + 6
    raised = [t for t in traps.traps if t.source == agg.host and t.trap_oid == CISCO_THRESHOLD
              and f"1.3.6.1.4.1.9.9.91.1.1.1.1.4.{rx_sensor}" in t.varbinds][-1]
    assert [k for k in raised.varbinds if k.startswith("1.3.6.1.4.1.9.9.91.")] == [
        f"1.3.6.1.4.1.9.9.91.1.2.1.1.4.{rx_sensor}.4", f"1.3.6.1.4.1.9.9.91.1.1.1.1.4.{rx_sensor}",
        f"1.3.6.1.4.1.9.9.91.1.2.1.1.2.{rx_sensor}.4"]
    recovered = await traps.wait_for(lambda t: t.source == agg.host and t.trap_oid == CISCO_RECOVERY
                                     and f"1.3.6.1.4.1.9.9.91.1.1.1.1.4.{rx_sensor}" in t.varbinds)
    vb = recovered[-1].varbinds
    assert [k for k in vb if k.startswith("1.3.6.1.4.1.9.9.91.")] == [
        f"1.3.6.1.4.1.9.9.91.1.1.1.1.4.{rx_sensor}", f"1.3.6.1.4.1.9.9.91.1.2.1.1.2.{rx_sensor}.4",
        f"1.3.6.1.4.1.9.9.91.1.2.1.1.4.{rx_sensor}.4"]
    assert int(vb[f"1.3.6.1.4.1.9.9.91.1.2.1.1.2.{rx_sensor}.4"]) == 30  # critical, the low alarm's severity
    assert int(vb[f"1.3.6.1.4.1.9.9.91.1.1.1.1.4.{rx_sensor}"]) > int(vb[f"1.3.6.1.4.1.9.9.91.1.2.1.1.4.{rx_sensor}.4"])


async def test_loose_connector_flaps_with_traps(lab: Lab, traps) -> None:
    prov = lab.device("prov-exit1")
    start = len(traps.traps)
    lab.clock.scale = 0.0
    try:
        fid = lab.inject("loose_connector", "CIR-EPL-0001#3", period_s=10, down_s=3, extra_loss_db=1.0)
        assert not lab.port_state("prov-exit1", "xgei-1/1/0/1").oper_up  # first contact loss at once
        lab.advance(4)
        up = lab.port_state("prov-exit1", "xgei-1/1/0/1")
        assert up.oper_up
        lab.advance(7)  # next period opens again
        assert not lab.port_state("prov-exit1", "xgei-1/1/0/1").oper_up
        lab.clear(fid)
    finally:
        lab.clock.scale = 1.0
    def second_link_up(_t: object) -> bool:
        return [t.trap_oid for t in traps.traps[start:] if t.source == prov.host].count(LINK_UP) >= 2

    await traps.wait_for(second_link_up)
    kinds = [t.trap_oid for t in traps.traps[start:] if t.source == prov.host]
    assert kinds.count(LINK_DOWN) >= 2 and kinds.count(LINK_UP) >= 2


async def test_duplex_mismatch_congestion_and_power_off(lab: Lab, tools) -> None:
    lab.clock.scale = 0.0
    ids = []
    try:
        ids.append(lab.inject("duplex_mismatch", "cpe-hosp-1:Gi0/1"))
        ids.append(lab.inject("port_congestion", "acc-a-sw1:GigabitEthernet0/0/3", utilisation=0.99))
        lab.advance(30)
        cpe = lab.port_state("cpe-hosp-1", "GigabitEthernet0/1")
        acc = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/3")
        assert cpe.duplex == "half" and cpe.counters["late_collisions"] > 0
        assert acc.counters["crc"] > 0 and acc.out_util == pytest.approx(0.99)
        parsed = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei_vrp",
                                         ["display interface brief"], True)
        row = next(r for r in parsed["display interface brief"] if r["interface"] == "GigabitEthernet0/0/3")
        assert row["oututi"] == "99%" and int(row["inerrors"]) == acc.counters["in_errors"]
        ids.append(lab.inject("cpe_power_off", "cpe-school-1"))
        assert not lab.port_state("acc-b-sw1", "gei-1/1/0/1").oper_up
        assert lab.circuit_state("CIR-INET-0004").unpowered == ("cpe-school-1",)
        ids.append(lab.inject("egress_congestion", "metro-egr1"))
        assert lab.port_state("metro-egr1", "XGigabitEthernet1/0/2").out_util == pytest.approx(0.97)
    finally:
        lab.clock.scale = 1.0
        lab.clear()
    assert lab.port_state("acc-b-sw1", "gei-1/1/0/1").oper_up


async def test_transceiver_ageing_drifts_tx_in_simulated_days(lab: Lab) -> None:
    tx0 = lab.port_state("cpe-bank-1", "GigabitEthernet0/0/1").tx_dbm
    lab.clock.scale = 0.0
    try:
        fid = lab.inject("transceiver_ageing", "cpe-bank-1:GigabitEthernet0/0/1", db_per_day=0.5)
        lab.advance(4 * 86400)
        reading = lab.port_state("cpe-bank-1", "GigabitEthernet0/0/1")
        assert reading.tx_dbm == pytest.approx(tx0 - 2.0)
        assert lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").rx_dbm == pytest.approx(tx0 - 2.0 - 2.3)
        lab.clear(fid)
    finally:
        lab.clock.scale = 1.0


async def test_powered_off_cpe_answers_neither_snmp_nor_ssh(lab: Lab, tools, traps) -> None:
    from netmiko.exceptions import NetmikoTimeoutException

    hosp = lab.device("cpe-hosp-1")
    start = len(traps.traps)
    fid = lab.inject("cpe_power_off", "cpe-hosp-1")
    try:
        with pytest.raises(AssertionError, match="(?i)timeout"):
            await tools.pysnmp_get(lab, "cpe-hosp-1", "1.3.6.1.2.1.1.5.0")
        with pytest.raises((NetmikoTimeoutException, EOFError, OSError, ValueError)):
            await asyncio.to_thread(tools.run_commands, lab, "cpe-hosp-1", "cisco_ios", ["show clock"], False)
    finally:
        lab.clear(fid)
    name, = await tools.pysnmp_get(lab, "cpe-hosp-1", "1.3.6.1.2.1.1.5.0")
    assert str(name) == "cpe-hosp-1"
    await traps.wait_for(lambda t: t.source == hosp.host and t.trap_oid == "1.3.6.1.6.3.1.1.5.1")
    # while it was dark the CPE sent nothing (its own linkDown would be a ghost)
    assert [t.trap_oid for t in traps.traps[start:] if t.source == hosp.host][:1] == ["1.3.6.1.6.3.1.1.5.1"]


async def test_loose_connector_flaps_on_its_own_in_real_time(lab: Lab, traps) -> None:
    """No clock jumps: the lab's own timer applies the flaps and the traps follow."""
    acc = lab.device("acc-b-sw1")
    start = len(traps.traps)
    fid = lab.inject("loose_connector", "CIR-EPL-0005#0", period_s=0.8, down_s=0.3)

    def flapped_twice(_t: object) -> bool:
        mine = [t.trap_oid for t in traps.traps[start:] if t.source == acc.host]
        return mine.count(LINK_DOWN) >= 2 and mine.count(LINK_UP) >= 2

    try:
        await traps.wait_for(flapped_twice, timeout=15)
    finally:
        lab.clear(fid)
    assert lab.port_state("acc-b-sw1", "gei-1/1/0/2").oper_up


async def test_bit_errors_raise_the_huawei_crc_alarm_and_trap(lab: Lab, tools, traps) -> None:
    acc = lab.device("acc-a-sw1")
    fid = lab.inject("fiber_degraded", "CIR-MPLS-0003#0", db=10.0)  # Rx -17.7 dBm: 2.3 dB margin
    try:
        trap = await traps.wait_for(lambda t: t.source == acc.host and t.trap_oid == "1.3.6.1.4.1.2011.5.25.41.4.1")
        assert str(trap[-1].varbinds[f"1.3.6.1.4.1.2011.5.25.41.1.7.1.1.19.{lab.topology.port('acc-a-sw1:GigabitEthernet0/0/3').if_index}"]) == "GigabitEthernet0/0/3"
        out = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei", ["display alarm active"], False)
        assert "The CRC error is rising. (hwIfMonitorName=GigabitEthernet0/0/3" in out["display alarm active"]
        assert lab.port_state("acc-a-sw1", "GigabitEthernet0/0/3").oper_up  # degraded, not down
    finally:
        lab.clear(fid)
    await traps.wait_for(lambda t: t.source == acc.host and t.trap_oid == "1.3.6.1.4.1.2011.5.25.41.4.2")
    assert not [a for a in lab.alarms("acc-a-sw1") if a.name == "hwIfMonitorCrcErrorRising"]


async def test_v3_authpriv_traps_reach_a_pysnmp_receiver(lab: Lab, tools) -> None:
    """A real pysnmp notification receiver with the lab's v3 user and engine id decrypts the trap."""
    import socket

    from pysnmp.carrier.asyncio.dgram import udp
    from pysnmp.entity import config, engine
    from pysnmp.entity.rfc3413 import ntfrcv
    from pysnmp.proto.api import v2c as api_v2c

    received: list[dict[str, str]] = []
    got = asyncio.Event()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    port = sock.getsockname()[1]
    rcv = engine.SnmpEngine()
    config.add_transport(rcv, udp.DOMAIN_NAME, udp.UdpTransport().open_server_mode(sock=sock))
    c = lab.v3
    config.add_v3_user(rcv, c.user, config.USM_AUTH_HMAC96_SHA, c.auth_key, config.USM_PRIV_CFB128_AES, c.priv_key,
                       securityEngineId=api_v2c.OctetString(hexValue=lab.snmp_engine_id))

    def on_trap(_engine, _ref, _ctx_id, _ctx_name, varbinds, _cb) -> None:  # type: ignore[no-untyped-def]
        received.append({str(n): v.prettyPrint() for n, v in varbinds})
        got.set()

    ntfrcv.NotificationReceiver(rcv, on_trap)
    lab.add_trap_receiver("127.0.0.1", port, version="3")
    fid = lab.inject("fiber_cut", "CIR-INET-0004#0")
    try:
        await asyncio.wait_for(got.wait(), 10)
    finally:
        lab.clear(fid)
        rcv.close_dispatcher()
    assert any(v.get("1.3.6.1.6.3.1.1.4.1.0") == "1.3.6.1.6.3.1.1.5.3" for v in received)


async def test_speed_mismatch_over_snmp_and_cli(lab: Lab, tools) -> None:
    """A CPE port forced to 100 Mbit/s against a 1000 Mbit/s access port: the forced speed over
    ifHighSpeed and `show interfaces`, late collisions at the slow end (dot3StatsLateCollisions and
    CLI), CRC input errors at the fast end (ifInErrors and `display interface`)."""
    cpe_port = lab.topology.port("cpe-hosp-1:GigabitEthernet0/1")
    acc_port = lab.topology.port("acc-a-sw1:GigabitEthernet0/0/3")
    late_oid = f"1.3.6.1.2.1.10.7.2.1.8.{cpe_port.if_index}"
    speed_oid = f"1.3.6.1.2.1.31.1.1.1.15.{cpe_port.if_index}"
    in_err_oid = f"1.3.6.1.2.1.2.2.1.14.{acc_port.if_index}"
    lab.clock.scale = 0.0
    fid = lab.inject("speed_mismatch", "cpe-hosp-1:GigabitEthernet0/1", speed_mbps=100)
    try:
        late0, speed = await tools.pysnmp_get(lab, "cpe-hosp-1", late_oid, speed_oid)
        err0, = await tools.pysnmp_get(lab, "acc-a-sw1", in_err_oid)
        lab.advance(60)
        late1, = await tools.pysnmp_get(lab, "cpe-hosp-1", late_oid)
        err1, = await tools.pysnmp_get(lab, "acc-a-sw1", in_err_oid)
        assert int(speed) == 100
        assert int(late1) > int(late0) and int(err1) > int(err0)
        cisco = await asyncio.to_thread(tools.run_commands, lab, "cpe-hosp-1", "cisco_ios",
                                        ["show interfaces GigabitEthernet0/1"], True)
        row = cisco["show interfaces GigabitEthernet0/1"][0]
        assert row["speed"] == "100Mb/s" and row["link_status"] == "up"
        truth = lab.port_state("cpe-hosp-1", "GigabitEthernet0/1")
        assert truth.counters["late_collisions"] == int(late1) > 0
        huawei = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei_vrp",
                                         ["display interface GigabitEthernet0/0/3"], True)
        hw = huawei["display interface GigabitEthernet0/0/3"][0]
        assert hw["speed"] == "1000"
        raw = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei",
                                      ["display interface GigabitEthernet0/0/3"], False)
        crc = int(re.search(r"CRC:\s+(\d+)", raw["display interface GigabitEthernet0/0/3"]).group(1))
        assert crc == lab.port_state("acc-a-sw1", "GigabitEthernet0/0/3").counters["crc"] > 0
    finally:
        lab.clock.scale = 1.0
        lab.clear(fid)
    speed, = await tools.pysnmp_get(lab, "cpe-hosp-1", speed_oid)
    assert int(speed) == 1000


# ---- the same fault through SNMP and CLI on Cisco and ZTE, and error counters on both sides -----------
ENT_NAME = "1.3.6.1.2.1.47.1.1.1.1.7"
CISCO_SENSOR = "1.3.6.1.4.1.9.9.91.1.1.1.1"
SCALE_EXPONENT = {8: -3, 9: 0, 10: 3}  # CISCO-ENTITY-SENSOR-MIB SensorDataScale: milli, units, kilo


async def _cisco_snmp_rx(lab: Lab, tools, device: str, short_port: str) -> float:
    names = await tools.pysnmp_walk(lab, device, ENT_NAME)
    idx = next(k.rsplit(".", 1)[1] for k, v in names.items() if v == f"{short_port} Receive Power Sensor")
    typ, scale, precision, value = await tools.pysnmp_get(
        lab, device, *(f"{CISCO_SENSOR}.{col}.{idx}" for col in (1, 2, 3, 4)))
    assert int(typ) == 14  # dBm
    return int(value) * 10 ** SCALE_EXPONENT[int(scale)] / 10 ** int(precision)


async def test_cisco_fiber_degraded_same_rx_over_entity_sensor_and_cli(lab: Lab, tools) -> None:
    before = lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").rx_dbm
    fid = lab.inject("fiber_degraded", "CIR-EPL-0001#1", db=5.0)
    try:
        truth = lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1")
        assert truth.oper_up and truth.rx_dbm == pytest.approx(before - 5.0)
        snmp_rx = await _cisco_snmp_rx(lab, tools, "agg-rtr1", "Te1/1/1")
        # ntc-templates indexes the singular form (the plural is the same command on IOS)
        parsed = await asyncio.to_thread(tools.run_commands, lab, "agg-rtr1", "cisco_ios",
                                         ["show interface transceiver"], True)
        cli_rx = float(next(r for r in parsed["show interface transceiver"] if r["interface"] == "Te1/1/1")["rx_pwr"])
        assert snmp_rx == cli_rx == pytest.approx(truth.rx_dbm, abs=0.05)
        assert cli_rx == pytest.approx(round(before - 5.0, 1), abs=1e-9)
    finally:
        lab.clear(fid)
    assert await _cisco_snmp_rx(lab, tools, "agg-rtr1", "Te1/1/1") == pytest.approx(before, abs=0.05)


async def test_zte_cut_shows_in_opticalinfo_alarms_and_snmp(lab: Lab, tools) -> None:
    port = lab.topology.port("acc-b-sw1:gei-1/1/0/1")
    cmds = ["show opticalinfo gei-1/1/0/1", "show alarm current", "show alarm history"]
    on_port = re.compile(r'(?<![x\w])gei-1/1/0/1\b')
    fid = lab.inject("fiber_cut", "CIR-INET-0004#0")
    try:
        raw = await asyncio.to_thread(tools.run_commands, lab, "acc-b-sw1", "zte_zxros", cmds, False)
        rx = float(re.search(r"RxPower\(dBm\)\s+:\s+(-?\d+\.\d+)", raw[cmds[0]]).group(1))
        assert rx == -40.0 and lab.port_state("acc-b-sw1", "gei-1/1/0/1").rx_dbm is None
        current = [ln for ln in raw["show alarm current"].splitlines() if on_port.search(ln)]
        assert any("OperStatus=DOWN" in ln for ln in current), raw["show alarm current"]
        assert any("RxPower=-40.00dBm" in ln and "too low" in ln for ln in current), raw["show alarm current"]
        oper, = await tools.pysnmp_get(lab, "acc-b-sw1", f"1.3.6.1.2.1.2.2.1.8.{port.if_index}")
        assert int(oper) == 2
    finally:
        lab.clear(fid)
    raw = await asyncio.to_thread(tools.run_commands, lab, "acc-b-sw1", "zte_zxros", cmds, False)
    assert float(re.search(r"RxPower\(dBm\)\s+:\s+(-?\d+\.\d+)", raw[cmds[0]]).group(1)) == pytest.approx(
        lab.port_state("acc-b-sw1", "gei-1/1/0/1").rx_dbm, abs=0.005)
    assert not [ln for ln in raw["show alarm current"].splitlines() if on_port.search(ln)]
    cleared = [ln for ln in raw["show alarm history"].splitlines() if on_port.search(ln)]
    assert cleared and all(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d{4}-\d\d-\d\d", ln) for ln in cleared)
    oper, = await tools.pysnmp_get(lab, "acc-b-sw1", f"1.3.6.1.2.1.2.2.1.8.{port.if_index}")
    assert int(oper) == 1


def _counter(text: str, pattern: str) -> int:
    return int(re.search(pattern, text).group(1))


async def test_error_counters_agree_over_snmp_and_cli_under_duplex_mismatch_and_congestion(lab: Lab, tools) -> None:
    """Frozen time between reads: every SNMP counter equals its CLI twin, and both moved the same way."""
    cpe = lab.topology.port("cpe-hosp-1:GigabitEthernet0/1")
    acc = lab.topology.port("acc-a-sw1:GigabitEthernet0/0/3")
    cong = lab.topology.port("acc-a-sw1:GigabitEthernet0/0/2")
    agg = lab.topology.port("agg-rtr1:TenGigabitEthernet1/1/4")
    if_col = "1.3.6.1.2.1.2.2.1"
    late = "1.3.6.1.2.1.10.7.2.1.8"

    async def snmp() -> dict[str, int]:
        c_late, c_out_err = await tools.pysnmp_get(lab, "cpe-hosp-1", f"{late}.{cpe.if_index}", f"{if_col}.20.{cpe.if_index}")
        a_in_err, a_crc, a_disc = await tools.pysnmp_get(
            lab, "acc-a-sw1", f"{if_col}.14.{acc.if_index}", f"1.3.6.1.2.1.10.7.2.1.3.{acc.if_index}",
            f"{if_col}.19.{cong.if_index}")
        g_disc, = await tools.pysnmp_get(lab, "agg-rtr1", f"{if_col}.19.{agg.if_index}")
        return {"cpe_late": int(c_late), "cpe_out_err": int(c_out_err), "acc_in_err": int(a_in_err),
                "acc_crc": int(a_crc), "acc_out_disc": int(a_disc), "agg_out_disc": int(g_disc)}

    async def cli() -> dict[str, int]:
        c = await asyncio.to_thread(tools.run_commands, lab, "cpe-hosp-1", "cisco_ios", ["show interfaces GigabitEthernet0/1"], False)
        h = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei", [
            "display interface GigabitEthernet0/0/3", "display interface GigabitEthernet0/0/2"], False)
        g = await asyncio.to_thread(tools.run_commands, lab, "agg-rtr1", "cisco_ios", ["show interfaces TenGigabitEthernet1/1/4"], False)
        ci, h3, h2 = c["show interfaces GigabitEthernet0/1"], h["display interface GigabitEthernet0/0/3"], h["display interface GigabitEthernet0/0/2"]
        return {"cpe_late": _counter(ci, r"(\d+) late collision"), "cpe_out_err": _counter(ci, r"(\d+) output errors"),
                "acc_in_err": _counter(h3.split("Output:")[0], r"Total Error:\s*(\d+)"),
                "acc_crc": _counter(h3, r"CRC:\s*(\d+)"),
                "acc_out_disc": _counter(h2.split("Output:")[1], r"Discard:\s*(\d+)"),
                "agg_out_disc": _counter(g["show interfaces TenGigabitEthernet1/1/4"], r"Total output drops: (\d+)")}

    lab.clock.scale = 0.0
    ids = []
    try:
        before = await snmp()
        assert before == await cli()
        ids.append(lab.inject("duplex_mismatch", "cpe-hosp-1:GigabitEthernet0/1", duplex="half"))
        ids.append(lab.inject("port_congestion", "acc-a-sw1:GigabitEthernet0/0/2", utilisation=0.99, direction="out"))
        ids.append(lab.inject("port_congestion", "agg-rtr1:TenGigabitEthernet1/1/4", utilisation=0.95, direction="out"))
        lab.advance(60)
        after_snmp, after_cli = await snmp(), await cli()
    finally:
        for fid in ids:
            lab.clear(fid)
        lab.clock.scale = 1.0
    assert after_snmp == after_cli
    assert all(after_snmp[k] > before[k] for k in before), (before, after_snmp)


async def test_power_cycle_restarts_sysuptime_and_counters_over_snmp(lab: Lab, tools, traps) -> None:
    hosp = lab.device("cpe-hosp-1")
    port = lab.topology.port("cpe-hosp-1:GigabitEthernet0/1")
    oids = ("1.3.6.1.2.1.1.3.0", f"1.3.6.1.2.1.31.1.1.1.6.{port.if_index}", f"1.3.6.1.2.1.2.2.1.9.{port.if_index}")
    lab.clock.scale = 0.0
    try:
        lab.advance(300)
        uptime0, octets0, _ = await tools.pysnmp_get(lab, "cpe-hosp-1", *oids)
        assert int(uptime0) >= 30_000 and int(octets0) > 0
        start = len(traps.traps)
        fid = lab.inject("cpe_power_off", "cpe-hosp-1")
        lab.advance(60)
        lab.clear(fid)
        cold = await traps.wait_for(lambda t: t.source == hosp.host and t.trap_oid == "1.3.6.1.6.3.1.1.5.1"
                                    and t in traps.traps[start:])
        assert int(cold[-1].varbinds["1.3.6.1.2.1.1.3.0"]) == 0  # the trap's sysUpTime: just booted
        lab.advance(20)
        uptime1, octets1, last_change = await tools.pysnmp_get(lab, "cpe-hosp-1", *oids)
    finally:
        lab.clock.scale = 1.0
    assert int(uptime1) == 2000  # 20 s since the boot, not the lab's 380 s
    assert int(octets1) == 85e6 / 8 * 20  # counters restarted from zero at the boot
    assert int(last_change) == 0  # the link came up at boot time
    other, = await tools.pysnmp_get(lab, "acc-a-sw1", "1.3.6.1.2.1.1.3.0")
    assert int(other) > int(uptime0)  # the switch was never rebooted


async def test_transceiver_ageing_below_the_tx_low_threshold_sends_optical_traps(lab: Lab, tools, traps) -> None:
    acc, agg = lab.device("acc-a-sw1"), lab.device("agg-rtr1")
    hw_port = lab.topology.port("acc-a-sw1:XGigabitEthernet0/0/1")
    cisco_port = lab.topology.port("agg-rtr1:TenGigabitEthernet1/1/1")
    start = len(traps.traps)
    lab.clock.scale = 0.0
    ids = []
    try:
        ids.append(lab.inject("transceiver_ageing", "acc-a-sw1:XGigabitEthernet0/0/1", db_per_day=5.0))
        ids.append(lab.inject("transceiver_ageing", "agg-rtr1:TenGigabitEthernet1/1/1", db_per_day=5.0))
        lab.advance(86400)  # 5 dB down: below nominal - 4 dB
        hw = await traps.wait_for(lambda t: t in traps.traps[start:] and t.source == acc.host
                                  and t.trap_oid == HW_OPTICAL_INVALID)
        ent = 16_000 + hw_port.if_index
        assert int(hw[-1].varbinds["1.3.6.1.4.1.2011.5.25.219.1.3"]) == 136194  # output power too low
        assert list(hw[-1].varbinds)[2:5] == [  # after sysUpTime and snmpTrapOID: the MIB's objects, in order
            "1.3.6.1.4.1.2011.5.25.219.1.1", f"1.3.6.1.2.1.47.1.1.1.1.7.{ent}", "1.3.6.1.4.1.2011.5.25.219.1.3"]
        assert int(hw[-1].varbinds["1.3.6.1.4.1.2011.5.25.219.1.1"]) == ent
        tx = lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").tx_dbm
        assert int(hw[-1].varbinds[f"1.3.6.1.4.1.2011.5.25.31.1.1.3.1.9.{ent}"]) == round(tx * 100)
        tx_sensor = 1000 + 10 * cisco_port.if_index + 1 + 5
        cisco = await traps.wait_for(lambda t: t in traps.traps[start:] and t.source == agg.host
                                     and t.trap_oid == CISCO_THRESHOLD
                                     and f"1.3.6.1.4.1.9.9.91.1.1.1.1.4.{tx_sensor}" in t.varbinds)
        value = int(cisco[-1].varbinds[f"1.3.6.1.4.1.9.9.91.1.1.1.1.4.{tx_sensor}"])
        assert value == round(lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").tx_dbm * 10)
        # the same Tx over SNMP, and the alarm in the Huawei table
        snmp_tx, = await tools.pysnmp_get(lab, "acc-a-sw1", f"1.3.6.1.4.1.2011.5.25.31.1.1.3.1.9.{ent}")
        assert int(snmp_tx) == round(tx * 100)
        out = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei", ["display alarm active"], False)
        assert "XGigabitEthernet0/0/1" in out["display alarm active"] and "output power is too low" in out["display alarm active"]
        assert lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").oper_up  # the link still carries
    finally:
        for fid in ids:
            lab.clear(fid)
        lab.clock.scale = 1.0
    await traps.wait_for(lambda t: t in traps.traps[start:] and t.source == acc.host
                         and t.trap_oid == "1.3.6.1.4.1.2011.5.25.219.2.4.6")
    await traps.wait_for(lambda t: t in traps.traps[start:] and t.source == agg.host and t.trap_oid == CISCO_RECOVERY
                         and f"1.3.6.1.4.1.9.9.91.1.1.1.1.4.{tx_sensor}" in t.varbinds)
    assert not [a for a in lab.alarms("acc-a-sw1") if "output power" in a.description]
