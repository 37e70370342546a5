"""Read optical, interface state and counters of one device over SNMP (uses the adapter + decoders)."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from collectors.enums import Want
from collectors.errors import (
    CollectorError,
    CollectorTimeout,
    ParseError,
    UnreachableError,
    Unsupported,
)
from collectors.profiles import Profile
from collectors.readings import (
    CounterSample,
    InterfaceState,
    ItemError,
    OpticalReading,
    Source,
)
from collectors.snmp import oids
from collectors.snmp.adapter import SnmpClient
from collectors.snmp.facts import (
    PROBES,
    DeviceFacts,
    FactCache,
    live_rows,
    merged,
    probe_values,
    stale_reason,
)
from collectors.snmp.interfaces import (
    COUNTER_COLUMNS,
    COUNTER_FALLBACK,
    ENTITY_COLUMNS,
    MAP_COLUMNS,
    STATE_COLUMNS,
    STATE_FALLBACK,
    decode_counters,
    decode_states,
)
from collectors.snmp.mapping import PortMap
from collectors.snmp.optical import OPTICAL_MIBS, OpticalMib
from collectors.snmp.timing import WalkTiming
from collectors.target import DeviceTarget, PortRef

R = TypeVar("R", OpticalReading, InterfaceState, CounterSample)
Now = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SnmpResult:
    optical: tuple[OpticalReading, ...] = ()
    interfaces: tuple[InterfaceState, ...] = ()
    counters: tuple[CounterSample, ...] = ()
    errors: tuple[ItemError, ...] = ()


def _select(
    decoded: Sequence[tuple[str, int | None, R]], ports: Sequence[PortRef] | None, pmap: PortMap
) -> tuple[list[R], list[PortRef]]:
    """Readings for the requested ports, renamed to the inventory's names; plus ports not found."""
    if ports is None:
        return [r for _, _, r in decoded], []
    chosen: list[R] = []
    missing: list[PortRef] = []
    for ref in ports:
        want_index = ref.if_index if ref.if_index is not None else pmap.if_index(ref.name)
        hit = next((r for name, idx, r in decoded if pmap.same_port(ref.name, want_index, name, idx)), None)
        if hit is None:
            missing.append(ref)
            continue
        source: Source = hit.source
        chosen.append(replace(hit, port=ref.name, source=replace(source, port=ref.name)))  # type: ignore[arg-type]
    return chosen, missing


