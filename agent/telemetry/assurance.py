"""Key communications assurance (重保): a period for named customers or circuits (an event, a holiday)
with tighter settings while it runs:

- its circuits' devices are polled every ``poll_interval_seconds`` (the other devices keep the normal
  poll interval): ``AssurancePolling.tick`` on the scheduler polls the devices of each period due;
- the early warning of its circuits' ports uses the period's Rx low margin (``rx_margin_db``, more
  than the 3 dB rule: the warning comes at a higher Rx) and its longer horizon
  (``warning_horizon_days``): ``warning_overrides``;
- every alarm on its circuits' paths is notified at once to its named contacts (outbox, kind
  ``assurance.alarm``; webhooks ``sla.webhooks["assurance.alarm"]`` or ``"*"``): ``notify_alarms``;
- the duty board marks their tickets (``marks``).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.db import unit_of_work
from agent.errors import InvalidInput, NotFound
from agent.inventory.targets import resolve_circuit
from agent.models import Alarm, Circuit, KeyAssurance
from agent.sla.model import NotificationKind
from agent.sla.notify import Notification, emit_many
from diagnosis.thresholds import Thresholds

log = logging.getLogger("faultline.assurance")

MIN_POLL_INTERVAL_S = 10.0
MAX_PERIOD = timedelta(days=120)


@dataclass(frozen=True)
class Scope:
    """What one period covers: its circuits, their devices and ports (paths from the inventory)."""

    period_id: int
    name: str
    circuits: frozenset[str]
    devices: frozenset[str]
    ports: frozenset[tuple[str, str]]


# --- records ----------------------------------------------------------------------------------------
def create(session: Session, *, name: str, start: datetime, end: datetime, customers: list[str], circuits: list[str],
           contacts: list[dict[str, Any]], poll_interval_seconds: float, rx_margin_db: float,
           warning_horizon_days: float, actor: str, now: datetime) -> KeyAssurance:
    errors = []
    if end <= start:
        errors.append({"loc": "end", "msg": "the period ends before it starts"})
    elif end - start > MAX_PERIOD:
        errors.append({"loc": "end", "msg": f"a key-assurance period is at most {MAX_PERIOD.days} days"})
    if end <= now:
        errors.append({"loc": "end", "msg": "the period is over already"})
    if not customers and not circuits:
        errors.append({"loc": "circuits", "msg": "name at least one customer or circuit"})
    if poll_interval_seconds < MIN_POLL_INTERVAL_S:
        errors.append({"loc": "pollIntervalSeconds", "msg": f"at least {MIN_POLL_INTERVAL_S:g} s"})
    known_customers = set(session.scalars(select(Circuit.customer_id).where(Circuit.customer_id.in_(customers))))
    errors += [{"loc": "customers", "msg": f"customer {c} has no circuit in the inventory"}
               for c in customers if c not in known_customers]
    known = set(session.scalars(select(Circuit.id).where(Circuit.id.in_(circuits))))
    errors += [{"loc": "circuits", "msg": f"circuit {c} is not in the inventory"} for c in circuits if c not in known]
    if errors:
        raise InvalidInput(errors)
    row = KeyAssurance(name=name, start=start, end=end, customers=sorted(set(customers)), circuits=sorted(set(circuits)),
                       contacts=contacts, poll_interval_seconds=poll_interval_seconds, rx_margin_db=rx_margin_db,
                       warning_horizon_days=warning_horizon_days, created_at=now, created_by=actor,
                       notified_alarm_id=_last_alarm_id(session))
    session.add(row)
    session.flush()
    log.info("key assurance %s (%s) %s .. %s: customers %s, circuits %s, poll every %g s", row.id, name,
             start.isoformat(), end.isoformat(), row.customers, row.circuits, poll_interval_seconds)
    return row


def _last_alarm_id(session: Session) -> int:
    """Alarms before the period was set up are not notified (the duty board has them already)."""
    return session.scalar(select(Alarm.id).order_by(Alarm.id.desc()).limit(1)) or 0


def get(session: Session, period_id: int) -> KeyAssurance:
    row = session.get(KeyAssurance, period_id)
    if row is None:
        raise NotFound(f"no key-assurance period {period_id}")
    return row


def cancel(session: Session, period_id: int, now: datetime) -> KeyAssurance:
    row = get(session, period_id)
    if row.cancelled_at is None and row.end > now:
        row.cancelled_at = now
    return row


def listed(session: Session, now: datetime, include_past: bool = False) -> list[KeyAssurance]:
    q = select(KeyAssurance).order_by(KeyAssurance.start.desc(), KeyAssurance.id.desc()).limit(500)
    if not include_past:
        q = q.where(KeyAssurance.end > now, KeyAssurance.cancelled_at.is_(None))
    return list(session.scalars(q))


def active(session: Session, now: datetime) -> list[KeyAssurance]:
    return list(session.scalars(select(KeyAssurance).where(
        KeyAssurance.start <= now, KeyAssurance.end > now, KeyAssurance.cancelled_at.is_(None)).order_by(KeyAssurance.id)))


def is_active(row: KeyAssurance, now: datetime) -> bool:
    return row.start <= now < row.end and row.cancelled_at is None


def circuit_ids(session: Session, row: KeyAssurance) -> set[str]:
    ids = set(row.circuits or [])
    if row.customers:
        ids |= set(session.scalars(select(Circuit.id).where(Circuit.customer_id.in_(row.customers))))
    return ids


def scope(session: Session, row: KeyAssurance) -> Scope:
    circuits = circuit_ids(session, row)
    ports: set[tuple[str, str]] = set()
    for cid in sorted(circuits):
        path = resolve_circuit(session, cid).path
        ports |= {end.key for _, end in path.ports()}
        ports |= {end.key for end in path.uplinks}
    return Scope(row.id, row.name, frozenset(circuits), frozenset(d for d, _ in ports), frozenset(ports))


# --- tighter polling ----------------------------------------------------------------------------------
def due_periods(intervals: dict[int, float], last: dict[int, datetime], now: datetime) -> list[int]:
    """The periods whose devices are due for a poll now: never polled, or polled ``interval`` ago."""
    return sorted(pid for pid, interval in intervals.items()
                  if pid not in last or now - last[pid] >= timedelta(seconds=interval))


class AssurancePolling:
    """The poll of the key-assurance devices at their periods' intervals, and the alarm notices.

    ``tick`` runs on the scheduler every ``key_assurance_tick_seconds`` (agent/jobs.py): it polls the
    devices of the periods due (one poll of the union), nothing when no period is active, and notifies
    the new alarms on the periods' paths."""

    def __init__(self, services, poller) -> None:
        self.services, self.poller = services, poller
        self.last: dict[int, datetime] = {}
        self.polled: list[tuple[datetime, frozenset[str]]] = []  # the last polls: when, which devices (bounded)

    def _due(self, now: datetime) -> tuple[list[Scope], set[str]]:
        with self.services.session_factory() as session:
            rows = active(session, now)
            due = set(due_periods({r.id: r.poll_interval_seconds for r in rows}, self.last, now))
            scopes = [scope(session, r) for r in rows if r.id in due]
        devices = set().union(*(s.devices for s in scopes)) if scopes else set()
        return scopes, devices

    async def tick(self) -> frozenset[str]:
        now = self.services.clock.now()
        scopes, devices = await asyncio.to_thread(self._due, now)
        polled: frozenset[str] = frozenset()
        if devices and self.poller is not None:
            await self.poller.poll_once(None, devices=devices)
            polled = frozenset(devices)
            self.polled = [*self.polled[-99:], (now, polled)]
        for s in scopes:
            self.last[s.period_id] = now
        await asyncio.to_thread(self.notify)
        return polled

    def notify(self) -> int:
        with unit_of_work(self.services.session_factory) as session:
            return notify_alarms(session, self.services.settings.sla.webhooks, self.services.clock.now())


