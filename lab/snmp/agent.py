"""SNMP agents of all lab devices on one pysnmp engine (pysnmp 7 agent side, real UDP).

One `SnmpEngine` serves every device: each device has its own UDP socket (its own loopback address)
registered as its own transport domain, and the responders pick the device by the domain a request
arrived on. That starts instantly for 1,000 devices; the price is one shared SNMPv3 engine ID.
Values are read from the model at request time (see `mib.py`).
"""
from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from typing import Any

from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import cmdrsp, context, ntforg
from pysnmp.proto import rfc1902, rfc1905
from pysnmp.proto.api import v2c

from lab.clock import SimClock
from lab.errors import LabStateError
from lab.latency import DeviceTiming
from lab.model import Model
from lab.snmp.mib import DeviceMib
from lab.topology import DeviceSpec

log = logging.getLogger(__name__)

MAX_BULK_VARBINDS = 1000


@dataclass(frozen=True)
class V3Credentials:
    user: str = "faultline"
    auth_protocol: str = "SHA"
    auth_key: str = "lab-auth-key-1"
    priv_protocol: str = "AES"
    priv_key: str = "lab-priv-key-1"


@dataclass
class AgentDevice:
    spec: DeviceSpec
    device_no: int
    host: str
    port: int
    community: str
    domain: tuple[int, ...]
    timing: DeviceTiming | None = None
    _mib: DeviceMib | None = None

    @property
    def v3_only(self) -> bool:
        return str(self.spec.snmp.get("version", "2c")) == "3"


class _Responder(cmdrsp.CommandResponderBase):
    """Shared part of GET/GETNEXT/GETBULK: find the device, check the community, answer."""

    def __init__(self, lab: SnmpAgents, ctx: context.SnmpContext) -> None:
        super().__init__(lab.engine, ctx)
        self.lab = lab

    def _device(self, snmp_engine: Any, state_ref: Any) -> AgentDevice | None:
        domain, _addr = snmp_engine.message_dispatcher.get_transport_info(state_ref)
        dev = self.lab.by_domain.get(tuple(domain))
        if dev is None or not self.lab.model.powered(dev.spec.name):
            return None  # a powered-off device answers nothing
        pending = self._pending().get(state_ref)
        if pending is not None and pending[1] in (1, 2):  # v1/v2c: community must be the device's
            if dev.v3_only or self.lab.community_names.get(str(pending[2])) != dev.community:
                return None  # a device configured for SNMPv3 only ignores community requests
        return dev

    def _max_size(self, state_ref: Any) -> int:
        pending = self._pending().get(state_ref)
        return int(pending[9]) if pending is not None else 1472

    def handle_management_operation(self, snmpEngine: Any, stateReference: Any, contextName: Any, PDU: Any) -> None:  # noqa: N803
        dev = self._device(snmpEngine, stateReference)
        if dev is None:
            self.release_state_information(stateReference)
            return  # wrong community or unknown transport: silence, like a real agent
        delay = dev.timing.snmp_s() if dev.timing is not None else 0.0
        if delay <= 0:
            self._respond(snmpEngine, stateReference, dev, PDU)
            return
        # a real round trip: the request travels and waits for the agent (half the time), the values
        # are read then, and the response travels back (the other half). pysnmp forgets the request
        # when this call returns, so its state is kept here and put back for the answer.
        pending = self._pending()[stateReference]
        asyncio.get_running_loop().call_later(delay / 2, self._respond, snmpEngine, stateReference, dev, PDU,
                                              delay / 2, pending)

    def _pending(self) -> dict[Any, Any]:
        return self._CommandResponderBase__pendingReqs  # type: ignore[attr-defined,no-any-return]

    def _respond(self, snmp_engine: Any, state_ref: Any, dev: AgentDevice, pdu: Any, travel_s: float = 0.0,
                 pending: Any = None) -> None:
        if not self.lab.model.powered(dev.spec.name) or self.lab.engine is not snmp_engine:
            return  # switched off (or the lab stopped) meanwhile: the request is lost
        if pending is not None:
            self._pending()[state_ref] = pending
        try:
            mib = self.lab.mib(dev)
            rsp, status = self.answer(mib, pdu, self._max_size(state_ref)), 0
        except Exception:  # an exception here would mean no answer at all: report genErr
            log.exception("SNMP request on %s failed", dev.spec.name)
            rsp, status = list(v2c.apiPDU.get_varbinds(pdu)), 5  # genErr(5)
        if travel_s > 0:
            asyncio.get_running_loop().call_later(travel_s, self._send, snmp_engine, state_ref, status, rsp)
        else:
            self._send(snmp_engine, state_ref, status, rsp)

    def _send(self, snmp_engine: Any, state_ref: Any, status: int, rsp: list[tuple[Any, Any]]) -> None:
        if self.lab.engine is snmp_engine and state_ref in self._pending():  # a stopped lab sends nothing more
            self.send_varbinds(snmp_engine, state_ref, status, 1 if status else 0, rsp)
        self.release_state_information(state_ref)

    def answer(self, mib: DeviceMib, pdu: Any, max_size: int) -> list[tuple[Any, Any]]:
        raise NotImplementedError


