"""What was observed on the devices of a path (readings, alarms, flaps, reachability).

Every observation carries its `Source` (device, port, method, OID or command, raw excerpt, time) so
that the evidence of a diagnosis can cite it. Lists given to `Observations` are stored as tuples.
Times must be timezone-aware.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from diagnosis.enums import AccessState, Duplex, LinkState, Method, ReadingKind
from diagnosis.errors import InvalidInput


def _require_aware(what: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise InvalidInput(f"{what}: time {value.isoformat()} has no timezone (use aware UTC times)")


@dataclass(frozen=True)
class Source:
    """Where a reading came from: `reference` is the OID, CLI command or store table; `raw` the
    excerpt of the device's answer the value was parsed from."""

    device: str
    method: Method
    time: datetime
    port: str | None = None
    reference: str = ""
    raw: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", Method(self.method))
        _require_aware(f"source {self.device} {self.reference}", self.time)


@dataclass(frozen=True)
class OpticalReading:
    """Optical power of a port (DDM), with the module's own thresholds where it reports them.

    `rx_los` is the module's loss-of-signal flag; `rx_dbm` may then be None or -inf.
    `tx_low_alarm_dbm` / `tx_low_warn_dbm` are the module's own Tx low thresholds (an ageing laser
    falls under them: a transmitter fault, not a fiber fault).
    """

    device: str
    port: str
    source: Source
    rx_dbm: float | None = None
    tx_dbm: float | None = None
    rx_low_alarm_dbm: float | None = None
    rx_low_warn_dbm: float | None = None
    rx_high_warn_dbm: float | None = None
    rx_high_alarm_dbm: float | None = None
    rx_los: bool = False
    tx_low_alarm_dbm: float | None = None
    tx_low_warn_dbm: float | None = None


@dataclass(frozen=True)
class PortStatus:
    device: str
    port: str
    source: Source
    oper: LinkState = LinkState.UNKNOWN
    admin: LinkState = LinkState.UNKNOWN
    speed_mbps: int | None = None
    duplex: Duplex = Duplex.UNKNOWN

    def __post_init__(self) -> None:
        object.__setattr__(self, "oper", LinkState(self.oper))
        object.__setattr__(self, "admin", LinkState(self.admin))
        object.__setattr__(self, "duplex", Duplex(self.duplex))


@dataclass(frozen=True)
class ErrorReading:
    """CRC / input error counters of a port at `source.time`, with rates where the collector
    computed them. Two samples of the same port without rates give a rate here."""

    device: str
    port: str
    source: Source
    crc_errors: int | None = None
    input_errors: int | None = None
    crc_per_s: float | None = None
    input_errors_per_s: float | None = None


@dataclass(frozen=True)
class UtilisationReading:
    """Traffic of a port, as Mbps or as a fraction of `speed_mbps` (either may be given)."""

    device: str
    port: str
    source: Source
    in_mbps: float | None = None
    out_mbps: float | None = None
    in_fraction: float | None = None
    out_fraction: float | None = None
    speed_mbps: int | None = None


@dataclass(frozen=True)
class AlarmRecord:
    """An alarm (告警) raised by a device, from the NMS store, the device's alarm table or its log.
    `port` None means a device-level alarm (power, fan, ...)."""

    device: str
    port: str | None
    name: str
    severity: str
    raised_at: datetime
    source: Source
    cleared_at: datetime | None = None
    alarm_id: str = ""

    def __post_init__(self) -> None:
        _require_aware(f"alarm {self.name} on {self.device}", self.raised_at)
        _require_aware(f"alarm {self.name} on {self.device}", self.cleared_at)
        if self.cleared_at is not None and self.cleared_at < self.raised_at:
            raise InvalidInput(f"alarm {self.name} on {self.device}: cleared before it was raised")


@dataclass(frozen=True)
class FlapRecord:
    """Link state change(s) of a port (log line, trap, polled ifLastChange): `count` changes to
    `state` at `time` (a device's "flapped 12 times" summary gives count=12)."""

    device: str
    port: str
    time: datetime
    state: LinkState
    source: Source
    count: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", LinkState(self.state))
        _require_aware(f"flap record of {self.device} {self.port}", self.time)
        if self.count < 1:
            raise InvalidInput(f"flap record of {self.device} {self.port}: count must be >= 1")


@dataclass(frozen=True)
class DeviceAccess:
    """Whether a device answered at all (unreachable, timeout, not supported ... are results)."""

    device: str
    state: AccessState
    detail: str = ""
    source: Source | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", AccessState(self.state))


@dataclass(frozen=True)
class ReadingGap:
    """A reading that was asked for and did not come (e.g. DDM "not supported", a CLI timeout)."""

    device: str
    port: str | None
    kind: ReadingKind
    reason: AccessState
    detail: str = ""
    source: Source | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ReadingKind(self.kind))
        object.__setattr__(self, "reason", AccessState(self.reason))


@dataclass(frozen=True)
class RxTrendPoint:
    """One stored Rx power sample of a port (the polled series), for the early-warning trend."""

    device: str
    port: str
    time: datetime
    rx_dbm: float
    source: Source

    def __post_init__(self) -> None:
        _require_aware(f"trend point of {self.device} {self.port}", self.time)


@dataclass(frozen=True)
class Observations:
    """Everything read for one triage. `stored_alarms_queried` says the NMS/alarm store was asked
    (an empty `alarms` then means "no stored alarm", not "unknown"); `alarm_history_devices` lists
    the devices whose own alarm table or log was read, even when it held nothing."""

    optical: tuple[OpticalReading, ...] = field(default_factory=tuple)
    status: tuple[PortStatus, ...] = field(default_factory=tuple)
    errors: tuple[ErrorReading, ...] = field(default_factory=tuple)
    utilisation: tuple[UtilisationReading, ...] = field(default_factory=tuple)
    alarms: tuple[AlarmRecord, ...] = field(default_factory=tuple)
    flaps: tuple[FlapRecord, ...] = field(default_factory=tuple)
    devices: tuple[DeviceAccess, ...] = field(default_factory=tuple)
    gaps: tuple[ReadingGap, ...] = field(default_factory=tuple)
    rx_trend: tuple[RxTrendPoint, ...] = field(default_factory=tuple)
    stored_alarms_queried: bool = False
    alarm_history_devices: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        expected: dict[str, type] = {
            "optical": OpticalReading, "status": PortStatus, "errors": ErrorReading,
            "utilisation": UtilisationReading, "alarms": AlarmRecord, "flaps": FlapRecord,
            "devices": DeviceAccess, "gaps": ReadingGap, "rx_trend": RxTrendPoint, "alarm_history_devices": str,
        }
        problems = []
        for name, kind in expected.items():
            items = tuple(getattr(self, name))
            object.__setattr__(self, name, items)
            problems += [f"observations.{name}[{i}]: expected {kind.__name__}, got {type(item).__name__}"
                         for i, item in enumerate(items) if not isinstance(item, kind)]
        if problems:
            raise InvalidInput(problems)
