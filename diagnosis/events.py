"""One physical event seen several times is one event (issue 10 item 7).

A fiber cut is seen as a trap, as a line of the device's alarm history and of its log, and as
several alarms (link down, Rx low); counting each as a bounce made one cut "2 flaps per port", and
one more bounce "flapping". Records are grouped when they share a key (the port, or the port and
the alarm name), their times lie within `window` of the group's first record, and they come from
different sources: one source reporting two events close together (a loose connector bouncing
every second) is two events. The same record given twice by one source is one (`same_record`:
by default the same second, as alarm tables print whole seconds).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

T = TypeVar("T")


def _same_second(a: datetime, b: datetime) -> bool:
    return a.replace(microsecond=0) == b.replace(microsecond=0)


def group_events(items: Sequence[T], *, time: Callable[[T], datetime], source: Callable[[T], Hashable],
                 key: Callable[[T], Hashable], window: timedelta,
                 same_record: Callable[[datetime, datetime], bool] = _same_second) -> list[list[T]]:
    """Groups of records of one event each, in time order (ties in input order): deterministic."""
    ordered = sorted(range(len(items)), key=lambda i: (time(items[i]), i))
    groups: list[list[T]] = []
    open_groups: dict[Hashable, list[list[T]]] = {}
    for i in ordered:
        item = items[i]
        when, origin = time(item), source(item)
        chosen = None
        for group in open_groups.get(key(item), []):
            if when - time(group[0]) > window:
                continue
            same_source = [m for m in group if source(m) == origin]
            duplicate = any(same_record(time(m), when) for m in same_source)
            if not same_source or duplicate:
                chosen = group
                break
        if chosen is None:
            chosen = []
            groups.append(chosen)
            open_groups.setdefault(key(item), []).append(chosen)
        chosen.append(item)
    return groups
