"""Real traps (net-snmp snmptrap, pysnmp's notification originator) -> TrapReceiver -> alarm records."""
from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest

from collectors.enums import ProbableCause
from collectors.traps import TrapReceiver, V3User

pytestmark = pytest.mark.netsnmp
ENGINE_ID = "8000000001020304"
LINK_DOWN, LINK_UP = "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.6.3.1.1.5.4"
HW_OPTICAL_INVALID = "1.3.6.1.4.1.2011.5.25.219.2.4.5"


def net() -> tuple[str, str]:
    a, b = random.randint(30, 250), random.randint(0, 255)
    return f"127.{a}.{b}.1", f"127.{a}.{b}.9"  # receiver, sender


@pytest.fixture
def addresses():
    return net()  # the module is marked netsnmp: snmptrap is there (or the test skipped / failed in CI)


class SteppingClock:
    """Each reading of the time moves it on by `step` (traps seen `step` apart)."""

    def __init__(self, step: timedelta) -> None:
        self.t, self.step = datetime(2026, 11, 25, 8, 0, tzinfo=UTC), step

    def __call__(self) -> datetime:
        self.t += self.step
        return self.t


async def snmptrap(receiver: TrapReceiver, sender: str, trap_oid: str, *varbinds: str, v3: bool = False) -> None:
    auth = (["-v", "3", "-e", "0x" + ENGINE_ID, "-u", "trapper", "-l", "authPriv", "-a", "SHA", "-A", "trap-auth-1",
             "-x", "AES", "-X", "trap-priv-1"] if v3 else ["-v", "2c", "-c", "public"])
    proc = await asyncio.create_subprocess_exec(
        "snmptrap", *auth, f"--clientaddr={sender}", f"{receiver.host}:{receiver.port}", "", trap_oid, *varbinds,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()


def link(if_index: int, name: str, admin: int, oper: int) -> list[str]:
    return [f"1.3.6.1.2.1.2.2.1.1.{if_index}", "i", str(if_index), f"1.3.6.1.2.1.2.2.1.7.{if_index}", "i", str(admin),
            f"1.3.6.1.2.1.2.2.1.8.{if_index}", "i", str(oper), f"1.3.6.1.2.1.2.2.1.2.{if_index}", "s", name]


async def next_record(queue: asyncio.Queue):
    return await asyncio.wait_for(queue.get(), timeout=10)


def receiver_for(addresses, queue, **kwargs) -> TrapReceiver:
    host, sender = addresses
    return TrapReceiver(host, 0, devices={sender: "acc-a-sw1"}, queue=queue,
                        v3_users=[V3User("trapper", "SHA", "trap-auth-1", "AES", "trap-priv-1", engine_id=ENGINE_ID)], **kwargs)


async def test_link_down_then_up_is_one_paired_alarm(addresses):
    queue: asyncio.Queue = asyncio.Queue()
    async with receiver_for(addresses, queue) as receiver:
        await snmptrap(receiver, addresses[1], LINK_DOWN, *link(3, "GigabitEthernet0/0/1", 1, 2))
        raised = await next_record(queue)
        await snmptrap(receiver, addresses[1], LINK_UP, *link(3, "GigabitEthernet0/0/1", 1, 1), v3=True)
        cleared = await next_record(queue)
    assert (raised.device, raised.port, raised.probable_cause) == ("acc-a-sw1", "GigabitEthernet0/0/1", ProbableCause.LINK_DOWN)
    assert raised.cleared_at is None and raised.source.method == "trap" and raised.source.ref == LINK_DOWN
    assert cleared.raised_at == raised.raised_at and cleared.cleared_at is not None
    assert receiver.active() == [] and len(receiver.records()) == 1


async def test_duplicates_merge_and_flapping_is_detected(addresses):
    queue: asyncio.Queue = asyncio.Queue()
    async with receiver_for(addresses, queue, flap_changes=4, flap_window=timedelta(minutes=10),
                            now=SteppingClock(timedelta(minutes=1))) as receiver:
        await snmptrap(receiver, addresses[1], LINK_DOWN, *link(5, "GigabitEthernet0/0/3", 1, 2))
        await snmptrap(receiver, addresses[1], LINK_DOWN, *link(5, "GigabitEthernet0/0/3", 1, 2))
        first, duplicate = await next_record(queue), await next_record(queue)
        assert duplicate.count == 2 and duplicate.raised_at == first.raised_at
        seen = []
        for trap in (LINK_UP, LINK_DOWN, LINK_UP):
            await snmptrap(receiver, addresses[1], trap, *link(5, "GigabitEthernet0/0/3", 1, 2 if trap == LINK_DOWN else 1))
            seen.append(await next_record(queue))
    assert [r.flapping for r in seen] == [False, False, True]  # the 4th state change within 10 minutes
    assert receiver.stats.merged == 1


async def test_changes_spread_out_are_not_flapping(addresses):
    queue: asyncio.Queue = asyncio.Queue()
    async with receiver_for(addresses, queue, flap_changes=3, flap_window=timedelta(minutes=10),
                            now=SteppingClock(timedelta(minutes=30))) as receiver:
        for trap in (LINK_DOWN, LINK_UP, LINK_DOWN, LINK_UP):
            await snmptrap(receiver, addresses[1], trap, *link(7, "GigabitEthernet0/0/5", 1, 2 if trap == LINK_DOWN else 1))
            record = await next_record(queue)
            assert not record.flapping


async def test_optical_alarm_suppressed_on_admin_down_and_fibreless_ports(addresses):
    queue: asyncio.Queue = asyncio.Queue()
    optical = lambda ent, name: [f"1.3.6.1.2.1.47.1.1.1.1.7.{ent}", "s", name,  # noqa: E731
                                 f"1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8.{ent}", "i", "-4000"]
    async with receiver_for(addresses, queue) as receiver:
        # the linkDown carries ifAdminStatus=down(2): the receiver learns the port is shut
        await snmptrap(receiver, addresses[1], LINK_DOWN, *link(9, "GigabitEthernet0/0/7", 2, 2))
        await next_record(queue)
        await snmptrap(receiver, addresses[1], HW_OPTICAL_INVALID, *optical(16009, "GigabitEthernet0/0/7"))
        receiver.set_port_facts("acc-a-sw1", "GigabitEthernet0/0/8", has_fibre=False)
        await snmptrap(receiver, addresses[1], HW_OPTICAL_INVALID, *optical(16010, "GigabitEthernet0/0/8"))
        await snmptrap(receiver, addresses[1], HW_OPTICAL_INVALID, *optical(16011, "GigabitEthernet0/0/9"))
        record = await next_record(queue)  # traps are handled in order: the two before were dropped
    assert (record.port, record.probable_cause) == ("GigabitEthernet0/0/9", ProbableCause.RX_POWER_LOW)
    assert receiver.stats.suppressed == 2
    assert sorted(e.port for e, _ in receiver.correlator.suppressed) == ["GigabitEthernet0/0/7", "GigabitEthernet0/0/8"]


async def test_pysnmp_originator_v2c_trap(addresses):
    from pysnmp.hlapi.v3arch.asyncio import (
        CommunityData, ContextData, NotificationType, ObjectIdentity, ObjectType, OctetString, SnmpEngine,
        UdpTransportTarget, send_notification,
    )
    from pysnmp.proto.rfc1902 import Integer32

    queue: asyncio.Queue = asyncio.Queue()
    host, _ = addresses
    async with TrapReceiver(host, 0, devices={"127.0.0.1": "cpe-1"}, queue=queue) as receiver:
        engine = SnmpEngine()
        try:
            target = await UdpTransportTarget.create((host, receiver.port), timeout=1, retries=0)
            error, *_ = await send_notification(
                engine, CommunityData("public", mpModel=1), target, ContextData(), "trap",
                NotificationType(ObjectIdentity(LINK_DOWN)).add_varbinds(
                    ObjectType(ObjectIdentity("1.3.6.1.2.1.2.2.1.1.4"), Integer32(4)),
                    ObjectType(ObjectIdentity("1.3.6.1.2.1.2.2.1.2.4"), OctetString("GigabitEthernet0/0/2")),
                ),
            )
            assert error is None
            record = await next_record(queue)
        finally:
            engine.close_dispatcher()
    assert (record.device, record.port, record.is_active) == ("cpe-1", "GigabitEthernet0/0/2", True)


async def test_wrong_community_is_ignored_and_port_in_use_fails_loudly(addresses):
    queue: asyncio.Queue = asyncio.Queue()
    async with receiver_for(addresses, queue) as receiver:
        proc = await asyncio.create_subprocess_exec(
            "snmptrap", "-v", "2c", "-c", "not-ours", f"--clientaddr={addresses[1]}", f"{receiver.host}:{receiver.port}",
            "", LINK_DOWN, *link(3, "GigabitEthernet0/0/1", 1, 2))
        await proc.wait()
        await snmptrap(receiver, addresses[1], LINK_DOWN, *link(4, "GigabitEthernet0/0/2", 1, 2))
        record = await next_record(queue)
        assert record.port == "GigabitEthernet0/0/2" and receiver.active() == [record]
        with pytest.raises(OSError):
            await TrapReceiver(receiver.host, receiver.port).start()


# -- vendor optical traps: Cisco entity sensors, Juniper DOM ------------------------------------------
CISCO_THRESHOLD, CISCO_RECOVERY = "1.3.6.1.4.1.9.9.91.2.0.1", "1.3.6.1.4.1.9.9.91.2.0.2"
JNX_SET, JNX_CLEARED = "1.3.6.1.4.1.2636.4.18.0.1", "1.3.6.1.4.1.2636.4.18.0.2"


def sensor_trap(sensor: int, threshold: int, value: int, limit: int, *, severity: int | None = None,
                sensor_type: int | None = None, name: str | None = None) -> list[str]:
    binds = [f"1.3.6.1.4.1.9.9.91.1.2.1.1.4.{sensor}.{threshold}", "i", str(limit),
             f"1.3.6.1.4.1.9.9.91.1.1.1.1.4.{sensor}", "i", str(value)]
    if severity is not None:
        binds += [f"1.3.6.1.4.1.9.9.91.1.2.1.1.2.{sensor}.{threshold}", "i", str(severity)]
    if sensor_type is not None:
        binds += [f"1.3.6.1.4.1.9.9.91.1.1.1.1.1.{sensor}", "i", str(sensor_type)]
    if name is not None:
        binds += [f"1.3.6.1.2.1.47.1.1.1.1.7.{sensor}", "s", name]
    return binds


async def test_cisco_tx_power_high_and_its_recovery_notification(addresses):
    queue: asyncio.Queue = asyncio.Queue()
    async with receiver_for(addresses, queue) as receiver:
        # IOS: Tx power sensor of Te1/1, 0.1 dBm, high warning -10 dBm (greaterThan), severity major(20)
        await snmptrap(receiver, addresses[1], CISCO_THRESHOLD,
                       *sensor_trap(1017, 2, 12, -10, severity=20, sensor_type=14, name="Te1/1 Transmit Power Sensor"))
        raised = await next_record(queue)
        await snmptrap(receiver, addresses[1], CISCO_RECOVERY,
                       *sensor_trap(1017, 2, -25, -10, severity=20, sensor_type=14, name="Te1/1 Transmit Power Sensor"))
        cleared = await next_record(queue)
    assert (raised.port, raised.probable_cause, raised.severity.value) == ("Te1/1", ProbableCause.TX_POWER_HIGH, "major")
    assert raised.cleared_at is None and "value=12 threshold=-10" in raised.specific_problem
    assert (cleared.probable_cause, cleared.raised_at) == (ProbableCause.TX_POWER_HIGH, raised.raised_at)
    assert cleared.cleared_at is not None and receiver.active() == []


async def test_cisco_temperature_sensor_known_from_the_device_sensor_table(addresses):
    from collectors.trapmap import SensorInfo

    queue: asyncio.Queue = asyncio.Queue()
    sensors = {1014: SensorInfo("temperature", {1: 3, 2: 1})}  # 1: greaterThan (high), 2: lessThan (low)
    async with receiver_for(addresses, queue, sensors=lambda device, ent: sensors.get(ent),
                            entity_ports=lambda device, ent: "TenGigabitEthernet1/1" if ent == 1014 else None) as receiver:
        await snmptrap(receiver, addresses[1], CISCO_THRESHOLD, *sensor_trap(1014, 1, 76, 70, severity=30))
        raised = await next_record(queue)
        # an old-style sender repeats .2.0.1 when the value is back: the relation says it is a clear
        await snmptrap(receiver, addresses[1], CISCO_THRESHOLD, *sensor_trap(1014, 1, 45, 70))
        cleared = await next_record(queue)
    assert (raised.port, raised.probable_cause, raised.severity.value) == (
        "TenGigabitEthernet1/1", ProbableCause.TEMPERATURE_HIGH, "critical")
    assert cleared.probable_cause is ProbableCause.TEMPERATURE_HIGH and cleared.cleared_at is not None


async def test_cisco_old_sender_rx_low_and_back(addresses):
    """What senders before the 2013 MIB (and the lab) do: .2.0.1 both ways, no severity, Rx sensor."""
    queue: asyncio.Queue = asyncio.Queue()
    async with receiver_for(addresses, queue, entity_ports=lambda device, ent: "Gi0/1") as receiver:
        await snmptrap(receiver, addresses[1], CISCO_THRESHOLD, *sensor_trap(1007, 4, -300, -200))
        raised = await next_record(queue)
        await snmptrap(receiver, addresses[1], CISCO_THRESHOLD, *sensor_trap(1007, 4, -50, -200))
        cleared = await next_record(queue)
    assert (raised.port, raised.probable_cause, raised.is_active) == ("Gi0/1", ProbableCause.RX_POWER_LOW, True)
    assert cleared.cleared_at is not None and cleared.raised_at == raised.raised_at


async def test_juniper_dom_alarm_set_and_cleared_per_bit(addresses):
    queue: asyncio.Queue = asyncio.Queue()

    def dom(current: str, last: str) -> list[str]:
        return ["1.3.6.1.2.1.2.2.1.2.516", "s", "ge-1/0/0",
                "1.3.6.1.4.1.2636.3.60.1.1.1.1.3.516", "x", last,
                "1.3.6.1.4.1.2636.3.60.1.1.1.1.1.516", "x", current]

    async with receiver_for(addresses, queue) as receiver:
        # bits 0 (Rx loss of signal) and 4 (Rx power low) set
        await snmptrap(receiver, addresses[1], JNX_SET, *dom("88 00 00", "00 00 00"))
        first, second = await next_record(queue), await next_record(queue)
        # loss of signal cleared, Rx power still low
        await snmptrap(receiver, addresses[1], JNX_CLEARED, *dom("08 00 00", "88 00 00"))
        cleared = await next_record(queue)
    assert {(r.port, r.probable_cause) for r in (first, second)} == {
        ("ge-1/0/0", ProbableCause.LOSS_OF_SIGNAL), ("ge-1/0/0", ProbableCause.RX_POWER_LOW)}
    assert cleared.probable_cause is ProbableCause.LOSS_OF_SIGNAL and cleared.cleared_at is not None
    assert [a.probable_cause for a in receiver.active()] == [ProbableCause.RX_POWER_LOW]


async def test_huawei_optical_fault_ids_over_snmptrap(addresses):
    """hwOpticalInvalid/Resume as net-snmp sends them: the fault id picks Tx low / Rx high / Rx low, and
    the clear pairs with its own raise (not with an Rx low on the same port)."""
    queue: asyncio.Queue = asyncio.Queue()
    fault = "1.3.6.1.4.1.2011.5.25.219.1.3"

    def optical(ent: int, name: str, fault_id: int | None) -> list[str]:
        binds = ["1.3.6.1.4.1.2011.5.25.219.1.1.0", "i", str(ent), f"1.3.6.1.2.1.47.1.1.1.1.7.{ent}", "s", name]
        return binds + ([f"{fault}.0", "i", str(fault_id)] if fault_id is not None else [])

    async with receiver_for(addresses, queue) as receiver:
        for fault_id in (136194, 136195, 136196, None):
            await snmptrap(receiver, addresses[1], HW_OPTICAL_INVALID, *optical(16005, "XGigabitEthernet0/0/1", fault_id))
        raised = [await next_record(queue) for _ in range(4)]  # no fault id: Rx low again, merged into it
        await snmptrap(receiver, addresses[1], "1.3.6.1.4.1.2011.5.25.219.2.4.6", *optical(16005, "XGigabitEthernet0/0/1", 136194))
        cleared = await next_record(queue)
    assert [r.probable_cause for r in raised] == [ProbableCause.TX_POWER_LOW, ProbableCause.RX_POWER_HIGH,
                                                  ProbableCause.RX_POWER_LOW, ProbableCause.RX_POWER_LOW]
    assert raised[3].count == 2 and {r.port for r in raised} == {"XGigabitEthernet0/0/1"}
    assert (cleared.probable_cause, cleared.cleared_at is not None) == (ProbableCause.TX_POWER_LOW, True)
    assert sorted(r.probable_cause.value for r in receiver.active()) == ["receivePowerHigh", "receivePowerLow"]


async def test_prepare_runs_before_decoding_so_resolvers_answer_for_the_first_trap(addresses):
    """``prepare`` (the agent reads the sender's entity tables there) is awaited before each trap is
    decoded, traps stay in arrival order, and a failing prepare still lets the trap through."""
    queue: asyncio.Queue = asyncio.Queue()
    learnt: dict[int, str] = {}
    calls: list[str] = []
    read_done = asyncio.Event()  # the first trap's entity read finishes only once the second trap is in

    async def prepare(source: str, values) -> None:
        calls.append(source)
        if len(calls) == 2:
            raise RuntimeError("device unreachable")
        await read_done.wait()  # a slow SNMP read: the next trap must wait behind this one
        learnt[16007] = "GigabitEthernet0/0/5"

    async with receiver_for(addresses, queue, prepare=prepare,
                            entity_ports=lambda device, ent: learnt.get(ent)) as receiver:
        await snmptrap(receiver, addresses[1], HW_OPTICAL_INVALID, "1.3.6.1.4.1.2011.5.25.219.1.1.0", "i", "16007",
                       "1.3.6.1.4.1.2011.5.25.219.1.3.0", "i", "136196")
        await snmptrap(receiver, addresses[1], LINK_DOWN, *link(9, "GigabitEthernet0/0/7", 1, 2))
        read_done.set()
        first, second = await next_record(queue), await next_record(queue)
    assert (first.port, first.probable_cause) == ("GigabitEthernet0/0/5", ProbableCause.RX_POWER_LOW)
    assert (second.port, second.probable_cause) == ("GigabitEthernet0/0/7", ProbableCause.LINK_DOWN)
    assert calls == [addresses[1], addresses[1]]


async def test_huawei_crc_error_rising_and_resume_reach_the_port(addresses):
    """hwIfMonitorCrcErrorRising/Resume (HUAWEI-IF-EXT-MIB .41.4.1/.2) as net-snmp sends them: a CRC
    alarm on the port hwIfMonitorName names (or, without the name, the port of the row's ifIndex), and
    the resume clears it."""
    queue: asyncio.Queue = asyncio.Queue()
    monitor = "1.3.6.1.4.1.2011.5.25.41.1.7.1.1"

    def crc(if_index: int, name: str | None, count: int) -> list[str]:
        binds = [f"{monitor}.2.{if_index}", "u", str(count), f"{monitor}.3.{if_index}", "u", "3",
                 f"{monitor}.4.{if_index}", "u", "10"]
        return binds + ([f"{monitor}.19.{if_index}", "s", name] if name else [])

    ports = {("acc-a-sw1", 12): "XGigabitEthernet0/0/9"}
    async with receiver_for(addresses, queue, if_ports=lambda device, i: ports.get((device, i))) as receiver:
        await snmptrap(receiver, addresses[1], "1.3.6.1.4.1.2011.5.25.41.4.1", *crc(11, "XGigabitEthernet0/0/8", 27200))
        named = await next_record(queue)
        await snmptrap(receiver, addresses[1], "1.3.6.1.4.1.2011.5.25.41.4.1", *crc(12, None, 40))
        by_index = await next_record(queue)
        await snmptrap(receiver, addresses[1], "1.3.6.1.4.1.2011.5.25.41.4.2", *crc(11, "XGigabitEthernet0/0/8", 0))
        cleared = await next_record(queue)
    assert (named.port, named.probable_cause, named.is_active) == ("XGigabitEthernet0/0/8", ProbableCause.CRC_ERRORS, True)
    assert "27200 CRC errors in 10 s" in named.specific_problem
    assert (by_index.port, by_index.probable_cause) == ("XGigabitEthernet0/0/9", ProbableCause.CRC_ERRORS)
    assert (cleared.port, cleared.cleared_at is not None) == ("XGigabitEthernet0/0/8", True)
    assert [(a.port, a.probable_cause) for a in receiver.active()] == [("XGigabitEthernet0/0/9", ProbableCause.CRC_ERRORS)]