async def collect_snmp(
    client: SnmpClient,
    target: DeviceTarget,
    profile: Profile,
    wants: set[Want],
    ports: Sequence[PortRef] | None = None,
    *,
    now: Now = _utcnow,
    facts: FactCache | None = None,
) -> SnmpResult:
    """One SNMP pass over a device. Never raises for device trouble: failures become ``ItemError``s
    (an unanswered first request makes the whole device ``UnreachableError``).

    ``facts`` (pollers): keep the device's port names, entity tree and module thresholds/scales in
    that cache and walk only the live columns while they hold (see ``collectors.snmp.facts`` for
    when they are re-read); optical readings built on cached thresholds say so, and when they were
    read, in their notes. None: every call reads everything."""
    if target.snmp is None:
        err = Unsupported("no SNMP parameters for this device", device=target.name)
        return SnmpResult(errors=tuple(ItemError(w.value, err) for w in wants if w is not Want.ALARMS))

    decoder_name = profile.snmp_optical
    mib = OPTICAL_MIBS.get(decoder_name) if decoder_name else None
    map_columns = list(MAP_COLUMNS)
    if Want.OPTICAL in wants and mib is not None and mib.entity_indexed:
        map_columns += ENTITY_COLUMNS
    key = (target.address, target.snmp.port, target.snmp.context)
    loop_now = asyncio.get_running_loop().time()
    cached = facts.get(key, loop_now) if facts is not None else None
    if cached is not None and not cached.has_mapping(map_columns):
        cached = None  # read before without the entity tree (optical was not wanted then)

    fresh: DeviceFacts | None = None
    if cached is None:
        try:
            mapping = await client.walk(target, map_columns, scalars=PROBES if facts is not None else ())
        except CollectorError as exc:
            return SnmpResult(errors=(ItemError("snmp", exc),))
        if mapping.error is not None:
            # names are the key to everything else: a half-read mapping is not used
            exc = mapping.error
            if isinstance(exc, CollectorTimeout) and not any(mapping.rows.values()):
                exc = UnreachableError("no SNMP response from the device", device=target.name, raw=exc.raw)
            return SnmpResult(errors=(ItemError("snmp", exc),))
        uptime, ent_change = probe_values(mapping.rows)
        map_tables = {c: mapping.rows[c] for c in map_columns}
        if facts is not None:
            facts.misses += 1
            fresh = DeviceFacts(map_tables, read_at=now(), expires=loop_now + facts.ttl,
                                uptime=uptime, ent_last_change=ent_change)
            facts.put(key, fresh)
    else:
        facts.hits += 1  # type: ignore[union-attr]
        map_tables = cached.mapping
    pmap = PortMap.from_tables(map_tables)
    # module facts (thresholds, sensor types and scales) from the cache, when it has them
    cached_static = cached.optical.get(decoder_name) if cached is not None and decoder_name else None

    errors: list[ItemError] = []
    partial: set[Want] = set()
    probe_tables: dict[str, Any] = {}

    expected = cached.row_counts if cached is not None else None

    timings: dict[Want, WalkTiming] = {}

    async def item(want: Want, columns: Sequence[str], scalars: Sequence[str] = ()) -> Any:
        timed = want is Want.COUNTERS  # rates: each sample timed by its own response
        try:
            read = await client.walk(target, columns, scalars=scalars, expected_rows=expected, timed=timed)
            tables, error = read.rows, read.error
            if read.timing is not None:
                timings[want] = read.timing
            for scalar in scalars:
                probe_tables[scalar] = tables.pop(scalar, {})
            # devices without ifHighSpeed / HC counters (old or small agents): the 32-bit columns
            fallback = {Want.INTERFACE: (oids.IF_HIGH_SPEED, STATE_FALLBACK),
                        Want.COUNTERS: (oids.IF_HC_IN_OCTETS, COUNTER_FALLBACK)}.get(want)
            if error is None and fallback and len(tables.get(fallback[0], {})) < len(pmap.if_descr or pmap.if_name):
                more = await client.walk(target, fallback[1], timed=timed)
                tables.update(more.rows)
                error = more.error
                if want in timings:
                    timings[want] = timings[want].merged(more.timing)
        except CollectorError as exc:
            errors.append(ItemError(want.value, exc))
            return None
        if error is not None:
            got = any(tables.values())
            errors.append(ItemError(want.value, error, partial=got))
            if not got:
                return None
            partial.add(want)  # rows read before the failure still make readings
        return tables

    columns: dict[Want, list[str]] = {}
    if Want.INTERFACE in wants:
        columns[Want.INTERFACE] = list(STATE_COLUMNS)
    if Want.COUNTERS in wants:
        columns[Want.COUNTERS] = list(COUNTER_COLUMNS)
    if Want.OPTICAL in wants:
        if mib is None:
            errors.append(ItemError(Want.OPTICAL.value, Unsupported(
                f"profile {profile.name} reads no optical power over SNMP", device=target.name)))
        else:
            # the decoders want ifHighSpeed (threshold defaults by port speed): read once when the
            # interface item walks it anyway
            skip = {oids.IF_HIGH_SPEED} if Want.INTERFACE in wants else set()
            if cached_static is not None:
                skip |= mib.static_columns
            columns[Want.OPTICAL] = [c for c in mib.columns if c not in skip]
    jobs = {want: item(want, cols, PROBES if cached is not None and i == 0 else ())
            for i, (want, cols) in enumerate(columns.items())}
    tables = dict(zip(jobs, await asyncio.gather(*jobs.values()), strict=True))

    if cached is not None and facts is not None:
        if jobs and all(t is None for t in tables.values()) and all(
                isinstance(e.error, CollectorTimeout) for e in errors if not isinstance(e.error, Unsupported)):
            # the device stopped answering: one verdict for the device, as on an uncached poll
            first = next(e.error for e in errors if isinstance(e.error, CollectorTimeout))
            return SnmpResult(errors=(ItemError("snmp", UnreachableError(
                "no SNMP response from the device", device=target.name, raw=first.raw)),))
        reason = _stale(cached, probe_tables, tables, mib, cached_static)
        if reason is not None:
            facts.drop(key, reason)
            return await collect_snmp(client, target, profile, wants, ports, now=now, facts=facts)

    holder = fresh if fresh is not None else cached
    if holder is not None:
        for want, data in tables.items():
            if data is not None and want not in partial:
                holder.row_counts.update({c: len(data.get(c, {})) for c in columns[want]})
        for want, column in _IF_ROW_COLUMNS:
            if tables.get(want) is not None and want not in partial:
                holder.if_rows.setdefault(column, frozenset(tables[want].get(column, {})))
    optical = tables.get(Want.OPTICAL)
    if optical is not None and mib is not None:
        if cached_static is not None:
            optical = tables[Want.OPTICAL] = merged(cached_static, optical)
        elif holder is not None and Want.OPTICAL not in partial:
            holder.optical[mib.name] = {c: optical[c] for c in mib.static_columns if c in optical}
            holder.optical_rows[mib.name] = live_rows(optical, mib.row_columns)
    if optical is not None and tables.get(Want.INTERFACE) is not None:
        optical.setdefault(oids.IF_HIGH_SPEED, tables[Want.INTERFACE].get(oids.IF_HIGH_SPEED, {}))
    when, mono_when = now(), time.monotonic()

    def wall(monotonic: float) -> datetime:
        """A monotonic reading (a response's arrival) on the collector's wall clock."""
        return when - timedelta(seconds=mono_when - monotonic)

    result: dict[str, list[Any]] = {"optical": [], "interfaces": [], "counters": []}
    unplaced: list[str] = []
    plan = (
        (Want.INTERFACE, "interfaces", lambda t: decode_states(t, pmap, target.name, when)),
        (Want.COUNTERS, "counters", lambda t: decode_counters(t, pmap, target.name, when, timings.get(Want.COUNTERS), wall)),
        (Want.OPTICAL, "optical",
         lambda t: mib.decode(t, pmap, target.name, when, profile.entity_patterns, unplaced) if mib else []),
    )
    for want, key_name, decode in plan:
        data = tables.get(want)
        if data is None:
            continue
        decoded = decode(data)
        if want is Want.OPTICAL and unplaced:
            errors.append(ItemError(Want.OPTICAL.value, _unplaced_error(target, pmap, unplaced, len(decoded)),
                                    partial=bool(decoded)))
        chosen, missing = _select(decoded, ports, pmap)
        result[key_name] = chosen
        if want in partial:
            continue  # the item's partial-read error already covers the ports it did not reach
        for ref in missing:
            what = "no transceiver diagnostics reported" if want is Want.OPTICAL else "port not found on the device"
            errors.append(ItemError(want.value, Unsupported(f"{ref.name}: {what}", device=target.name), port=ref.name))
    if cached_static is not None and cached is not None:
        note = (f"thresholds and module facts from the SNMP read at {cached.read_at.isoformat(timespec='seconds')}"
                " (cached until restart, entity change or a module row change)")
        result["optical"] = [replace(r, notes=(*r.notes, note)) for r in result["optical"]]
    return SnmpResult(
        optical=tuple(result["optical"]),
        interfaces=tuple(result["interfaces"]),
        counters=tuple(result["counters"]),
        errors=tuple(errors),
    )


