"""Inventory import and export (docs/inventory-format.md).

An import is validated as a whole — schema, duplicate ids, unknown references, path continuity — and
written in one transaction only when there is no error at all; every error carries its location.
Entities are upserted by their keys, so importing the same file twice changes nothing.

Credentials left out of a device that is already stored keep their stored values (an export made
without secrets can be edited and imported back without wiping them); ``null`` clears one. A stored
secret is kept only while what it belongs to stays the same: the v2c community while the device stays
on v2c, v3 keys while the user and the protocol stay, CLI password and secret while the username stays.
"""
from __future__ import annotations

from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from agent.enums import ServiceType, SiteKind
from agent.errors import InventoryError
from agent.models import Circuit, Customer, Device, Port, Segment, Site

PLATFORMS = ("huawei_vrp", "huawei_vrp8",  # huawei_vrp8: VRP8 in two-stage-commit mode (commit trial)
             "cisco_ios", "cisco_xr", "cisco_nxos", "zte_zxros", "juniper_junos", "generic")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SiteIn(_Strict):
    id: str = Field(min_length=1, max_length=64)
    name: str
    kind: SiteKind
    # The region whose collectors read this site's devices (queue poll.<region>); one word, lower case.
    region: str = Field("default", min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")


class SnmpIn(_Strict):
    version: Literal["2c", "3"] = "2c"
    port: int = Field(161, ge=1, le=65535)
    community: str | None = None
    user: str | None = None
    auth_protocol: Literal["MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"] | None = None
    auth_key: str | None = None
    priv_protocol: Literal["DES", "AES", "AES192", "AES256"] | None = None
    priv_key: str | None = None


class CliIn(_Strict):
    device_type: str
    port: int = Field(22, ge=1, le=65535)
    username: str
    password: str | None = None
    secret: str | None = None


class PortIn(_Strict):
    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9/:._\- ]+$")
    if_index: int | None = Field(None, ge=1)
    transceiver: str | None = None
    wavelength_nm: int | None = Field(None, ge=600, le=1700)
    rx_sensitivity_dbm: float | None = None
    rx_overload_dbm: float | None = None
    role: Literal["uplink", "egress"] | None = Field(
        None, description="a backbone uplink or metro egress port of the device: the circuits through the device "
                          "leave by it, so a quality check reads its utilisation even where it is no segment")


class DeviceIn(_Strict):
    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._\-]+$")
    site: str
    platform: Literal[PLATFORMS]  # type: ignore[valid-type]
    mgmt_address: str = Field(min_length=1, max_length=255)
    snmp: SnmpIn | None = None
    cli: CliIn | None = None
    ports: list[PortIn] = Field(default_factory=list)


class CustomerIn(_Strict):
    id: str = Field(min_length=1, max_length=64)
    name: str
    contact: str | None = None


class PortRefIn(_Strict):
    device: str
    port: str


class SegmentIn(_Strict):
    a: PortRefIn
    z: PortRefIn
    length_km: float = Field(0.0, ge=0)
    connectors: int = Field(2, ge=0)
    splices: int = Field(0, ge=0)


class CircuitIn(_Strict):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-/]+$")
    customer: str
    service_type: ServiceType
    rate_mbps: float = Field(gt=0)
    lead_office: str | None = None
    cooperating_office: str | None = None
    segments: list[SegmentIn] = Field(min_length=1)


class InventoryIn(_Strict):
    version: int = 1
    sites: list[SiteIn] = Field(default_factory=list)
    devices: list[DeviceIn] = Field(default_factory=list)
    customers: list[CustomerIn] = Field(default_factory=list)
    circuits: list[CircuitIn] = Field(default_factory=list)
    lab: dict[str, Any] | None = None  # the lab's physical truth; not inventory, ignored here


