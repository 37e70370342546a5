"""Traffic rules for high latency (时延大): the customer line at or near its contracted rate, and
congestion at the metro-network egress (城域网出口拥塞).

A rate above the port's line speed or the contracted rate by more than the measurement error is a
measurement fault (`contradictions.rate_beyond`), never `customer_rate_limit` or
`egress_congestion` (issue 10 items 2 and 5); the other end's reading is then tried."""
from __future__ import annotations

from diagnosis.context import Work
from diagnosis.contradictions import rate_beyond
from diagnosis.enums import AccessState, Assessment, ReadingKind, SiteKind, Verdict
from diagnosis.path import PortEnd, Segment
from diagnosis.readings import UtilisationReading
from diagnosis.result import EvidenceItem
from diagnosis.wording import fmt_db


def _speed(work: Work, end: PortEnd, reading: UtilisationReading) -> int | None:
    status = work.index.status.get(end.key)
    return reading.speed_mbps or (status.speed_mbps if status else None) or end.speed_mbps


def _peak_mbps(work: Work, end: PortEnd, reading: UtilisationReading) -> float | None:
    """The busier direction in Mbps; fractions are turned into Mbps with the port speed."""
    speed = _speed(work, end, reading)
    values = [v for v in (reading.in_mbps, reading.out_mbps) if v is not None]
    if speed:
        values += [f * speed for f in (reading.in_fraction, reading.out_fraction) if f is not None]
    return max(values) if values else None


def _peak_fraction(work: Work, end: PortEnd, reading: UtilisationReading) -> float | None:
    speed = _speed(work, end, reading)
    values = [f for f in (reading.in_fraction, reading.out_fraction) if f is not None]
    if speed:
        values += [v / speed for v in (reading.in_mbps, reading.out_mbps) if v is not None]
    return max(values) if values else None


def customer_line(work: Work) -> tuple[Segment, tuple[PortEnd, ...]] | None:
    """The customer access segment and its ports, office side first (the rate is enforced there)."""
    for segment in work.path.segments:
        kinds = segment.kinds
        if SiteKind.CUSTOMER_PREMISES in kinds:
            ends = (segment.z, segment.a) if segment.a.site_kind == SiteKind.CUSTOMER_PREMISES else (segment.a, segment.z)
            return segment, ends
    if work.path.segments:
        first = work.path.segments[0]
        return first, (first.z, first.a)
    return None


def check_customer_rate(work: Work) -> None:
    line = customer_line(work)
    if line is None:
        return
    segment, ends = line
    rate = work.path.rate_mbps
    if rate is None:
        work.missing(ReadingKind.UTILISATION, ends[0].device, ends[0].port, segment=segment.index,
                     reason=AccessState.NOT_COLLECTED, detail="contracted rate unknown")
        return
    impossible = False
    for end in ends:
        reading = work.index.utilisation.get(end.key)
        if reading is None:
            continue
        mbps = _peak_mbps(work, end, reading)
        if mbps is None:
            continue
        if _beyond_limits(work, segment, end, reading, mbps, rate):
            impossible = True
            continue
        ratio = round(mbps / rate, 3)
        near = round(rate * work.thresholds.rate_near_limit_fraction, 3)
        at_limit = ratio >= work.thresholds.rate_near_limit_fraction
        work.add(EvidenceItem(
            name="customer_utilisation_mbps", value=round(mbps, 2), unit="Mbps",
            assessment=Assessment.FAULT if at_limit else Assessment.OK, sources=(reading.source,),
            limit=near, threshold=f"contracted {fmt_db(rate)} Mbps; at or near the limit from {fmt_db(near)} Mbps",
            segment=segment.index, device=end.device, port=end.port,
            note_zh=f"签约速率的 {ratio:.0%}", note_en=f"{ratio:.0%} of the contracted rate"))
        if at_limit:
            work.find(Verdict.CUSTOMER_RATE_LIMIT,
                      f"用户线路 {end.label} 流量 {fmt_db(mbps)} Mbps，为签约速率 {fmt_db(rate)} Mbps 的 {ratio:.0%}：达到或接近速率上限",
                      f"customer line {end.label} carries {fmt_db(mbps)} Mbps, {ratio:.0%} of the contracted "
                      f"{fmt_db(rate)} Mbps: at or near its rate limit",
                      segment=segment.index, end=end)
        return
    if not impossible:
        work.missing(ReadingKind.UTILISATION, ends[0].device, ends[0].port, segment=segment.index)


