"""The alarm store (告警): ``Alarm`` rows paired on the reduction key (device|port|probable cause),
duplicates merged into ``count``, ``cleared_at`` set on clear; an alarm on a port of a circuit with an
open ticket is journalled there. Read back as rows (the API shapes them as TMF642 alarms) and as
collector records for triage."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from agent import journal
from agent.enums import JournalKind
from agent.models import Alarm, Device, Port, Segment, Ticket
from agent.tickets import OPEN
from collectors import AlarmRecord
from collectors import readings as cr
from collectors.enums import AlarmType, Method, ProbableCause, Severity

log = logging.getLogger("faultline.alarms")

_RANK = {"critical": 5, "major": 4, "minor": 3, "warning": 2, "indeterminate": 1, "cleared": 0}


def reduction_key(device: str, port: str | None, cause: str) -> str:
    return f"{device}|{port or ''}|{cause}"


# -- the store --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredAlarm:
    alarm_id: int
    change: str  # raised | merged | cleared
    device: str
    port: str | None
    probable_cause: str
    severity: str
    at: datetime
    count: int
    journalled: tuple[int, ...] = ()  # ticket ids


def store_record(session: Session, record: AlarmRecord, device: str, *, address: str | None = None) -> StoredAlarm | None:
    """Apply one correlated record to the table (the caller commits). The table, not the receiver's
    memory, decides pairing: a clear without an open row is dropped, a raise on an open row merges."""
    cause = str(record.probable_cause)
    key = reduction_key(device, record.port, cause)
    open_row = session.scalars(select(Alarm).where(Alarm.reduction_key == key, Alarm.state == "raised")
                               .order_by(Alarm.id.desc()).limit(1)).first()
    if record.cleared_at is not None:
        if open_row is None:
            log.info("clear for %s without an open alarm: dropped", key)
            return None
        open_row.state, open_row.cleared_at = "cleared", record.cleared_at
        open_row.data = {**(open_row.data or {}), "clear_raw": record.source.raw[:1000], "flapping": record.flapping}
        return StoredAlarm(open_row.id, "cleared", device, record.port, cause, "cleared", record.cleared_at, open_row.count)
    severity = str(record.severity)
    if open_row is not None:
        open_row.count += 1
        if _RANK.get(severity, 0) > _RANK.get(open_row.perceived_severity, 0):
            open_row.perceived_severity = severity
        open_row.data = {**(open_row.data or {}), "last_raw": record.source.raw[:1000]}
        return StoredAlarm(open_row.id, "merged", device, record.port, cause, open_row.perceived_severity,
                           record.raised_at, open_row.count)
    row = Alarm(reduction_key=key, device_name=device, port_name=record.port, alarm_type=str(record.alarm_type),
                probable_cause=cause, perceived_severity=severity, state="raised", raised_at=record.raised_at,
                cleared_at=None, count=1, source=str(record.source.method),
                data={"raw": record.source.raw[:1000], "trap_oid": record.source.ref, "address": address,
                      "specific_problem": record.specific_problem, "flapping": record.flapping})
    session.add(row)
    session.flush()
    return StoredAlarm(row.id, "raised", device, record.port, cause, severity, record.raised_at, 1)


def open_tickets_on_port(session: Session, device: str, port: str) -> list[Ticket]:
    """Open tickets of every circuit whose path uses this port."""
    pa, pz, da, dz = aliased(Port), aliased(Port), aliased(Device), aliased(Device)
    circuits = session.scalars(
        select(Segment.circuit_id).join(pa, Segment.a_port_id == pa.id).join(da, pa.device_id == da.id)
        .join(pz, Segment.z_port_id == pz.id).join(dz, pz.device_id == dz.id)
        .where(or_((da.name == device) & (pa.name == port), (dz.name == device) & (pz.name == port)))).all()
    if not circuits:
        return []
    return list(session.scalars(select(Ticket).where(Ticket.circuit_id.in_(set(circuits)),
                                                    Ticket.status.in_([s.value for s in OPEN]))
                                .order_by(Ticket.id)).all())


def journal_alarm(session: Session, stored: StoredAlarm, now: datetime) -> tuple[int, ...]:
    """A short note on each open ticket of the port's circuits (raises and clears; merges only count)."""
    if stored.port is None or stored.change == "merged":
        return ()
    ids = []
    verb_zh, verb_en = ("告警产生", "alarm raised") if stored.change == "raised" else ("告警清除", "alarm cleared")
    for ticket in open_tickets_on_port(session, stored.device, stored.port):
        journal.append(session, ticket.id, at=now, kind=JournalKind.ALARM,
                       text=f"{verb_zh}：{stored.device} {stored.port} {stored.probable_cause}（{stored.severity}）/ "
                            f"{verb_en}: {stored.device} {stored.port} {stored.probable_cause} ({stored.severity})",
                       data={"alarm_id": stored.alarm_id, "change": stored.change, "device": stored.device,
                             "port": stored.port, "probable_cause": stored.probable_cause,
                             "severity": stored.severity, "at": stored.at.isoformat(), "count": stored.count})
        ids.append(ticket.id)
    return tuple(ids)


# -- reading back -----------------------------------------------------------------------------------
def query_alarms(session: Session, *, device: str | None = None, port: str | None = None,
                 active: bool | None = None, limit: int = 500) -> list[Alarm]:
    q = select(Alarm)
    if device is not None:
        q = q.where(Alarm.device_name == device)
    if port is not None:
        q = q.where(Alarm.port_name == port)
    if active is not None:
        q = q.where(Alarm.state == "raised") if active else q.where(Alarm.state == "cleared")
    return list(session.scalars(q.order_by(Alarm.raised_at.desc(), Alarm.id.desc()).limit(limit)).all())


def _enum(cls, value: str, default):
    try:
        return cls(value)
    except ValueError:
        return default


def as_record(a: Alarm) -> cr.AlarmRecord:
    src = cr.Source(device=a.device_name, port=a.port_name, method=Method.TRAP, ref=f"alarm#{a.id}",
                    raw=str((a.data or {}).get("raw", ""))[:400], time=a.raised_at)
    return cr.AlarmRecord(device=a.device_name, port=a.port_name,
                          alarm_type=_enum(AlarmType, a.alarm_type, AlarmType.COMMUNICATIONS),
                          probable_cause=_enum(ProbableCause, a.probable_cause, ProbableCause.UNKNOWN),
                          severity=_enum(Severity, a.perceived_severity, Severity.INDETERMINATE),
                          raised_at=a.raised_at, source=src, cleared_at=a.cleared_at, count=a.count)


def stored_records(session: Session, ports: Iterable[tuple[str, str]], since: datetime) -> list[cr.AlarmRecord]:
    """Stored alarms on these ports (or their whole device) still open or cleared after ``since``."""
    ports = set(ports)
    rows = session.scalars(select(Alarm).where(Alarm.device_name.in_({d for d, _ in ports}),
                                               or_(Alarm.cleared_at.is_(None), Alarm.cleared_at >= since))).all()
    return [as_record(a) for a in rows if a.port_name is None or (a.device_name, a.port_name) in ports]