def _loc(parts: tuple[Any, ...]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(root)"


# An inventory is sites/devices/ports... a few levels deep; anything far deeper is not an inventory and
# would exhaust the parser's recursion (a 1,000-deep YAML was a 500).
MAX_NESTING = 32


def _nesting_depth(text: str | bytes) -> tuple[int, yaml.Mark | None]:
    """The deepest collection nesting of a YAML text, read from the event stream (no recursion)."""
    depth = deepest = 0
    mark = None
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > deepest:
                deepest, mark = depth, event.start_mark
            if depth > MAX_NESTING:
                break
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return deepest, mark


def parse_inventory(source: str | bytes | dict) -> InventoryIn:
    """Parse YAML text (or an already-loaded mapping) into the schema; errors listed with locations."""
    if isinstance(source, (str, bytes)):
        try:
            depth, mark = _nesting_depth(source)
            if depth > MAX_NESTING:
                where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
                raise InventoryError([{"loc": where, "msg": f"nested deeper than {MAX_NESTING} levels: not an inventory"}])
            source = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
            raise InventoryError([{"loc": where, "msg": f"not valid YAML: {getattr(exc, 'problem', exc)}"}]) from exc
    if not isinstance(source, dict):
        raise InventoryError([{"loc": "(root)", "msg": "an inventory is a mapping with sites, devices, customers, circuits"}])
    try:
        return InventoryIn.model_validate(source)
    except ValidationError as exc:
        raise InventoryError([{"loc": _loc(e["loc"]), "msg": e["msg"]} for e in exc.errors()]) from exc


def _check(inv: InventoryIn, session: Session) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []

    def err(loc: str, msg: str) -> None:
        errors.append({"loc": loc, "msg": msg})

    def dupes(items: list, key: str, where: str) -> None:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            k = getattr(item, key)
            if k in seen:
                err(f"{where}[{i}].{key}", f"duplicate {key} {k!r} (first at {where}[{seen[k]}])")
            seen.setdefault(k, i)

    dupes(inv.sites, "id", "sites")
    dupes(inv.devices, "name", "devices")
    dupes(inv.customers, "id", "customers")
    dupes(inv.circuits, "id", "circuits")

    site_ids = {s.id for s in inv.sites} | set(session.scalars(select(Site.id)))
    customer_ids = {c.id for c in inv.customers} | set(session.scalars(select(Customer.id)))
    ports_of: dict[str, set[str]] = {}
    stored: dict[str, Device] = {}
    for dev in session.scalars(select(Device).options(selectinload(Device.ports))):
        ports_of[dev.name] = {p.name for p in dev.ports}
        stored[dev.name] = dev
    for i, dev in enumerate(inv.devices):
        if dev.site not in site_ids:
            err(f"devices[{i}].site", f"unknown site {dev.site!r}")
        if dev.snmp:
            snmp = _snmp_secrets(dev.snmp, stored.get(dev.name))
            if dev.snmp.version == "2c" and not snmp["community"]:
                err(f"devices[{i}].snmp.community", "SNMP v2c needs a community")
            if dev.snmp.version == "3" and not dev.snmp.user:
                err(f"devices[{i}].snmp.user", "SNMP v3 needs a user")
            if dev.snmp.version == "3" and dev.snmp.auth_protocol and not snmp["auth_key"]:
                err(f"devices[{i}].snmp.auth_key", f"SNMP v3 with auth_protocol {dev.snmp.auth_protocol} needs an auth_key")
            if dev.snmp.version == "3" and dev.snmp.priv_protocol and not snmp["priv_key"]:
                err(f"devices[{i}].snmp.priv_key", f"SNMP v3 with priv_protocol {dev.snmp.priv_protocol} needs a priv_key")
        names: set[str] = set()
        for j, port in enumerate(dev.ports):
            if port.name in names:
                err(f"devices[{i}].ports[{j}].name", f"duplicate port {port.name!r} on {dev.name}")
            names.add(port.name)
        ports_of[dev.name] = names  # the file's ports replace what the database had for this device

    for i, cir in enumerate(inv.circuits):
        if cir.customer not in customer_ids:
            err(f"circuits[{i}].customer", f"unknown customer {cir.customer!r}")
        for j, seg in enumerate(cir.segments):
            for end in ("a", "z"):
                ref: PortRefIn = getattr(seg, end)
                loc = f"circuits[{i}].segments[{j}].{end}"
                if ref.device not in ports_of:
                    err(f"{loc}.device", f"unknown device {ref.device!r}")
                elif ref.port not in ports_of[ref.device]:
                    err(f"{loc}.port", f"unknown port {ref.port!r} on device {ref.device!r}")
            if seg.a.device == seg.z.device and seg.a.port == seg.z.port:
                err(f"circuits[{i}].segments[{j}]", "a segment cannot start and end on the same port")
            if j > 0:
                prev = cir.segments[j - 1]
                if prev.z.device != seg.a.device:
                    err(f"circuits[{i}].segments[{j}].a.device",
                        f"path is broken: segment {j - 1} ends on {prev.z.device!r} but segment {j} starts on {seg.a.device!r}")
    return errors


def _given_or_stored(given: BaseModel, field: str, stored_value: str | None, same_owner: bool) -> str | None:
    """The file's value when the field is written (``null`` included), else the stored one if it still applies."""
    if field in given.model_fields_set:
        return getattr(given, field)
    return stored_value if same_owner else None


def _snmp_secrets(snmp: SnmpIn, dev: Device | None) -> dict[str, str | None]:
    was = dev if dev is not None and dev.snmp_version else None
    v2c = was is not None and was.snmp_version == snmp.version == "2c"
    v3_user = was is not None and was.snmp_version == snmp.version == "3" and was.snmp_user == snmp.user
    return {
        "community": _given_or_stored(snmp, "community", was.snmp_community if was else None, v2c),
        "auth_key": _given_or_stored(snmp, "auth_key", was.snmp_auth_key if was else None,
                                     v3_user and was.snmp_auth_protocol == snmp.auth_protocol),
        "priv_key": _given_or_stored(snmp, "priv_key", was.snmp_priv_key if was else None,
                                     v3_user and was.snmp_priv_protocol == snmp.priv_protocol),
    }


def _cli_secrets(cli: CliIn, dev: Device | None) -> dict[str, str | None]:
    same = dev is not None and dev.cli_device_type is not None and dev.cli_username == cli.username
    return {"password": _given_or_stored(cli, "password", dev.cli_password if dev else None, same),
            "secret": _given_or_stored(cli, "secret", dev.cli_secret if dev else None, same)}


def import_inventory(session: Session, source: str | bytes | dict) -> dict[str, int]:
    """Validate and write an inventory; raises InventoryError (nothing written) on any problem.

    The caller owns the transaction; on success the counts of each entity written are returned.
    """
    inv = parse_inventory(source)
    errors = _check(inv, session)
    if errors:
        raise InventoryError(errors)

    for s in inv.sites:
        session.merge(Site(id=s.id, name=s.name, kind=s.kind.value, region=s.region))
    session.flush()
    devices = {d.name: d for d in session.scalars(select(Device).options(selectinload(Device.ports)))}
    for d in inv.devices:
        was = devices.get(d.name)
        dev = was or Device(name=d.name)
        snmp_keys = _snmp_secrets(d.snmp, was) if d.snmp else dict.fromkeys(("community", "auth_key", "priv_key"))
        cli_keys = _cli_secrets(d.cli, was) if d.cli else dict.fromkeys(("password", "secret"))
        dev.site_id, dev.platform, dev.mgmt_address = d.site, d.platform, d.mgmt_address
        snmp, cli = d.snmp or SnmpIn(), d.cli
        dev.snmp_version = d.snmp.version if d.snmp else None
        dev.snmp_port = snmp.port if d.snmp else None
        dev.snmp_community, dev.snmp_user = snmp_keys["community"], snmp.user
        dev.snmp_auth_protocol, dev.snmp_auth_key = snmp.auth_protocol, snmp_keys["auth_key"]
        dev.snmp_priv_protocol, dev.snmp_priv_key = snmp.priv_protocol, snmp_keys["priv_key"]
        dev.cli_device_type = cli.device_type if cli else None
        dev.cli_port = cli.port if cli else None
        dev.cli_username = cli.username if cli else None
        dev.cli_password, dev.cli_secret = cli_keys["password"], cli_keys["secret"]
        existing = {p.name: p for p in dev.ports}
        for p in d.ports:
            port = existing.get(p.name) or Port(name=p.name)
            for field in ("if_index", "transceiver", "wavelength_nm", "rx_sensitivity_dbm", "rx_overload_dbm", "role"):
                setattr(port, field, getattr(p, field))
            if p.name not in existing:
                dev.ports.append(port)
        session.add(dev)
        devices[d.name] = dev
    for c in inv.customers:
        session.merge(Customer(id=c.id, name=c.name, contact=c.contact))
    session.flush()

    port_ids = {
        (dev_name, port_name): pid
        for dev_name, port_name, pid in session.execute(
            select(Device.name, Port.name, Port.id).join(Port, Port.device_id == Device.id)
        )
    }
    for c in inv.circuits:
        cir = session.get(Circuit, c.id) or Circuit(id=c.id)
        cir.customer_id, cir.service_type, cir.rate_mbps = c.customer, c.service_type.value, c.rate_mbps
        cir.lead_office, cir.cooperating_office = c.lead_office, c.cooperating_office
        cir.segments.clear()
        session.add(cir)
        session.flush()
        for idx, seg in enumerate(c.segments):
            cir.segments.append(Segment(
                index=idx, a_port_id=port_ids[(seg.a.device, seg.a.port)], z_port_id=port_ids[(seg.z.device, seg.z.port)],
                length_km=seg.length_km, connectors=seg.connectors, splices=seg.splices,
            ))
    session.flush()
    return {"sites": len(inv.sites), "devices": len(inv.devices), "ports": sum(len(d.ports) for d in inv.devices),
            "customers": len(inv.customers), "circuits": len(inv.circuits),
            "segments": sum(len(c.segments) for c in inv.circuits)}
