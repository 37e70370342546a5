"""All durations come from settings (issue 6): non-default ``SlaSettings`` reach the sweep's deadlines
through ``SlaRules.from_settings`` and the calendar's close of business, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from agent.models import JournalEntry
from agent.settings import SlaSettings
from agent.sla import ClockKind, MilestoneKind, SlaRules


@pytest.fixture
def sla_settings() -> SlaSettings:
    return SlaSettings(sign_limit_minutes=20, report_working_days=3, report_day_end="18:00",
                       webhooks={"*": ["http://127.0.0.1:9/hook"]})


def fired(sla, factory, clock_kind=None):
    return [(f.clock, f.seq, f.milestone) for f in sla.sweep(factory) if clock_kind is None or f.clock is clock_kind]


def test_rule1_and_rule10_durations_from_settings_drive_the_sweep(sla, sla_settings, factory, clock, make_ticket,
                                                                  event):
    assert sla.rules == SlaRules.from_settings(sla_settings)
    assert sla.rules.sign_limit.total_seconds() == 20 * 60 and sla.rules.report_working_days == 3
    tid = make_ticket("DUR-1")  # Mon 2026-03-02 09:00 Shanghai
    clock.advance(minutes=11)  # past the default 10 min limit: only the (default) 5 min warning
    assert fired(sla, factory, ClockKind.SIGN) == [(ClockKind.SIGN, 0, MilestoneKind.WARNING)]
    clock.advance(minutes=9)  # exactly 20 min: still in time
    assert fired(sla, factory, ClockKind.SIGN) == []
    clock.advance(seconds=1)
    assert fired(sla, factory, ClockKind.SIGN) == [(ClockKind.SIGN, 0, MilestoneKind.BREACH)]
    event(tid, "signed")
    event(tid, "progress")
    clock.advance(minutes=20)
    event(tid, "resolved")  # Mon 09:41; 41 min of fault time, not over time: 3 working days
    clock.advance(seconds=1)
    assert fired(sla, factory, ClockKind.REPORT) == [(ClockKind.REPORT, 0, MilestoneKind.REPORT_DUE)]
    thursday_cob = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # Thu Mar 5 18:00 Shanghai
    clock.set(datetime(2026, 3, 4, 16, 0, 1, tzinfo=UTC))  # past the default deadline (2 days, 24:00 Wed)
    assert fired(sla, factory, ClockKind.REPORT) == []
    clock.set(thursday_cob)
    assert fired(sla, factory, ClockKind.REPORT) == []  # exactly at close of business: in time
    clock.advance(seconds=1)
    assert fired(sla, factory, ClockKind.REPORT) == [(ClockKind.REPORT, 0, MilestoneKind.BREACH)]
    with factory() as s:
        texts = {j.data["milestone"]: j for j in s.scalars(select(JournalEntry).where(
            JournalEntry.ticket_id == tid, JournalEntry.kind.like("sla_%"))) if j.data["clock"] == "report"}
        views = {v.kind: v for v in sla.clocks_for(s, tid, clock.now())}
    assert texts["report_due"].data["reportDueAt"] == thursday_cob.isoformat()
    assert "due by 2026-03-05 18:00 (Asia/Shanghai), 3 working day(s)" in texts["report_due"].text
    assert "not signed within 20 min" in next(iter(
        j.text for j in _journal(factory, tid) if j.kind == "sla_breach" and j.data["clock"] == "sign"))
    assert views[ClockKind.REPORT].due_at == thursday_cob and views[ClockKind.REPORT].detail["working_days"] == 3


def _journal(factory, tid):
    with factory() as s:
        return list(s.scalars(select(JournalEntry).where(JournalEntry.ticket_id == tid)))
