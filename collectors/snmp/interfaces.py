"""IF-MIB / EtherLike-MIB decoders: interface state and counters (pure)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from collectors.enums import AdminStatus, Duplex, Method, OperStatus
from collectors.readings import CounterSample, InterfaceState, Source
from collectors.snmp import oids
from collectors.snmp.mapping import PortMap, Tables
from collectors.snmp.timing import WalkTiming

_ADMIN = {1: AdminStatus.UP, 2: AdminStatus.DOWN, 3: AdminStatus.TESTING}
_OPER = {
    1: OperStatus.UP, 2: OperStatus.DOWN, 3: OperStatus.TESTING, 4: OperStatus.UNKNOWN,
    5: OperStatus.DORMANT, 6: OperStatus.NOT_PRESENT, 7: OperStatus.LOWER_LAYER_DOWN,
}
_DUPLEX = {2: Duplex.HALF, 3: Duplex.FULL}

# The agent's CPU is the shared bottleneck of a poll, so only what a reading needs is walked;
# 32-bit octets and ifSpeed are fetched afterwards only for interfaces lacking the HC / high columns.
STATE_COLUMNS = (oids.IF_ADMIN, oids.IF_OPER, oids.IF_HIGH_SPEED, oids.DOT3_DUPLEX, oids.IF_ALIAS)  # ifAlias: description
STATE_FALLBACK = (oids.IF_SPEED,)
COUNTER_COLUMNS = (
    oids.IF_HC_IN_OCTETS, oids.IF_HC_OUT_OCTETS,
    oids.IF_IN_ERRORS, oids.IF_OUT_ERRORS, oids.IF_IN_DISCARDS, oids.IF_OUT_DISCARDS, oids.DOT3_FCS_ERRORS,
)
COUNTER_FALLBACK = (oids.IF_IN_OCTETS, oids.IF_OUT_OCTETS)
MAP_COLUMNS = (oids.IF_DESCR, oids.IF_NAME)
ENTITY_COLUMNS = (oids.ENT_NAME, oids.ENT_CONTAINED_IN, oids.ENT_ALIAS_MAPPING)


def _int(tables: Tables, column: str, index: str) -> int | None:
    value = tables.get(column, {}).get(index)
    return value if isinstance(value, int) else None


def _indexes(tables: Tables, columns: tuple[str, ...]) -> list[str]:
    found: set[str] = set()
    for column in columns:
        found.update(k for k in tables.get(column, {}) if k.isdigit())
    return sorted(found, key=int)


def speed_bps(tables: Tables, index: str) -> int | None:
    high = _int(tables, oids.IF_HIGH_SPEED, index)
    if high:
        return high * 1_000_000
    low = _int(tables, oids.IF_SPEED, index)
    return low if low else None


def decode_states(tables: Tables, pmap: PortMap, device: str, time: datetime) -> list[tuple[str, int, InterfaceState]]:
    out: list[tuple[str, int, InterfaceState]] = []
    for index in _indexes(tables, (oids.IF_ADMIN, oids.IF_OPER)):
        if_index = int(index)
        name = pmap.port_name(if_index) or f"ifIndex {if_index}"
        admin_raw = _int(tables, oids.IF_ADMIN, index)
        oper_raw = _int(tables, oids.IF_OPER, index)
        duplex_raw = _int(tables, oids.DOT3_DUPLEX, index)
        alias = tables.get(oids.IF_ALIAS, {}).get(index)
        raw = f"ifAdminStatus={admin_raw} ifOperStatus={oper_raw} ifHighSpeed={_int(tables, oids.IF_HIGH_SPEED, index)} dot3StatsDuplexStatus={duplex_raw}"
        out.append((name, if_index, InterfaceState(
            device=device,
            port=name,
            admin=_ADMIN.get(admin_raw or 0, AdminStatus.UNKNOWN),
            oper=_OPER.get(oper_raw or 0, OperStatus.UNKNOWN),
            source=Source(device, name, Method.SNMP, f"1.3.6.1.2.1.2.2.1.{{7,8}}.{index}", raw, time),
            if_index=if_index,
            speed_bps=speed_bps(tables, index),
            duplex=_DUPLEX.get(duplex_raw or 0, Duplex.UNKNOWN),
            description=alias if isinstance(alias, str) and alias else None,
        )))
    return out


def decode_counters(tables: Tables, pmap: PortMap, device: str, time: datetime, timing: WalkTiming | None = None,
                    wall: Callable[[float], datetime] | None = None) -> list[tuple[str, int, CounterSample]]:
    """Counter samples per interface. With ``timing`` (a timed walk) each sample carries the time of
    the responses its counters came in, and ``read_at`` is ``wall(received)`` (``wall`` turns the
    monotonic clock into the collector's wall clock); without it, every sample is read at ``time``."""
    out: list[tuple[str, int, CounterSample]] = []
    for index in _indexes(tables, COUNTER_COLUMNS):
        if_index = int(index)
        name = pmap.port_name(if_index) or f"ifIndex {if_index}"
        hc_in = _int(tables, oids.IF_HC_IN_OCTETS, index)
        hc_out = _int(tables, oids.IF_HC_OUT_OCTETS, index)
        hc = hc_in is not None and hc_out is not None
        values = {
            "in_octets": hc_in if hc else _int(tables, oids.IF_IN_OCTETS, index),
            "out_octets": hc_out if hc else _int(tables, oids.IF_OUT_OCTETS, index),
            "in_errors": _int(tables, oids.IF_IN_ERRORS, index),
            "out_errors": _int(tables, oids.IF_OUT_ERRORS, index),
            "in_crc": _int(tables, oids.DOT3_FCS_ERRORS, index),
            "in_discards": _int(tables, oids.IF_IN_DISCARDS, index),
            "out_discards": _int(tables, oids.IF_OUT_DISCARDS, index),
        }
        octets = (oids.IF_HC_IN_OCTETS, oids.IF_HC_OUT_OCTETS) if hc else (oids.IF_IN_OCTETS, oids.IF_OUT_OCTETS)
        read = timing.envelope((c, index) for c in (*octets, *COUNTER_COLUMNS[2:])) if timing is not None else None
        read_at = wall(read.received) if read is not None and wall is not None else time
        raw = " ".join(f"{k}={v}" for k, v in values.items())
        if read is not None:
            raw += f" sysUpTime={read.uptime_cs}" if read.uptime_cs is not None else " sysUpTime=absent"
        out.append((name, if_index, CounterSample(
            device=device,
            port=name,
            read_at=read_at,
            source=Source(device, name, Method.SNMP, f"IF-MIB counters .{index}", raw, read_at),
            if_index=if_index,
            counter_bits=64 if hc else 32,
            timing=read,
            **values,
        )))
    return out
