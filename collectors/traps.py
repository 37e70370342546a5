"""SNMP trap receiver (告警接收): v2c and v3 notifications on a configurable UDP address become
``AlarmRecord``s through the alarm correlator (pairing, duplicate merging, flap detection, optical
alarm suppression), delivered on an asyncio queue and/or to a callback.

Which trap means what is data (``collectors.trapmap.TRAP_TABLE``, pure): IF-MIB linkDown/linkUp,
Huawei hwOpticalInvalid / hwOpticalInvalidResume (by fault id), Huawei hwIfMonitorCrcErrorRising /
Resume (on the port hwIfMonitorName names), Cisco entSensorThresholdNotification /
entSensorThresholdRecoveryNotification (by sensor kind and threshold side), Juniper jnxDomAlarmSet /
jnxDomAlarmCleared (one alarm per DOM alarm bit that changed).
"""
from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import ntfrcv
from pysnmp.proto.api import v2c

from collectors.alarms import (
    AlarmCorrelator,
    AlarmEvent,
    CorrelatorStats,
    optical_suppressor,
)
from collectors.enums import Method, ProbableCause
from collectors.readings import AlarmRecord, Source
from collectors.snmp import oids
from collectors.snmp.adapter import to_python
from collectors.trapmap import TRAP_TABLE, SensorResolver, TrapKind, facts

__all__ = ["TRAP_TABLE", "PortResolver", "TrapKind", "TrapReceiver", "V3User"]

log = logging.getLogger("faultline.collectors.traps")

_AUTH = {"MD5": config.USM_AUTH_HMAC96_MD5, "SHA": config.USM_AUTH_HMAC96_SHA,
         "SHA224": config.USM_AUTH_HMAC128_SHA224, "SHA256": config.USM_AUTH_HMAC192_SHA256,
         "SHA384": config.USM_AUTH_HMAC256_SHA384, "SHA512": config.USM_AUTH_HMAC384_SHA512}
_PRIV = {"DES": config.USM_PRIV_CBC56_DES, "AES": config.USM_PRIV_CFB128_AES, "AES128": config.USM_PRIV_CFB128_AES,
         "AES192": config.USM_PRIV_CFB192_AES, "AES256": config.USM_PRIV_CFB256_AES}


@dataclass(frozen=True, slots=True)
class V3User:
    user: str
    auth_protocol: str | None = None
    auth_key: str | None = field(default=None, repr=False)
    priv_protocol: str | None = None
    priv_key: str | None = field(default=None, repr=False)
    engine_id: str | None = None  # the sender's snmpEngineID in hex (needed for v3 traps, not informs)


PortResolver = Callable[[str, int], str | None]  # (device, ifIndex or entPhysicalIndex) -> port name
# (source address, varbinds) -> awaited before a trap is decoded, e.g. to read the sender's entity and
# sensor tables the first time it speaks, so the resolvers can answer for this very trap
Prepare = Callable[[str, Mapping[str, Any]], Awaitable[None]]


