"""Read the network for a resource check: every port of the proposed access device (SNMP, CLI where SNMP
gives nothing), and the hops of a proposed path over existing segments with their counters twice
(utilisation). The judgement is agent/checks/rules.py; this module only reads and assembles."""
from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from agent.checks import rules
from agent.errors import InvalidInput, NotFound
from agent.inventory.targets import device_target, port_end, speed_from_transceiver
from agent.models import Device, Port, Segment
from collectors import Collector, OperStatus
from collectors.rates import counter_rates
from collectors.readings import DeviceSurvey
from diagnosis.budget import segment_budget, segment_loss_db
from diagnosis.path import Segment as PathSegment


@dataclass(frozen=True)
class Hop:
    a_device: str
    a_port: str
    z_device: str
    z_port: str


@dataclass(frozen=True)
class CheckSpec:
    access_device: str
    rate_mbps: float
    access_km: float | None = None
    access_connectors: int = 2
    access_splices: int = 0
    path: tuple[Hop, ...] = ()


@dataclass
class Measurement:
    """The answer attached to a check: the port proposed and why, the path's fit, every reading."""

    fits: bool
    reasons: list[str]
    port: str | None
    needs_module: str | None
    port_reason: str
    ports: list[dict[str, Any]]
    hops: list[dict[str, Any]] = field(default_factory=list)
    uplinks: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duration_ms: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Inventory:
    access: Any  # DeviceTarget (all ports: ports=())
    access_ports: dict[str, dict[str, Any]]  # port -> inventory facts
    hops: list[tuple[int, PathSegment | None, Hop]]
    hop_targets: list[Any]


def _load(session: Session, spec: CheckSpec) -> _Inventory:
    dev = session.scalar(select(Device).where(Device.name == spec.access_device).options(
        selectinload(Device.ports), selectinload(Device.site)))
    if dev is None:
        raise NotFound(f"access device {spec.access_device} is not in the inventory")
    port_ids = {p.id: p for p in dev.ports}
    used: dict[int, list[str]] = {}
    if port_ids:
        for seg in session.scalars(select(Segment).where(or_(Segment.a_port_id.in_(port_ids), Segment.z_port_id.in_(port_ids)))):
            for pid in (seg.a_port_id, seg.z_port_id):
                if pid in port_ids and seg.circuit_id not in used.setdefault(pid, []):
                    used[pid].append(seg.circuit_id)
    access_ports = {p.name: {"circuits": tuple(used.get(p.id, ())), "transceiver": p.transceiver, "role": p.role,
                             "speed_mbps": speed_from_transceiver(p.transceiver)} for p in dev.ports}
    hops: list[tuple[int, PathSegment | None, Hop]] = []
    by_device: dict[str, tuple[Device, list[Port]]] = {}
    errors = []
    for i, hop in enumerate(spec.path):
        a, z = _port(session, hop.a_device, hop.a_port), _port(session, hop.z_device, hop.z_port)
        if a is None or z is None:
            errors.append({"loc": f"path.{i}", "msg": f"{hop.a_device}:{hop.a_port} -> {hop.z_device}:{hop.z_port} "
                           "names a port not in the inventory", "type": "value_error"})
            continue
        seg = session.scalar(select(Segment).where(or_(
            (Segment.a_port_id == a.id) & (Segment.z_port_id == z.id),
            (Segment.a_port_id == z.id) & (Segment.z_port_id == a.id))).limit(1))
        if seg is None:
            errors.append({"loc": f"path.{i}", "msg": "not an existing segment of the inventory", "type": "value_error"})
            continue
        hops.append((i, PathSegment(index=i, a=port_end(a), z=port_end(z), length_km=seg.length_km, connectors=seg.connectors,
                                    splices=seg.splices), hop))
        for p in (a, z):
            entry = by_device.setdefault(p.device.name, (p.device, []))
            if p not in entry[1]:
                entry[1].append(p)
    if errors:
        raise InvalidInput(errors)
    return _Inventory(replace(device_target(dev, []), ports=()), access_ports, hops,
                      [device_target(d, ps) for d, ps in by_device.values()])


