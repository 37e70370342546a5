"""Read optical, interface state and counters of one device over SNMP (uses the adapter + decoders)."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from collectors.enums import Want
from collectors.errors import CollectorError, CollectorTimeout, Unsupported, UnreachableError
from collectors.profiles import Profile
from collectors.readings import CounterSample, InterfaceState, ItemError, OpticalReading, Source
from collectors.snmp.adapter import SnmpClient
from collectors.snmp import oids
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
from collectors.snmp.optical import DECODERS
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
    map_ttl: float = 0.0,
) -> SnmpResult:
    """One SNMP pass over a device. Never raises for device trouble: failures become ``ItemError``s
    (an unanswered first request makes the whole device ``UnreachableError``). ``map_ttl`` > 0 keeps
    the port-name / entity mapping of the device that many seconds (pollers); 0 reads it every time."""
    if target.snmp is None:
        err = Unsupported("no SNMP parameters for this device", device=target.name)
        return SnmpResult(errors=tuple(ItemError(w.value, err) for w in wants if w is not Want.ALARMS))

    decoder = DECODERS.get(profile.snmp_optical) if profile.snmp_optical else None
    map_columns = list(MAP_COLUMNS)
    if Want.OPTICAL in wants and decoder is not None and profile.snmp_optical != "juniper_dom":
        map_columns += ENTITY_COLUMNS
    try:
        mapping = await client.walk_static(target, map_columns, ttl=map_ttl)
    except CollectorError as exc:
        return SnmpResult(errors=(ItemError("snmp", exc),))
    if mapping.error is not None:
        # names are the key to everything else: a half-read mapping is not used
        exc = mapping.error
        if isinstance(exc, CollectorTimeout) and not any(mapping.rows.values()):
            exc = UnreachableError("no SNMP response from the device", device=target.name, raw=exc.raw)
        return SnmpResult(errors=(ItemError("snmp", exc),))
    pmap = PortMap.from_tables(mapping.rows)

    errors: list[ItemError] = []
    partial: set[Want] = set()

    async def item(want: Want, columns: Sequence[str]) -> Any:
        try:
            read = await client.walk(target, columns)
            tables, error = read.rows, read.error
            # devices without ifHighSpeed / HC counters (old or small agents): the 32-bit columns
            fallback = {Want.INTERFACE: (oids.IF_HIGH_SPEED, STATE_FALLBACK),
                        Want.COUNTERS: (oids.IF_HC_IN_OCTETS, COUNTER_FALLBACK)}.get(want)
            if error is None and fallback and len(tables.get(fallback[0], {})) < len(pmap.if_descr or pmap.if_name):
                more = await client.walk(target, fallback[1])
                tables.update(more.rows)
                error = more.error
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

    jobs: dict[Want, Any] = {}
    if Want.INTERFACE in wants:
        jobs[Want.INTERFACE] = item(Want.INTERFACE, STATE_COLUMNS)
    if Want.COUNTERS in wants:
        jobs[Want.COUNTERS] = item(Want.COUNTERS, COUNTER_COLUMNS)
    if Want.OPTICAL in wants:
        if decoder is None:
            errors.append(ItemError(Want.OPTICAL.value, Unsupported(
                f"profile {profile.name} reads no optical power over SNMP", device=target.name)))
        else:
            # the decoders want ifHighSpeed (threshold defaults by port speed): read once when the
            # interface item walks it anyway
            shared = {oids.IF_HIGH_SPEED} if Want.INTERFACE in wants else set()
            jobs[Want.OPTICAL] = item(Want.OPTICAL, [c for c in decoder[1] if c not in shared])
    tables = dict(zip(jobs, await asyncio.gather(*jobs.values()), strict=True))
    if tables.get(Want.OPTICAL) is not None and tables.get(Want.INTERFACE) is not None:
        tables[Want.OPTICAL].setdefault(oids.IF_HIGH_SPEED, tables[Want.INTERFACE].get(oids.IF_HIGH_SPEED, {}))
    when = now()

    result: dict[str, list[Any]] = {"optical": [], "interfaces": [], "counters": []}
    plan = (
        (Want.INTERFACE, "interfaces", lambda t: decode_states(t, pmap, target.name, when)),
        (Want.COUNTERS, "counters", lambda t: decode_counters(t, pmap, target.name, when)),
        (Want.OPTICAL, "optical",
         lambda t: decoder[0](t, pmap, target.name, when, profile.entity_patterns) if decoder else []),
    )
    for want, key, decode in plan:
        data = tables.get(want)
        if data is None:
            continue
        chosen, missing = _select(decode(data), ports, pmap)
        result[key] = chosen
        if want in partial:
            continue  # the item's partial-read error already covers the ports it did not reach
        for ref in missing:
            what = "no transceiver diagnostics reported" if want is Want.OPTICAL else "port not found on the device"
            errors.append(ItemError(want.value, Unsupported(f"{ref.name}: {what}", device=target.name), port=ref.name))
    return SnmpResult(
        optical=tuple(result["optical"]),
        interfaces=tuple(result["interfaces"]),
        counters=tuple(result["counters"]),
        errors=tuple(errors),
    )
