"""Reading histories and writing the clock projection (``sla_clock``) for one or many tickets."""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    JSON,
    Integer,
    any_,
    bindparam,
    case,
    delete,
    func,
    null,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from agent.models.sla import SlaClockRow, SlaEventRow, SlaFiredRow
from agent.sla.model import (
    ClockKind,
    ClockView,
    ProgressMark,
    SlaEvent,
    SlaEventKind,
    TicketClocks,
)

log = logging.getLogger("faultline.sla")

FiredKey = tuple[str, int, str]


def _ticket_filter(session: Session, column, ids: list[int]):
    """``column IN ids``; on PostgreSQL as ``= ANY(array)``: one parameter instead of hundreds to render."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ticket_ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def histories(session: Session, ticket_ids: Iterable[int]) -> dict[int, list[SlaEvent]]:
    """Each ticket's events in recorded order (one query). Only "created" carries data the clocks use."""
    ids = list(ticket_ids)
    out: dict[int, list[SlaEvent]] = defaultdict(list)
    if not ids:
        return out
    data = case((SlaEventRow.kind == SlaEventKind.CREATED.value, SlaEventRow.data), else_=null())
    rows = session.execute(
        select(SlaEventRow.ticket_id, SlaEventRow.kind, SlaEventRow.at, type_coerce(data, JSON))
        .where(_ticket_filter(session, SlaEventRow.ticket_id, ids))
        .order_by(SlaEventRow.ticket_id, SlaEventRow.at, SlaEventRow.id)
    ).all()
    kinds = {k.value: k for k in SlaEventKind}
    for ticket_id, kind, at, payload in rows:
        out[ticket_id].append(SlaEvent(kinds[kind], at, payload or {}))
    return out


def resumable_histories(
    session: Session, ticket_ids: Iterable[int]
) -> dict[int, tuple[list[SlaEvent], ProgressMark | None]]:
    """Each ticket's history for a replay from its progress checkpoint, in one query (one snapshot).

    With a valid checkpoint the progress entries at or before it are left out: the sweep then reads a
    handful of rows per ticket instead of every progress entry since arrival. A checkpoint is valid
    while the number of the ticket's events at or before it is the one recorded with it; an event
    recorded later with an earlier time makes it invalid, and that ticket's whole history is read.
    """
    ids = list(ticket_ids)
    out: dict[int, tuple[list[SlaEvent], ProgressMark | None]] = {}
    if not ids:
        return out
    counted = aliased(SlaEventRow)
    events_before = (select(func.count()).where(counted.ticket_id == SlaClockRow.ticket_id,
                                                counted.at <= SlaClockRow.checkpoint_at)
                     .correlate(SlaClockRow).scalar_subquery())
    cp = (select(SlaClockRow.ticket_id, SlaClockRow.checkpoint_at, SlaClockRow.checkpoint_seq,
                 SlaClockRow.checkpoint_events, events_before.label("events_now"))
          .where(SlaClockRow.kind == ClockKind.PROGRESS.value, SlaClockRow.checkpoint_at.is_not(None),
                 _ticket_filter(session, SlaClockRow.ticket_id, ids))
          .cte("cp").prefix_with("MATERIALIZED"))  # counted once per ticket, not once per event row
    valid = cp.c.checkpoint_events == cp.c.events_now
    data = case((SlaEventRow.kind == SlaEventKind.CREATED.value, SlaEventRow.data), else_=null())
    rows = session.execute(
        select(SlaEventRow.ticket_id, SlaEventRow.kind, SlaEventRow.at, type_coerce(data, JSON),
               cp.c.checkpoint_at, cp.c.checkpoint_seq, cp.c.checkpoint_events, valid)
        .outerjoin(cp, cp.c.ticket_id == SlaEventRow.ticket_id)
        .where(_ticket_filter(session, SlaEventRow.ticket_id, ids),
               or_(SlaEventRow.kind != SlaEventKind.PROGRESS.value, cp.c.checkpoint_at.is_(None),
                   SlaEventRow.at > cp.c.checkpoint_at, ~valid))
        .order_by(SlaEventRow.ticket_id, SlaEventRow.at, SlaEventRow.id)
    ).all()
    kinds = {k.value: k for k in SlaEventKind}
    for ticket_id, kind, at, payload, cp_at, cp_seq, cp_events, cp_valid in rows:
        entry = out.get(ticket_id)
        if entry is None:
            mark = ProgressMark(cp_at, cp_seq, cp_events) if cp_at is not None and cp_valid else None
            if cp_at is not None and not cp_valid:
                log.info("SLA ticket %s: progress checkpoint %s outdated by a back-dated event; full replay",
                         ticket_id, cp_at.isoformat())
            entry = out[ticket_id] = ([], mark)
        entry[0].append(SlaEvent(kinds[kind], at, payload or {}))
    return out


