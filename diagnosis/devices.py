"""Reachability of the path's devices, and the customer-side device (用户端设备) state."""
from __future__ import annotations

from diagnosis.budget import RxState, assess_rx
from diagnosis.context import Work
from diagnosis.enums import AccessState, Assessment, LinkState, ReadingKind, SiteKind
from diagnosis.optics import rx_limits
from diagnosis.path import PortEnd, Segment
from diagnosis.result import EvidenceItem


def check_reachability(work: Work) -> None:
    """Evidence `device_reachability` for every device of the path, in path order."""
    for device in work.path.devices():
        state = work.index.device_state(device)
        record = work.index.access.get(device)
        if work.index.device_dead(device) or state == AccessState.NOT_COLLECTED:
            work.missing(ReadingKind.DEVICE, device, None)
        work.add(EvidenceItem(
            name="device_reachability", value=state.value, unit="",
            assessment=(Assessment.OK if state == AccessState.OK else
                        Assessment.WARN if state == AccessState.NOT_SUPPORTED else Assessment.UNKNOWN),
            sources=(record.source,) if record and record.source else (), device=device,
            note_zh=record.detail if record else "", note_en=record.detail if record else ""))


def customer_facing_ports(work: Work) -> tuple[tuple[Segment, PortEnd, PortEnd], ...]:
    """(segment, customer-premises end, office end) for each segment that reaches a customer site."""
    found = []
    for segment in work.path.segments:
        if segment.a.site_kind == SiteKind.CUSTOMER_PREMISES and segment.z.site_kind != SiteKind.CUSTOMER_PREMISES:
            found.append((segment, segment.a, segment.z))
        elif segment.z.site_kind == SiteKind.CUSTOMER_PREMISES and segment.a.site_kind != SiteKind.CUSTOMER_PREMISES:
            found.append((segment, segment.z, segment.a))
    return tuple(found)


def office_port_dark_or_down(work: Work, end: PortEnd) -> bool:
    """The office port facing the customer sees no light or is down (what a powered-off CPE causes)."""
    status = work.index.status.get(end.key)
    optical = work.index.optical.get(end.key)
    down = status is not None and status.oper == LinkState.DOWN
    dark = False
    if optical is not None:
        dark = assess_rx(optical.rx_dbm, optical.rx_los, rx_limits(end, optical), work.thresholds).state == RxState.NO_LIGHT
    return down or dark
