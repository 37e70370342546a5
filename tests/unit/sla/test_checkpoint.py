"""The progress checkpoint (``ProgressMark``): a replay resumed from any mark, with the progress entries
before it left out, yields the same clocks and the same milestones from the mark on as a full replay."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from agent.sla.clocks import compute_clocks
from agent.sla.errors import HistoryError
from agent.sla.model import ClockKind as C
from agent.sla.model import SlaEvent
from agent.sla.model import SlaEventKind as K

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def random_history(rnd: random.Random) -> list[SlaEvent]:
    t = T0
    events = [SlaEvent(K.CREATED, t)]
    t += timedelta(minutes=rnd.uniform(0, 12))
    events.append(SlaEvent(K.SIGNED, t))
    events.append(SlaEvent(K.DISPATCHED, t + timedelta(minutes=1)))
    open_, held = True, False
    for _ in range(rnd.randint(5, 40)):
        t += timedelta(minutes=rnd.choice([0, 5, 20, 29, 30, 31, 45, 70]), seconds=rnd.choice([0, 0, 17]))
        roll = rnd.random()
        if not open_:
            if roll < 0.5:
                events.append(SlaEvent(K.REOPENED, t))
                open_ = True
            else:
                events.append(SlaEvent(K.PROGRESS, t))  # entries while resolved use no cycle
        elif roll < 0.75:
            events.append(SlaEvent(K.PROGRESS, t))
            if rnd.random() < 0.1:
                events.append(SlaEvent(K.PROGRESS, t))  # two at one instant
        elif roll < 0.85 and not held:
            events.append(SlaEvent(K.SUSPENSION_APPROVED, t))
            held = True
        elif roll < 0.93 and held:
            events.append(SlaEvent(K.RESUMED, t))
            held = False
        elif roll < 0.97:
            events.append(SlaEvent(K.RESOLVED, t))
            open_ = held = False
        else:
            events.append(SlaEvent(K.SUSPENSION_REJECTED, t))
    return events


def view_tuple(tc):
    return [(c.kind, c.seq, c.state, c.started_at, c.due_at, c.warn_at, c.met_at, c.breached_at,
             c.remaining_seconds, c.detail) for c in tc.clocks]


@pytest.mark.parametrize("seed", range(60))
def test_rule4_resumed_replay_equals_the_full_replay(seed, rules, calendar):
    rnd = random.Random(seed)
    events = random_history(rnd)
    now = max(e.at for e in events) + timedelta(minutes=rnd.choice([0, 10, 40, 200]))
    full = compute_clocks(events, rules, calendar, now)
    for mark in full.progress_marks:
        assert mark.events == sum(1 for e in events if e.at <= mark.at)
        rest = [e for e in events if not (e.kind is K.PROGRESS and e.at <= mark.at)]
        resumed = compute_clocks(rest, rules, calendar, now, resume=mark)
        assert view_tuple(resumed) == view_tuple(full)
        later = [m for m in full.milestones if not (m.clock is C.PROGRESS and m.due_at < mark.at)]
        assert resumed.milestones == tuple(later)
        assert resumed.progress_marks[-1] == full.progress_marks[-1]
        assert [o for o in full.outcomes if o.clock is C.PROGRESS and o.decided_at > mark.at] == \
            [o for o in resumed.outcomes if o.clock is C.PROGRESS]


def test_a_checkpoint_later_than_now_is_refused(rules, calendar):
    events = [SlaEvent(K.CREATED, T0), SlaEvent(K.SIGNED, T0), SlaEvent(K.PROGRESS, T0 + timedelta(minutes=20))]
    mark = compute_clocks(events, rules, calendar, T0 + timedelta(minutes=30)).progress_marks[-1]
    with pytest.raises(HistoryError, match="later than now"):
        compute_clocks(events[:2], rules, calendar, T0 + timedelta(minutes=10), resume=mark)
