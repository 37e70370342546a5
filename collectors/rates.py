"""Rates from two counter samples of one port (pure): octets and errors per second over the time
between THOSE two samples, with the measurement error that time carries.

Which clock times the interval, best first:

1. the device's own sysUpTime in the two SNMP responses (centiseconds): the agent read its counters
   and its clock in one PDU, so network and queueing delays do not enter; used when it lies within
   what the monotonic times of the two responses allow (a device whose counters are cached, or a
   clock that reset, fails that check and falls back);
2. this host's monotonic clock at the two responses: the counters were read after the request was
   sent and before the response came back, so the interval lies between ``sent2 - received1`` and
   ``received2 - sent1``;
3. ``read_at`` alone (samples without timing): no bound known.

A rate the counters cannot have produced (above the port speed or a given limit by more than the
measurement error, a 64-bit counter that went backwards, a 32-bit counter that may have wrapped more
than once) is a ``MeasurementFault`` with the raw counters and times, never a rate to use.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from collectors.readings import CounterSample

UPTIME_WRAP_CS = 1 << 32  # TimeTicks are 32-bit: sysUpTime wraps after ~497 days
UPTIME_RESOLUTION_S = 0.01
# How far a rate may exceed the line rate before it is impossible rather than a rounding of the
# interval: ifHighSpeed is rounded to Mbit/s and HC counters count frame octets, which on Ethernet
# stay under the line rate; 1 % covers the rest.
LINE_RATE_MARGIN = 0.01


class IntervalClock(StrEnum):
    """Which clock timed the interval between two counter samples."""

    AGENT_UPTIME = "sysUpTime"
    RESPONSE_TIME = "response time"
    READ_TIME = "read time"


@dataclass(frozen=True, slots=True)
class MeasurementFault:
    """Why the two samples give no usable rate, with what was read (raw counters and times)."""

    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class CounterRates:
    """Rates of one port between two counter samples. Bit rates are bit/s, errors per second; each is
    None where either sample lacks that counter. ``seconds`` is the interval used, ``seconds_min`` /
    ``seconds_max`` its bounds (equal when nothing bounds it)."""

    device: str
    port: str
    seconds: float
    seconds_min: float
    seconds_max: float
    clock: IntervalClock
    in_bps: float | None = None
    out_bps: float | None = None
    in_errors_per_s: float | None = None
    out_errors_per_s: float | None = None
    crc_per_s: float | None = None
    in_discards_per_s: float | None = None
    out_discards_per_s: float | None = None
    fault: MeasurementFault | None = None  # set: the rates above are not to be used
    notes: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return self.fault is None


def interval(first: CounterSample, second: CounterSample) -> tuple[float, float, float, IntervalClock, tuple[str, ...]]:
    """(seconds, lower bound, upper bound, clock, notes) between two samples of one port."""
    notes: list[str] = []
    a, b = first.timing, second.timing
    if a is not None and b is not None:
        low, high = b.sent - a.received, b.received - a.sent
        mid = ((b.sent + b.received) - (a.sent + a.received)) / 2
        if a.uptime_cs is not None and b.uptime_cs is not None:
            ticks = (b.uptime_cs - a.uptime_cs) % UPTIME_WRAP_CS
            agent = ticks / 100.0
            if low - UPTIME_RESOLUTION_S <= agent <= high + UPTIME_RESOLUTION_S and agent > 0:
                return (agent, max(agent - UPTIME_RESOLUTION_S, 1e-9), agent + UPTIME_RESOLUTION_S,
                        IntervalClock.AGENT_UPTIME, ())
            notes.append(f"sysUpTime interval {agent:.2f} s outside the response times {low:.3f}..{high:.3f} s"
                         " (agent clock reset or cached counters): timed by the responses")
        return mid, max(low, 1e-9), high, IntervalClock.RESPONSE_TIME, tuple(notes)
    seconds = (second.read_at - first.read_at).total_seconds()
    notes.append("no per-response timing: interval from read times, its error unknown")
    return seconds, seconds, seconds, IntervalClock.READ_TIME, tuple(notes)


def _delta(a: int | None, b: int | None, bits: int) -> tuple[int | None, str | None]:
    if a is None or b is None:
        return None, None
    if b >= a:
        return b - a, None
    if bits >= 64:
        return None, f"64-bit counter went backwards ({a} -> {b}): reset or a different counter"
    return b + (1 << bits) - a, None


def counter_rates(first: CounterSample, second: CounterSample, *, speed_bps: float | None = None,
                  limit_bps: float | None = None) -> CounterRates:
    """Rates of one port between ``first`` and ``second`` (the later one), timed by their own reads.

    ``speed_bps``: the port speed; ``limit_bps``: another ceiling the traffic cannot pass (a policed
    contracted rate). A bit rate whose lowest value consistent with the interval bounds is above either
    by more than ``LINE_RATE_MARGIN`` is a measurement fault.
    """
    if (first.device, first.port) != (second.device, second.port):
        raise ValueError("counter samples of different ports")
    seconds, low, high, clock, notes = interval(first, second)
    raw = (f"first: {first.source.raw} at {first.read_at.isoformat()} {first.timing}; "
           f"second: {second.source.raw} at {second.read_at.isoformat()} {second.timing}")
    base = {"device": first.device, "port": first.port, "seconds": seconds, "seconds_min": low, "seconds_max": high,
            "clock": clock, "notes": notes}
    if seconds <= 0 or high <= 0:
        return CounterRates(**base, fault=MeasurementFault(
            f"second sample not read after the first ({seconds:.3f} s between them)", raw))
    bits = min(first.counter_bits, second.counter_bits)
    deltas: dict[str, int | None] = {}
    for name in ("in_octets", "out_octets", "in_errors", "out_errors", "in_crc", "in_discards", "out_discards"):
        deltas[name], problem = _delta(getattr(first, name), getattr(second, name), bits)
        if problem:
            return CounterRates(**base, fault=MeasurementFault(f"{name}: {problem}", raw))
    per_s = {k: None if v is None else v / seconds for k, v in deltas.items()}
    rates = {
        "in_bps": None if per_s["in_octets"] is None else per_s["in_octets"] * 8,
        "out_bps": None if per_s["out_octets"] is None else per_s["out_octets"] * 8,
        "in_errors_per_s": per_s["in_errors"], "out_errors_per_s": per_s["out_errors"], "crc_per_s": per_s["in_crc"],
        "in_discards_per_s": per_s["in_discards"], "out_discards_per_s": per_s["out_discards"],
    }
    fault = None
    for ceiling, what in ((speed_bps, "port speed"), (limit_bps, "limit")):
        if not ceiling or ceiling <= 0:
            continue
        if bits == 32 and ceiling * high / 8 >= 1 << 32:
            fault = MeasurementFault(
                f"32-bit octet counters over {high:.1f} s at up to {ceiling / 1e6:g} Mbit/s may have wrapped more"
                " than once: no rate from them", raw)
            break
        for direction in ("in_octets", "out_octets"):
            delta = deltas[direction]
            if delta is None:
                continue
            lowest = delta * 8 / high  # the slowest rate these counters allow
            if lowest > ceiling * (1 + LINE_RATE_MARGIN):
                fault = MeasurementFault(
                    f"{direction.split('_')[0]} rate {delta * 8 / seconds / 1e6:.1f} Mbit/s (at least {lowest / 1e6:.1f}"
                    f" over {low:.3f}..{high:.3f} s by {clock.value}) above the {what} {ceiling / 1e6:g} Mbit/s:"
                    " a measurement fault, not traffic", raw)
                break
        if fault:
            break
    return CounterRates(**base, **rates, fault=fault)
