"""`Lab`: the network twin in one asyncio process (see the package docstring for the contract)."""
from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.clock import SimClock
from lab.enums import NETMIKO_TYPES, FaultKind, LoopMode, Vendor
from lab.errors import LabError, LabStateError, UnknownTarget
from lab.eventlog import Alarm, EventBook
from lab.faults import TARGET_TYPE, Fault, fault_kind, validated_params
from lab.latency import DeviceTiming, LatencyMode, LatencySwitch, latency_mode
from lab.loops import CircuitState, LoopTestResult, circuit_state, loop_test
from lab.model import LinkEvent, Model, PortReading
from lab.snmp.agent import SnmpAgents, V3Credentials
from lab.snmp.traps import COLD_START, trap_for
from lab.ssh.server import SshServers
from lab.ssh.commit import DeviceConfig
from lab.ssh.shell import DeviceContext
from lab.topology import Topology, parse_topology
from lab.vendors import resolve_port

log = logging.getLogger(__name__)

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "Lab@12345"


@dataclass(frozen=True)
class DeviceEndpoint:
    """One row of the device table: where and how to reach a simulated device (lab-only credentials)."""

    name: str
    vendor: Vendor
    site: str
    host: str
    snmp_port: int
    ssh_port: int
    snmp_version: str
    community: str
    username: str
    password: str

    @property
    def snmp(self) -> str:
        return f"{self.host}:{self.snmp_port}"

    @property
    def ssh(self) -> str:
        return f"{self.host}:{self.ssh_port}"


def _address(block: str | None, n: int, fallback: str) -> str:
    if block is None:
        return fallback
    parts = block.strip(".").split(".")
    if len(parts) == 3:
        if n > 254:
            raise LabStateError(f"address block {block}.0/24 holds 254 devices; use a /16 like '127.20'")
        return f"{block.strip('.')}.{n}"
    if len(parts) == 2:
        return f"{block.strip('.')}.{(n - 1) // 254}.{(n - 1) % 254 + 1}"
    raise LabStateError(f"address block {block!r}: give 3 octets ('127.20.0') or 2 ('127.20')")


