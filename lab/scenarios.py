"""Seeded random scenarios: topologies, a fault (or none) and a ticket, with the lab's truth as oracle.

Pure and deterministic for a seed: `generate_scenarios(seed, count)` returns `ScenarioLab`s, each a
topology (the inventory format + `lab:`) of several *islands* and one scenario per island. An island
is a small network of its own: a circuit of 2-8 segments from a customer premises through access,
aggregation, core, metro egress and province exit positions (every lab vendor profile and model
family can sit in every position; v2c or v3-only agents), and a sibling circuit of another customer
that shares its upstream segments. Islands share no device, so the scenarios of one lab run at the
same time without touching each other's truth, and each island is used once (no alarm history from
an earlier fault).

The truth of a scenario is what the lab was told: which fault kind, on which element (segment index
of the circuit, port or device), with what magnitude - never what any diagnosis says. Which verdict
that truth calls for is the oracle table's business (bench/accuracy.py), not the generator's.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from lab.enums import FaultKind, Vendor
from lab.generator import mgmt_address
from lab.topology import TRANSCEIVER_DEFAULTS, expected_loss_db

POSITIONS = ("customer_premises", "access_room", "aggregation", "core", "metro_egress", "province_exit")
# the upstream chain a path climbs: up to 8 segments from the customer premises
_CHAIN = ("access_room", "access_room", "aggregation", "aggregation", "core", "core", "metro_egress", "province_exit")

# (vendor, model) per position: real model names of each lab profile; Huawei families differ in data
# (S-series uW optics, CloudEngine VRP8 CLI, AR/NE 0.01 dBm)
# the vendors generated scenarios draw from (the commit platforms are not among them: the draws, and so
# every seeded scenario, stay as they were)
SCENARIO_VENDORS = (Vendor.HUAWEI, Vendor.CISCO, Vendor.ZTE)
MODELS: dict[str, dict[Vendor, tuple[str, ...]]] = {
    "customer_premises": {Vendor.HUAWEI: ("AR651", "AR6120", "S5735-L24T4S"), Vendor.CISCO: ("ISR4321", "C1111-8P"),
                          Vendor.ZTE: ("ZXR10 1800-2S", "ZXR10 2800-4")},
    "access_room": {Vendor.HUAWEI: ("S5720-28X-SI", "S5735-S48T4X", "S6730-H24X6C"), Vendor.CISCO: ("C2960X-48TS-L", "C9300-48T"),
                    Vendor.ZTE: ("ZXR10 5960-52TM", "ZXR10 5950-52TM")},
    "aggregation": {Vendor.HUAWEI: ("S6730-H24X6C", "CE6870-48S6CQ-EI", "S12708"), Vendor.CISCO: ("C9500-24Y4C", "C9500-48Y4C"),
                    Vendor.ZTE: ("ZXR10 5960-72DL", "ZXR10 9904")},
    "core": {Vendor.HUAWEI: ("CE6870-48S6CQ-EI", "NE40E-X8A", "CE12808"), Vendor.CISCO: ("C9500-48Y4C", "C9606R"),
             Vendor.ZTE: ("ZXR10 M6000-8S", "ZXR10 9908")},
    "metro_egress": {Vendor.HUAWEI: ("NE40E-X8A", "NE8000 M8", "CE12808"), Vendor.CISCO: ("ASR1006-X", "C9606R"),
                     Vendor.ZTE: ("ZXR10 M6000-18S", "ZXR10 M6000-8S")},
    "province_exit": {Vendor.HUAWEI: ("NE40E-X16A", "NE8000 M14"), Vendor.CISCO: ("ASR1009-X", "C9606R"),
                      Vendor.ZTE: ("ZXR10 M6000-8S", "ZXR10 T8000")},
}

# module classes per segment by its upper end's position, with the length range (km) the class is
# deployed at (short enough for its budget, long enough not to overload the receiver)
MODULES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "access_room": (("1000BASE-LX", 0.5, 9.0), ("1000BASE-LX", 0.3, 4.0), ("10GBASE-LR", 0.5, 8.0)),
    "aggregation": (("10GBASE-LR", 2.0, 9.0), ("10GBASE-ER", 12.0, 35.0), ("1000BASE-LX", 2.0, 9.0)),
    "core": (("10GBASE-ER", 12.0, 35.0), ("100GBASE-LR4", 1.0, 8.0), ("10GBASE-ZR", 45.0, 70.0)),
    "metro_egress": (("10GBASE-ZR", 45.0, 75.0), ("100GBASE-LR4", 1.0, 8.0), ("10GBASE-ER", 12.0, 35.0)),
    "province_exit": (("10GBASE-ZR", 45.0, 78.0), ("10GBASE-ER", 15.0, 38.0), ("100GBASE-LR4", 2.0, 9.0)),
}
SPEED = {"1000BASE-LX": 1000, "10GBASE-LR": 10000, "10GBASE-ER": 10000, "10GBASE-ZR": 10000, "100GBASE-LR4": 100000}
RATES_MBPS = (10, 20, 50, 100, 200, 500)

ASSIST, INTERRUPTION = "assist_check", "interruption"
FLAP, QUALITY, DOWN = "interruption_or_flap", "latency_or_errors", "down"
# every fault kind of the lab (None: a healthy circuit) x every ticket (kind, symptom) it applies to
CLASSES: tuple[tuple[FaultKind | None, str, str], ...] = (
    (None, ASSIST, FLAP), (None, ASSIST, QUALITY), (None, INTERRUPTION, DOWN),
    (FaultKind.FIBER_CUT, INTERRUPTION, DOWN), (FaultKind.FIBER_CUT, ASSIST, FLAP),
    (FaultKind.FIBER_DEGRADED, ASSIST, QUALITY), (FaultKind.FIBER_DEGRADED, INTERRUPTION, DOWN),
    (FaultKind.LOOSE_CONNECTOR, ASSIST, FLAP), (FaultKind.LOOSE_CONNECTOR, INTERRUPTION, DOWN),
    (FaultKind.DUPLEX_MISMATCH, ASSIST, QUALITY), (FaultKind.SPEED_MISMATCH, ASSIST, QUALITY),
    (FaultKind.PORT_CONGESTION, ASSIST, QUALITY), (FaultKind.EGRESS_CONGESTION, ASSIST, QUALITY),
    (FaultKind.CPE_POWER_OFF, INTERRUPTION, DOWN), (FaultKind.CPE_POWER_OFF, ASSIST, FLAP),
    (FaultKind.TRANSCEIVER_AGEING, ASSIST, QUALITY),
)
DEGRADED_OVER_BUDGET_DB = 3.0  # DOMAIN.md: loss above the budget by more than 3 dB is degraded fiber
ERROR_ZONE_DB = 3.0  # lab physics: bit errors start within 3 dB of the sensitivity


@dataclass(frozen=True)
class Truth:
    """What the lab was told to break (the oracle's input)."""

    kind: FaultKind | None
    target: str = ""  # as Lab.inject takes it: "CIR#i", "device:port" or a device
    params: dict[str, Any] = field(default_factory=dict)
    segment: int | None = None  # the circuit's path segment the fault sits on (None: healthy)
    element: str = ""  # "segment" | "port" | "device"
    magnitude: str = ""  # "near" / "far" from the verdict's threshold, "" where none applies


@dataclass(frozen=True)
class Scenario:
    id: str
    circuit: str
    ticket_kind: str
    symptom: str
    truth: Truth
    segments: int
    vendors: tuple[str, ...]  # per path device, customer end first
    positions: tuple[str, ...]
    flap_port: tuple[str, str] | None = None  # (device, port) whose linkDowns show the flapping

    @property
    def fault_class(self) -> str:
        return self.truth.kind.value if self.truth.kind else "healthy"


@dataclass
class ScenarioLab:
    """One lab's topology and the scenarios on its islands."""

    topology: dict[str, Any]
    scenarios: list[Scenario]


# -- names ---------------------------------------------------------------------------------------
def _family(vendor: Vendor, model: str) -> str:
    if vendor is Vendor.HUAWEI:
        return "ce" if model.startswith("CE") else ("ne" if model.startswith("NE") else "vrp5")
    if vendor is Vendor.CISCO:
        return "isr" if model.startswith(("ISR", "C11")) else "switch"
    return "zte"


def port_name(vendor: Vendor, model: str, speed: int, n: int) -> str:
    """Real-looking port names per platform family and speed."""
    fam = _family(vendor, model)
    table = {
        "ce": {1000: "GE1/0/{n}", 10000: "10GE1/0/{n}", 100000: "100GE1/0/{n}"},
        "ne": {1000: "GigabitEthernet1/0/{n}", 10000: "GigabitEthernet3/0/{n}", 100000: "100GE2/0/{n}"},
        "vrp5": {1000: "GigabitEthernet0/0/{n}", 10000: "XGigabitEthernet0/0/{n}", 100000: "100GE0/0/{n}"},
        "isr": {1000: "GigabitEthernet0/0/{n}", 10000: "TenGigabitEthernet0/1/{n}", 100000: "HundredGigE0/2/{n}"},
        "switch": {1000: "GigabitEthernet1/0/{n}", 10000: "TenGigabitEthernet1/1/{n}", 100000: "HundredGigE1/0/{n}"},
        "zte": {1000: "gei-0/1/0/{n}", 10000: "xgei-0/2/0/{n}", 100000: "cgei-0/3/0/{n}"},
    }[fam]
    if fam == "ne" and speed == 10000:  # NE40E 10G ports are named GigabitEthernet (their board decides)
        return table[speed].format(n=n)
    return table[speed].format(n=n)


def if_index(vendor: Vendor, speed: int, n: int, base: int) -> int:
    """ifIndexes in each vendor's style: Huawei small consecutive numbers, IOS 10101.., ZXROS 0x...."""
    if vendor is Vendor.HUAWEI:
        return base + {1000: 0, 10000: 48, 100000: 96}[speed] + n
    if vendor is Vendor.CISCO:
        return {1000: 10100, 10000: 10200, 100000: 10300}[speed] + n
    return {1000: 8192, 10000: 16384, 100000: 24576}[speed] + base + n


# -- one island -----------------------------------------------------------------------------------
class _Island:
    def __init__(self, rng: random.Random, prefix: str, n_seg: int, need: set[str], v3_share: float) -> None:
        self.rng = rng
        self.prefix = prefix
        self.sites: list[dict[str, Any]] = []
        self.devices: dict[str, dict[str, Any]] = {}
        self.vendor: dict[str, Vendor] = {}
        self.models: dict[str, str] = {}
        self.position: dict[str, str] = {}
        self.used: dict[str, dict[int, int]] = {}
        self.port_truth: dict[str, dict[str, Any]] = {}
        self.seg_truth: dict[str, dict[str, Any]] = {}
        self.v3_share = v3_share
        picks = sorted(rng.sample(range(1, len(_CHAIN)), n_seg - 1)) if n_seg > 1 else []
        chain = [_CHAIN[0], *(_CHAIN[i] for i in picks)]
        for position in need:  # the class needs this position on the path (egress congestion)
            if position not in chain:
                chain[-1] = position
        self.path_positions = ["customer_premises", *chain]

    def device(self, pos: str, k: int) -> str:
        name = f"{self.prefix}-{pos.split('_')[0][:4]}{k}"
        vendor = self.rng.choice(SCENARIO_VENDORS)
        model = self.rng.choice(MODELS[pos][vendor])
        site = f"{name.upper()}-SITE"
        self.sites.append({"id": site, "name": f"{pos.replace('_', ' ')} of {self.prefix}", "kind": pos})
        v3 = self.rng.random() < self.v3_share
        self.devices[name] = {
            "name": name, "site": site, "platform": vendor.value, "mgmt_address": "127.0.0.1",
            "snmp": {"version": "3"} if v3 else {"version": "2c", "port": 161, "community": "public"},
            "cli": {"device_type": vendor.value, "port": 22, "username": "admin", "password": "Lab@12345"},
            "ports": [],
        }
        self.vendor[name], self.models[name], self.position[name] = vendor, model, pos
        self.used[name] = {}
        return name

    def port(self, dev: str, module: str | None, speed: int = 1000) -> str:
        n = self.used[dev].get(speed, 0) + 1
        self.used[dev][speed] = n
        vendor, model = self.vendor[dev], self.models[dev]
        name = port_name(vendor, model, speed, n)
        entry: dict[str, Any] = {"name": name, "if_index": if_index(vendor, speed, n, 4)}
        if module:
            d = TRANSCEIVER_DEFAULTS[module]
            entry |= {"transceiver": module, "wavelength_nm": int(d["wl"]), "rx_sensitivity_dbm": d["sens"],
                      "rx_overload_dbm": d["ovl"]}
        self.devices[dev]["ports"].append(entry)
        return name

    def segment(self, a: str, z: str, upper_pos: str) -> tuple[dict[str, Any], dict[str, Any]]:
        module, lo, hi = self.rng.choice(MODULES[upper_pos])
        speed = SPEED[module]
        ap, zp = self.port(a, module, speed), self.port(z, module, speed)
        d = TRANSCEIVER_DEFAULTS[module]
        length = round(self.rng.uniform(lo, hi), 1)
        connectors, splices = self.rng.choice((2, 2, 2, 4)), self.rng.randint(0, 8)
        expected = expected_loss_db(length, connectors, splices, int(d["wl"]))
        actual = round(expected + self.rng.uniform(-0.4, 0.8), 2)
        for dev, pname in ((a, ap), (z, zp)):
            self.port_truth[f"{dev}:{pname}"] = {"tx_dbm": round(d["tx"] + self.rng.uniform(-0.6, 0.6), 1)}
        seg = {"a": {"device": a, "port": ap}, "z": {"device": z, "port": zp}, "length_km": length,
               "connectors": connectors, "splices": splices}
        info = {"module": module, "speed": speed, "actual": actual, "expected": expected, "a": (a, ap), "z": (z, zp)}
        return seg, info


def _margin(port_truth: dict[str, dict[str, Any]], info: dict[str, Any]) -> float:
    """The smaller Rx margin above the sensitivity of a segment's two receivers."""
    sens = TRANSCEIVER_DEFAULTS[info["module"]]["sens"]
    tx_a = port_truth[f"{info['a'][0]}:{info['a'][1]}"]["tx_dbm"]
    tx_z = port_truth[f"{info['z'][0]}:{info['z'][1]}"]["tx_dbm"]
    return min(tx_a, tx_z) - info["actual"] - sens


def _build_island(rng: random.Random, prefix: str, cid: str, kind: FaultKind | None, ticket: tuple[str, str],
                  v3_share: float) -> tuple[_Island, list[dict[str, Any]], list[dict[str, Any]], Scenario]:
    n_seg = rng.randint(2, 8)
    need = {"metro_egress"} if kind is FaultKind.EGRESS_CONGESTION else set()
    isl = _Island(rng, prefix, n_seg, need, v3_share)
    counts: dict[str, int] = {}
    path: list[str] = []
    for pos in isl.path_positions:
        counts[pos] = counts.get(pos, 0) + 1
        path.append(isl.device(pos, counts[pos]))
    segs, infos = [], []
    for a, z, pos in zip(path, path[1:], isl.path_positions[1:], strict=False):
        seg, info = isl.segment(a, z, pos)
        segs.append(seg)
        infos.append(info)
    # the sibling customer: its own CPE on the first access device, the same segments above it
    sib = isl.device("customer_premises", 2)
    sib_seg, sib_info = isl.segment(sib, path[1], "access_room")
    rate = rng.choice([r for r in RATES_MBPS if r <= infos[0]["speed"]])
    sib_rate = rng.choice([r for r in RATES_MBPS if r <= sib_info["speed"]])
    # externally fed ports: the province exit's backbone line and the metro egress's uplink
    for dev, pos in zip(path, isl.path_positions, strict=True):
        if pos in ("metro_egress", "province_exit"):
            module = "10GBASE-ER"
            pname = isl.port(dev, module, 10000)
            d = TRANSCEIVER_DEFAULTS[module]
            isl.port_truth[f"{dev}:{pname}"] = {"tx_dbm": d["tx"], "external_rx_dbm": round(rng.uniform(-9.0, -5.0), 1),
                                               "traffic_in_mbps": round(rng.uniform(300, 3000), 0),
                                               "traffic_out_mbps": round(rng.uniform(300, 3000), 0),
                                               "description": "Backbone uplink"}
        isl.port(dev, None)  # an unused copper port, as every chassis has
    # traffic: customers below 60 % of their rate, uplinks carrying them plus other traffic
    for info, (a, z) in ((infos[0], (infos[0]["a"], infos[0]["z"])), (sib_info, (sib_info["a"], sib_info["z"]))):
        r = rate if info is infos[0] else sib_rate
        up, down = round(r * rng.uniform(0.1, 0.55), 1), round(r * rng.uniform(0.1, 0.55), 1)
        isl.port_truth[f"{a[0]}:{a[1]}"] |= {"traffic_in_mbps": down, "traffic_out_mbps": up}
        isl.port_truth[f"{z[0]}:{z[1]}"] |= {"traffic_in_mbps": up, "traffic_out_mbps": down}
    for info in infos[1:]:
        extra = info["speed"] * rng.uniform(0.02, 0.3)
        isl.port_truth[f"{info['a'][0]}:{info['a'][1]}"] |= {"traffic_out_mbps": round(extra, 1), "traffic_in_mbps": round(extra * 0.7, 1)}
        isl.port_truth[f"{info['z'][0]}:{info['z'][1]}"] |= {"traffic_in_mbps": round(extra, 1), "traffic_out_mbps": round(extra * 0.7, 1)}
    for i, info in enumerate(infos):
        isl.seg_truth[f"{cid}#{i}"] = {"actual_loss_db": info["actual"]}
    isl.seg_truth[f"{cid}-B#0"] = {"actual_loss_db": sib_info["actual"]}
    circuits = [
        {"id": cid, "customer": f"{prefix.upper()}-C1", "service_type": rng.choice(("ethernet_private_line", "mpls_vpn", "internet_access")),
         "rate_mbps": rate, "segments": segs},
        {"id": f"{cid}-B", "customer": f"{prefix.upper()}-C2", "service_type": "internet_access", "rate_mbps": sib_rate,
         "segments": [sib_seg, *segs[1:]]},
    ]
    customers = [{"id": f"{prefix.upper()}-C1", "name": f"Customer 1 of {prefix}"},
                 {"id": f"{prefix.upper()}-C2", "name": f"Customer 2 of {prefix}"}]
    truth, flap = _fault(rng, cid, kind, path, infos, isl, rate)
    scenario = Scenario(
        id=prefix, circuit=cid, ticket_kind=ticket[0], symptom=ticket[1], truth=truth, segments=n_seg,
        vendors=tuple(isl.vendor[d].value for d in path), positions=tuple(isl.path_positions), flap_port=flap)
    return isl, circuits, customers, scenario


def _fault(rng: random.Random, cid: str, kind: FaultKind | None, path: list[str], infos: list[dict[str, Any]],
           isl: _Island, rate: float) -> tuple[Truth, tuple[str, str] | None]:
    if kind is None:
        return Truth(None), None
    i = rng.randrange(len(infos))
    info = infos[i]
    end = rng.choice((info["a"], info["z"]))
    if kind is FaultKind.FIBER_CUT:
        return Truth(kind, f"{cid}#{i}", {}, i, "segment"), None
    if kind is FaultKind.FIBER_DEGRADED:
        # over the budget by more than 3 dB, the receivers kept out of the bit-error zone
        candidates = [j for j, inf in enumerate(infos) if _margin(isl.port_truth, inf) - ERROR_ZONE_DB - 0.3 > DEGRADED_OVER_BUDGET_DB + 0.5]
        i = rng.choice(candidates) if candidates else i
        info = infos[i]
        over = info["actual"] - info["expected"]  # the healthy deviation already there
        room = _margin(isl.port_truth, info) - ERROR_ZONE_DB - 0.3
        near = (DEGRADED_OVER_BUDGET_DB + 0.4 - over, DEGRADED_OVER_BUDGET_DB + 1.0 - over)
        far = (DEGRADED_OVER_BUDGET_DB + 2.0 - over, DEGRADED_OVER_BUDGET_DB + 5.0 - over)
        magnitude = "far" if room >= far[0] and rng.random() < 0.5 else "near"
        lo, hi = far if magnitude == "far" else near
        db = round(rng.uniform(lo, min(hi, max(lo, room))), 1)
        return Truth(kind, f"{cid}#{i}", {"db": max(db, 0.5)}, i, "segment", magnitude), None
    if kind is FaultKind.LOOSE_CONNECTOR:
        return Truth(kind, f"{cid}#{i}", {"period_s": 0.6, "down_s": 0.2}, i, "segment"), info["a"]
    if kind is FaultKind.DUPLEX_MISMATCH:
        return Truth(kind, f"{end[0]}:{end[1]}", {"duplex": "half"}, i, "port"), None
    if kind is FaultKind.SPEED_MISMATCH:
        slower = {1000: 100, 10000: 1000, 100000: 10000}[info["speed"]]
        return Truth(kind, f"{end[0]}:{end[1]}", {"speed_mbps": slower}, i, "port"), None
    if kind is FaultKind.PORT_CONGESTION:
        office = infos[0]["z"]  # the access port facing the customer carries the customer's rate
        near = rng.random() < 0.5
        share = rng.uniform(0.92, 0.96) if near else rng.uniform(0.98, 1.0)
        return Truth(kind, f"{office[0]}:{office[1]}", {"utilisation": round(rate * share / infos[0]["speed"], 5),
                                                        "direction": "out"}, 0, "port", "near" if near else "far"), None
    if kind is FaultKind.EGRESS_CONGESTION:
        j = isl.path_positions.index("metro_egress") - 1  # the segment ending at the metro egress device
        port = infos[j]["z"]
        near = rng.random() < 0.5
        util = round(rng.uniform(0.91, 0.94) if near else rng.uniform(0.97, 0.995), 3)
        return Truth(kind, f"{port[0]}:{port[1]}", {"utilisation": util}, j, "port", "near" if near else "far"), None
    if kind is FaultKind.CPE_POWER_OFF:
        return Truth(kind, path[0], {}, 0, "device"), None
    if kind is FaultKind.TRANSCEIVER_AGEING:
        # a laser already aged below its Tx low-alarm threshold (nominal - 4 dB); the far receiver
        # keeps light, so the port stays up
        room = _margin(isl.port_truth, info) - 0.8
        drop = round(min(rng.uniform(4.4, 6.0), max(room, 4.2)), 1)
        return Truth(kind, f"{end[0]}:{end[1]}", {"db": drop, "db_per_day": 0.0}, i, "port",
                     "near" if drop < 5.0 else "far"), None
    raise ValueError(f"no scenario builder for {kind}")


def generate_scenarios(seed: int, count: int, per_lab: int = 16, v3_share: float = 0.25) -> list[ScenarioLab]:
    """`count` scenarios in labs of `per_lab` islands; the classes of CLASSES in turn (shuffled by the seed)."""
    rng = random.Random(seed)
    order = list(CLASSES)
    rng.shuffle(order)
    labs: list[ScenarioLab] = []
    for start in range(0, count, per_lab):
        sites: list[dict[str, Any]] = []
        devices: list[dict[str, Any]] = []
        customers: list[dict[str, Any]] = []
        circuits: list[dict[str, Any]] = []
        lab_ports: dict[str, Any] = {}
        lab_segs: dict[str, Any] = {}
        models: dict[str, str] = {}
        scenarios: list[Scenario] = []
        for n in range(start, min(start + per_lab, count)):
            kind, *ticket = order[n % len(order)]
            prefix = f"s{seed}n{n:04d}"
            cid = f"CIR-S{seed}-{n:04d}"
            isl, cir, cus, sc = _build_island(rng, prefix, cid, kind, (ticket[0], ticket[1]), v3_share)
            sites += isl.sites
            devices += isl.devices.values()
            customers += cus
            circuits += cir
            lab_ports |= isl.port_truth
            lab_segs |= isl.seg_truth
            models |= isl.models
            scenarios.append(sc)
        for k, dev in enumerate(devices, start=1):  # distinct addresses: `lab up --topology` runs it as is
            dev["mgmt_address"] = mgmt_address("127.31", k)
        topology = {"version": 1, "sites": sites, "devices": devices, "customers": customers, "circuits": circuits,
                    "lab": {"models": models, "ports": lab_ports, "segments": lab_segs}}
        labs.append(ScenarioLab(topology, scenarios))
    return labs
