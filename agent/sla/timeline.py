"""Fault time (故障历时): the wall-clock intervals in which a ticket's fault counts against its clocks.

A fault counts from arrival until it is resolved (or closed), again after a reopen, and never while an
APPROVED suspension (挂起) is in force: a pending or rejected request changes nothing (rule 6). The
arithmetic is on exact datetimes, so several suspensions add up to the second.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from agent.sla.model import SlaEvent
from agent.sla.model import SlaEventKind as K


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime | None  # None: still counting


class FaultTimeline:
    """Counted intervals of one ticket, built from its ordered history."""

    def __init__(self, intervals: Sequence[Interval]) -> None:
        self.intervals = tuple(intervals)

    @classmethod
    def from_events(cls, events: Sequence[SlaEvent]) -> FaultTimeline:
        intervals: list[Interval] = []
        open_ = held = False
        since: datetime | None = None  # start of the current counted interval

        def stop(at: datetime) -> None:
            nonlocal since
            if since is not None:
                if at > since:
                    intervals.append(Interval(since, at))
                since = None

        for ev in events:
            if ev.kind in (K.CREATED, K.REOPENED):
                if not open_:
                    open_ = True
                    held = False
                    since = ev.at
            elif ev.kind is K.SUSPENSION_APPROVED and open_ and not held:
                held = True
                stop(ev.at)
            elif ev.kind is K.RESUMED and open_ and held:
                held = False
                since = ev.at
            elif ev.kind in (K.RESOLVED, K.CLOSED) and open_:
                stop(ev.at)
                open_ = held = False
        if since is not None:
            intervals.append(Interval(since, None))
        return cls(intervals)

    @property
    def running(self) -> bool:
        return bool(self.intervals) and self.intervals[-1].end is None

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Counted time between two wall-clock instants."""
        total = timedelta(0)
        for iv in self.intervals:
            lo = max(iv.start, start)
            hi = end if iv.end is None else min(iv.end, end)
            if hi > lo:
                total += hi - lo
        return total

    def wall_at(self, start: datetime, budget: timedelta) -> datetime | None:
        """The instant at which ``budget`` of counted time since ``start`` is used up.

        None when the known intervals end first (paused or stopped): the deadline is then unknown.
        """
        left = budget
        for iv in self.intervals:
            lo = max(iv.start, start)
            if iv.end is None:
                return lo + left
            if iv.end <= lo:
                continue
            span = iv.end - lo
            if span >= left:
                return lo + left
            left -= span
        return None