class GetResponder(_Responder):
    SUPPORTED_PDU_TYPES = (rfc1905.GetRequestPDU.tagSet,)

    def answer(self, mib: DeviceMib, pdu: Any, max_size: int) -> list[tuple[Any, Any]]:
        out = []
        for name, _ in v2c.apiPDU.get_varbinds(pdu):
            value = mib.get(tuple(name))
            out.append((name, rfc1905.noSuchInstance if value is None else value))
        return out


def _next(mib: DeviceMib, name: Any) -> tuple[Any, Any]:
    found = mib.next(tuple(name))
    if found is None:
        return name, rfc1905.endOfMibView
    return v2c.ObjectIdentifier(found[0]), found[1]


class NextResponder(_Responder):
    SUPPORTED_PDU_TYPES = (rfc1905.GetNextRequestPDU.tagSet,)

    def answer(self, mib: DeviceMib, pdu: Any, max_size: int) -> list[tuple[Any, Any]]:
        return [_next(mib, name) for name, _ in v2c.apiPDU.get_varbinds(pdu)]


class BulkResponder(_Responder):
    """GETBULK that trims to the manager's message size and stops at the end of the MIB view."""

    SUPPORTED_PDU_TYPES = (rfc1905.GetBulkRequestPDU.tagSet,)

    def answer(self, mib: DeviceMib, pdu: Any, max_size: int) -> list[tuple[Any, Any]]:
        non_rep = max(0, int(v2c.apiBulkPDU.get_non_repeaters(pdu)))
        max_rep = max(0, int(v2c.apiBulkPDU.get_max_repetitions(pdu)))
        req = [name for name, _ in v2c.apiPDU.get_varbinds(pdu)]
        n = min(non_rep, len(req))
        out = [_next(mib, name) for name in req[:n]]
        budget = max_size - 200
        size = sum(_size(v) for v in out)
        cursors = req[n:]
        for _ in range(max_rep):
            if not cursors:
                break
            row = [_next(mib, name) for name in cursors]
            row_size = sum(_size(v) for v in row)
            if out and (size + row_size > budget or len(out) + len(row) > MAX_BULK_VARBINDS):
                break
            out.extend(row)
            size += row_size
            if all(v is rfc1905.endOfMibView for _, v in row):
                break
            cursors = [name for name, _ in row]
        return out


class SetResponder(_Responder):
    """The lab's agents are read-only, like a read-only community on a real device: notWritable."""

    SUPPORTED_PDU_TYPES = (rfc1905.SetRequestPDU.tagSet,)

    def handle_management_operation(self, snmpEngine: Any, stateReference: Any, contextName: Any, PDU: Any) -> None:  # noqa: N803
        if self._device(snmpEngine, stateReference) is None:
            self.release_state_information(stateReference)
            return
        varbinds = v2c.apiPDU.get_varbinds(PDU)
        self.send_varbinds(snmpEngine, stateReference, "notWritable", 1, varbinds)
        self.release_state_information(stateReference)


def _size(vb: tuple[Any, Any]) -> int:
    name, value = vb
    if isinstance(value, rfc1902.OctetString):
        return len(name) + len(value) + 8
    return len(name) + 14


