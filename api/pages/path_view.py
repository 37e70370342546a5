"""The circuit path as the page draws it (cytoscape, left to right from the customer end): each
segment with its loss against budget, each port with its Rx power and margin, as the latest diagnosis
assessed them. The page colours by the diagnosis' own assessment; it compares nothing itself.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from agent.errors import UnknownCircuit
from agent.inventory.targets import resolve_circuit

# worst first: what a segment or port shows when several items speak of it
_SEVERITY = ("fault", "warn", "unknown", "ok")


def _worst(assessments: list[str]) -> str | None:
    found = [a for a in _SEVERITY if a in assessments]
    return found[0] if found else None


@dataclass
class PortView:
    key: str
    device: str
    port: str
    site_kind: str
    rx_dbm: float | None = None
    rx_margin_db: float | None = None
    sensitivity_dbm: float | None = None
    assessment: str | None = None


@dataclass
class SegmentView:
    index: int
    a: str  # port keys
    z: str
    a_site: str
    z_site: str
    length_km: float | None
    loss_db: float | None = None
    budget_db: float | None = None
    over_budget_db: float | None = None
    assessment: str | None = None
    suspected: bool = False
    reason: str = ""


@dataclass
class PathView:
    circuit_id: str
    ports: list[PortView] = field(default_factory=list)
    segments: list[SegmentView] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def path_of(session: Session, circuit_id: str, diagnosis: dict[str, Any] | None) -> PathView | None:
    """The circuit's path with the latest diagnosis' values on it; None for a circuit not in the inventory."""
    try:
        resolved = resolve_circuit(session, circuit_id)
    except UnknownCircuit:
        return None
    view = PathView(circuit_id)
    ports: dict[str, PortView] = {}
    for seg in resolved.path.segments:
        keys = []
        for end in (seg.a, seg.z):
            key = f"{end.device}|{end.port}"
            ports.setdefault(key, PortView(key, end.device, end.port, str(end.site_kind),
                                           sensitivity_dbm=end.rx_sensitivity_dbm))
            keys.append(key)
        view.segments.append(SegmentView(seg.index, keys[0], keys[1], str(seg.a.site_kind), str(seg.z.site_kind),
                                         seg.length_km))
    view.ports = list(ports.values())
    if diagnosis:
        _apply(view, ports, diagnosis)
    return view


def _apply(view: PathView, ports: dict[str, PortView], diagnosis: dict[str, Any]) -> None:
    by_segment = {s.index: s for s in view.segments}
    seg_assess: dict[int, list[str]] = {}
    port_assess: dict[str, list[str]] = {}
    for item in diagnosis.get("evidence") or []:
        name, value, assessment = item.get("name"), item.get("value"), item.get("assessment") or "unknown"
        seg = by_segment.get(item.get("segment")) if item.get("segment") is not None else None
        if seg is not None and name in ("segment_loss_db", "loss_budget_db", "loss_over_budget_db"):
            if name == "segment_loss_db":
                seg.loss_db = value
                seg.budget_db = seg.budget_db if item.get("limit") is None else item["limit"]
            elif name == "loss_budget_db":
                seg.budget_db = value
            else:
                seg.over_budget_db = value
            seg_assess.setdefault(seg.index, []).append(assessment)
        port = ports.get(f"{item.get('device')}|{item.get('port')}")
        if port is not None and name in ("rx_power_dbm", "rx_margin_db"):
            if name == "rx_power_dbm":
                port.rx_dbm = value
            else:
                port.rx_margin_db = value
            port_assess.setdefault(port.key, []).append(assessment)
    for index, assessments in seg_assess.items():
        by_segment[index].assessment = _worst(assessments)
    for key, assessments in port_assess.items():
        ports[key].assessment = _worst(assessments)
    for suspect in diagnosis.get("suspected_segments") or []:
        seg = by_segment.get(suspect.get("index"))
        if seg is not None:
            # the diagnosis names this segment as where the fault is: drawn as faulty whatever its loss reads
            seg.suspected, seg.assessment = True, "fault"
            seg.reason = suspect.get("reason_zh", "") + " / " + suspect.get("reason_en", "")
