"""Helpers for the lab integration tests: one lab per module on a random loopback block, real
netmiko sessions, pysnmp and net-snmp walks, and a raw UDP trap receiver decoding with pysnmp."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from pyasn1.codec.ber import decoder
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_walk_cmd,
    get_cmd,
    walk_cmd,
    usmAesCfb128Protocol,
    usmHMACSHAAuthProtocol,
)
from pysnmp.proto import api

from lab import Lab


# ---- CLI -------------------------------------------------------------------------------------------
def netmiko_session(lab: Lab, device: str, device_type: str) -> Any:
    from netmiko import ConnectHandler

    ep = lab.device(device)
    return ConnectHandler(device_type=device_type, host=ep.host, port=ep.ssh_port, username=ep.username,
                          password=ep.password)


def run_commands(lab: Lab, device: str, device_type: str, commands: list[str], parse: bool) -> dict[str, Any]:
    """Blocking: connect with netmiko, run commands, return raw or ntc-parsed output per command."""
    conn = netmiko_session(lab, device, device_type)
    try:
        return {cmd: conn.send_command(cmd, use_textfsm=parse, raise_parsing_error=parse) for cmd in commands}
    finally:
        conn.disconnect()


# ---- SNMP ------------------------------------------------------------------------------------------
def v2c(lab: Lab, device: str) -> CommunityData:
    return CommunityData(lab.device(device).community, mpModel=1)


def v3(lab: Lab) -> UsmUserData:
    c = lab.v3
    return UsmUserData(c.user, c.auth_key, c.priv_key, authProtocol=usmHMACSHAAuthProtocol,
                       privProtocol=usmAesCfb128Protocol)


async def pysnmp_walk(lab: Lab, device: str, root: str, auth: Any = None) -> dict[str, str]:
    ep = lab.device(device)
    engine = SnmpEngine()
    try:
        target = await UdpTransportTarget.create((ep.host, ep.snmp_port), timeout=2, retries=1)
        out: dict[str, str] = {}
        async for err_ind, err_stat, _idx, vbs in bulk_walk_cmd(
            engine, auth or v2c(lab, device), target, ContextData(), 0, 25,
            ObjectType(ObjectIdentity(root)), lexicographicMode=False, lookupMib=False,
        ):
            assert err_ind is None and not err_stat, (err_ind, err_stat)
            for name, value in vbs:
                out[str(name)] = value.prettyPrint()
        return out
    finally:
        engine.close_dispatcher()


async def pysnmp_next_walk(lab: Lab, device: str, root: str, auth: Any = None) -> dict[str, str]:
    """The same walk with GETNEXT requests only (pysnmp's walk_cmd)."""
    ep = lab.device(device)
    engine = SnmpEngine()
    try:
        target = await UdpTransportTarget.create((ep.host, ep.snmp_port), timeout=2, retries=1)
        out: dict[str, str] = {}
        async for err_ind, err_stat, _idx, vbs in walk_cmd(
            engine, auth or v2c(lab, device), target, ContextData(),
            ObjectType(ObjectIdentity(root)), lexicographicMode=False, lookupMib=False,
        ):
            assert err_ind is None and not err_stat, (err_ind, err_stat)
            for name, value in vbs:
                out[str(name)] = value.prettyPrint()
        return out
    finally:
        engine.close_dispatcher()


async def pysnmp_get(lab: Lab, device: str, *oids: str) -> list[Any]:
    ep = lab.device(device)
    engine = SnmpEngine()
    try:
        target = await UdpTransportTarget.create((ep.host, ep.snmp_port), timeout=2, retries=1)
        err_ind, err_stat, _idx, vbs = await get_cmd(
            engine, v2c(lab, device), target, ContextData(), *(ObjectType(ObjectIdentity(o)) for o in oids),
            lookupMib=False)
        assert err_ind is None and not err_stat, (err_ind, err_stat)
        return [v for _, v in vbs]
    finally:
        engine.close_dispatcher()


def netsnmp_v3_args(lab: Lab) -> list[str]:
    c = lab.v3
    return ["-v3", "-l", "authPriv", "-u", c.user, "-a", c.auth_protocol, "-A", c.auth_key,
            "-x", c.priv_protocol, "-X", c.priv_key]


async def netsnmp_walk(lab: Lab, device: str, root: str, extra: list[str] | None = None,
                       command: str = "snmpbulkwalk") -> dict[str, str]:
    """net-snmp's walk (`snmpbulkwalk`: GETBULK, `snmpwalk`: GETNEXT); value text per numeric OID."""
    ep = lab.device(device)
    args = extra or ["-v2c", "-c", ep.community]
    bulk = ["-Cr25"] if command == "snmpbulkwalk" else []
    proc = await asyncio.create_subprocess_exec(
        command, *args, "-On", "-Oe", *bulk, "-t", "2", "-r", "1", f"{ep.host}:{ep.snmp_port}", root,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    result: dict[str, str] = {}
    last = None
    for line in out.decode().splitlines():
        if not line.startswith(".") and last is not None:  # a string value printed over several lines
            result[last] += "\n" + line
            continue
        name, _, rest = line.partition(" = ")
        if rest.startswith("No more variables left"):  # endOfMibView at the end of the agent's tree
            continue
        last = name.lstrip(".")
        result[last] = rest
    return result


# ---- traps -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trap:
    source: str
    trap_oid: str
    varbinds: dict[str, Any]


class TrapReceiver(asyncio.DatagramProtocol):
    """Receives SNMPv2c notifications on UDP and decodes them with pysnmp's message spec."""

    def __init__(self) -> None:
        self.traps: list[Trap] = []
        self._changed = asyncio.Event()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        p_mod = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
        msg, _ = decoder.decode(data, asn1Spec=p_mod.Message())
        pdu = p_mod.apiMessage.get_pdu(msg)
        vbs = {str(n): v for n, v in p_mod.apiPDU.get_varbinds(pdu)}
        self.traps.append(Trap(addr[0], str(vbs.get("1.3.6.1.6.3.1.1.4.1.0")), vbs))
        self._changed.set()

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> list[Trap]:
        deadline = time.monotonic() + timeout
        while True:
            found = [t for t in self.traps if predicate(t)]
            if found:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching trap within {timeout}s; got {[(t.source, t.trap_oid) for t in self.traps]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass


class Tools:
    """The helpers above, handed to tests as a fixture (test modules cannot import conftest)."""

    run_commands = staticmethod(run_commands)
    netmiko_session = staticmethod(netmiko_session)
    pysnmp_walk = staticmethod(pysnmp_walk)
    pysnmp_get = staticmethod(pysnmp_get)
    pysnmp_next_walk = staticmethod(pysnmp_next_walk)
    netsnmp_v3_args = staticmethod(netsnmp_v3_args)
    netsnmp_walk = staticmethod(netsnmp_walk)
    v3 = staticmethod(v3)


@pytest.fixture(scope="session")
def tools() -> Tools:
    return Tools()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def traps(lab: Lab) -> AsyncIterator[TrapReceiver]:
    loop = asyncio.get_running_loop()
    receiver = TrapReceiver()
    transport, _ = await loop.create_datagram_endpoint(lambda: receiver, local_addr=("127.0.0.1", 0))
    host, port = transport.get_extra_info("sockname")
    lab.add_trap_receiver(host, port)
    try:
        yield receiver
    finally:
        transport.close()
