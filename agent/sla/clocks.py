"""Pure clock computation: a ticket's event history + ``now`` -> its clocks, due milestones, outcomes.

The whole state of every clock is a function of the history, so the engine recomputes it on each event
and the sweep recomputes it when a milestone falls due; nothing is accumulated incrementally that could
drift. Deadlines of the fault-time clocks are measured on ``FaultTimeline`` (approved suspension
excluded); the report deadline is in working days (``ReportCalendar``).

Conventions: an obligation satisfied exactly at its deadline is on time, so a deadline is breached
(and its milestone fires) only once ``now`` is past it; a milestone belongs to a clock
only if it fell due before the clock stopped, so a breach that the sweep has not fired yet when the
obligation is satisfied late is still fired (once) afterwards.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.sla.errors import HistoryError
from agent.sla.model import (
    ClockKind as C,
)
from agent.sla.model import (
    ClockState as S,
)
from agent.sla.model import (
    ClockView,
    Milestone,
    Outcome,
    ProgressMark,
    ReportCalendar,
    SlaEvent,
    SlaRules,
    TicketClocks,
)
from agent.sla.model import (
    MilestoneKind as M,
)
from agent.sla.model import (
    SlaEventKind as K,
)
from agent.sla.timeline import FaultTimeline

_STOPS_FAULT = (K.RESOLVED, K.CLOSED)


@dataclass
class _Acc:
    clocks: list[ClockView] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    marks: list[tuple[datetime, int]] = field(default_factory=list)  # (progress entry used, cycle from it)


def ordered(events: Sequence[SlaEvent]) -> list[SlaEvent]:
    """Events by time (stable: same-instant events keep their recorded order); checks the history."""
    if not events:
        raise HistoryError("empty history: a ticket's history starts with 'created'")
    for ev in events:
        if not isinstance(ev.kind, K):
            raise HistoryError(f"unknown event kind {ev.kind!r}")
        if ev.at.tzinfo is None:
            raise HistoryError(f"event {ev.kind} has a naive time {ev.at.isoformat()}")
    out = sorted(events, key=lambda e: e.at)
    if out[0].kind is not K.CREATED:
        raise HistoryError(f"history starts with {out[0].kind!r}, expected 'created'")
    return out


def compute_clocks(
    events: Sequence[SlaEvent], rules: SlaRules, calendar: ReportCalendar, now: datetime,
    resume: ProgressMark | None = None,
) -> TicketClocks:
    """Replay ``events`` (those after ``now`` are ignored) and return every started clock at ``now``.

    With ``resume`` (a checkpoint no later than ``now``), ``events`` holds every event except the
    progress entries at or before the checkpoint, whose effect the checkpoint carries: the clocks and
    milestones are the same as a full replay's, the outcomes only those decided after the checkpoint.
    """
    if resume is not None and resume.at > now:
        raise HistoryError(f"progress checkpoint {resume.at.isoformat()} is later than now {now.isoformat()}")
    history = [e for e in ordered(events) if e.at <= now]
    tl = FaultTimeline.from_events(history)
    arrival = history[0].at
    acc = _Acc()
    resolutions = [e.at for e in history if e.kind is K.RESOLVED]
    open_, fault_end = _open_state(history)
    held = tl.intervals and not tl.running and open_

    _sign(acc, history, tl, rules, arrival, now)
    _contact(acc, history, tl, rules, now)
    _progress(acc, history, tl, rules, now, resume)
    for kind, limit, milestone, level in (
        (C.ESCALATION_L1, rules.escalation_level1, M.ESCALATION, 1),
        (C.ESCALATION_L2, rules.escalation_level2, M.ESCALATION, 2),
        (C.RESOLUTION, rules.fault_time_limit, M.BREACH, 0),
    ):
        detail = {"level": level} if level else {}
        _deadline_clock(acc, kind, 0, tl, arrival, limit, fault_end, now, milestone, detail=detail)
    _after_resolution(acc, history, tl, rules, calendar, arrival, resolutions, now)
    return TicketClocks(
        clocks=tuple(acc.clocks),
        milestones=tuple(sorted(acc.milestones, key=lambda m: (m.due_at, m.key))),
        outcomes=tuple(acc.outcomes),
        fault_seconds=tl.elapsed(arrival, now).total_seconds(),
        open=open_,
        held=bool(held),
        progress_marks=_marks(acc, history, resume),
    )


def _marks(acc: _Acc, history: Sequence[SlaEvent], resume: ProgressMark | None) -> tuple[ProgressMark, ...]:
    """The progress checkpoints of this replay, each with the number of events at or before it."""
    times = [e.at for e in history]
    base = 0 if resume is None else resume.events - bisect_right(times, resume.at)
    marks = [ProgressMark(at, seq, base + bisect_right(times, at)) for at, seq in acc.marks]
    return (resume, *marks) if resume is not None else tuple(marks)


def _open_state(history: Sequence[SlaEvent]) -> tuple[bool, datetime | None]:
    """Is the fault open now, and if not, when did it stop (the resolution, not a later close)?"""
    open_, stopped = False, None
    for ev in history:
        if ev.kind in (K.CREATED, K.REOPENED) and not open_:
            open_, stopped = True, None
        elif ev.kind in _STOPS_FAULT and open_:
            open_, stopped = False, ev.at
    return open_, stopped


def _first(history: Sequence[SlaEvent], kinds: tuple[K, ...], after: datetime) -> datetime | None:
    return next((e.at for e in history if e.kind in kinds and e.at >= after), None)


def _deadline_clock(
    acc: _Acc,
    kind: C,
    seq: int,
    tl: FaultTimeline,
    start: datetime,
    limit: timedelta,
    stop: datetime | None,
    now: datetime,
    milestone: M,
    *,
    warn: timedelta | None = None,
    detail: dict | None = None,
    decided: bool = True,
) -> None:
    """One fault-time deadline from ``start``; ``stop`` is when the obligation was satisfied or ended."""
    due = tl.wall_at(start, limit)
    warn_at = tl.wall_at(start, warn) if warn is not None else None
    if warn_at is not None and (stop is None or warn_at < stop):
        acc.milestones.append(Milestone(kind, seq, M.WARNING, warn_at))
    late = due is not None and (stop is None or due < stop)
    if late:
        acc.milestones.append(Milestone(kind, seq, milestone, due))
    if stop is not None:
        state = S.BREACHED if late else S.MET
        if decided:
            acc.outcomes.append(Outcome(kind, seq, not late, due if late else stop))
    elif late and due < now:
        state = S.BREACHED
        if decided:
            acc.outcomes.append(Outcome(kind, seq, False, due))
    elif due is not None:
        state = S.RUNNING
    else:
        state = S.PAUSED
    remaining = (limit - tl.elapsed(start, now)).total_seconds() if stop is None else None
    acc.clocks.append(
        ClockView(
            kind=kind, seq=seq, state=state, started_at=start, due_at=due, warn_at=warn_at,
            met_at=stop, breached_at=due if late and (stop is not None or due < now) else None,
            remaining_seconds=remaining, detail=detail or {},
        )
    )


def _sign(acc: _Acc, history, tl, rules: SlaRules, arrival: datetime, now: datetime) -> None:
    """Rule 1: sign (签收) within 10 min of arrival, warn at 5. Resolved unsigned: nothing more owed."""
    stop = _first(history, (K.SIGNED, *_STOPS_FAULT), arrival)
    _deadline_clock(acc, C.SIGN, 0, tl, arrival, rules.sign_limit, stop, now, M.BREACH, warn=rules.sign_warn)


def _contact(acc: _Acc, history, tl, rules: SlaRules, now: datetime) -> None:
    """Rule 3: the result of contacting the reporting customer, within 15 min of the first dispatch."""
    dispatched = _first(history, (K.DISPATCHED,), history[0].at)
    if dispatched is None:
        return
    stop = _first(history, (K.CUSTOMER_CONTACTED, *_STOPS_FAULT), dispatched)
    _deadline_clock(acc, C.CONTACT, 0, tl, dispatched, rules.contact_feedback, stop, now, M.BREACH)


def _progress(acc: _Acc, history, tl: FaultTimeline, rules: SlaRules, now: datetime,
              resume: ProgressMark | None = None) -> None:
    """Rule 4: a progress entry every 30 min of fault time while the fault is open, from signing.

    Each interval is a cycle. A cycle is met by a progress entry within it, or missed at its deadline
    (one breach per missed interval: while nothing is appended, the next interval counts from the
    missed deadline). A late entry is no on-time cycle: it ends the run of missed ones and the next
    cycle starts from it. A cycle cut short by resolution is not an obligation either way.

    ``resume`` continues from a checkpoint (see ``ProgressMark``): ``history`` then holds only the
    progress entries after it. Each used entry leaves a mark (its time, the cycle that starts there).
    """
    periods = _work_periods(history)
    if not periods:
        return
    progress = [e.at for e in history if e.kind is K.PROGRESS]
    limit = rules.progress_interval
    seq = i = 0  # i: the next progress entry not yet used
    first = 0
    if resume is not None:
        first = next((k for k, (_, p_end) in enumerate(periods) if p_end is None or resume.at <= p_end), None)
        if first is None:
            raise HistoryError(f"progress checkpoint at {resume.at.isoformat()} lies after every work period")
        seq = resume.seq
    view: ClockView | None = None
    for k in range(first, len(periods)):
        p_start, p_end = periods[k]
        start, streak_since, missed = p_start, None, 0
        if resume is not None and k == first:
            start = max(p_start, resume.at)
        while True:
            due = tl.wall_at(start, limit)
            while i < len(progress) and progress[i] < start:
                i += 1  # entries while the fault was not open (between resolution and reopen)
            nxt = progress[i] if i < len(progress) and (p_end is None or progress[i] <= p_end) else None
            if nxt is not None and (due is None or nxt <= due):
                if streak_since is None:
                    acc.outcomes.append(Outcome(C.PROGRESS, seq, True, nxt))
                    seq += 1
                # else: a late entry; its cycle was counted missed already and keeps its number
                start, streak_since, missed, i = nxt, None, 0, i + 1
                if i == len(progress) or progress[i] != nxt:  # every entry at this instant is used
                    acc.marks.append((nxt, seq))
                continue
            if p_end is not None and (due is None or p_end <= due):
                state = S.BREACHED if streak_since else S.MET
                view = _progress_view(seq, state, start, streak_since or due, p_end, None, missed)
                break
            if due is not None and due < now:
                acc.milestones.append(Milestone(C.PROGRESS, seq, M.BREACH, due))
                acc.outcomes.append(Outcome(C.PROGRESS, seq, False, due))
                streak_since = streak_since or due
                seq, start, missed = seq + 1, due, missed + 1
                continue
            remaining = (limit - tl.elapsed(start, now)).total_seconds()
            if due is not None:
                acc.milestones.append(Milestone(C.PROGRESS, seq, M.BREACH, due))
            if streak_since is not None:
                state, shown_due = S.BREACHED, streak_since
                remaining = -tl.elapsed(streak_since, now).total_seconds()
            else:
                state, shown_due = (S.RUNNING if due is not None else S.PAUSED), due
            view = _progress_view(seq, state, start, shown_due, None, remaining, missed)
            break
    if view is not None:
        acc.clocks.append(view)


def _progress_view(seq, state, start, due, met_at, remaining, missed) -> ClockView:
    return ClockView(
        kind=C.PROGRESS, seq=seq, state=state, started_at=start, due_at=due, warn_at=None,
        met_at=met_at, breached_at=due if state is S.BREACHED else None,
        remaining_seconds=remaining, detail={"missed_in_a_row": missed},
    )


def _work_periods(history: Sequence[SlaEvent]) -> list[tuple[datetime, datetime | None]]:
    """Intervals during which progress is owed: from signing (or a reopen after it) to resolution."""
    periods: list[tuple[datetime, datetime | None]] = []
    signed = open_ = False
    since: datetime | None = None
    for ev in history:
        if ev.kind is K.CREATED:
            open_ = True
        elif ev.kind is K.SIGNED and open_ and not signed:
            signed, since = True, ev.at
        elif ev.kind is K.REOPENED and not open_:
            open_ = True
            since = ev.at if signed else None
        elif ev.kind in _STOPS_FAULT and open_:
            open_ = False
            if since is not None:
                periods.append((since, ev.at))
            since = None
    if since is not None:
        periods.append((since, None))
    return periods


def _after_resolution(acc: _Acc, history, tl, rules, calendar, arrival, resolutions, now) -> None:
    """Rules 9 and 10, per resolution: restoration confirmation (a gate) and the fault report."""
    if not resolutions:
        return
    reopens = [e.at for e in history if e.kind is K.REOPENED]
    for seq, resolved in enumerate(resolutions):
        cancelled = next((r for r in reopens if r >= resolved), None)
        current = seq == len(resolutions) - 1 and cancelled is None
        confirmed = _first(history, (K.RESTORATION_CONFIRMED,), resolved)
        if confirmed is not None and cancelled is not None and confirmed > cancelled:
            confirmed = None
        if current:
            acc.clocks.append(
                ClockView(
                    kind=C.RESTORATION, seq=seq, state=S.MET if confirmed else S.RUNNING,
                    started_at=resolved, due_at=None, warn_at=None, met_at=confirmed,
                    breached_at=None, remaining_seconds=None,
                )
            )
        over_time = tl.elapsed(arrival, resolved) > rules.fault_time_limit
        days = rules.report_working_days_overtime if over_time else rules.report_working_days
        due = calendar.report_due(resolved, days)
        submitted = _first(history, (K.REPORT_SUBMITTED,), resolved)
        if submitted is not None and cancelled is not None and submitted > cancelled:
            submitted = None
        stop = submitted if submitted is not None else cancelled
        acc.milestones.append(Milestone(C.REPORT, seq, M.REPORT_DUE, resolved,
                                        {"report_due_at": due, "working_days": days, "over_time": over_time}))
        late = stop is None or due < stop
        if late:
            acc.milestones.append(Milestone(C.REPORT, seq, M.BREACH, due))
        if not current:
            if submitted is not None:
                acc.outcomes.append(Outcome(C.REPORT, seq, not late, due if late else submitted))
            continue
        if stop is not None:
            state = S.BREACHED if late else S.MET
            acc.outcomes.append(Outcome(C.REPORT, seq, not late, due if late else stop))
        elif due < now:
            state = S.BREACHED
            acc.outcomes.append(Outcome(C.REPORT, seq, False, due))
        else:
            state = S.RUNNING
        acc.clocks.append(
            ClockView(
                kind=C.REPORT, seq=seq, state=state, started_at=resolved, due_at=due, warn_at=None,
                met_at=stop, breached_at=due if state is S.BREACHED else None,
                remaining_seconds=(due - now).total_seconds() if stop is None else None,
                detail={"working_days": days, "over_time": over_time},
            )
        )
