"""The limits the rules compare against, in one frozen object so a caller can tune them.

Defaults follow DOMAIN.md ("Optical facts") and the source's procedure; every comparison states
whether the limit itself is inside or outside, and the unit tests pin the boundary.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Thresholds:
    # loss more than this over the budget points to a degraded fiber or a dirty/loose connector
    # (strictly greater: exactly 3 dB over is still "above budget", a warning)
    loss_over_budget_fault_db: float = 3.0
    # Rx within this many dB above the sensitivity means bit errors are likely (inclusive:
    # exactly 3 dB above is "within")
    rx_low_margin_db: float = 3.0
    # customer line "at or near its rate limit": utilisation / contracted rate >= this (inclusive)
    rate_near_limit_fraction: float = 0.9
    # metro egress congested: utilisation / port speed >= this (inclusive)
    egress_congestion_fraction: float = 0.9
    # CRC or input errors per second at or above which a segment is reported as erroring;
    # any non-zero rate below it is a warning (a clean fiber link counts no CRC errors at all)
    crc_fault_per_s: float = 1.0
    # down transitions of one port inside the ticket window that make it "flapping" (inclusive)
    flap_min_count: int = 3
    # Rx trend: early warning when the least-squares slope is <= -this (dB/day) over a span of at
    # least trend_min_span, and the fitted drop over the span is >= trend_min_drop_db
    trend_decline_db_per_day: float = 0.1
    trend_min_span: timedelta = timedelta(days=3)
    trend_min_drop_db: float = 1.0
    trend_min_points: int = 3
    # a series steps towards better by at least this (median of 3 samples against the 3 before) only
    # when the module or the fibre was changed: optical power does not recover on its own, so the
    # trend restarts there (a single good-looking sample is not a step)
    trend_restart_step_db: float = 2.0
    # ticket window when the ticket gives no start: this long before the reported time
    default_lookback: timedelta = timedelta(hours=24)
    # a rate computed from two counter reads may exceed the truth by the timing error of the reads
    # (tens of ms of SNMP round trip over a 10-60 s interval) and L2 framing counted in the octets;
    # beyond the port speed or the contracted rate by more than this fraction it is a measurement
    # fault, never a verdict (issue 10 items 2 and 5)
    rate_measurement_error_fraction: float = 0.05
    # two sources (SNMP, CLI, stored) for the same optical value of a port, read within
    # `reading_agreement_window` of each other, agree when they differ by at most this: DDM values
    # are shown to 0.1 dB or finer, and a microwatt reading converted to dBm loses up to ~0.4 dB
    # near -20 dBm; more is two readings that cannot both be right
    reading_agreement_db: float = 0.5
    reading_agreement_window: timedelta = timedelta(seconds=60)
    # records of one physical event seen from several sources (a trap, the device's alarm history,
    # its log) or as several alarms (link down + Rx low of one cut) are one bounce when their times
    # are this close: trap receipt vs device clock and whole-second log stamps differ by < 2 s
    same_event_window: timedelta = timedelta(seconds=2)


DEFAULT_THRESHOLDS = Thresholds()
