"""Inventory: sites, devices with their ports and credentials, customers, circuits and their segments."""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent.db import Base


class Site(Base):
    """A site or room: customer premises, access room (接入机房), aggregation, core, metro egress, province exit."""

    __tablename__ = "site"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    # The collectors of a region (queue poll.<region>, agent/work/) read only the devices of its sites.
    region: Mapped[str] = mapped_column(String(64), default="default", server_default="default")

    devices: Mapped[list[Device]] = relationship(back_populates="site")


class Device(Base):
    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id"))
    platform: Mapped[str] = mapped_column(String(32))
    mgmt_address: Mapped[str] = mapped_column(String(255))
    # SNMP parameters: v2c community or v3 user/protocols/keys. Secrets never leave through the API.
    snmp_version: Mapped[str | None] = mapped_column(String(4))
    snmp_port: Mapped[int | None]
    snmp_community: Mapped[str | None] = mapped_column(String(255))
    snmp_user: Mapped[str | None] = mapped_column(String(255))
    snmp_auth_protocol: Mapped[str | None] = mapped_column(String(16))
    snmp_auth_key: Mapped[str | None] = mapped_column(String(255))
    snmp_priv_protocol: Mapped[str | None] = mapped_column(String(16))
    snmp_priv_key: Mapped[str | None] = mapped_column(String(255))
    # CLI parameters (netmiko)
    cli_device_type: Mapped[str | None] = mapped_column(String(64))
    cli_port: Mapped[int | None]
    cli_username: Mapped[str | None] = mapped_column(String(255))
    cli_password: Mapped[str | None] = mapped_column(String(255))
    cli_secret: Mapped[str | None] = mapped_column(String(255))

    site: Mapped[Site] = relationship(back_populates="devices")
    ports: Mapped[list[Port]] = relationship(
        back_populates="device", cascade="all, delete-orphan", order_by="Port.id"
    )

    def __repr__(self) -> str:  # credentials masked: never in logs
        return f"Device(name={self.name!r}, platform={self.platform!r}, mgmt_address={self.mgmt_address!r}, credentials=***)"


class Port(Base):
    __tablename__ = "port"
    __table_args__ = (UniqueConstraint("device_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    if_index: Mapped[int | None]
    transceiver: Mapped[str | None] = mapped_column(String(64))
    wavelength_nm: Mapped[int | None]
    rx_sensitivity_dbm: Mapped[float | None] = mapped_column(Float)
    rx_overload_dbm: Mapped[float | None] = mapped_column(Float)
    role: Mapped[str | None] = mapped_column(String(16))  # "uplink" | "egress" (checked for congestion)

    device: Mapped[Device] = relationship(back_populates="ports")

    def __repr__(self) -> str:
        return f"Port({self.device.name if self.device else self.device_id}:{self.name})"


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))


class Circuit(Base):
    """An enterprise leased line (电路/专线); lead office 主调局, cooperating office 被调局."""

    __tablename__ = "circuit"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id"))
    service_type: Mapped[str] = mapped_column(String(32))
    rate_mbps: Mapped[float] = mapped_column(Float)
    lead_office: Mapped[str | None] = mapped_column(String(200))
    cooperating_office: Mapped[str | None] = mapped_column(String(200))

    customer: Mapped[Customer] = relationship()
    segments: Mapped[list[Segment]] = relationship(
        back_populates="circuit", cascade="all, delete-orphan", order_by="Segment.index"
    )


class Segment(Base):
    """One hop of a circuit's path, from the A port to the Z port, ordered from the customer end outwards."""

    __tablename__ = "segment"
    __table_args__ = (UniqueConstraint("circuit_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circuit_id: Mapped[str] = mapped_column(ForeignKey("circuit.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    a_port_id: Mapped[int] = mapped_column(ForeignKey("port.id"))
    z_port_id: Mapped[int] = mapped_column(ForeignKey("port.id"))
    length_km: Mapped[float] = mapped_column(Float, default=0.0)
    connectors: Mapped[int] = mapped_column(Integer, default=2)
    splices: Mapped[int] = mapped_column(Integer, default=0)

    circuit: Mapped[Circuit] = relationship(back_populates="segments")
    a_port: Mapped[Port] = relationship(foreign_keys=[a_port_id])
    z_port: Mapped[Port] = relationship(foreign_keys=[z_port_id])
