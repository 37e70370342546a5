"""From inventory rows to what diagnosis and the collectors need (no I/O beyond the session)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from agent.errors import UnknownCircuit
from agent.models import Circuit, Device, Port, Segment
from collectors.target import CliParams, DeviceTarget, PortRef, SnmpParams
from diagnosis.path import CircuitPath, PortEnd
from diagnosis.path import Segment as PathSegment

# Port speed by transceiver class when the inventory gives no speed (Mbps).
SPEED_BY_TRANSCEIVER = {"1000BASE": 1000, "10GBASE": 10000, "25GBASE": 25000, "100GBASE": 100000, "100BASE": 100}


def speed_from_transceiver(transceiver: str | None) -> int | None:
    if not transceiver:
        return None
    for prefix, speed in sorted(SPEED_BY_TRANSCEIVER.items(), key=lambda kv: -len(kv[0])):
        if transceiver.upper().startswith(prefix):
            return speed
    return None


UPLINK_ROLES = ("uplink", "egress")


@dataclass(frozen=True)
class ResolvedCircuit:
    path: CircuitPath
    targets: tuple[DeviceTarget, ...]  # each device of the path once, with the path's ports and its uplinks
    lead_office: str | None

    def speeds(self) -> dict[tuple[str, str], int | None]:
        """Nominal speed of every port read for the circuit (its segments' ends and the uplinks)."""
        ends = [e for _, e in self.path.ports()] + list(self.path.uplinks)
        return {e.key: e.speed_mbps for e in ends}


def _end(port: Port) -> PortEnd:
    dev = port.device
    return PortEnd(device=dev.name, port=port.name, site_kind=dev.site.kind, platform=dev.platform,
                   transceiver=port.transceiver or "", wavelength_nm=port.wavelength_nm,
                   rx_sensitivity_dbm=port.rx_sensitivity_dbm, rx_overload_dbm=port.rx_overload_dbm,
                   speed_mbps=speed_from_transceiver(port.transceiver))


port_end = _end  # public name: resource checks judge ports of paths not in a circuit yet (agent/checks)


def device_target(dev: Device, ports: list[Port] | None = None) -> DeviceTarget:
    """A collectors target for a device (credentials travel inside, masked in every repr)."""
    snmp = None
    if dev.snmp_version:
        snmp = SnmpParams(version=dev.snmp_version, port=dev.snmp_port or 161, community=dev.snmp_community,
                          user=dev.snmp_user, auth_protocol=dev.snmp_auth_protocol, auth_key=dev.snmp_auth_key,
                          priv_protocol=dev.snmp_priv_protocol, priv_key=dev.snmp_priv_key)
    cli = None
    if dev.cli_device_type:
        cli = CliParams(device_type=dev.cli_device_type, port=dev.cli_port or 22, username=dev.cli_username or "",
                        password=dev.cli_password, secret=dev.cli_secret)
    chosen = ports if ports is not None else list(dev.ports)
    return DeviceTarget(name=dev.name, platform=dev.platform, address=dev.mgmt_address, snmp=snmp, cli=cli,
                        ports=tuple(PortRef(p.name, p.if_index) for p in chosen))


# Everything a circuit's path needs, loaded with it (a few SELECT ... IN queries, however many circuits).
_PATH_LOAD = (
    selectinload(Circuit.segments).selectinload(Segment.a_port).selectinload(Port.device).selectinload(Device.site),
    selectinload(Circuit.segments).selectinload(Segment.z_port).selectinload(Port.device).selectinload(Device.site),
    selectinload(Circuit.segments).selectinload(Segment.a_port).selectinload(Port.device).selectinload(Device.ports),
    selectinload(Circuit.segments).selectinload(Segment.z_port).selectinload(Port.device).selectinload(Device.ports),
    selectinload(Circuit.customer),
)


def resolve_circuit(session: Session, circuit_id: str) -> ResolvedCircuit:
    circuit = session.scalar(select(Circuit).where(Circuit.id == circuit_id).options(*_PATH_LOAD))
    if circuit is None:
        raise UnknownCircuit(f"circuit {circuit_id} is not in the inventory")
    return resolved(circuit)


def resolve_circuits(session: Session) -> list[ResolvedCircuit]:
    """Every circuit of the inventory, resolved (the NOC's grading of all circuits at once)."""
    return [resolved(c) for c in session.scalars(select(Circuit).order_by(Circuit.id).options(*_PATH_LOAD))]


def resolved(circuit: Circuit) -> ResolvedCircuit:
    """A loaded circuit row as its path and the targets that read it."""
    segments = tuple(
        PathSegment(index=s.index, a=_end(s.a_port), z=_end(s.z_port), length_km=s.length_km,
                    connectors=s.connectors, splices=s.splices)
        for s in circuit.segments)
    ports_by_device: dict[str, tuple[Device, list[Port]]] = {}
    for s in circuit.segments:
        for port in (s.a_port, s.z_port):
            dev, ports = ports_by_device.setdefault(port.device.name, (port.device, []))
            if port not in ports:
                ports.append(port)
    uplinks = []
    for dev, ports in ports_by_device.values():
        for port in sorted(dev.ports, key=lambda p: p.name):
            if port.role in UPLINK_ROLES and port not in ports:
                uplinks.append(_end(port))
                ports.append(port)
    path = CircuitPath(circuit_id=circuit.id, customer=circuit.customer.name, service_type=circuit.service_type,
                       rate_mbps=circuit.rate_mbps, segments=segments, uplinks=tuple(uplinks))
    targets = tuple(device_target(dev, ports) for dev, ports in ports_by_device.values())
    return ResolvedCircuit(path=path, targets=targets, lead_office=circuit.lead_office)