def checkpoint(tc: TicketClocks, fired: set[FiredKey]) -> ProgressMark | None:
    """The latest progress mark a later replay may resume from: no unfired progress milestone before it
    (a resumed replay does not see the milestones due before its checkpoint, so they must be fired)."""
    unfired = [m.due_at for m in tc.milestones if m.clock is ClockKind.PROGRESS and m.key not in fired]
    limit = min(unfired, default=None)
    best = None
    for mark in tc.progress_marks:
        if limit is not None and mark.at >= limit:
            break
        best = mark
    return best


def fired_keys(session: Session, ticket_ids: Iterable[int]) -> dict[int, set[FiredKey]]:
    ids = list(ticket_ids)
    out: dict[int, set[FiredKey]] = defaultdict(set)
    if not ids:
        return out
    rows = session.execute(
        select(SlaFiredRow.ticket_id, SlaFiredRow.clock, SlaFiredRow.seq, SlaFiredRow.milestone)
        .where(_ticket_filter(session, SlaFiredRow.ticket_id, ids))
    ).all()
    for ticket_id, clock, seq, milestone in rows:
        out[ticket_id].add((clock, seq, milestone))
    return out


def next_due(tc: TicketClocks, fired: set[FiredKey]) -> dict[str, tuple[datetime, str]]:
    """Per clock kind, the earliest milestone not fired yet (milestones are sorted by due time)."""
    out: dict[str, tuple[datetime, str]] = {}
    for m in tc.milestones:
        if m.key not in fired and m.clock.value not in out:
            out[m.clock.value] = (m.due_at, m.kind.value)
    return out


def _apply(row: SlaClockRow, view: ClockView, due: tuple[datetime, str] | None, now: datetime,
           mark: ProgressMark | None = None) -> None:
    row.seq, row.state, row.started_at = view.seq, view.state.value, view.started_at
    row.due_at, row.warn_at, row.met_at, row.breached_at = view.due_at, view.warn_at, view.met_at, view.breached_at
    row.remaining_seconds = view.remaining_seconds
    row.next_due_at, row.next_milestone = due if due is not None else (None, None)
    row.updated_at = now
    if view.kind is ClockKind.PROGRESS:
        row.checkpoint_at, row.checkpoint_seq, row.checkpoint_events = (
            (mark.at, mark.seq, mark.events) if mark is not None else (None, None, None))


def project(
    session: Session,
    ticket_id: int,
    tc: TicketClocks,
    fired: set[FiredKey],
    now: datetime,
    rows: list[SlaClockRow] | None = None,
    only_kinds: set[str] | None = None,
) -> None:
    """Write the computed clocks; ``only_kinds`` limits the write to rows this caller owns (the sweep)."""
    if rows is None:
        rows = list(session.scalars(select(SlaClockRow).where(SlaClockRow.ticket_id == ticket_id)))
    existing = {r.kind: r for r in rows}
    dues = next_due(tc, fired)
    seen: set[str] = set()
    for view in tc.clocks:
        kind = view.kind.value
        seen.add(kind)
        if only_kinds is not None and kind not in only_kinds:
            continue
        row = existing.get(kind)
        if row is None:
            row = SlaClockRow(ticket_id=ticket_id, kind=kind)
            session.add(row)
        _apply(row, view, dues.get(kind), now, checkpoint(tc, fired) if view.kind is ClockKind.PROGRESS else None)
    stale = [k for k in existing if k not in seen and (only_kinds is None or k in only_kinds)]
    if stale:
        # e.g. the report clock of a resolution undone by a reopen
        session.execute(delete(SlaClockRow).where(SlaClockRow.ticket_id == ticket_id, SlaClockRow.kind.in_(stale)))
