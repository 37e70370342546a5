"""Loop-test plan (环测/打环点): where to set the next loops, in order.

Rules of the interruption procedure (DOMAIN.md):
- start at the access room (接入机房), checking the office-side line, and move outwards; do not rush to
  the customer end: customer-premises ports come last;
- where the faulty segment is unclear, loop first at the nearest province-exit port (出省端口, the
  first one along the path from the branch) to decide whether the fault is inside the province;
- where suspected segments are known, the plan brackets them: their ends, in the same order;
- every loop point is appended to the ticket (the reason texts say so).
"""
from __future__ import annotations

from diagnosis.enums import SiteKind
from diagnosis.path import CircuitPath, PortEnd, Segment
from diagnosis.result import LoopPoint

_RECORD_ZH = "；打环点追加到工单"
_RECORD_EN = "; append the loop point to the ticket"


def standard_order(path: CircuitPath) -> tuple[tuple[Segment, PortEnd], ...]:
    """Office ports from the first access-room port outwards, then any office ports before it,
    then customer-premises ports; each (device, port) once."""
    ports: list[tuple[Segment, PortEnd]] = []
    seen: set[tuple[str, str]] = set()
    for segment, end in path.ports():
        if end.key not in seen:
            seen.add(end.key)
            ports.append((segment, end))
    office = [p for p in ports if p[1].site_kind != SiteKind.CUSTOMER_PREMISES]
    customer = [p for p in ports if p[1].site_kind == SiteKind.CUSTOMER_PREMISES]
    first_access = next((i for i, p in enumerate(office) if p[1].site_kind == SiteKind.ACCESS_ROOM), 0)
    return tuple(office[first_access:] + office[:first_access] + customer)


def _reason(end: PortEnd, position: int) -> tuple[str, str]:
    if end.site_kind == SiteKind.CUSTOMER_PREMISES:
        return ("局端线路排查完毕后再到用户端", "the customer end only after the office side is cleared")
    if position == 0 and end.site_kind == SiteKind.ACCESS_ROOM:
        return ("从接入机房入手排查局端线路", "start at the access room, checking the office-side line")
    return ("逐段向外推进", "moving outwards segment by segment")


def loop_plan(path: CircuitPath, suspected: tuple[int, ...] = (), unclear: bool = False) -> tuple[LoopPoint, ...]:
    order = standard_order(path)
    points: list[LoopPoint] = []

    def add(segment: Segment, end: PortEnd, zh: str, en: str) -> None:
        if any(p.device == end.device and p.port == end.port for p in points):
            return
        points.append(LoopPoint(order=len(points) + 1, device=end.device, port=end.port,
                                site_kind=end.site_kind, segment=segment.index,
                                reason_zh=zh + _RECORD_ZH, reason_en=en + _RECORD_EN))

    if suspected and not unclear:
        wanted = set(suspected)
        for segment, end in order:
            if segment.index in wanted or any(
                    end.key in (path.segments[i].a.key, path.segments[i].z.key) for i in suspected):
                add(segment, end, f"确认可疑段落 #{_which(path, end, suspected)} 的一端",
                    f"one end of suspected segment #{_which(path, end, suspected)}")
        return tuple(points)
    if unclear:
        exit_port = next((p for p in order if p[1].site_kind == SiteKind.PROVINCE_EXIT), None)
        if exit_port is not None:
            add(*exit_port, "故障段落不明显：先在最近的出省端口做环，确认故障点是否在省内",
                "faulty segment unclear: loop first at the nearest province-exit port to decide whether "
                "the fault is inside the province")
    for position, (segment, end) in enumerate(order):
        zh, en = _reason(end, position)
        add(segment, end, zh, en)
    return tuple(points)


def _which(path: CircuitPath, end: PortEnd, suspected: tuple[int, ...]) -> int:
    for index in suspected:
        if end.key in (path.segments[index].a.key, path.segments[index].z.key):
            return index
    return suspected[0]
