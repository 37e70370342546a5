"""Inventory bodies: circuits with their paths, devices with their ports (never a credential)."""
from __future__ import annotations

from pydantic import Field

from agent.models import Circuit, Device, Port
from api.schemas.base import Out


class CustomerRef(Out):
    id: str
    name: str


class SegmentEndOut(Out):
    device: str
    port: str
    site_kind: str

    @classmethod
    def of(cls, port: Port) -> SegmentEndOut:
        return cls(device=port.device.name, port=port.name, site_kind=port.device.site.kind)


class SegmentOut(Out):
    index: int
    a: SegmentEndOut
    z: SegmentEndOut
    length_km: float
    connectors: int
    splices: int


class CircuitOut(Out):
    id: str
    customer: CustomerRef
    service_type: str
    rate_mbps: float
    lead_office: str | None
    cooperating_office: str | None
    segments: list[SegmentOut]

    @classmethod
    def of(cls, c: Circuit) -> CircuitOut:
        return cls(id=c.id, customer=CustomerRef(id=c.customer_id, name=c.customer.name), service_type=c.service_type,
                   rate_mbps=c.rate_mbps, lead_office=c.lead_office, cooperating_office=c.cooperating_office,
                   segments=[SegmentOut(index=s.index, a=SegmentEndOut.of(s.a_port), z=SegmentEndOut.of(s.z_port),
                                        length_km=s.length_km, connectors=s.connectors, splices=s.splices)
                             for s in c.segments])


class SnmpAccessOut(Out):
    version: str
    port: int | None


class CliAccessOut(Out):
    device_type: str
    port: int | None


class PortOut(Out):
    name: str
    if_index: int | None
    transceiver: str | None
    wavelength_nm: int | None
    rx_sensitivity_dbm: float | None
    rx_overload_dbm: float | None


class DeviceOut(Out):
    name: str
    site: str = Field(description="the site id")
    platform: str
    mgmt_address: str
    snmp: SnmpAccessOut | None = Field(description="how the device is polled; None when it is not")
    cli: CliAccessOut | None
    ports: list[PortOut]

    @classmethod
    def of(cls, d: Device) -> DeviceOut:
        return cls(name=d.name, site=d.site_id, platform=d.platform, mgmt_address=d.mgmt_address,
                   snmp=SnmpAccessOut(version=d.snmp_version, port=d.snmp_port) if d.snmp_version else None,
                   cli=CliAccessOut(device_type=d.cli_device_type, port=d.cli_port) if d.cli_device_type else None,
                   ports=[PortOut.model_validate(p) for p in d.ports])


class ImportOut(Out):
    imported: dict[str, int] = Field(description="rows written by table: sites, devices, ports, circuits ...")
    by: str