def _unplaced_error(target: DeviceTarget, pmap: PortMap, unplaced: list[str], placed: int) -> ParseError:
    """Optical power the device reports for no port it lists: said, with what was seen, never dropped."""
    why = ("the agent serves no IF-MIB interface rows (ifDescr/ifName), so no sensor can be placed on a port"
           if not pmap.if_descr and not pmap.if_name else
           "neither the entity tree (entAliasMapping, containment) nor the names lead to an interface")
    return ParseError(f"{len(unplaced)} optical power row(s) belong to no port ({placed} placed): {why}",
                      device=target.name, raw="; ".join(unplaced))


def _stale(cached: DeviceFacts, probe_tables: dict[str, Any], tables: dict[Want, Any],
           mib: OpticalMib | None, cached_static: Any) -> str | None:
    """Why the cached facts no longer fit what this poll read (None: they do); updates the uptime."""
    uptime, ent_change = probe_values(probe_tables)
    if uptime is not None:  # None: the request carrying the markers failed; its item error says so
        reason = stale_reason(cached, uptime, ent_change)
        if reason is not None:
            return reason
        cached.uptime = uptime
    optical = tables.get(Want.OPTICAL)
    if optical is not None and cached_static is not None and mib is not None:
        rows = live_rows(optical, mib.row_columns)
        if rows != cached.optical_rows.get(mib.name):
            return "optical module rows changed (a transceiver inserted or removed)"
    for want, column in _IF_ROW_COLUMNS:
        seen = cached.if_rows.get(column)
        if seen is not None and tables.get(want) is not None and frozenset(tables[want].get(column, {})) != seen:
            return f"the device's ifIndexes changed ({column})"
    return None


# IF-MIB columns whose row set (the ifIndexes) is kept with the facts: a change means interfaces were
# added or removed, and the cached names may be wrong
_IF_ROW_COLUMNS = ((Want.INTERFACE, oids.IF_ADMIN), (Want.COUNTERS, oids.IF_HC_IN_OCTETS))
