"""What to talk to: a device description independent of the database (the agent builds it from inventory).

Credentials are excluded from ``repr`` so a target can be logged or put in an error message safely.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from collectors.errors import InvalidPort

AUTH_PROTOCOLS = ("MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512")
PRIV_PROTOCOLS = ("DES", "AES", "AES192", "AES256")

# Interface names as devices print them: letters, digits and / . : - _ only, starting with a letter or
# a digit (Huawei CloudEngine and S6730 name ports 10GE1/0/1, 100GE0/0/1, 40GE1/0/1). Anything else
# (spaces, newlines, ';', '|') could smuggle a second command into a CLI session: refused outright.
# A bare "0/0/1" names no interface type: refused too.
_PORT_NAME = re.compile(r"^(?=.{1,80}\Z)[0-9]*[A-Za-z][A-Za-z0-9/.:_-]*\Z")  # \Z: no trailing newline either


@dataclass(frozen=True, slots=True)
class SnmpParams:
    version: Literal["2c", "3"] = "2c"
    port: int = 161
    community: str | None = field(default=None, repr=False)
    user: str | None = None
    auth_protocol: str | None = None  # MD5 | SHA | SHA224 | SHA256 | SHA384 | SHA512
    auth_key: str | None = field(default=None, repr=False)
    priv_protocol: str | None = None  # DES | AES | AES192 | AES256
    priv_key: str | None = field(default=None, repr=False)
    context: str = ""  # SNMPv3 context name (real devices: empty; snmpsim: the recording's name)
    timeout: float = 2.0
    retries: int = 1

    def __post_init__(self) -> None:
        if self.version not in ("2c", "3"):
            raise ValueError(f"SNMP version must be '2c' or '3', not {self.version!r}")
        if self.version == "2c" and not self.community:
            raise ValueError("SNMP v2c needs a community")
        if self.version == "3":
            if not self.user:
                raise ValueError("SNMPv3 needs a user")
            if self.auth_protocol and self.auth_protocol.upper() not in AUTH_PROTOCOLS:
                raise ValueError(f"unknown SNMPv3 auth protocol {self.auth_protocol!r}")
            if self.priv_protocol and self.priv_protocol.upper() not in PRIV_PROTOCOLS:
                raise ValueError(f"unknown SNMPv3 privacy protocol {self.priv_protocol!r}")
            if self.priv_protocol and not self.auth_protocol:
                raise ValueError("SNMPv3 privacy needs authentication too")


@dataclass(frozen=True, slots=True)
class CliParams:
    device_type: str
    port: int = 22
    username: str = ""
    password: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)  # Cisco enable
    timeout: float = 20.0


@dataclass(frozen=True, slots=True)
class PortRef:
    name: str
    if_index: int | None = None

    def __post_init__(self) -> None:
        if not _PORT_NAME.match(self.name):
            raise InvalidPort(f"port name {self.name!r} is not a valid interface name")


@dataclass(frozen=True, slots=True)
class DeviceTarget:
    """One device as the collectors see it (设备)."""

    name: str
    platform: str  # profile name: huawei_vrp, cisco_ios, cisco_xr, cisco_nxos, juniper_junos, zte_zxros, generic
    address: str
    snmp: SnmpParams | None = None
    cli: CliParams | None = None
    ports: tuple[PortRef, ...] = ()

    def port(self, name: str) -> PortRef:
        """The inventory port called ``name``; anything else is an ``InvalidPort`` (never free text)."""
        for ref in self.ports:
            if ref.name == name:
                return ref
        raise InvalidPort(f"port {name!r} is not an inventory port of this device", device=self.name)


def target_from_inventory(device: Mapping[str, Any]) -> DeviceTarget:
    """A target from one device entry of the inventory YAML format (docs/inventory-format.md)."""
    snmp = device.get("snmp")
    cli = device.get("cli")
    return DeviceTarget(
        name=device["name"],
        platform=device.get("platform", "generic"),
        address=device["mgmt_address"],
        snmp=SnmpParams(**{k: v for k, v in snmp.items() if k in SnmpParams.__slots__}) if snmp else None,
        cli=CliParams(**{k: v for k, v in cli.items() if k in CliParams.__slots__}) if cli else None,
        ports=tuple(PortRef(p["name"], p.get("if_index")) for p in device.get("ports") or ()),
    )


def is_valid_port_name(name: str) -> bool:
    return bool(_PORT_NAME.match(name))
