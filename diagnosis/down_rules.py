"""Which segments have no light or are down, and why (用户端掉电、断纤、端口关闭、设备不可达).

- Customer-side device unreachable while the office port facing it is dark or down: customer power
  or equipment (contact the customer first); the dark office port is then not a second fault.
- A dark port whose far-end office device cannot be read is not called a fiber cut (the far device
  may have lost power): inconclusive, with the segment suspected.
- A port administratively down; a port down although light arrives (or whose light is unknown); on
  the customer's device that is the customer side's state. A port shut by configuration explains
  the darkness of its segment (its laser is off).
Used by playbooks 2 and 3, after the optical check has recorded the no-light findings.
"""
from __future__ import annotations

from diagnosis.budget import RxState
from diagnosis.context import Work
from diagnosis.devices import customer_facing_ports, office_port_dark_or_down
from diagnosis.enums import LinkState, SiteKind, Verdict
from diagnosis.optical_rules import DirectionResult
from diagnosis.result import Finding


def customer_premises(work: Work) -> None:
    for segment, cpe, office in customer_facing_ports(work):
        if work.index.device_dead(cpe.device) and office_port_dark_or_down(work, office):
            state = work.index.device_state(cpe.device).value
            work.find(Verdict.CUSTOMER_PREMISES_DOWN,
                      f"用户端设备 {cpe.device} 无法访问（{state}），且局端 {office.label} 无收光/中断：用户端可能停电或设备故障",
                      f"customer-side device {cpe.device} cannot be reached ({state}) and office port "
                      f"{office.label} has no light / is down: customer power or equipment failure likely",
                      segment=segment.index, end=cpe)


def ports_down(work: Work, optics: dict[int, list[DirectionResult]]) -> None:
    # a dark segment, or one whose far laser is too weak, explains its ports being down
    dark_segments = {f.segment for f in work.findings
                     if f.verdict in (Verdict.NO_LIGHT_FIBER_CUT, Verdict.TRANSMITTER_FAULT)}
    for segment in work.path.segments:
        for end, other in ((segment.a, segment.z), (segment.z, segment.a)):
            status = work.index.status.get(end.key)
            if status is None:
                continue
            if status.admin == LinkState.DOWN:
                work.find(Verdict.PORT_ADMIN_DOWN, f"{end.label} 被管理性关闭（admin down）",
                          f"{end.label} is administratively down", segment=segment.index, end=end)
            elif status.oper == LinkState.DOWN and segment.index not in dark_segments:
                if work.index.device_dead(other.device):
                    continue  # reported as unreachable neighbour below
                light = next((r.rx for r in optics[segment.index] if r.receiver == end), None)
                lit = light is not None and light.state in (RxState.OK, RxState.LOW_MARGIN, RxState.OVERLOAD)
                customer = end.site_kind == SiteKind.CUSTOMER_PREMISES
                work.find(Verdict.CUSTOMER_PREMISES_DOWN if customer else Verdict.PORT_DOWN,
                          ("用户端设备 " if customer else "") + f"{end.label} 链路中断"
                          + ("，但有收光" if lit else "，收光无法读取"),
                          ("customer-side device " if customer else "") + f"{end.label} is down"
                          + (" although light arrives" if lit else "; its light could not be read"),
                          segment=segment.index, end=end)


def dead_neighbours(work: Work) -> None:
    """A dark or down port facing an unreachable office device: fiber cut or that device's power?"""
    kept: list[Finding] = []
    for finding in work.findings:
        if finding.verdict == Verdict.NO_LIGHT_FIBER_CUT and finding.segment is not None:
            segment = work.segment(finding.segment)
            far = segment.a if finding.device == segment.z.device and finding.port == segment.z.port else segment.z
            if work.index.device_dead(far.device) and far.site_kind != SiteKind.CUSTOMER_PREMISES:
                continue
        kept.append(finding)
    work.findings[:] = kept
    for segment in work.path.segments:
        for end, other in ((segment.a, segment.z), (segment.z, segment.a)):
            if not work.index.device_dead(other.device) or other.site_kind == SiteKind.CUSTOMER_PREMISES:
                continue
            if work.index.device_dead(end.device) or not office_port_dark_or_down(work, end):
                continue
            state = work.index.device_state(other.device).value
            work.find(Verdict.INCONCLUSIVE_UNREACHABLE,
                      f"{other.device} 无法访问（{state}），{end.label} 无收光/中断：断纤或该设备掉电，需环测确认",
                      f"{other.device} cannot be reached ({state}) and {end.label} has no light / is down: "
                      f"a fiber cut or that device's power; a loop test decides",
                      segment=segment.index, end=end)


def explained_by_customer(work: Work) -> None:
    """A powered-off CPE darkens the office port facing it: that is not a second fault."""
    cpe_segments = {f.segment for f in work.findings if f.verdict == Verdict.CUSTOMER_PREMISES_DOWN}
    work.findings[:] = [f for f in work.findings if f.verdict == Verdict.CUSTOMER_PREMISES_DOWN
                        or f.segment not in cpe_segments
                        or f.verdict not in (Verdict.NO_LIGHT_FIBER_CUT, Verdict.PORT_DOWN)]


def explained_by_admin_down(work: Work) -> None:
    """A port shut by configuration turns its laser off on most devices: the far end's darkness and
    the link being down are that shutdown, not a cut."""
    shut = {f.segment for f in work.findings if f.verdict == Verdict.PORT_ADMIN_DOWN}
    work.findings[:] = [f for f in work.findings if f.segment not in shut
                        or f.verdict not in (Verdict.NO_LIGHT_FIBER_CUT, Verdict.PORT_DOWN)]


def check_down(work: Work, optics: dict[int, list[DirectionResult]]) -> None:
    customer_premises(work)
    dead_neighbours(work)
    ports_down(work, optics)
    explained_by_customer(work)
    explained_by_admin_down(work)
