"""Observations indexed by port and device, so the rules ask "what do we know of this port".

When several readings of one kind exist for a port, the latest (by source time) wins, ties going to
the one given first: the choice never depends on hashing or set order.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from diagnosis.enums import AccessState, ReadingKind
from diagnosis.readings import (
    DeviceAccess, ErrorReading, Observations, OpticalReading, PortStatus, ReadingGap, Source,
    UtilisationReading,
)

PortKey = tuple[str, str]
# a device in one of these states gave nothing at all
DEAD_STATES = frozenset({AccessState.UNREACHABLE, AccessState.TIMEOUT, AccessState.AUTH_FAILED,
                         AccessState.ERROR})


class _PortReading(Protocol):
    device: str
    port: str
    source: Source


R = TypeVar("R", bound=_PortReading)


def _latest_by_port(readings: Iterable[R]) -> dict[PortKey, R]:
    latest: dict[PortKey, R] = {}
    for reading in readings:
        key = (reading.device, reading.port)
        if key not in latest or reading.source.time > latest[key].source.time:
            latest[key] = reading
    return latest


def _all_by_port(readings: Iterable[R]) -> dict[PortKey, list[R]]:
    grouped: dict[PortKey, list[R]] = {}
    for reading in readings:
        grouped.setdefault((reading.device, reading.port), []).append(reading)
    for series in grouped.values():
        series.sort(key=lambda item: item.source.time)  # stable: equal times keep input order
    return grouped


@dataclass(frozen=True)
class ObservationIndex:
    observations: Observations
    optical: dict[PortKey, OpticalReading]
    optical_all: dict[PortKey, list[OpticalReading]]  # every optical reading of a port, by time
    status: dict[PortKey, PortStatus]
    errors: dict[PortKey, list[ErrorReading]]
    utilisation: dict[PortKey, UtilisationReading]
    access: dict[str, DeviceAccess]

    @classmethod
    def build(cls, observations: Observations) -> ObservationIndex:
        access: dict[str, DeviceAccess] = {}
        for record in observations.devices:
            # a failure reported for a device outweighs a success reported for it in the same run
            current = access.get(record.device)
            if current is None or current.state == AccessState.OK:
                access[record.device] = record
        return cls(
            observations=observations,
            optical=_latest_by_port(observations.optical),
            optical_all=_all_by_port(observations.optical),
            status=_latest_by_port(observations.status),
            errors=_all_by_port(observations.errors),
            utilisation=_latest_by_port(observations.utilisation),
            access=access,
        )

    def device_state(self, device: str) -> AccessState:
        record = self.access.get(device)
        if record is not None:
            return record.state
        if self._has_any_reading(device):
            return AccessState.OK
        return AccessState.NOT_COLLECTED

    def device_detail(self, device: str) -> str:
        record = self.access.get(device)
        return record.detail if record is not None else ""

    def device_dead(self, device: str) -> bool:
        return self.device_state(device) in DEAD_STATES

    def gap(self, device: str, port: str | None, kind: ReadingKind) -> ReadingGap | None:
        """The reported gap for this reading, a port-less gap of the device counting for its ports, and
        a gap of the whole device (its survey cut short by its timeout) for every reading it lacks."""
        for gap in self.observations.gaps:
            if gap.device == device and gap.kind == kind and gap.port in (port, None):
                return gap
        for gap in self.observations.gaps:
            if gap.device == device and gap.kind == ReadingKind.DEVICE and gap.port is None:
                return gap
        return None

    def _has_any_reading(self, device: str) -> bool:
        obs = self.observations
        groups: tuple[Iterable[_PortReading], ...] = (obs.optical, obs.status, obs.errors, obs.utilisation)
        return any(reading.device == device for group in groups for reading in group) or any(
            alarm.device == device and alarm.source.method != "stored" for alarm in obs.alarms
        )
