"""Typed readings the collectors return. Each carries its ``Source``: where the value came from, the
raw value as the device gave it, and when it was read (证据来源)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from collectors.enums import (
    AdminStatus,
    AlarmType,
    Duplex,
    Method,
    OperStatus,
    ProbableCause,
    Severity,
)
from collectors.errors import AuthenticationFailed, CollectorError, CollectorTimeout, UnreachableError


@dataclass(frozen=True, slots=True)
class Source:
    device: str
    port: str | None
    method: Method
    ref: str  # OID(s) for SNMP, the command for CLI, the trap OID for traps
    raw: str  # the raw value(s) as read, before any scaling
    time: datetime


@dataclass(frozen=True, slots=True)
class Thresholds:
    """A module's own alarm/warning thresholds in dBm (None where the module gives none)."""

    low_alarm: float | None = None
    low_warning: float | None = None
    high_warning: float | None = None
    high_alarm: float | None = None

    def classify(self, value: float | None) -> str | None:
        """'low_alarm' | 'low_warning' | 'normal' | 'high_warning' | 'high_alarm' (None: no value)."""
        if value is None:
            return None
        if self.low_alarm is not None and value < self.low_alarm:
            return "low_alarm"
        if self.high_alarm is not None and value > self.high_alarm:
            return "high_alarm"
        if self.low_warning is not None and value < self.low_warning:
            return "low_warning"
        if self.high_warning is not None and value > self.high_warning:
            return "high_warning"
        return "normal"


@dataclass(frozen=True, slots=True)
class OpticalReading:
    """Optical power of one port's transceiver (光功率). Lanes are listed for multi-lane modules."""

    device: str
    port: str
    rx_dbm: float | None
    tx_dbm: float | None
    source: Source
    rx_lanes_dbm: tuple[float | None, ...] = ()
    tx_lanes_dbm: tuple[float | None, ...] = ()
    rx_thresholds: Thresholds = field(default_factory=Thresholds)
    tx_thresholds: Thresholds = field(default_factory=Thresholds)
    temperature_c: float | None = None
    bias_ma: float | None = None
    voltage_v: float | None = None
    module: str | None = None  # transceiver type as the device names it
    notes: tuple[str, ...] = ()  # e.g. "bogus threshold replaced", "power reported in uW"

    @property
    def rx_state(self) -> str | None:
        return self.rx_thresholds.classify(self.rx_dbm)

    @property
    def tx_state(self) -> str | None:
        return self.tx_thresholds.classify(self.tx_dbm)


@dataclass(frozen=True, slots=True)
class InterfaceState:
    device: str
    port: str
    admin: AdminStatus
    oper: OperStatus
    source: Source
    if_index: int | None = None
    speed_bps: int | None = None
    duplex: Duplex = Duplex.UNKNOWN
    description: str | None = None
    loopback: str | None = None  # loop state where the device shows it ("none", "local", "remote", "phy")


@dataclass(frozen=True, slots=True)
class ReadTime:
    """When the device read a value: after ``sent`` and before ``received`` (this host's
    ``time.monotonic()`` seconds, comparable between reads of one process), and at ``uptime_cs`` on the
    device's own clock (sysUpTime in centiseconds, from the same SNMP response; None without it)."""

    sent: float
    received: float
    uptime_cs: int | None = None


@dataclass(frozen=True, slots=True)
class CounterSample:
    """Interface counters read at ``read_at`` (HC = 64-bit where the device has them).

    ``read_at`` is when the response carrying these counters arrived (SNMP), not when the survey
    ended; ``timing`` bounds that moment on the monotonic clock and gives the device's sysUpTime, so
    a rate between two samples is timed by their own responses (``collectors.rates``)."""

    device: str
    port: str
    read_at: datetime
    source: Source
    if_index: int | None = None
    in_octets: int | None = None
    out_octets: int | None = None
    in_errors: int | None = None
    out_errors: int | None = None
    in_crc: int | None = None
    in_discards: int | None = None
    out_discards: int | None = None
    counter_bits: int = 64  # 32 when only ifInOctets/ifOutOctets were available
    timing: ReadTime | None = None  # None: no per-sample timing (only ``read_at``)