# --- tighter early warning ----------------------------------------------------------------------------
def warning_overrides(session: Session, now: datetime, horizon: timedelta, thresholds: Thresholds
                      ) -> dict[tuple[str, str], tuple[timedelta, Thresholds]]:
    """Per port of an active period's circuits: the longer horizon and the larger Rx low margin (the
    tightest of the periods covering the port; never looser than the normal settings)."""
    out: dict[tuple[str, str], tuple[timedelta, Thresholds]] = {}
    for row in active(session, now):
        h = max(horizon, timedelta(days=row.warning_horizon_days))
        for key in scope(session, row).ports:
            old_h, old_t = out.get(key, (horizon, thresholds))
            margin = max(old_t.rx_low_margin_db, row.rx_margin_db)
            out[key] = (max(old_h, h), replace(old_t, rx_low_margin_db=margin))
    return out


# --- proactive notice of alarms --------------------------------------------------------------------
def notify_alarms(session: Session, webhooks: dict[str, list[str]], now: datetime) -> int:
    """Every alarm raised on an active period's paths since the period last looked, to its contacts
    (one notification per alarm and period; idempotent on ``assurance-<id>:alarm-<alarm id>``)."""
    sent = 0
    for row in active(session, now):
        sc = scope(session, row)
        alarms = list(session.scalars(select(Alarm).where(
            Alarm.id > row.notified_alarm_id, Alarm.device_name.in_(sorted(sc.devices)),
            Alarm.raised_at >= row.start).order_by(Alarm.id))) if sc.devices else []
        hits = [a for a in alarms if a.port_name is None or (a.device_name, a.port_name) in sc.ports]
        notes = [Notification(NotificationKind.ASSURANCE_ALARM, f"assurance-{row.id}:alarm-{a.id}", None, a.raised_at,
                              f"重保告警 / key-assurance alarm ({row.name}): {a.device_name} {a.port_name or ''} "
                              f"{a.alarm_type} {a.probable_cause} {a.perceived_severity}",
                              {"assuranceId": row.id, "assurance": row.name, "contacts": row.contacts,
                               "alarmId": a.id, "device": a.device_name, "port": a.port_name,
                               "alarmType": a.alarm_type, "probableCause": a.probable_cause,
                               "severity": a.perceived_severity, "state": a.state,
                               "circuits": sorted(_circuits_over(session, sc, a))})
                 for a in hits]
        for n in notes:
            log.warning("%s -> %s", n.text, ", ".join(c.get("name", "?") for c in row.contacts) or "no contact named")
        sent += emit_many(session, webhooks, notes)
        last = session.scalar(select(Alarm.id).where(Alarm.id > row.notified_alarm_id).order_by(Alarm.id.desc()).limit(1))
        if alarms or last:
            row.notified_alarm_id = max([row.notified_alarm_id, *(a.id for a in alarms), last or 0])
    return sent


