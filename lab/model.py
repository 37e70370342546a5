"""The one physical model every simulated device reads from (物理真值).

State that changes at run time lives here: faults, loops, oper status, counters. SNMP and CLI render
from it at request time, so an injected fault is visible on the very next GET or command.
Counters are integrated lazily: rates are piecewise constant between state changes, and every
change settles all counters first, so readings are exact without a per-second timer.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from lab import physics
from lab.clock import SimClock
from lab.enums import FaultKind, LinkEventKind, LoopMode
from lab.errors import UnknownTarget
from lab.faults import Fault
from lab.topology import LinkSpec, PortSpec, Topology

# Huawei hwIfMonitorCrcError defaults: 3 CRC errors within a 10 s interval raise the alarm
CRC_ALARM_THRESHOLD = 3
CRC_ALARM_INTERVAL_S = 10.0

COUNTER_NAMES = (
    "in_octets", "out_octets", "in_ucast", "out_ucast", "in_errors", "out_errors",
    "in_discards", "out_discards", "crc", "late_collisions", "alignment",
)


@dataclass
class PortState:
    spec: PortSpec
    link: LinkSpec | None
    peer: str | None
    loop: LoopMode | None = None
    oper_up: bool = False
    rx_low: bool = False
    tx_low: bool = False
    crc_rising: bool = False
    last_change_s: float = 0.0
    settled_s: float = 0.0
    counters: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COUNTER_NAMES, 0.0))
    rates: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkEvent:
    kind: LinkEventKind
    device: str
    port: str
    at_s: float
    rx_dbm: float | None
    tx_dbm: float | None = None


@dataclass(frozen=True)
class PortReading:
    """The truth about one port, for tests (`Lab.port_state`)."""

    device: str
    port: str
    oper_up: bool
    rx_dbm: float | None
    tx_dbm: float | None
    loop: LoopMode | None
    duplex: str
    speed_mbps: int
    in_util: float
    out_util: float
    counters: dict[str, int]


class Model:
    def __init__(self, topology: Topology, clock: SimClock) -> None:
        self.topology = topology
        self.clock = clock
        self.ports: dict[str, PortState] = {}
        for dev in topology.devices.values():
            for p in dev.ports:
                self.ports[p.key] = PortState(spec=p, link=None, peer=None)
        for link in topology.links.values():
            self.ports[link.a].link = link
            self.ports[link.a].peer = link.z
            self.ports[link.z].link = link
            self.ports[link.z].peer = link.a
        self.faults: dict[str, Fault] = {}
        self._ids = itertools.count(1)
        self.listeners: list[Callable[[LinkEvent], None]] = []
        self.device_ports: dict[str, list[PortState]] = {d: [] for d in topology.devices}
        for ps in self.ports.values():
            self.device_ports[ps.spec.device].append(ps)
        # each circuit's share of every path port's configured traffic (in, out), from its customer
        # end: the CPE port sends upstream what it lists as out and receives downstream its in
        self.circuit_flows: dict[str, list[tuple[str, float, float]]] = {k: [] for k in self.ports}
        for cir in topology.circuits.values():
            if not cir.hops:
                continue
            cpe = self.ports[cir.hops[0][0]].spec
            down, up = cpe.traffic_in_mbps, cpe.traffic_out_mbps
            for a, z in cir.hops:
                self.circuit_flows[a].append((cir.id, down, up))
                self.circuit_flows[z].append((cir.id, up, down))
        self.looped_circuits: frozenset[str] = frozenset()
        self.loop_log: list[tuple[float, str, str | None]] = []  # (wall time s, "device:port", mode | None)
        self.booted_s: dict[str, float] = dict.fromkeys(topology.devices, 0.0)  # every device boots at the epoch
        for ps in self.ports.values():
            ps.oper_up = self._compute_up(ps)
            ps.rx_low = self._compute_rx_low(ps)
            ps.tx_low = self._compute_tx_low(ps)
            ps.rates = self._rates(ps)

    # ---- lookups -----------------------------------------------------------------------------
    def port(self, device: str, port: str) -> PortState:
        ps = self.ports.get(f"{device}:{port}")
        if ps is None:
            raise UnknownTarget(f"no port {port!r} on device {device!r}")
        return ps

    def next_fault_id(self) -> str:
        return f"F{next(self._ids):04d}"

    def _faults(self, kind: FaultKind) -> list[Fault]:
        return [f for f in self.faults.values() if f.kind is kind]

    # ---- physics of the current state ----------------------------------------------------------
    def powered(self, device: str) -> bool:
        return not any(f.target == device for f in self._faults(FaultKind.CPE_POWER_OFF))

    def tx_dbm(self, ps: PortState) -> float | None:
        if not self.powered(ps.spec.device):
            return None
        now = self.clock.now_s()
        drop = sum(f.ageing_drop_db(now) for f in self._faults(FaultKind.TRANSCEIVER_AGEING) if f.target == ps.spec.key)
        return ps.spec.tx_dbm - drop

    def link_loss_db(self, link: LinkSpec) -> float | None:
        """Actual loss now, None when no light passes (cut, or loose connector open)."""
        now = self.clock.now_s()
        loss = link.actual_loss_db
        for f in self.faults.values():
            if f.target != link.key:
                continue
            if f.kind is FaultKind.FIBER_CUT:
                return None
            if f.kind is FaultKind.FIBER_DEGRADED:
                loss += f.params["db"]
            if f.kind is FaultKind.LOOSE_CONNECTOR:
                if f.loose_connector_open(now):
                    return None
                loss += f.params["extra_loss_db"]
        return loss

    def duplex(self, ps: PortState) -> str:
        for f in self._faults(FaultKind.DUPLEX_MISMATCH):
            if f.target == ps.spec.key:
                return f.params["duplex"]
        return ps.spec.duplex

    def speed_mbps(self, ps: PortState) -> int:
        """The speed the port runs at now: its configured speed, or the one a speed_mismatch forces."""
        for f in self._faults(FaultKind.SPEED_MISMATCH):
            if f.target == ps.spec.key:
                return int(f.params["speed_mbps"])
        return ps.spec.speed_mbps

    def one_way_rx(self, ps: PortState) -> float | None:
        """Rx from the far end's own transmitter, ignoring loops (the line's health)."""
        if ps.link is None or ps.peer is None:
            return ps.spec.external_rx_dbm if self.powered(ps.spec.device) else None
        loss = self.link_loss_db(ps.link)
        far_tx = self.tx_dbm(self.ports[ps.peer])
        if loss is None or far_tx is None:
            return None
        return physics.received_dbm(far_tx, loss)

    def rx_dbm(self, ps: PortState) -> float | None:
        """What the port's receiver sees now, loops included."""
        if not self.powered(ps.spec.device):
            return None
        own_tx = self.tx_dbm(ps)
        if ps.loop is LoopMode.LOCAL:  # a port with no module has no light to loop back
            return None if own_tx is None or not ps.spec.transceiver else own_tx - physics.LOCAL_LOOP_LOSS_DB
        if ps.link is None or ps.peer is None:
            return ps.spec.external_rx_dbm
        far = self.ports[ps.peer]
        if far.loop is LoopMode.LOCAL:
            return None  # the far port keeps its light inside
        loss = self.link_loss_db(ps.link)
        if loss is None:
            return None
        if far.loop is LoopMode.REMOTE and self.powered(far.spec.device):
            # the far port sends our own light back: Rx = own Tx - round-trip loss
            return None if own_tx is None else own_tx - 2 * loss
        far_tx = self.tx_dbm(far)
        return None if far_tx is None else physics.received_dbm(far_tx, loss)

    def _compute_up(self, ps: PortState) -> bool:
        spec = ps.spec
        if not physics.has_light(self.rx_dbm(ps), spec.rx_sensitivity_dbm):
            return False
        if ps.loop is LoopMode.LOCAL or ps.peer is None:
            return True
        far = self.ports[ps.peer]
        if far.loop is LoopMode.REMOTE:
            return True
        # Ethernet needs both directions: a dark far receiver signals a remote fault back.
        return physics.has_light(self.rx_dbm(far), far.spec.rx_sensitivity_dbm)

    def _compute_rx_low(self, ps: PortState) -> bool:
        """Optical 'Rx power too low' alarm: a transceiver on a used port below its low threshold."""
        if not self.powered(ps.spec.device) or (ps.link is None and ps.spec.external_rx_dbm is None):
            return False
        rx = self.rx_dbm(ps)
        return rx is None or rx < ps.spec.rx_sensitivity_dbm

    def circuit_loops(self, circuit_id: str) -> tuple[str, ...]:
        """The loops ("device:port") that take a circuit's service down: on its path ports, or on an
        outside-facing port of a path device (the province-exit line port, the egress uplink); a
        loop on another customer's port of the same switch does not."""
        cir = self.topology.circuits[circuit_id]
        keys = [key for hop in cir.hops for key in hop]
        looped = tuple(k for k in keys if self.ports[k].loop is not None)
        for dev in sorted({k.split(":")[0] for k in keys}):
            looped += tuple(ps.spec.key for ps in self.device_ports[dev]
                            if ps.loop and ps.link is None and ps.spec.external_rx_dbm is not None)
        return looped

    def _compute_tx_low(self, ps: PortState) -> bool:
        """Optical 'Tx power too low' alarm: a powered transceiver below its low alarm threshold."""
        tx = self.tx_dbm(ps)
        if not ps.spec.transceiver or tx is None:
            return False
        return tx < ps.spec.tx_dbm - physics.TX_LOW_ALARM_BELOW_NOMINAL_DB

    def traffic_mbps(self, ps: PortState) -> tuple[float, float]:
        if not ps.oper_up:
            return 0.0, 0.0
        t_in, t_out = ps.spec.traffic_in_mbps, ps.spec.traffic_out_mbps
        for cid, c_in, c_out in self.circuit_flows[ps.spec.key]:
            if cid in self.looped_circuits:  # a looped circuit's customer traffic stops on its whole path
                t_in, t_out = max(0.0, t_in - c_in), max(0.0, t_out - c_out)
        speed = self.speed_mbps(ps)
        for f in self.faults.values():
            if f.kind is FaultKind.PORT_CONGESTION and f.target == ps.spec.key:
                if f.params["direction"] in ("in", "both"):
                    t_in = max(t_in, speed * f.params["utilisation"])
                if f.params["direction"] in ("out", "both"):
                    t_out = max(t_out, speed * f.params["utilisation"])
            if f.kind is FaultKind.EGRESS_CONGESTION and f.target == ps.spec.key:
                t_out = max(t_out, speed * f.params["utilisation"])
                t_in = max(t_in, speed * f.params["utilisation"] * 0.9)
        return min(t_in, speed), min(t_out, speed)  # a port forced slower carries no more than its speed

    def _congested(self, ps: PortState) -> bool:
        return any(
            f.kind in (FaultKind.PORT_CONGESTION, FaultKind.EGRESS_CONGESTION) and f.target == ps.spec.key
            for f in self.faults.values()
        )

    def _rates(self, ps: PortState) -> dict[str, float]:
        # A looped port forwards nothing: no customer traffic, no keepalives, no errors are counted
        # (what comes back is its own or the far end's signal, not frames for the device).
        if not ps.oper_up or ps.loop is not None:
            return {}
        t_in, t_out = self.traffic_mbps(ps)
        in_pps, out_pps = physics.pps(t_in), physics.pps(t_out)
        rx = self.rx_dbm(ps)
        frac = physics.error_fraction(rx, ps.spec.rx_sensitivity_dbm, ps.spec.rx_overload_dbm)
        peer = self.ports[ps.peer] if ps.peer else ps
        dup = physics.duplex_effect(self.duplex(ps), self.duplex(peer), in_pps, out_pps,
                                    self.speed_mbps(ps), self.speed_mbps(peer))
        in_err = in_pps * frac + dup.in_errors
        discards = out_pps * 0.02 if self._congested(ps) else 0.0
        return {
            "in_octets": physics.octets_per_s(t_in), "out_octets": physics.octets_per_s(t_out),
            "in_ucast": in_pps, "out_ucast": out_pps,
            "in_errors": in_err, "crc": in_err, "alignment": dup.in_errors / 2,
            "out_errors": dup.out_errors, "late_collisions": dup.late_collisions,
            "out_discards": discards, "in_discards": 0.0,
        }

    # ---- time and state changes ------------------------------------------------------------------
    def settle(self, ps: PortState, now: float | None = None) -> None:
        now = self.clock.now_s() if now is None else now
        dt = now - ps.settled_s
        if dt > 0:
            for name, rate in ps.rates.items():
                ps.counters[name] += rate * dt
        ps.settled_s = now

    def reconcile(self) -> list[LinkEvent]:
        """Settle counters, recompute status and rates, and emit events for what changed."""
        now = self.clock.now_s()
        events: list[LinkEvent] = []
        for ps in self.ports.values():
            self.settle(ps, now)
        for ps in self.ports.values():
            up = self._compute_up(ps)
            low = self._compute_rx_low(ps)
            rx = None
            if up != ps.oper_up:
                ps.oper_up = up
                ps.last_change_s = now
                rx = self.rx_dbm(ps)
                kind = LinkEventKind.LINK_UP if up else LinkEventKind.LINK_DOWN
                events.append(LinkEvent(kind, ps.spec.device, ps.spec.name, now, rx))
            if low != ps.rx_low:
                ps.rx_low = low
                kind = LinkEventKind.RX_LOW_ALARM if low else LinkEventKind.RX_LOW_CLEAR
                events.append(LinkEvent(kind, ps.spec.device, ps.spec.name, now, self.rx_dbm(ps)))
            tx_low = self._compute_tx_low(ps)
            if tx_low != ps.tx_low:
                ps.tx_low = tx_low
                kind = LinkEventKind.TX_LOW_ALARM if tx_low else LinkEventKind.TX_LOW_CLEAR
                events.append(LinkEvent(kind, ps.spec.device, ps.spec.name, now, self.rx_dbm(ps), self.tx_dbm(ps)))
        for ps in self.ports.values():
            ps.rates = self._rates(ps)
            rising = ps.rates.get("crc", 0.0) * CRC_ALARM_INTERVAL_S >= CRC_ALARM_THRESHOLD
            if rising != ps.crc_rising:
                ps.crc_rising = rising
                kind = LinkEventKind.CRC_RISING if rising else LinkEventKind.CRC_RESUME
                events.append(LinkEvent(kind, ps.spec.device, ps.spec.name, now, self.rx_dbm(ps)))
        for event in events:
            for listener in self.listeners:
                listener(event)
        return events

    def needs_ticking(self) -> bool:
        """Whether state changes with time alone (flaps, ageing), so a timer must reconcile."""
        return any(f.kind in (FaultKind.LOOSE_CONNECTOR, FaultKind.TRANSCEIVER_AGEING) for f in self.faults.values())

    def add_fault(self, fault: Fault) -> None:
        self.reconcile()
        self.faults[fault.id] = fault
        self.reconcile()

    def uptime_ticks(self, device: str) -> int:
        """sysUpTime of a device in hundredths of a second: since its last boot."""
        return int(max(0.0, self.clock.now_s() - self.booted_s[device]) * 100) % (2**32)

    def _boot(self, device: str) -> None:
        """Power restored: the device starts again, sysUpTime and interface counters from zero."""
        now = self.clock.now_s()
        self.booted_s[device] = now
        for ps in self.device_ports[device]:
            self.settle(ps, now)
            ps.counters = dict.fromkeys(COUNTER_NAMES, 0.0)
            ps.last_change_s = now

    def remove_fault(self, fault_id: str, on_removed: Callable[[Fault], None] | None = None) -> Fault:
        """Remove a fault; `on_removed` runs before the consequences (e.g. a coldStart before linkUp)."""
        self.reconcile()
        fault = self.faults.pop(fault_id)
        if fault.kind is FaultKind.CPE_POWER_OFF and self.powered(fault.target):
            self._boot(fault.target)
        if on_removed is not None:
            on_removed(fault)
        self.reconcile()
        return fault

    def set_loop(self, device: str, port: str, mode: LoopMode | None) -> None:
        ps = self.port(device, port)
        self.reconcile()
        if ps.loop != mode:  # the device's own record of when each loop went on and off (wall clock)
            self.loop_log.append((self.clock.wall().timestamp(), ps.spec.key, mode.value if mode else None))
        ps.loop = mode
        self.looped_circuits = frozenset(c for c in self.topology.circuits if self.circuit_loops(c))
        self.reconcile()

    def reading(self, device: str, port: str) -> PortReading:
        ps = self.port(device, port)
        self.settle(ps)
        t_in, t_out = self.traffic_mbps(ps)
        return PortReading(
            device=device, port=port, oper_up=ps.oper_up, rx_dbm=self.rx_dbm(ps), tx_dbm=self.tx_dbm(ps),
            loop=ps.loop, duplex=self.duplex(ps),
            speed_mbps=self.speed_mbps(ps),
            in_util=physics.utilisation(t_in, self.speed_mbps(ps)),
            out_util=physics.utilisation(t_out, self.speed_mbps(ps)),
            counters={k: int(v) for k, v in ps.counters.items()},
        )
