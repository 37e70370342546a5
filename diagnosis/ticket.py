"""The ticket being triaged (故障单), reduced to what the playbooks need. `now` is passed in: the
diagnosis package never reads a clock."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from diagnosis.enums import Symptom, TicketKind
from diagnosis.errors import InvalidInput
from diagnosis.thresholds import Thresholds


def _aware(value: datetime | None) -> bool:
    return value is None or (value.tzinfo is not None and value.utcoffset() is not None)


@dataclass(frozen=True)
class CutoverWindow:
    """An approved cutover (割接) that affects this circuit: a fault inside it is not a new fault."""

    start: datetime
    end: datetime
    reference: str = ""


@dataclass(frozen=True)
class TicketContext:
    kind: TicketKind
    symptom: Symptom
    reported_at: datetime
    now: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None
    ticket_id: str = ""
    cutover_windows: tuple[CutoverWindow, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        problems = []
        try:
            object.__setattr__(self, "kind", TicketKind(self.kind))
        except ValueError:
            problems.append(f"ticket {self.ticket_id}: unknown kind {self.kind!r}")
        try:
            object.__setattr__(self, "symptom", Symptom(self.symptom))
        except ValueError:
            problems.append(f"ticket {self.ticket_id}: unknown symptom {self.symptom!r}")
        object.__setattr__(self, "cutover_windows", tuple(self.cutover_windows))
        times = {"reported_at": self.reported_at, "now": self.now, "window_start": self.window_start,
                 "window_end": self.window_end}
        times.update({f"cutover[{i}].start": w.start for i, w in enumerate(self.cutover_windows)})
        times.update({f"cutover[{i}].end": w.end for i, w in enumerate(self.cutover_windows)})
        naive = [name for name, value in times.items() if not _aware(value)]
        if naive:
            problems.append(f"ticket {self.ticket_id}: times without timezone: {', '.join(naive)}")
        elif self.window_start and self.window_end and self.window_end < self.window_start:
            problems.append(f"ticket {self.ticket_id}: window ends before it starts")
        if problems:
            raise InvalidInput(problems)

    def window(self, thresholds: Thresholds) -> tuple[datetime, datetime]:
        """The ticket's time window: as given, else from `default_lookback` before the reported time
        up to `now`."""
        start = self.window_start or (self.reported_at - thresholds.default_lookback)
        end = self.window_end or self.now
        return start, end
