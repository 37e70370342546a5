"""Per-device cache of the static facts a poll needs besides the live values (pure, no I/O).

A steady-state poll of optical power only needs the columns that move (Rx/Tx, lanes, bias,
temperature, voltage, state, counters). The port names, the entity tree and the modules' own
thresholds, scales and sensor types change only when the device's hardware or configuration does, so
a poller (``FactCache``) keeps them per device and re-reads them when:

- ``ttl`` seconds have passed since they were read;
- sysUpTime went backwards (a reboot: entity indexes may be renumbered);
- entLastChangeTime (ENTITY-MIB) differs from the value read with the facts (a module or card was
  inserted, removed or swapped), where the agent has it;
- the live rows do not match the ones seen with the facts: an optical module row appeared or vanished
  (a transceiver inserted or pulled), or the set of ifIndexes changed (an interface added or removed).

Not caught without entLastChangeTime: a module swapped in the same slot for one of another class;
its thresholds are then those of the old one until the ttl runs out or the device restarts.

sysUpTime and entLastChangeTime ride on the first request of the live walk (GETBULK non-repeaters),
so checking them costs no request of its own.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from collectors.snmp.mapping import Tables

# walked as scalars (GETNEXT of the object, instance .0)
UPTIME = "1.3.6.1.2.1.1.3"
ENT_LAST_CHANGE = "1.3.6.1.2.1.47.1.4.1"
PROBES = (UPTIME, ENT_LAST_CHANGE)


@dataclass
class DeviceFacts:
    """What one full read of a device's static tables gave, and the markers to tell it is stale."""

    mapping: dict[str, dict[str, int | str | None]]
    read_at: datetime  # wall clock of the read, for the readings' notes
    expires: float  # event-loop time
    uptime: int | None = None  # the last sysUpTime seen (updated every poll)
    ent_last_change: int | None = None
    optical: dict[str, dict[str, dict[str, int | str | None]]] = field(default_factory=dict)  # decoder -> tables
    optical_rows: dict[str, frozenset[str]] = field(default_factory=dict)  # decoder -> live rows at the read
    row_counts: dict[str, int] = field(default_factory=dict)  # live column -> rows at the last poll (request sizing)
    if_rows: dict[str, frozenset[str]] = field(default_factory=dict)  # IF-MIB column -> ifIndexes at the read

    def has_mapping(self, columns: Iterable[str]) -> bool:
        return all(c in self.mapping for c in columns)


def probe_values(tables: Mapping[str, Mapping[str, object]]) -> tuple[int | None, int | None]:
    """(sysUpTime, entLastChangeTime) from a walk's scalars; None where the agent did not give one."""
    def one(column: str) -> int | None:
        value = tables.get(column, {}).get("0")
        return value if isinstance(value, int) else None

    return one(UPTIME), one(ENT_LAST_CHANGE)


def stale_reason(facts: DeviceFacts, uptime: int | None, ent_last_change: int | None) -> str | None:
    """Why the cached facts no longer describe the device (None: still good), from the markers."""
    if uptime is not None and facts.uptime is not None and uptime < facts.uptime:
        return f"sysUpTime went back from {facts.uptime} to {uptime} (restart)"
    if ent_last_change != facts.ent_last_change:
        return f"entLastChangeTime changed from {facts.ent_last_change} to {ent_last_change}"
    return None


def _rows(tables: Mapping[str, Mapping[str, object]], column: str) -> set[str]:
    return set(tables.get(column, {}))


def live_rows(live: Mapping[str, Mapping[str, object]], key_columns: Iterable[str]) -> frozenset[str]:
    """The module rows a live optical read has (the union of its key columns' indexes)."""
    found: set[str] = set()
    for column in key_columns:
        found |= _rows(live, column)
    return frozenset(found)


class FactCache:
    """Static facts per device for a poller that reads the same devices again and again.

    One cache belongs to one poller (and its ``SnmpClient``); ``hits``/``misses``/``invalidations``
    count what happened, for benchmarks and tests."""

    def __init__(self, ttl: float = 3600.0) -> None:
        self.ttl = ttl
        self._facts: dict[tuple[str, int, str], DeviceFacts] = {}
        self.hits = self.misses = self.invalidations = 0
        self.last_reason: dict[tuple[str, int, str], str] = {}

    def get(self, key: tuple[str, int, str], now: float) -> DeviceFacts | None:
        facts = self._facts.get(key)
        if facts is not None and facts.expires <= now:
            del self._facts[key]
            return None
        return facts

    def put(self, key: tuple[str, int, str], facts: DeviceFacts) -> None:
        self._facts[key] = facts

    def drop(self, key: tuple[str, int, str], reason: str) -> None:
        """Forget a device's facts (stale); the reason is kept for evidence and tests."""
        if self._facts.pop(key, None) is not None:
            self.invalidations += 1
        self.last_reason[key] = reason

    def __len__(self) -> int:
        return len(self._facts)


def merged(*tables: Mapping[str, Mapping[str, object]]) -> Tables:
    out: dict[str, Mapping[str, object]] = {}
    for t in tables:
        out.update(t)
    return out  # type: ignore[return-value]