class TrapReceiver:
    """Async trap receiver. ``await start()`` binds ``host:port`` (127.0.0.x in tests), ``await stop()``
    releases it. Records arrive on ``queue`` (if given) and through ``on_record`` (if given)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 162,
        *,
        communities: Sequence[str] = ("public",),
        v3_users: Sequence[V3User] = (),
        devices: Mapping[str, str] | None = None,  # source address -> device name
        if_ports: PortResolver | None = None,
        entity_ports: PortResolver | None = None,
        sensors: SensorResolver | None = None,  # Cisco: which sensor an entPhysicalIndex is (trapmap)
        prepare: Prepare | None = None,
        queue: asyncio.Queue[AlarmRecord] | None = None,
        on_record: Callable[[AlarmRecord], None] | None = None,
        flap_changes: int = 4,
        flap_window: timedelta = timedelta(minutes=10),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.host, self.port = host, port
        self._communities = tuple(communities)
        self._v3_users = tuple(v3_users)
        self._devices = dict(devices or {})
        self._if_ports = if_ports
        self._entity_ports = entity_ports
        self._sensors = sensors
        self._prepare = prepare
        self._pending: asyncio.Queue[tuple[str, dict[str, Any]]] | None = None
        self._worker: asyncio.Task | None = None
        self.queue = queue
        self._on_record = on_record
        self._now = now
        self._admin_down: set[tuple[str, str]] = set()
        self._no_fibre: set[tuple[str, str]] = set()
        self.correlator = AlarmCorrelator(
            flap_changes=flap_changes,
            flap_window=flap_window,
            suppressor=optical_suppressor(lambda d, p: (d, p) in self._admin_down, lambda d, p: (d, p) not in self._no_fibre),
        )
        self.received = 0
        self.ignored = 0
        self._engine: engine.SnmpEngine | None = None
        self._sock: socket.socket | None = None

    # -- facts the agent knows better than the traps --------------------------------------------
    def set_port_facts(self, device: str, port: str, *, admin_down: bool | None = None, has_fibre: bool | None = None) -> None:
        """Tell the receiver a port is administratively down and/or has no fibre (suppresses its
        optical alarms). linkDown/linkUp traps also carry ifAdminStatus and update this."""
        key = (device, port)
        if admin_down is not None:
            (self._admin_down.add if admin_down else self._admin_down.discard)(key)
        if has_fibre is not None:
            (self._no_fibre.discard if has_fibre else self._no_fibre.add)(key)

    @property
    def stats(self) -> CorrelatorStats:
        return self.correlator.stats

    def records(self) -> list[AlarmRecord]:
        return self.correlator.records()

    def active(self) -> list[AlarmRecord]:
        return self.correlator.active()

    # -- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._engine is not None:
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((self.host, self.port))  # fail here, loudly, when the port is taken
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        snmp_engine = engine.SnmpEngine()
        config.add_transport(snmp_engine, udp.DOMAIN_NAME, udp.UdpTransport().open_server_mode(sock=sock))
        for i, community in enumerate(self._communities):
            config.add_v1_system(snmp_engine, f"faultline-area-{i}", community)
        for user in self._v3_users:
            kwargs: dict[str, Any] = {}
            if user.engine_id:
                kwargs["securityEngineId"] = v2c.OctetString(hexValue=user.engine_id.removeprefix("0x"))
            config.add_v3_user(
                snmp_engine, user.user,
                _AUTH[user.auth_protocol.upper()] if user.auth_protocol else config.USM_AUTH_NONE, user.auth_key,
                _PRIV[user.priv_protocol.upper()] if user.priv_protocol else config.USM_PRIV_NONE, user.priv_key,
                **kwargs,
            )
        ntfrcv.NotificationReceiver(snmp_engine, self._on_notification)
        self._engine, self._sock = snmp_engine, sock
        if self._prepare is not None:
            self._pending = asyncio.Queue()
            self._worker = asyncio.create_task(self._work(), name="faultline-trap-decode")

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker, self._pending = None, None
        if self._engine is not None:
            self._engine.close_dispatcher()
            self._engine = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    async def __aenter__(self) -> TrapReceiver:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- notifications ----------------------------------------------------------------------------
    def _on_notification(self, snmp_engine: Any, state_reference: Any, _ctx_engine: Any, _ctx_name: Any,
                         var_binds: Any, _cb_ctx: Any) -> None:
        try:
            _domain, address = snmp_engine.message_dispatcher.get_transport_info(state_reference)
            source_ip = str(address[0])
        except Exception:  # transport info is best effort; the trap itself still counts
            source_ip = "unknown"
        self.received += 1
        values = {str(oid): to_python(value) for oid, value in var_binds}
        if self._pending is not None:  # decoded in arrival order, after ``prepare``
            self._pending.put_nowait((source_ip, values))
            return
        self._handle(source_ip, values)

    async def _work(self) -> None:
        assert self._pending is not None and self._prepare is not None
        while True:
            source_ip, values = await self._pending.get()
            try:
                await self._prepare(source_ip, values)
            except Exception:  # the trap is still decoded, with what the resolvers know
                log.exception("preparing the trap from %s failed", source_ip)
            self._handle(source_ip, values)

    def _handle(self, source_ip: str, values: dict[str, Any]) -> None:
        try:
            events = self.events_from(source_ip, values)
        except Exception:  # a malformed trap must never stop the receiver
            log.exception("trap from %s not understood", source_ip)
            events = []
        if not events:
            self.ignored += 1
            return
        for event in events:
            self._learn(event, values)
            record = self.correlator.feed(event)
            if record is None:
                continue
            if self.queue is not None:
                self.queue.put_nowait(record)
            if self._on_record is not None:
                self._on_record(record)

    def _learn(self, event: AlarmEvent, values: Mapping[str, Any]) -> None:
        if event.cause is ProbableCause.LINK_DOWN and event.port:
            admin = next((v for k, v in values.items() if k.startswith(oids.IF_ADMIN + ".")), None)
            if admin in (1, 2):
                self.set_port_facts(event.device, event.port, admin_down=admin == 2)

    def events_from(self, source_ip: str, values: Mapping[str, Any]) -> list[AlarmEvent]:
        """The alarm events a trap's variable bindings describe (empty: nothing we track)."""
        trap_oid = str(values.get(oids.SNMP_TRAP_OID) or "")
        kind = TRAP_TABLE.get(trap_oid)
        if kind is None:
            return []
        device = self._devices.get(source_ip, source_ip)
        found = facts(kind, values, device, self._sensors)
        if not found:
            return []
        raw = " ".join(f"{k}={v}" for k, v in values.items() if k != "1.3.6.1.2.1.1.3.0")
        now = self._now()
        events = []
        for fact in found:
            port = fact.port or self._port(device, values, fact.sensor, fact.entity, fact.if_index)
            events.append(AlarmEvent(
                device=device, port=port, cause=fact.cause, clear=fact.clear, time=now,
                source=Source(device, port, Method.TRAP, trap_oid, raw, now),
                severity=fact.severity, alarm_type=fact.alarm_type, specific_problem=fact.specific_problem,
            ))
        return events

    def event_from(self, source_ip: str, values: Mapping[str, Any]) -> AlarmEvent | None:
        """The first of ``events_from`` (most traps report exactly one raise or clear)."""
        events = self.events_from(source_ip, values)
        return events[0] if events else None

    def _port(self, device: str, values: Mapping[str, Any], sensor: int | None = None,
              entity: int | None = None, if_index: int | None = None) -> str | None:
        if entity is not None and self._entity_ports is not None:
            # the device's own entity -> port mapping (entAliasMapping) beats a name in the trap
            port = self._entity_ports(device, entity)
            if port:
                return port
        sensor_suffix = f".{sensor}" if sensor is not None else None
        for key, value in values.items():
            if key.startswith(oids.IF_DESCR + ".") and isinstance(value, str) and value:
                return value
            if key.startswith(oids.ENT_NAME + ".") and isinstance(value, str) and value:
                if sensor_suffix is None or not key.endswith(sensor_suffix):
                    return value
        for key, value in values.items():
            if key.startswith(oids.IF_INDEX + ".") and isinstance(value, int):
                return (self._if_ports(device, value) if self._if_ports else None) or f"ifIndex {value}"
        if if_index is not None:
            return (self._if_ports(device, if_index) if self._if_ports else None) or f"ifIndex {if_index}"
        if sensor is not None:
            port = self._entity_ports(device, sensor) if self._entity_ports else None
            if port is None:
                # the sensor's own name ("Te1/1 Receive Power Sensor") starts with its port
                name = values.get(f"{oids.ENT_NAME}.{sensor}")
                if isinstance(name, str) and " " in name.strip():
                    port = name.split()[0]
            return port
        return None