def _beyond_limits(work: Work, segment: Segment, end: PortEnd, reading: UtilisationReading, mbps: float,
                   rate: float) -> bool:
    """A customer-line rate over the port speed or the contracted rate by more than the measurement
    error: reported as a measurement fault with its evidence, and True."""
    error = 1 + work.thresholds.rate_measurement_error_fraction
    speed = _speed(work, end, reading)
    if speed and mbps > speed * error:
        what, limit = ("端口速率", "line speed"), float(speed)
    elif mbps > rate * error:
        what, limit = ("签约速率", "contracted rate"), rate
    else:
        return False
    work.add(EvidenceItem(
        name="customer_utilisation_mbps", value=round(mbps, 2), unit="Mbps", assessment=Assessment.UNKNOWN,
        sources=(reading.source,), limit=limit, threshold=f"{what[1]} {fmt_db(limit)} Mbps; measurement fault above it",
        segment=segment.index, device=end.device, port=end.port,
        note_zh=f"测量故障：超过{what[0]}", note_en=f"measurement fault: above the {what[1]}"))
    rate_beyond(work, segment, end, what, f"{fmt_db(mbps)} Mbps", f"{fmt_db(limit)} Mbps", reading.source,
                "customer_utilisation_mbps")
    return True


def check_egress(work: Work) -> None:
    """Congestion at the metro egress (城域网出口拥塞): the metro-egress ends of the path's segments, and
    the egress/uplink ports the inventory names on the path's devices (beyond the path itself)."""
    th = work.thresholds
    egress = [(segment, end) for segment, end in work.path.ports() if end.site_kind == SiteKind.METRO_EGRESS]
    egress += [(None, up) for up in work.path.uplinks]
    for segment, end in egress:
        index = segment.index if segment is not None else None
        reading = work.index.utilisation.get(end.key)
        if reading is None:
            work.missing(ReadingKind.UTILISATION, end.device, end.port, segment=index)
            continue
        fraction = _peak_fraction(work, end, reading)
        if fraction is None:
            work.missing(ReadingKind.UTILISATION, end.device, end.port, segment=index,
                         reason=AccessState.NOT_COLLECTED, detail="port speed unknown")
            continue
        fraction = round(fraction, 3)
        if fraction > 1 + th.rate_measurement_error_fraction:
            work.add(EvidenceItem(
                name="egress_utilisation", value=fraction, unit="fraction", assessment=Assessment.UNKNOWN,
                sources=(reading.source,), limit=1.0, threshold="at most the port speed; measurement fault above it",
                segment=index, device=end.device, port=end.port,
                note_zh="测量故障：超过端口速率", note_en="measurement fault: above the line speed"))
            rate_beyond(work, segment, end, ("端口速率", "line speed"), f"{fraction:.0%}", "100%", reading.source,
                        "egress_utilisation")
            continue
        congested = fraction >= th.egress_congestion_fraction
        work.add(EvidenceItem(
            name="egress_utilisation", value=fraction, unit="fraction",
            assessment=Assessment.FAULT if congested else Assessment.OK, sources=(reading.source,),
            limit=th.egress_congestion_fraction,
            threshold=f"congested at or above {th.egress_congestion_fraction:.0%} of the port speed",
            segment=index, device=end.device, port=end.port))
        if congested:
            work.find(Verdict.EGRESS_CONGESTION,
                      f"{'上联口' if segment is None else '城域网出口'} {end.label} 利用率 {fraction:.0%}：出口拥塞",
                      f"{'uplink' if segment is None else 'metro egress'} {end.label} runs at {fraction:.0%} of its speed: congestion",
                      segment=index, end=end)