def _circuits_over(session: Session, sc: Scope, alarm: Alarm) -> set[str]:
    out = set()
    for cid in sc.circuits:
        path = resolve_circuit(session, cid).path
        keys = {end.key for _, end in path.ports()} | {end.key for end in path.uplinks}
        if any(d == alarm.device_name and (alarm.port_name is None or p == alarm.port_name) for d, p in keys):
            out.add(cid)
    return out


# --- the duty board ---------------------------------------------------------------------------------
def marks(session: Session, circuits: Iterable[str], now: datetime) -> dict[str, list[str]]:
    """Per circuit, the names of the active key-assurance periods covering it."""
    wanted = set(circuits)
    out: dict[str, list[str]] = {}
    if not wanted:
        return out
    for row in active(session, now):
        for cid in circuit_ids(session, row) & wanted:
            out.setdefault(cid, []).append(row.name)
    return out


def to_dict(row: KeyAssurance, now: datetime, session: Session | None = None) -> dict[str, Any]:
    d = {"id": row.id, "name": row.name, "start": row.start.isoformat(), "end": row.end.isoformat(),
         "customers": row.customers, "circuits": row.circuits, "contacts": row.contacts,
         "pollIntervalSeconds": row.poll_interval_seconds, "rxMarginDb": row.rx_margin_db,
         "warningHorizonDays": row.warning_horizon_days, "createdAt": row.created_at.isoformat(),
         "createdBy": row.created_by, "cancelledAt": row.cancelled_at.isoformat() if row.cancelled_at else None,
         "active": is_active(row, now)}
    if session is not None:
        sc = scope(session, row)
        d |= {"coveredCircuits": sorted(sc.circuits), "devices": sorted(sc.devices)}
    return d


__all__ = ["AssurancePolling", "Scope", "active", "cancel", "create", "due_periods", "get", "listed", "marks",
           "notify_alarms", "scope", "to_dict", "warning_overrides"]