def _port(session: Session, device: str, port: str) -> Port | None:
    return session.scalar(select(Port).join(Device).where(Device.name == device, Port.name == port).options(
        selectinload(Port.device).selectinload(Device.site)))


async def measure(factory, collector: Collector, spec: CheckSpec, *, classes: dict[str, rules.ModuleClass],
                  min_margin_db: float, max_utilisation: float, counter_interval_s: float,
                  timeout_s: float) -> Measurement:
    t0 = time.perf_counter()

    def load() -> _Inventory:
        with factory() as s:
            return _load(s, spec)

    inv = await asyncio.to_thread(load)
    access_task = asyncio.ensure_future(collector.survey(inv.access, None, ("optical", "interface"), None, timeout_s))
    path_tasks = [asyncio.ensure_future(collector.survey(t, None, ("optical", "interface", "counters"), None, timeout_s))
                  for t in inv.hop_targets]
    access = await access_task
    first = await asyncio.gather(*path_tasks)
    second: list[DeviceSurvey] = []
    if inv.hop_targets:
        await asyncio.sleep(counter_interval_s)  # the counters need time to advance: the measurement interval
        second = list(await asyncio.gather(*[collector.survey(t, None, ("counters",), None, timeout_s)
                                             for t in inv.hop_targets]))
    errors = [f"{sv.device}: {e.item}{' ' + e.port if e.port else ''}: {e.error}" for sv in (access, *first, *second)
              for e in sv.errors]
    judged = _judge_ports(access, inv.access_ports)
    proposal = rules.propose_port(judged, classes, spec.rate_mbps, spec.access_km, spec.access_connectors,
                                  spec.access_splices, min_margin_db)
    hops, uplinks = _judge_path(inv, first, second, spec.rate_mbps, min_margin_db, max_utilisation)
    reasons = []
    if proposal.port is None:
        reasons.append(proposal.reason)
    reasons += [f"hop {h.index} ({h.reading.a} -> {h.reading.z}): " + "; ".join(h.reasons) for h in hops if not h.fits]
    reasons += [u.reason for u in uplinks if not u.fits]
    if not access.interfaces:
        reasons.insert(0, f"{spec.access_device}: no interface could be read")
    fits = not reasons
    return Measurement(
        fits=fits, reasons=reasons, port=proposal.port, needs_module=proposal.needs_module, port_reason=proposal.reason,
        ports=[{"port": j.port, "free": j.free, "notFree": list(j.reasons), **_facts_json(j.facts)} for j in judged],
        hops=[{"index": h.index, "fits": h.fits, "reasons": list(h.reasons), "warnings": list(h.warnings),
               **asdict(h.reading)} for h in hops],
        uplinks=[{"fits": u.fits, "utilisationNow": u.utilisation_now, "utilisationAfter": u.utilisation_after,
                  "reason": u.reason, **asdict(u.reading)} for u in uplinks],
        errors=errors, duration_ms=round((time.perf_counter() - t0) * 1000, 1))


def _facts_json(f: rules.PortFacts) -> dict[str, Any]:
    return {"circuits": list(f.circuits), "description": f.description, "adminUp": f.admin_up, "operUp": f.oper_up,
            "modulePresent": f.module_present, "moduleClass": f.module_class, "rxDbm": f.rx_dbm, "txDbm": f.tx_dbm,
            "speedMbps": f.speed_mbps, "role": f.role}