@dataclass(frozen=True, slots=True)
class AlarmRecord:
    """An alarm (告警), TMF642-like: raised, possibly cleared; duplicates merged into ``count``."""

    device: str
    port: str | None
    alarm_type: AlarmType
    probable_cause: ProbableCause
    severity: Severity
    raised_at: datetime
    source: Source
    specific_problem: str = ""
    cleared_at: datetime | None = None
    count: int = 1
    flapping: bool = False

    @property
    def key(self) -> tuple[str, str | None, str]:
        """Reduction key (OpenNMS style): one open alarm per device, port and cause."""
        return (self.device, self.port, self.probable_cause.value)

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None


@dataclass(frozen=True, slots=True)
class ItemError:
    """Why one part of a survey has no reading (the rest of the survey still stands)."""

    item: str  # a Want value, or "snmp" / "cli" for a whole method
    error: CollectorError
    port: str | None = None
    partial: bool = False  # the read failed part-way: the readings it got before the failure are kept


@dataclass(frozen=True, slots=True)
class DeviceSurvey:
    """Everything one survey of one device produced: readings plus per-item errors."""

    device: str
    started_at: datetime
    finished_at: datetime
    optical: tuple[OpticalReading, ...] = ()
    interfaces: tuple[InterfaceState, ...] = ()
    counters: tuple[CounterSample, ...] = ()
    alarms: tuple[AlarmRecord, ...] = ()
    errors: tuple[ItemError, ...] = ()

    @property
    def reachable(self) -> bool:
        """False when no method reached the device at all (item "device")."""
        return not any(e.item == "device" for e in self.errors)

    @property
    def timed_out(self) -> bool:
        """The survey ended at its own timeout (readings so far kept): it is not the device's whole state."""
        return any(e.item == "survey" and isinstance(e.error, CollectorTimeout) for e in self.errors)

    @property
    def cut_short(self) -> bool:
        """The survey ended at its own timeout after the device had answered (some reading, or a walk
        cut short with rows) and nothing said it was dead: no method found it unreachable or refused
        the login. On a slow agent that is a deadline problem, not a device fault (re-reading it can
        give the whole survey). A device that answered nothing within the timeout is not known to be
        alive (silent, powered off): not cut short in this sense."""
        dead = any(isinstance(e.error, (UnreachableError, AuthenticationFailed)) for e in self.errors)
        answered = bool(self.optical or self.interfaces or self.counters or self.alarms) or any(
            e.partial for e in self.errors)
        return self.timed_out and answered and self.reachable and not dead


def _wrapped_delta(a: int | None, b: int | None, bits: int) -> int | None:
    if a is None or b is None:
        return None
    return b - a if b >= a else b + (1 << bits) - a


def utilisation_in_out(a: CounterSample, b: CounterSample, speed_bps: float) -> tuple[float, float]:
    """Inbound and outbound utilisation (0..1+) between two reads of the same port.

    One counter wrap between the reads is allowed for (64-bit HC counters practically never wrap).
    """
    if (a.device, a.port) != (b.device, b.port):
        raise ValueError("counter samples of different ports")
    if speed_bps <= 0:
        raise ValueError("port speed must be positive")
    seconds = (b.read_at - a.read_at).total_seconds()
    if seconds <= 0:
        raise ValueError("the second counter sample must be read after the first")
    bits = min(a.counter_bits, b.counter_bits)
    d_in = _wrapped_delta(a.in_octets, b.in_octets, bits)
    d_out = _wrapped_delta(a.out_octets, b.out_octets, bits)
    if d_in is None and d_out is None:
        raise ValueError("counter samples carry no octet counters")
    rate_in = (d_in or 0) * 8 / seconds / speed_bps
    rate_out = (d_out or 0) * 8 / seconds / speed_bps
    return rate_in, rate_out


def utilisation(a: CounterSample, b: CounterSample, speed_bps: float) -> float:
    """Utilisation (带宽利用率) of the busier direction between two counter reads, as a fraction."""
    return max(utilisation_in_out(a, b, speed_bps))
