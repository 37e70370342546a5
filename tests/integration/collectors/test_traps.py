"""Real traps (net-snmp snmptrap, pysnmp's notification originator) -> TrapReceiver -> alarm records."""
from __future__ import annotations

import asyncio
import random
import shutil
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
    if shutil.which("snmptrap") is None:
        pytest.fail("net-snmp's snmptrap is required (apt-get install snmp)")
    return net()


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
