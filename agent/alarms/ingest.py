"""Trap ingestion (告警接收): SNMP traps -> ``collectors.TrapReceiver`` -> the alarm store.

The receiver runs inside the serving process's event loop; rows are written in a worker thread so the
loop (API, triage, SNMP) never waits on the database. The receiver knows devices by their source
address, which this module maps to inventory names (the inventory may be imported after start).

Traps that name an entity rather than a port (Cisco entity-sensor notifications carry only the
sensor's entPhysicalIndex; Huawei hwOpticalInvalid an entPhysicalIndex and entPhysicalName) are
decoded with the sender's own ENTITY-MIB and CISCO-ENTITY-SENSOR-MIB tables: the first such trap from
a device reads them over SNMP (``EntityFacts``, kept ``ENTITY_TTL_S``), so a Tx-power or temperature
sensor trap is stored as what it is, on the inventory port the entity belongs to (entAliasMapping).
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent import problems
from agent.db import unit_of_work
from agent.inventory.targets import device_target
from agent.models import Alarm, Device
from collectors import AlarmRecord, TrapReceiver
from collectors.alarms import OPTICAL_CAUSES, AlarmEvent
from collectors.portnames import same_interface
from collectors.snmp import oids
from collectors.snmp.adapter import SnmpClient
from collectors.snmp.mapping import PortMap
from collectors.target import DeviceTarget
from collectors.trapmap import TRAP_TABLE, SensorInfo, sensor_catalog

log = logging.getLogger("faultline.alarms")
from agent.alarms.store import StoredAlarm, as_record, journal_alarm, store_record

VIEW_TTL_S = 30.0  # how stale the address/port map may get before a trap triggers a reload
ENTITY_TTL_S = 3600.0  # a device's entity/sensor tables, read at its first entity trap, are kept this long
ENTITY_RETRY_S = 60.0  # after a failed read, the next entity trap from that device tries again after this
ENTITY_READ_TIMEOUT_S = 10.0
ENTITY_COLUMNS = (oids.ENT_NAME, oids.ENT_CONTAINED_IN, oids.ENT_ALIAS_MAPPING, oids.IF_DESCR, oids.IF_NAME,
                  oids.CISCO_SENSOR_TYPE, oids.CISCO_THRESHOLD_RELATION)



# -- inventory facts the receiver needs -------------------------------------------------------------
@dataclass(frozen=True)
class InventoryView:
    """Management address -> device, (device, ifIndex) -> port, and which ports carry fibre."""

    device_by_address: dict[str, str] = field(default_factory=dict)
    address_by_device: dict[str, str] = field(default_factory=dict)
    port_by_if_index: dict[tuple[str, int], str] = field(default_factory=dict)
    fibre: dict[tuple[str, str], bool] = field(default_factory=dict)  # (device, port) -> has a transceiver
    loaded_at: float = 0.0

    @classmethod
    def load(cls, session: Session) -> InventoryView:
        by_addr, addr, by_index, fibre = {}, {}, {}, {}
        for dev in session.scalars(select(Device)).all():
            by_addr[dev.mgmt_address] = dev.name
            addr[dev.name] = dev.mgmt_address
            for p in dev.ports:
                if p.if_index is not None:
                    by_index[(dev.name, p.if_index)] = p.name
                fibre[(dev.name, p.name)] = bool(p.transceiver)
        return cls(by_addr, addr, by_index, fibre, time.monotonic())

    def device(self, address_or_name: str) -> str:
        return self.device_by_address.get(address_or_name, address_or_name)

    def inventory_port(self, device: str, name: str | None = None, if_index: int | None = None) -> str | None:
        """The inventory's name for a port the device calls ``name`` (or numbers ``if_index``):
        "GE0/0/1" is the inventory's "GigabitEthernet0/0/1"; None when the inventory has no such port."""
        if if_index is not None and (device, if_index) in self.port_by_if_index:
            return self.port_by_if_index[(device, if_index)]
        if name is None:
            return None
        ports = [p for d, p in self.fibre if d == device]
        if name in ports:
            return name
        return next((p for p in ports if same_interface(p, name)), None)


@dataclass(frozen=True)
class EntityFacts:
    """One device's entity -> port map and sensor catalog, read from its own tables."""

    ports: PortMap
    sensors: dict[int, SensorInfo]
    read_at: float
    error: str | None = None