class Lab:
    def __init__(self, topology: Topology, *, address_block: str | None, snmp_port: int | None,
                 ssh_port: int | None, time_scale: float, tick_s: float, v3: V3Credentials,
                 latency: LatencyMode = LatencyMode.OFF) -> None:
        self.topology = topology
        self.latency = LatencySwitch(latency)
        self.timing = {name: DeviceTiming(name, spec.latency, self.latency) for name, spec in topology.devices.items()}
        self.clock = SimClock(scale=time_scale)
        self.model = Model(topology, self.clock)
        self.events = EventBook(self.clock, list(topology.devices))
        self.v3 = v3
        self.tick_s = tick_s
        self._endpoints: dict[str, DeviceEndpoint] = {}
        for n, spec in enumerate(topology.devices.values(), start=1):
            cli, snmp = spec.cli, spec.snmp
            self._endpoints[spec.name] = DeviceEndpoint(
                name=spec.name, vendor=spec.vendor, site=spec.site,
                host=_address(address_block, n, spec.mgmt_address),
                snmp_port=int(snmp_port if snmp_port is not None else snmp.get("port", 161)),
                ssh_port=int(ssh_port if ssh_port is not None else cli.get("port", 22)),
                snmp_version=str(snmp.get("version", "2c")), community=str(snmp.get("community", "public")),
                username=str(cli.get("username", DEFAULT_USERNAME)), password=str(cli.get("password", DEFAULT_PASSWORD)),
            )
        self._device_no = {name: n for n, name in enumerate(topology.devices, start=1)}
        # each device's applied configuration and rollback timer (commit confirmed / commit trial)
        self.configs = {name: DeviceConfig(name, self.set_loop, lambda port, d=name: self.model.port(d, port).loop)
                        for name in topology.devices}
        self.snmp = SnmpAgents(self.model, self.clock, v3)
        self.ssh = SshServers()
        self.model.listeners.append(self.events.on_event)
        self.model.listeners.append(self._send_trap)
        self._ticker: asyncio.Task[None] | None = None
        self.started = False
        self.trap_log: list[tuple[str, str, str]] = []  # (device, trap oid, port) sent, for the demo

    # ---- construction and life cycle ---------------------------------------------------------------
    @classmethod
    def load(cls, source: str | Path | dict[str, Any], *, address_block: str | None = None,
             snmp_port: int | None = 1161, ssh_port: int | None = 2222, time_scale: float = 1.0,
             tick_s: float = 0.5, v3: V3Credentials | None = None,
             latency: str | bool | LatencyMode | None = None) -> Lab:
        """Parse a topology (path or dict). `address_block` ('127.20.0' or '127.20') overrides the
        topology's management addresses; `snmp_port`/`ssh_port` None keep the topology's ports.
        `latency`: "realistic" (or True) makes every device answer after its times (lab/latency.py),
        "off" (or False) at once; None reads FAULTLINE_LAB_LATENCY (default off). `lab.latency.mode`
        switches it later."""
        return cls(parse_topology(source), address_block=address_block, snmp_port=snmp_port,
                   ssh_port=ssh_port, time_scale=time_scale, tick_s=tick_s, v3=v3 or V3Credentials(),
                   latency=latency_mode(latency))

    async def start(self) -> None:
        if self.started:
            raise LabStateError("lab already started")
        for name, ep in self._endpoints.items():
            self.snmp.add_device(self.topology.devices[name], self._device_no[name], ep.host, ep.snmp_port, ep.community,
                                 self.timing[name])
        self.snmp.start()
        try:
            for name, ep in self._endpoints.items():
                ctx = DeviceContext(self.topology.devices[name], self._device_no[name], self.model, self.events,
                                    self.clock, self.set_loop, self.timing[name], self.configs[name])
                await self.ssh.add(ctx, ep.host, ep.ssh_port, ep.username, ep.password)
        except BaseException:
            self.snmp.stop()
            await self.ssh.stop()
            raise
        self.started = True
        self.model.reconcile()
        self._ticker = asyncio.create_task(self._tick(), name="lab-ticker")

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await self.ssh.stop()
        self.snmp.stop()
        self.started = False

    async def __aenter__(self) -> Lab:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.tick_s)
            if self.model.needs_ticking():
                try:
                    self.model.reconcile()
                except Exception:  # keep the network running; the failure is in the log
                    log.exception("lab reconcile failed")

    # ---- device table and inventory ------------------------------------------------------------------
    @property
    def devices(self) -> list[DeviceEndpoint]:
        return list(self._endpoints.values())

    def device(self, name: str) -> DeviceEndpoint:
        try:
            return self._endpoints[name]
        except KeyError:
            raise UnknownTarget(f"no device {name!r}") from None

    def inventory(self) -> dict[str, Any]:
        """The inventory (docs/inventory-format.md) with the actual endpoints and lab credentials."""
        inv = copy.deepcopy(self.topology.inventory)
        for dev in inv.get("devices") or []:
            ep = self._endpoints[dev["name"]]
            dev["mgmt_address"] = ep.host
            snmp: dict[str, Any] = {"version": ep.snmp_version, "port": ep.snmp_port}
            if ep.snmp_version == "3":
                snmp |= {"user": self.v3.user, "auth_protocol": self.v3.auth_protocol, "auth_key": self.v3.auth_key,
                         "priv_protocol": self.v3.priv_protocol, "priv_key": self.v3.priv_key}
            else:
                snmp["community"] = ep.community
            dev["snmp"] = snmp
            platform = self.topology.devices[dev["name"]].platform or ep.vendor.value
            cli = {"device_type": NETMIKO_TYPES.get(platform, platform), "port": ep.ssh_port, "username": ep.username, "password": ep.password}
            secret = self.topology.devices[dev["name"]].cli.get("secret")
            if secret:
                cli["secret"] = str(secret)
            dev["cli"] = cli
        return inv

    # ---- faults ------------------------------------------------------------------------------------
    def _resolve_port(self, target: str) -> str:
        device, sep, port = target.partition(":")
        if not sep or device not in self.topology.devices:
            raise UnknownTarget(f"port target must be 'device:port', got {target!r}")
        spec = self.topology.devices[device]
        found = resolve_port(spec.vendor, port, [p.name for p in spec.ports])
        if found is None:
            raise UnknownTarget(f"no port {port!r} on {device!r}")
        return f"{device}:{found}"

    def _resolve_link(self, target: str) -> str:
        if "#" in target:
            cid, _, idx = target.partition("#")
            cir = self.topology.circuits.get(cid)
            if cir is None or not idx.isdigit() or int(idx) >= len(cir.link_keys):
                raise UnknownTarget(f"no segment {target!r}")
            return cir.link_keys[int(idx)]
        if "--" in target:
            a, _, z = target.partition("--")
            a, z = self._resolve_port(a), self._resolve_port(z)
            for key in (f"{a}--{z}", f"{z}--{a}"):
                if key in self.topology.links:
                    return key
            raise UnknownTarget(f"no fiber between {a} and {z}")
        ps = self.model.ports[self._resolve_port(target)]
        if ps.link is None:
            raise UnknownTarget(f"{target} is not on a lab segment")
        return ps.link.key

    def _resolve_target(self, kind: FaultKind, target: str) -> str:
        ttype = TARGET_TYPE[kind]
        if ttype == "link":
            return self._resolve_link(target)
        if ttype == "device":
            self.device(target)
            return target
        if ttype == "port_or_device" and ":" not in target:
            self.device(target)
            ports = [ps for ps in self.model.device_ports[target] if ps.link is None and ps.spec.external_rx_dbm is not None]
            if not ports:
                raise UnknownTarget(f"{target} has no egress port (a port fed from outside the lab)")
            return ports[0].spec.key
        return self._resolve_port(target)

    def inject(self, fault_kind_: str | FaultKind, target: str, **params: Any) -> str:
        """Inject a fault; returns its id. Effects show on the next SNMP/CLI read; traps go out now."""
        kind = fault_kind(fault_kind_)
        resolved = self._resolve_target(kind, target)
        fault = Fault(self.model.next_fault_id(), kind, resolved, validated_params(kind, params), self.clock.now_s())
        self.model.add_fault(fault)
        return fault.id

    def clear(self, fault_id: str | None = None, *, target: str | None = None) -> list[str]:
        """Clear one fault, the faults on a target (segment, port or device, as `inject` takes them),
        or all when neither is given. Returns the ids cleared."""
        if target is not None:
            keys = set()
            for resolve in (self._resolve_link, self._resolve_port, self.device):
                try:
                    found = resolve(target)
                    keys.add(target if isinstance(found, DeviceEndpoint) else found)
                except LabError:
                    continue
            ids = [f.id for f in self.model.faults.values() if f.target in keys]
        else:
            ids = list(self.model.faults) if fault_id is None else [fault_id]
        for fid in ids:
            if fid not in self.model.faults:
                raise UnknownTarget(f"no active fault {fid!r}")
            self.model.remove_fault(fid, self._booted)
        return ids

    def _booted(self, fault: Fault) -> None:
        if fault.kind is FaultKind.CPE_POWER_OFF and self.started and self.model.powered(fault.target):
            self._send(fault.target, COLD_START, [], "-")  # the device boots: coldStart before its linkUps

    def faults(self) -> list[Fault]:
        return list(self.model.faults.values())

    # ---- traps -------------------------------------------------------------------------------------
    def add_trap_receiver(self, host: str, port: int, version: str = "2c") -> None:
        """Send traps to host:port, SNMPv2c (community public) or v3 authPriv with the lab's v3 user;
        a v3 receiver needs `snmp_engine_id` (known once the lab has started)."""
        self.snmp.add_trap_receiver(host, port, version)

    @property
    def snmp_engine_id(self) -> str | None:
        return self.snmp.engine_id

    def _send_trap(self, event: LinkEvent) -> None:
        if not self.started or not self.model.powered(event.device):
            return  # a device without power sends nothing
        spec = self.topology.devices[event.device]
        trap = trap_for(event, spec.vendor, self.model)
        if trap is not None:
            self._send(event.device, trap[0], trap[1], event.port)

    def _send(self, device: str, trap_oid: str, varbinds: list[tuple[str, Any]], port: str) -> None:
        try:
            self.snmp.send_trap(device, trap_oid, varbinds)
            self.trap_log.append((device, trap_oid, port))
        except Exception:  # a receiver problem must not break the model
            log.exception("trap from %s failed", device)

    # ---- truth for tests and loops -----------------------------------------------------------------------
    def port_state(self, device: str, port: str) -> PortReading:
        key = self._resolve_port(f"{device}:{port}")
        return self.model.reading(device, key.split(":", 1)[1])

    def set_loop(self, device: str, port: str, mode: LoopMode | str | None) -> None:
        """Set/clear a loop as the CLI does (the SSH sessions call this)."""
        key = self._resolve_port(f"{device}:{port}")
        self.model.set_loop(device, key.split(":", 1)[1], None if mode is None else LoopMode(mode))

    def loop_log(self, device: str | None = None, port: str | None = None) -> list[tuple[float, str, str | None]]:
        """When loops went on and off on the devices: (wall-clock epoch seconds, "device:port", mode or
        None for off), oldest first; ``device``/``port`` filter."""
        key = self._resolve_port(f"{device}:{port}") if device and port else None
        return [e for e in self.model.loop_log
                if (key is None or e[1] == key) and (device is None or e[1].split(":")[0] == device)]

    def loop_seconds(self, device: str, port: str) -> list[float]:
        """How long each loop stayed on the port (on-off intervals of ``loop_log``, a loop still on: up to now)."""
        spans, since = [], None
        for at, _key, mode in self.loop_log(device, port):
            if mode is not None and since is None:
                since = at
            elif mode is None and since is not None:
                spans.append(at - since)
                since = None
        if since is not None:
            spans.append(self.clock.wall().timestamp() - since)
        return spans

    def commit_timer(self, device: str) -> float | None:
        """The length of a device's pending rollback timer (commit confirmed / trial), None when nothing
        waits for a confirmation."""
        self.device(device)
        config = self.configs[device]
        return config.timer_s if config.pending else None

    def loop_test(self, origin_device: str, origin_port: str, loop_device: str, loop_port: str) -> LoopTestResult:
        o = self._resolve_port(f"{origin_device}:{origin_port}").split(":", 1)[1]
        lp = self._resolve_port(f"{loop_device}:{loop_port}").split(":", 1)[1]
        return loop_test(self.model, origin_device, o, loop_device, lp)

    def circuit_state(self, circuit_id: str) -> CircuitState:
        return circuit_state(self.model, circuit_id)

    def alarms(self, device: str, active: bool = True) -> list[Alarm]:
        self.device(device)
        book = self.events.devices[device]
        return sorted(book.active.values(), key=lambda a: a.seq) if active else self.events.all_alarms(device)

    def advance(self, seconds: float) -> list[LinkEvent]:
        """Jump simulated time forward (ageing over days) and apply what changed."""
        self.clock.advance(seconds)
        return self.model.reconcile()


__all__ = ["DeviceEndpoint", "Lab"]
