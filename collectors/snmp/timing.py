"""Which SNMP response carried each value of a walk, and when (pure; filled in by the adapter)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from collectors.readings import ReadTime


@dataclass(slots=True)
class WalkTiming:
    """Which response carried each (column, index) of a timed walk."""

    responses: list[ReadTime] = field(default_factory=list)
    cells: dict[str, dict[str, int]] = field(default_factory=dict)  # column -> index -> response number

    def of(self, column: str, index: str) -> ReadTime | None:
        number = self.cells.get(column, {}).get(index)
        return None if number is None else self.responses[number]

    def merged(self, other: WalkTiming | None) -> WalkTiming:
        """This walk's timing with a later walk's (the 32-bit fallback columns) added."""
        if other is None:
            return self
        offset = len(self.responses)
        cells = {c: dict(rows) for c, rows in self.cells.items()}
        for column, rows in other.cells.items():
            cells.setdefault(column, {}).update({i: n + offset for i, n in rows.items()})
        return WalkTiming([*self.responses, *other.responses], cells)

    def envelope(self, cells: Iterable[tuple[str, str]]) -> ReadTime | None:
        """One time for values read in several responses: from the first request sent to the last
        response received, with the agent's uptime of the first timed cell's response (callers list
        the principal counter, the octets, first). None: no cell was timed."""
        times = [t for c, i in cells if (t := self.of(c, i)) is not None]
        if not times:
            return None
        if len({id(t) for t in times}) == 1:
            return times[0]
        return ReadTime(min(t.sent for t in times), max(t.received for t in times), times[0].uptime_cs)
