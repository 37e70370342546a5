"""Topology: the inventory format (docs/inventory-format.md) plus the `lab:` physical truth.

Parsing turns the YAML/dict into frozen specs; nothing here changes at run time (that is `model.py`).
A physical link (光纤段) is identified by its two endpoints, whatever circuit lists it: circuits that
share an uplink share one link, so one fault on it hits every circuit crossing it.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from lab.enums import PLATFORM_ALIASES, CliDialect, PowerUnit, Vendor
from lab.errors import TopologyError
from lab.latency import ZERO, Latency, parse_latency
from lab.vendors import huawei_family

# Per transceiver type: nominal Tx, receiver sensitivity and overload (dBm), wavelength, speed.
# Public engineering values (IEEE 802.3 budgets, typical vendor datasheets).
TRANSCEIVER_DEFAULTS: dict[str, dict[str, float]] = {
    "1000BASE-LX": {"tx": -5.0, "sens": -20.0, "ovl": -3.0, "wl": 1310, "speed": 1000, "km": 10},
    "1000BASE-SX": {"tx": -5.0, "sens": -17.0, "ovl": 0.0, "wl": 850, "speed": 1000, "km": 0.55},
    "1000BASE-ZX": {"tx": 2.0, "sens": -23.0, "ovl": -3.0, "wl": 1550, "speed": 1000, "km": 80},
    "10GBASE-LR": {"tx": -2.0, "sens": -14.4, "ovl": 0.5, "wl": 1310, "speed": 10000, "km": 10},
    "10GBASE-ER": {"tx": 1.0, "sens": -15.8, "ovl": -1.0, "wl": 1550, "speed": 10000, "km": 40},
    "10GBASE-ZR": {"tx": 2.0, "sens": -24.0, "ovl": -7.0, "wl": 1550, "speed": 10000, "km": 80},
    # four-lane 100G modules: powers and limits per lane (the weakest lane decides)
    "100GBASE-LR4": {"tx": 1.0, "sens": -10.6, "ovl": 4.5, "wl": 1310, "speed": 100000, "km": 10, "lanes": 4},
    "100GBASE-SR4": {"tx": -1.0, "sens": -9.0, "ovl": 2.4, "wl": 850, "speed": 100000, "km": 0.1, "lanes": 4},
}
FIBER_DB_PER_KM = {1310: 0.35, 1550: 0.25, 850: 3.0}
CONNECTOR_DB = 0.5
SPLICE_DB = 0.1
EXTERNAL_RX_DEFAULT_DBM = -7.0


@dataclass(frozen=True)
class PortSpec:
    """One port: inventory fields plus the physical truth from `lab.ports`."""

    device: str
    name: str
    if_index: int
    transceiver: str | None
    wavelength_nm: int
    rx_sensitivity_dbm: float
    rx_overload_dbm: float
    tx_dbm: float
    speed_mbps: int
    duplex: str
    traffic_in_mbps: float
    traffic_out_mbps: float
    description: str
    external_rx_dbm: float | None  # fed from outside the lab (other province, Internet backbone)
    lanes: int = 1  # optical lanes of the module (100GBASE-LR4: 4), each reported on its own

    @property
    def key(self) -> str:
        return f"{self.device}:{self.name}"


@dataclass(frozen=True)
class DeviceSpec:
    name: str
    site: str
    vendor: Vendor
    mgmt_address: str
    snmp: dict[str, Any]
    cli: dict[str, Any]
    ports: tuple[PortSpec, ...]
    model: str
    latency: Latency = ZERO  # the times used when the lab runs with realistic latency (lab/latency.py)
    optical_unit: PowerUnit = PowerUnit.CENTI_DBM  # Huawei hwEntityOpticalRx/TxPower encoding
    cli_dialect: CliDialect = CliDialect.VRP5  # Huawei CLI layouts (VRP5 S/AR/NE, VRP8 CloudEngine)
    platform: str = ""  # the inventory platform (a collector profile name); the vendor's own when empty
    two_stage_commit: bool = False  # VRP8: configuration applies on commit / commit trial only


@dataclass(frozen=True)
class LinkSpec:
    """A fiber between two ports (光纤段)."""

    key: str  # "devA:portA--devB:portB", endpoints in the order first seen
    a: str  # "device:port"
    z: str
    length_km: float
    connectors: int
    splices: int
    actual_loss_db: float


@dataclass(frozen=True)
class CircuitSpec:
    id: str
    customer: str
    service_type: str
    rate_mbps: float
    hops: tuple[tuple[str, str], ...]  # ordered (a_port_key, z_port_key), customer end first
    link_keys: tuple[str, ...]


@dataclass(frozen=True)
class Topology:
    inventory: dict[str, Any]  # the inventory part, as loaded (no `lab:` section)
    devices: dict[str, DeviceSpec]
    links: dict[str, LinkSpec]
    circuits: dict[str, CircuitSpec]
    site_kinds: dict[str, str] = field(default_factory=dict)

    def port(self, key: str) -> PortSpec:
        device, _, name = key.partition(":")
        for port in self.devices[device].ports:
            if port.name == name:
                return port
        raise KeyError(key)


def expected_loss_db(length_km: float, connectors: int, splices: int, wavelength_nm: int) -> float:
    """Loss budget of a segment by the DOMAIN.md rule of thumb."""
    per_km = FIBER_DB_PER_KM.get(wavelength_nm, 0.35)
    return round(length_km * per_km + connectors * CONNECTOR_DB + splices * SPLICE_DB, 2)


def link_key(a: str, z: str) -> str:
    return f"{a}--{z}"


def read_source(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(source, dict):
        return copy.deepcopy(source)
    path = Path(source)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TopologyError([f"{path}: {exc}"]) from exc
    if not isinstance(data, dict):
        raise TopologyError([f"{path}: top level must be a mapping"])
    return data


def _default_model(vendor: Vendor) -> str:
    return {Vendor.HUAWEI: "S5720", Vendor.CISCO: "C2960X", Vendor.ZTE: "ZXR10 5960", Vendor.JUNOS: "MX204",
            Vendor.XR: "NCS-55A2"}[vendor]


def parse_topology(source: str | Path | dict[str, Any]) -> Topology:
    data = read_source(source)
    lab = data.pop("lab", None) or {}
    problems: list[str] = []
    port_truth: dict[str, dict[str, Any]] = dict(lab.get("ports") or {})
    seg_truth: dict[str, dict[str, Any]] = dict(lab.get("segments") or {})
    models: dict[str, str] = dict(lab.get("models") or {})
    units: dict[str, Any] = dict(lab.get("optical_power_unit") or {})
    site_kinds = {s.get("id"): s.get("kind") for s in data.get("sites") or []}

    devices: dict[str, DeviceSpec] = {}
    for i, dev in enumerate(data.get("devices") or []):
        where = f"devices[{i}]"
        name = dev.get("name")
        if not name:
            problems.append(f"{where}.name: required")
            continue
        if name in devices:
            problems.append(f"{where}.name: duplicate device {name!r}")
            continue
        platform = str(dev.get("platform"))
        vendor, two_stage = PLATFORM_ALIASES.get(platform, (None, False))
        try:
            vendor = vendor or Vendor(platform)
        except ValueError:
            problems.append(f"{where}.platform: lab simulates {[v.value for v in Vendor] + list(PLATFORM_ALIASES)}, "
                            f"got {dev.get('platform')!r}")
            continue
        if dev.get("site") not in site_kinds:
            problems.append(f"{where}.site: unknown site {dev.get('site')!r}")
        ports: list[PortSpec] = []
        seen_if: set[int] = set()
        for j, p in enumerate(dev.get("ports") or []):
            pname = p.get("name")
            if not pname:
                problems.append(f"{where}.ports[{j}].name: required")
                continue
            truth = port_truth.pop(f"{name}:{pname}", {}) or {}
            xcvr = p.get("transceiver")
            d = TRANSCEIVER_DEFAULTS.get(xcvr or "", TRANSCEIVER_DEFAULTS["1000BASE-LX"])
            if_index = int(p.get("if_index") or (j + 1))
            if if_index in seen_if:
                problems.append(f"{where}.ports[{j}].if_index: duplicate {if_index}")
            seen_if.add(if_index)
            ext = truth.get("external_rx_dbm")
            ports.append(PortSpec(
                device=name, name=pname, if_index=if_index, transceiver=xcvr,
                wavelength_nm=int(p.get("wavelength_nm") or d["wl"]),
                rx_sensitivity_dbm=float(p.get("rx_sensitivity_dbm", d["sens"])),
                rx_overload_dbm=float(p.get("rx_overload_dbm", d["ovl"])),
                tx_dbm=float(truth.get("tx_dbm", d["tx"])),
                speed_mbps=int(truth.get("speed_mbps", d["speed"])),
                duplex=str(truth.get("duplex", "full")),
                traffic_in_mbps=float(truth.get("traffic_in_mbps", 0.0)),
                traffic_out_mbps=float(truth.get("traffic_out_mbps", 0.0)),
                description=str(truth.get("description", p.get("description", ""))),
                external_rx_dbm=None if ext is None else float(ext),
                lanes=int(d.get("lanes", 1)) if xcvr else 1,
            ))
        model = str(models.get(name, _default_model(vendor)))
        family = huawei_family(model) if vendor is Vendor.HUAWEI else None
        unit = family.optical_unit if family else PowerUnit.CENTI_DBM
        if name in units:
            try:
                unit = PowerUnit(units.pop(name))
            except ValueError:
                problems.append(f"lab.optical_power_unit[{name!r}]: one of {[u.value for u in PowerUnit]}")
            if family is None:
                problems.append(f"lab.optical_power_unit[{name!r}]: only Huawei agents have a choice of encoding")
        devices[name] = DeviceSpec(
            name=name, site=dev.get("site", ""), vendor=vendor,
            mgmt_address=str(dev.get("mgmt_address", "")),
            snmp=dict(dev.get("snmp") or {}), cli=dict(dev.get("cli") or {}),
            ports=tuple(ports), model=model, optical_unit=unit,
            cli_dialect=family.cli if family else CliDialect.VRP5, platform=platform, two_stage_commit=two_stage,
        )
        if two_stage and (family is None or family.cli is not CliDialect.VRP8):
            problems.append(f"{where}.platform: {platform} (two-stage commit) needs a VRP8 model such as a CloudEngine "
                            f"(lab.models), got {model!r}")
    for key in port_truth:
        problems.append(f"lab.ports[{key!r}]: no such device port")
    for key in units:
        problems.append(f"lab.optical_power_unit[{key!r}]: no such device")
    latencies = parse_latency(lab.get("latency"), {n: d.vendor for n, d in devices.items()}, problems)
    devices = {n: replace(d, latency=latencies[n]) for n, d in devices.items()}

    port_index = {p.key: p for d in devices.values() for p in d.ports}
    links: dict[str, LinkSpec] = {}
    by_ends: dict[frozenset[str], str] = {}
    circuits: dict[str, CircuitSpec] = {}
    used_truth: set[str] = set()
    for i, cir in enumerate(data.get("circuits") or []):
        cid = cir.get("id")
        if not cid or cid in circuits:
            problems.append(f"circuits[{i}].id: missing or duplicate {cid!r}")
            continue
        hops: list[tuple[str, str]] = []
        keys: list[str] = []
        prev_z_dev = None
        for j, seg in enumerate(cir.get("segments") or []):
            where = f"circuits[{i}].segments[{j}]"
            ends = []
            for side in ("a", "z"):
                ref = seg.get(side) or {}
                pk = f"{ref.get('device')}:{ref.get('port')}"
                if pk not in port_index:
                    problems.append(f"{where}.{side}: unknown device port {pk!r}")
                ends.append(pk)
            a, z = ends
            if prev_z_dev is not None and a.split(":")[0] != prev_z_dev:
                problems.append(f"{where}.a.device: path breaks after {prev_z_dev!r}")
            prev_z_dev = z.split(":")[0]
            hops.append((a, z))
            ends_key = frozenset((a, z))
            lk = by_ends.get(ends_key)
            truth = seg_truth.get(f"{cid}#{j}") or seg_truth.get(link_key(a, z)) or seg_truth.get(link_key(z, a))
            for tk in (f"{cid}#{j}", link_key(a, z), link_key(z, a)):
                if tk in seg_truth:
                    used_truth.add(tk)
            if lk is None:
                lk = link_key(a, z)
                length = float(seg.get("length_km", 0.0))
                conns = int(seg.get("connectors", 2))
                splices = int(seg.get("splices", 0))
                wl = port_index[a].wavelength_nm if a in port_index else 1310
                loss = float((truth or {}).get("actual_loss_db", expected_loss_db(length, conns, splices, wl)))
                links[lk] = LinkSpec(lk, a, z, length, conns, splices, loss)
                by_ends[ends_key] = lk
            elif truth and "actual_loss_db" in truth and truth["actual_loss_db"] != links[lk].actual_loss_db:
                problems.append(f"{where}: loss of shared link {lk} given twice with different values")
            keys.append(lk)
        circuits[cid] = CircuitSpec(
            id=cid, customer=str(cir.get("customer", "")), service_type=str(cir.get("service_type", "")),
            rate_mbps=float(cir.get("rate_mbps", 0)), hops=tuple(hops), link_keys=tuple(keys),
        )
    for key in set(seg_truth) - used_truth:
        problems.append(f"lab.segments[{key!r}]: matches no circuit segment")
    if problems:
        raise TopologyError(problems)
    return Topology(inventory=data, devices=devices, links=links, circuits=circuits, site_kinds=site_kinds)
