"""Alarm correlation (告警关联), pure: raise/clear events in, ``AlarmRecord``s out.

Raise and clear are paired per reduction key (device, port, probable cause), repeated raises of an
open alarm are merged into its ``count`` (like OpenNMS reduction keys), a key that changes state
``flap_changes`` times within ``flap_window`` is marked flapping, and optical alarms on ports that are
administratively down or have no fibre are suppressed (LibreNMS users' long-standing complaint).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from collectors.enums import AlarmType, ProbableCause, Severity
from collectors.readings import AlarmRecord, Source

OPTICAL_CAUSES = frozenset({
    ProbableCause.LOSS_OF_SIGNAL, ProbableCause.RX_POWER_LOW, ProbableCause.RX_POWER_HIGH,
    ProbableCause.TX_POWER_LOW, ProbableCause.TX_POWER_HIGH,
})
_SEVERITY_RANK = {Severity.CRITICAL: 5, Severity.MAJOR: 4, Severity.MINOR: 3, Severity.WARNING: 2,
                  Severity.INDETERMINATE: 1, Severity.CLEARED: 0}


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """One raise or clear as a device reported it (a trap, an alarm-table row, a log line)."""

    device: str
    port: str | None
    cause: ProbableCause
    clear: bool
    time: datetime
    source: Source
    severity: Severity = Severity.MAJOR
    alarm_type: AlarmType = AlarmType.COMMUNICATIONS
    specific_problem: str = ""

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.device, self.port, self.cause.value)


Suppressor = Callable[[AlarmEvent], str | None]  # returns why the event is suppressed, or None


@dataclass
class CorrelatorStats:
    raised: int = 0
    cleared: int = 0
    merged: int = 0
    suppressed: int = 0
    unmatched_clears: int = 0


@dataclass
class AlarmCorrelator:
    flap_changes: int = 4
    flap_window: timedelta = timedelta(minutes=10)
    suppressor: Suppressor | None = None
    history_limit: int = 10_000
    stats: CorrelatorStats = field(default_factory=CorrelatorStats)

    def __post_init__(self) -> None:
        if self.flap_changes < 2:
            raise ValueError("flap detection needs at least 2 changes")
        self._active: dict[tuple[str, str | None, str], AlarmRecord] = {}
        self._closed: deque[AlarmRecord] = deque(maxlen=self.history_limit)
        self._changes: dict[tuple[str, str | None, str], deque[datetime]] = {}
        self.suppressed: deque[tuple[AlarmEvent, str]] = deque(maxlen=1000)

    def _flapping(self, key: tuple[str, str | None, str], when: datetime) -> bool:
        times = self._changes.setdefault(key, deque())
        times.append(when)
        while times and when - times[0] > self.flap_window:
            times.popleft()
        return len(times) >= self.flap_changes

    def feed(self, event: AlarmEvent) -> AlarmRecord | None:
        """Apply one event; returns the record it created or changed (None when suppressed)."""
        if self.suppressor is not None and (why := self.suppressor(event)):
            self.stats.suppressed += 1
            self.suppressed.append((event, why))
            return None
        key = event.key
        current = self._active.get(key)
        if not event.clear:
            if current is not None:
                self.stats.merged += 1
                worse = max(current.severity, event.severity, key=lambda s: _SEVERITY_RANK[s])
                updated = replace(current, count=current.count + 1, severity=worse)
                self._active[key] = updated
                return updated
            flapping = self._flapping(key, event.time)
            self.stats.raised += 1
            record = AlarmRecord(
                device=event.device, port=event.port, alarm_type=event.alarm_type, probable_cause=event.cause,
                severity=event.severity, raised_at=event.time, source=event.source,
                specific_problem=event.specific_problem, flapping=flapping,
            )
            self._active[key] = record
            return record
        if current is None:
            self.stats.unmatched_clears += 1
            return None
        flapping = self._flapping(key, event.time) or current.flapping
        self.stats.cleared += 1
        closed = replace(current, cleared_at=event.time, flapping=flapping)
        del self._active[key]
        self._closed.append(closed)
        return closed

    def feed_all(self, events: Iterable[AlarmEvent]) -> None:
        for event in sorted(events, key=lambda e: e.time):
            self.feed(event)

    def active(self) -> list[AlarmRecord]:
        return sorted(self._active.values(), key=lambda r: r.raised_at)

    def records(self) -> list[AlarmRecord]:
        """Every alarm seen, closed and open, oldest first."""
        return sorted([*self._closed, *self._active.values()], key=lambda r: r.raised_at)


def optical_suppressor(admin_down: Callable[[str, str], bool], has_fibre: Callable[[str, str], bool]) -> Suppressor:
    """Suppress optical alarms on admin-down ports and ports with no fibre (empty cage / copper)."""

    def suppress(event: AlarmEvent) -> str | None:
        if event.cause not in OPTICAL_CAUSES or event.port is None:
            return None
        if admin_down(event.device, event.port):
            return "optical alarm on an administratively down port"
        if not has_fibre(event.device, event.port):
            return "optical alarm on a port without fibre"
        return None

    return suppress
