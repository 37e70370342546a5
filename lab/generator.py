"""Large topologies for benchmarks: a metro core, aggregation, access switches and CPEs.

`generate_topology(devices=1000, ports_per_device=20)` gives 1,000 devices / 20,000 ports: one
circuit per CPE (CPE -> access -> aggregation -> metro), vendors mixed, deterministic for a seed.
The result is a dict in the topology format (inventory + `lab:`), ready for `Lab.load(...)`. Every
device gets its own loopback management address under `address_base` (default 127.30: 127.30.0.1,
127.30.0.2, ... 127.30.0.254, 127.30.1.1, ...), so `lab up --topology big.yaml` runs without
`--address-block`. `faultline lab generate --devices N --ports M --out FILE` writes one.
"""
from __future__ import annotations

import random
from typing import Any

VENDORS = ("huawei_vrp", "cisco_ios", "zte_zxros")
SERVICES = ("ethernet_private_line", "mpls_vpn", "internet_access")


def _port_name(platform: str, n: int) -> str:
    return {"huawei_vrp": f"GigabitEthernet0/0/{n}", "cisco_ios": f"GigabitEthernet1/0/{n}",
            "zte_zxros": f"gei-1/1/0/{n}"}[platform]


def mgmt_address(base: str, n: int) -> str:
    """The n-th (1-based) device address under a /16 like '127.30': 254 hosts per /24, no .0/.255."""
    parts = base.strip(".").split(".")
    if len(parts) != 2 or parts[0] != "127" or not parts[1].isdigit() or not 0 <= int(parts[1]) <= 255:
        raise ValueError(f"address base must be a loopback /16 like '127.30', got {base!r}")
    third, host = divmod(n - 1, 254)
    if third > 255:
        raise ValueError(f"{base}.0.0/16 holds {256 * 254} devices, not {n}")
    return f"{base.strip('.')}.{third}.{host + 1}"


def generate_topology(devices: int = 1000, ports_per_device: int = 20, seed: int = 7,
                      address_base: str = "127.30", aggregations: int | None = None) -> dict[str, Any]:
    """`aggregations` sets how many aggregation devices share the access switches (default one per
    100 devices): 1 puts every circuit over one aggregation uplink (bench/outage.py)."""
    if devices < 4 or ports_per_device < 2:
        raise ValueError("need at least 4 devices and 2 ports per device")
    mgmt_address(address_base, devices)  # the block must hold them all
    rng = random.Random(seed)
    n_agg = max(1, devices // 100) if aggregations is None else aggregations
    n_acc = max(1, devices // 10)
    n_cpe = devices - 1 - n_agg - n_acc
    downlinks = ports_per_device - 1  # port 1 is the uplink everywhere but the metro core
    if n_agg > ports_per_device or n_acc > n_agg * downlinks or n_cpe > n_acc * downlinks:
        raise ValueError(f"{devices} devices do not fit a tree with {ports_per_device} ports per device")
    sites: list[dict[str, Any]] = [{"id": "METRO", "name": "Metro core", "kind": "metro_egress"}]
    devs: list[dict[str, Any]] = []
    lab_ports: dict[str, dict[str, Any]] = {}
    used: dict[str, int] = {}  # next free downlink port per device

    def add_device(name: str, site: str, platform: str) -> None:
        ports = [{"name": _port_name(platform, i), "if_index": i, "transceiver": "1000BASE-LX",
                  "wavelength_nm": 1310, "rx_sensitivity_dbm": -20.0, "rx_overload_dbm": -3.0}
                 for i in range(1, ports_per_device + 1)]
        devs.append({"name": name, "site": site, "platform": platform,
                     "mgmt_address": mgmt_address(address_base, len(devs) + 1),
                     "snmp": {"version": "2c", "port": 161, "community": "public"},
                     "cli": {"device_type": platform, "port": 22, "username": "admin", "password": "Lab@12345"},
                     "ports": ports})
        used[name] = 2 if not name.startswith("metro") else 1
        for p in ports:
            lab_ports[f"{name}:{p['name']}"] = {"tx_dbm": round(rng.uniform(-6.0, -4.0), 1),
                                                "traffic_in_mbps": round(rng.uniform(1, 80), 1),
                                                "traffic_out_mbps": round(rng.uniform(1, 80), 1)}

    platform_of: dict[str, str] = {}
    add_device("metro-1", "METRO", "huawei_vrp")
    platform_of["metro-1"] = "huawei_vrp"
    aggs, accs = [], []
    for i in range(n_agg):
        name = f"agg-{i + 1:03d}"
        sites.append({"id": f"AGG-{i + 1:03d}", "name": f"Aggregation {i + 1}", "kind": "aggregation"})
        platform_of[name] = VENDORS[i % 3]
        add_device(name, f"AGG-{i + 1:03d}", platform_of[name])
        aggs.append(name)
    for i in range(n_acc):
        name = f"acc-{i + 1:04d}"
        sites.append({"id": f"ACC-{i + 1:04d}", "name": f"Access room {i + 1}", "kind": "access_room"})
        platform_of[name] = VENDORS[(i + 1) % 3]
        add_device(name, f"ACC-{i + 1:04d}", platform_of[name])
        accs.append(name)
    customers, circuits = [], []
    uplinks: dict[str, dict[str, Any]] = {}

    def seg(a: str, ap: str, z: str, zp: str, km: float) -> dict[str, Any]:
        return {"a": {"device": a, "port": ap}, "z": {"device": z, "port": zp}, "length_km": km,
                "connectors": 2, "splices": rng.randint(0, 6)}

    for i, acc in enumerate(accs):
        agg = aggs[i % n_agg]
        uplinks[acc] = seg(acc, _port_name(platform_of[acc], 1), agg, _port_name(platform_of[agg], used[agg]),
                           round(rng.uniform(2, 12), 1))
        used[agg] += 1
    for agg in aggs:
        uplinks[agg] = seg(agg, _port_name(platform_of[agg], 1), "metro-1", _port_name("huawei_vrp", used["metro-1"]),
                           round(rng.uniform(5, 20), 1))
        used["metro-1"] += 1
    for i in range(n_cpe):
        name = f"cpe-{i + 1:04d}"
        acc = accs[i % n_acc]
        agg = uplinks[acc]["z"]["device"]
        sites.append({"id": f"CPE-{i + 1:04d}", "name": f"Customer site {i + 1}", "kind": "customer_premises"})
        platform_of[name] = VENDORS[i % 3]
        add_device(name, f"CPE-{i + 1:04d}", platform_of[name])
        cust = f"CUST-{i + 1:04d}"
        customers.append({"id": cust, "name": f"Customer {i + 1}"})
        access_port = _port_name(platform_of[acc], used[acc])
        used[acc] += 1
        circuits.append({
            "id": f"CIR-{i + 1:05d}", "customer": cust, "service_type": SERVICES[i % 3],
            "rate_mbps": rng.choice([10, 30, 50, 100, 200]),
            "segments": [seg(name, _port_name(platform_of[name], 1), acc, access_port, round(rng.uniform(0.5, 8), 1)),
                         uplinks[acc], uplinks[agg]],
        })
    return {"version": 1, "sites": sites, "devices": devs, "customers": customers, "circuits": circuits,
            "lab": {"ports": lab_ports}}