class SnmpAgents:
    def __init__(self, model: Model, clock: SimClock, v3: V3Credentials) -> None:
        self.model = model
        self.clock = clock
        self.v3 = v3
        self.devices: dict[str, AgentDevice] = {}
        self.by_domain: dict[tuple[int, ...], AgentDevice] = {}
        self.community_names: dict[str, str] = {}
        self.engine: Any = None
        self._originator: Any = None
        self._receivers: list[tuple[str, int, str]] = []

    def add_device(self, spec: DeviceSpec, device_no: int, host: str, port: int, community: str,
                   timing: DeviceTiming | None = None) -> None:
        domain = udp.DOMAIN_NAME + (device_no,)
        dev = AgentDevice(spec, device_no, host, port, community, domain, timing)
        self.devices[spec.name] = dev
        self.by_domain[domain] = dev

    def mib(self, dev: AgentDevice) -> DeviceMib:
        if dev._mib is None:  # built on first use: 1,000 devices start without 2M OIDs in memory
            dev._mib = DeviceMib(dev.spec, dev.device_no, self.model, self.clock)
        return dev._mib

    def start(self) -> None:
        self.engine = engine.SnmpEngine()
        eng = self.engine
        for dev in self.devices.values():
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind((dev.host, dev.port))
            except OSError as exc:
                sock.close()
                self.stop()
                raise LabStateError(f"SNMP {dev.spec.name}: cannot bind {dev.host}:{dev.port}: {exc}") from exc
            sock.setblocking(False)
            config.add_transport(eng, dev.domain, udp.UdpAsyncioTransport().open_server_mode(sock=sock))
        for i, community in enumerate(sorted({d.community for d in self.devices.values()})):
            name = f"lab-c{i}"
            self.community_names[name] = community
            config.add_v1_system(eng, name, community)
        auth = {"SHA": config.USM_AUTH_HMAC96_SHA, "MD5": config.USM_AUTH_HMAC96_MD5}[self.v3.auth_protocol]
        priv = {"AES": config.USM_PRIV_CFB128_AES, "DES": config.USM_PRIV_CBC56_DES}[self.v3.priv_protocol]
        config.add_v3_user(eng, self.v3.user, auth, self.v3.auth_key, priv, self.v3.priv_key)
        config.add_v1_system(eng, "lab-trap", "public")
        self.community_names["lab-trap"] = "public"
        config.add_vacm_user(eng, 2, "lab-trap", "noAuthNoPriv", (1, 3, 6), (1, 3, 6), (1, 3, 6))
        config.add_target_parameters(eng, "lab-trap-params", "lab-trap", "noAuthNoPriv", 1)
        config.add_target_parameters(eng, "lab-trap-params-v3", self.v3.user, "authPriv", 3)
        config.add_vacm_user(eng, 3, self.v3.user, "authPriv", (1, 3, 6), (1, 3, 6), (1, 3, 6))
        ctx = context.SnmpContext(eng)
        GetResponder(self, ctx)
        NextResponder(self, ctx)
        BulkResponder(self, ctx)
        SetResponder(self, ctx)
        self._originator = ntforg.NotificationOriginator()
        for dev in self.devices.values():
            config.add_notification_target(eng, f"lab-n{dev.device_no}", "lab-trap-params", f"dev{dev.device_no}", "trap")
        for receiver in self._receivers:
            self._add_receiver_targets(receiver)

    @property
    def engine_id(self) -> str | None:
        """The shared snmpEngineID in hex: what a v3 trap receiver must configure for the lab."""
        return None if self.engine is None else self.engine.snmpEngineID.asOctets().hex()

    def _add_receiver_targets(self, receiver: tuple[str, int, str]) -> None:
        host, port, version = receiver
        n = self._receivers.index(receiver)
        params = "lab-trap-params-v3" if version == "3" else "lab-trap-params"
        for dev in self.devices.values():
            config.add_target_address(self.engine, f"lab-t{dev.device_no}-{n}", dev.domain, (host, port),
                                      params, tagList=f"dev{dev.device_no}")

    def add_trap_receiver(self, host: str, port: int, version: str = "2c") -> None:
        if version not in ("2c", "3"):
            raise ValueError(f"trap version must be '2c' or '3', got {version!r}")
        receiver = (host, port, version)
        if receiver in self._receivers:
            return
        self._receivers.append(receiver)
        if self.engine is not None:
            self._add_receiver_targets(receiver)

    def send_trap(self, device: str, trap_oid: str, varbinds: list[tuple[str, Any]]) -> None:
        if self.engine is None or not self._receivers:
            return
        dev = self.devices[device]
        vbs = [
            ("1.3.6.1.2.1.1.3.0", rfc1902.TimeTicks(self.model.uptime_ticks(device))),
            ("1.3.6.1.6.3.1.1.4.1.0", rfc1902.ObjectIdentifier(trap_oid)),
            *varbinds,
        ]
        self._originator.send_varbinds(self.engine, f"lab-n{dev.device_no}", None, b"", vbs)

    def stop(self) -> None:
        if self.engine is not None:
            self.engine.close_dispatcher()
            self.engine = None