def _judge_ports(sv: DeviceSurvey, inventory: dict[str, dict[str, Any]]) -> list[rules.PortJudgement]:
    optical = {o.port: o for o in sv.optical}
    out = []
    for i in sorted(sv.interfaces, key=lambda i: (i.if_index or 0, i.port)):
        inv = inventory.get(i.port, {})
        o = optical.get(i.port)
        present = o is not None and (o.tx_dbm is not None or o.rx_dbm is not None)
        module = (o.module if o is not None and o.module else None) or inv.get("transceiver")
        speed = i.speed_bps / 1e6 if i.speed_bps else inv.get("speed_mbps")
        out.append(rules.judge_port(rules.PortFacts(
            port=i.port, circuits=tuple(inv.get("circuits", ())), description=i.description,
            admin_up=None if i.admin is None else i.admin.value == "up",
            oper_up=None if i.oper in (None, OperStatus.UNKNOWN) else i.oper == OperStatus.UP,
            module_present=present, module_class=module,
            rx_dbm=o.rx_dbm if o is not None and o.rx_dbm is not None and o.rx_dbm > -100 else None,
            tx_dbm=o.tx_dbm if o is not None else None, speed_mbps=speed, role=inv.get("role"))))
    return out


def _judge_path(inv: _Inventory, first: list[DeviceSurvey], second: list[DeviceSurvey], rate_mbps: float,
                min_margin_db: float, max_utilisation: float) -> tuple[list[rules.HopFit], list[rules.UplinkFit]]:
    optical = {(o.device, o.port): o for sv in first for o in sv.optical}
    states = {(i.device, i.port): i for sv in first for i in sv.interfaces}
    c1 = {(c.device, c.port): c for sv in first for c in sv.counters}
    c2 = {(c.device, c.port): c for sv in second for c in sv.counters}
    hops, uplinks, seen = [], [], set()
    for index, seg, hop in inv.hops:
        a, z = optical.get((hop.a_device, hop.a_port)), optical.get((hop.z_device, hop.z_port))
        def loss(tx_o, rx_o):  # noqa: E306
            if tx_o is None or rx_o is None or tx_o.tx_dbm is None or rx_o.rx_dbm is None or rx_o.rx_dbm <= -100:
                return None
            return segment_loss_db(tx_o.tx_dbm, rx_o.rx_dbm)
        sens = lambda end, o: (o.rx_thresholds.low_alarm if o is not None and o.rx_thresholds.low_alarm is not None  # noqa: E731
                               else end.rx_sensitivity_dbm)
        budget = segment_budget(seg).budget_db if seg is not None else None
        reading = rules.HopReading(
            index=index, a=f"{hop.a_device}:{hop.a_port}", z=f"{hop.z_device}:{hop.z_port}", budget_db=budget,
            loss_az_db=loss(a, z), loss_za_db=loss(z, a),
            rx_a_dbm=a.rx_dbm if a is not None and a.rx_dbm is not None and a.rx_dbm > -100 else None,
            rx_z_dbm=z.rx_dbm if z is not None and z.rx_dbm is not None and z.rx_dbm > -100 else None,
            sensitivity_a_dbm=sens(seg.a, a), sensitivity_z_dbm=sens(seg.z, z))
        hops.append(rules.hop_fit(reading, min_margin_db))
        for key, end in (((hop.a_device, hop.a_port), seg.a), ((hop.z_device, hop.z_port), seg.z)):
            if key in seen:
                continue
            seen.add(key)
            st = states.get(key)
            speed = st.speed_bps / 1e6 if st is not None and st.speed_bps else end.speed_mbps
            in_mbps = out_mbps = seconds = None
            if key in c1 and key in c2:
                rates = counter_rates(c1[key], c2[key], speed_bps=speed * 1e6 if speed else None)
                if rates.fault is None and rates.in_bps is not None and rates.out_bps is not None:
                    in_mbps, out_mbps, seconds = round(rates.in_bps / 1e6, 3), round(rates.out_bps / 1e6, 3), round(rates.seconds, 3)
            uplinks.append(rules.uplink_fit(rules.UplinkReading(f"{key[0]}:{key[1]}", speed, in_mbps, out_mbps, seconds),
                                            rate_mbps, max_utilisation))
    return hops, uplinks