# -- the running ingestion --------------------------------------------------------------------------
class TrapIngest:
    """The receiver plus the consumer that stores what it correlates."""

    def __init__(self, services) -> None:
        self.services = services
        s = services.settings
        self.queue: asyncio.Queue[AlarmRecord] = asyncio.Queue()
        self.view = InventoryView()
        self._strangers: set[str] = set()  # senders still unknown after the last reload
        self.entities: dict[str, EntityFacts] = {}  # by source address
        self._snmp: SnmpClient | None = None
        self._regrade: asyncio.Task | None = None  # the circuit regrade an alarm asked for (one at a time)
        self._regrade_again = False  # an alarm came while it ran: grade once more after it
        self.regrades = 0
        self.receiver = TrapReceiver(s.trap_host, s.trap_port, communities=s.trap_communities,
                                     if_ports=self._if_port, entity_ports=self._entity_port, sensors=self._sensor,
                                     prepare=self._prepare, queue=self.queue, now=services.clock.now)
        # The receiver's own suppressor knows only the facts pushed to it; this one also reads the
        # inventory at the moment the trap arrives, so an inventory imported after start counts at once.
        original = self.receiver.correlator.suppressor

        def suppress(event: AlarmEvent) -> str | None:
            why = original(event) if original is not None else None
            if why or event.cause not in OPTICAL_CAUSES or event.port is None:
                return why
            view = self._view_for(event.device)
            device = view.device(event.device)
            port = view.inventory_port(device, event.port) or event.port
            if view.fibre.get((device, port)) is False:
                return "optical alarm on a port without fibre (no transceiver in the inventory)"
            return None

        self.receiver.correlator.suppressor = suppress
        self.stored: list[StoredAlarm] = []  # recent changes, newest last (bounded)
        self.error: str | None = None
        self._task: asyncio.Task | None = None

    def _if_port(self, address: str, if_index: int) -> str | None:
        return self.view.port_by_if_index.get((self.view.device(address), if_index))

    # -- the sender's entity tables ---------------------------------------------------------------
    def _entity_port(self, address: str, entity: int) -> str | None:
        """The port an entity (Cisco sensor, Huawei port/module entity) belongs to, in inventory terms."""
        facts = self.entities.get(address)
        found = facts.ports.port_for_entity(entity) if facts is not None else None
        if found is None:
            return None
        name, if_index = found
        return self.view.inventory_port(self.view.device(address), name, if_index) or name

    def _sensor(self, address: str, sensor: int) -> SensorInfo | None:
        facts = self.entities.get(address)
        return facts.sensors.get(sensor) if facts is not None else None

    async def _prepare(self, address: str, values: dict[str, Any]) -> None:
        """Before an entity trap is decoded: the sender's entity tables, read once per ``ENTITY_TTL_S``."""
        kind = TRAP_TABLE.get(str(values.get(oids.SNMP_TRAP_OID) or ""))
        if kind is None or kind.decode not in ("cisco_sensor", "huawei_optical"):
            return
        facts = self.entities.get(address)
        now = time.monotonic()
        if facts is not None and now - facts.read_at < (ENTITY_RETRY_S if facts.error else ENTITY_TTL_S):
            return
        await self.read_entities(address)

    async def read_entities(self, address: str) -> EntityFacts | None:
        """Read (again) the entity and sensor tables of the device at ``address`` over SNMP."""
        view = self._view_for(address)
        device = view.device(address)
        if device == address and address not in view.device_by_address:
            return None  # not an inventory device: no credentials to ask with
        target = await asyncio.to_thread(self._target, device)
        if target is None or target.snmp is None:  # remembered like a failed read: no query per trap
            self.entities[address] = EntityFacts(PortMap(), {}, time.monotonic(), "no SNMP parameters")
            return None
        if self._snmp is None:  # made in the serving loop (a pysnmp engine belongs to one loop)
            self._snmp = SnmpClient(max_in_flight=8, per_device=2)
        try:
            read = await asyncio.wait_for(self._snmp.walk(target, ENTITY_COLUMNS), ENTITY_READ_TIMEOUT_S)
            tables, error = read.rows, (str(read.error) if read.error is not None else None)
        except Exception as exc:  # noqa: BLE001 - the trap is still stored, less precisely
            tables, error = {}, f"{type(exc).__name__}: {exc}"
        if error:
            log.warning("entity tables of %s not (fully) read: %s", device, error)
        facts = EntityFacts(PortMap.from_tables(tables), sensor_catalog(tables), time.monotonic(), error)
        self.entities[address] = facts
        return facts

    def _target(self, device: str) -> DeviceTarget | None:
        with self.services.session_factory() as session:
            dev = session.scalar(select(Device).where(Device.name == device))
            return device_target(dev) if dev is not None else None

    def _view_for(self, address: str) -> InventoryView:
        """The current map, reloaded when it is stale or a sender is new to it (an inventory import
        since the last load); a sender still unknown after a reload waits for the next stale reload."""
        if time.monotonic() - self.view.loaded_at > VIEW_TTL_S or (
                address not in self.view.device_by_address and address not in self._strangers):
            self.refresh()
            if address not in self.view.device_by_address:
                self._strangers.add(address)
        return self.view

    def refresh(self) -> None:
        """Reload the inventory map and tell the receiver which ports carry no fibre (suppression)."""
        with self.services.session_factory() as session:
            view = InventoryView.load(session)
        self.view, self._strangers = view, set()
        for (device, port), has_fibre in view.fibre.items():
            address = view.address_by_device.get(device, device)
            self.receiver.set_port_facts(address, port, has_fibre=has_fibre)

    def set_admin_down(self, device: str, port: str, admin_down: bool) -> None:
        """The poller's admin status (optical alarms on a shut port are suppressed)."""
        if device not in self.view.address_by_device and time.monotonic() - self.view.loaded_at > 1.0:
            self.refresh()  # a device imported since the last load
        self.receiver.set_port_facts(self.view.address_by_device.get(device, device), port, admin_down=admin_down)

    def _restore(self) -> None:
        """Open alarms of a previous run go back into the correlator, so their clears still pair."""
        with self.services.session_factory() as session:
            rows = session.scalars(select(Alarm).where(Alarm.state == "raised", Alarm.source == "trap")).all()
            for a in rows:
                address = (a.data or {}).get("address") or self.view.address_by_device.get(a.device_name, a.device_name)
                rec = as_record(a)
                self.receiver.correlator.feed(AlarmEvent(device=address, port=a.port_name, cause=rec.probable_cause,
                                                         clear=False, time=a.raised_at, source=rec.source,
                                                         severity=rec.severity, alarm_type=rec.alarm_type))

    async def start(self) -> None:
        await asyncio.to_thread(self.refresh)
        await asyncio.to_thread(self._restore)
        try:
            await self.receiver.start()
        except OSError as exc:  # a taken port must not keep the API and triage from serving
            self.error = f"trap receiver could not bind {self.receiver.host}:{self.receiver.port}: {exc}"
            log.error("%s; traps are not received", self.error)
            return
        log.info("trap receiver on %s:%d", self.receiver.host, self.receiver.port)
        self._task = asyncio.create_task(self._consume(), name="faultline-traps")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._regrade is not None:
            self._regrade.cancel()
            await asyncio.gather(self._regrade, return_exceptions=True)
            self._regrade = None
        await self.receiver.stop()
        if self._snmp is not None:
            self._snmp.close()
            self._snmp = None

    async def _consume(self) -> None:
        while True:
            record = await self.queue.get()
            try:
                stored = await asyncio.to_thread(self.ingest, record)
            except Exception:  # one bad record never stops ingestion
                log.exception("alarm from %s not stored", record.device)
                continue
            if stored is not None:
                self.stored = [*self.stored[-999:], stored]
                if stored.change != "merged":
                    self._ask_regrade()

    def _ask_regrade(self) -> None:
        """A new or cleared alarm changes the circuits' grades at once, not at the next poll: the NOC's
        list is regraded from the last poll's readings with the alarm (agent/telemetry/grading.py).
        Alarms of a storm share the grades: one runs at a time, and one more follows if any came
        meanwhile."""
        poller = self.services.poller
        if poller is None or getattr(poller, "grader", None) is None or poller.last is None:
            return  # no poll yet: nothing to regrade from (the first poll grades every circuit)
        if self._regrade is not None and not self._regrade.done():
            self._regrade_again = True
            return
        self._regrade = asyncio.ensure_future(self._run_regrade(poller))

    async def _run_regrade(self, poller) -> None:
        while True:
            self._regrade_again = False
            try:
                await poller.grader.grade(poller.state())
                self.regrades += 1
            except Exception:  # a failed regrade never stops ingestion; the next poll grades again
                log.exception("regrade after an alarm failed")
            if not self._regrade_again:
                return

    def ingest(self, record: AlarmRecord) -> StoredAlarm | None:
        """Store one record (blocking; runs in a worker thread)."""
        address = record.device
        view = self._view_for(address)
        device = view.device(address)
        if record.port is not None:  # the device's spelling -> the inventory's (pairs with polls, tickets)
            port = view.inventory_port(device, record.port)
            if port is not None and port != record.port:
                record = replace(record, port=port)
        with unit_of_work(self.services.session_factory) as session:
            stored = store_record(session, record, device, address=address)
            if stored is None:
                return None
            tickets = journal_alarm(session, stored, self.services.clock.now())
        # --- service problems (issue 14): a shared element dark opens a problem before any ticket;
        # symptoms join it as consequences; a clear proposes resolution (own transaction, after this one)
        if stored.change != "merged":
            problems.after_alarm(self.services.session_factory, self.services.clock, stored.alarm_id, stored.change)
        return replace(stored, journalled=tickets)
