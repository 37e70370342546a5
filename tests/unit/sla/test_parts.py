"""Small pure parts: lifecycle event names, webhook URL selection, back-off, the duty board's duration."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.sla.model import NotificationKind
from agent.sla.notify import webhook_urls
from agent.sla.outbox import backoff
from api.routers.sla import parse_within


def test_every_lifecycle_action_names_its_clock_event():
    from agent.tickets.lifecycle import ACTIONS

    actions = {"sign": "signed", "dispatch": "dispatched", "contact": "customer_contacted", "progress": "progress",
               "request_suspension": "suspension_requested", "approve_suspension": "suspension_approved",
               "reject_suspension": "suspension_rejected", "resume": "resumed", "resolve": "resolved",
               "confirm_restoration": "restoration_confirmed", "close": "closed", "reopen": "reopened"}
    assert {name: a.sla_event.value for name, a in ACTIONS.items()} == actions


def test_an_unknown_clock_event_is_an_error_not_ignored(rules):
    from agent.settings import Settings
    from agent.sla import SlaEngine

    with pytest.raises(ValueError):
        SlaEngine(Settings(database_url="sqlite://"), None).on_ticket_event(None, None, "unknown_circuit", None)


def test_webhook_urls_per_kind_plus_catch_all_without_duplicates():
    hooks = {"sla.escalation": ["http://a/x", "http://b/y"], "*": ["http://b/y", "http://c/z"]}
    assert webhook_urls(hooks, NotificationKind.ESCALATION) == ["http://a/x", "http://b/y", "http://c/z"]
    assert webhook_urls(hooks, NotificationKind.WARNING) == ["http://b/y", "http://c/z"]
    assert webhook_urls({}, NotificationKind.BREACH) == []


def test_backoff_doubles_and_is_capped():
    assert [backoff(n, 5, 60).total_seconds() for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


@pytest.mark.parametrize("text,expected", [("15m", timedelta(minutes=15)), ("2h", timedelta(hours=2)),
                                           ("1h30m", timedelta(minutes=90)), ("90s", timedelta(seconds=90)),
                                           ("1d", timedelta(days=1))])
def test_parse_within(text, expected):
    assert parse_within(text) == expected


@pytest.mark.parametrize("text", ["", "15", "m", "soon", "-5m", "0m", "8d", "15 minutes"])
def test_parse_within_refuses_bad_durations(text):
    with pytest.raises(ValueError):
        parse_within(text)


def test_services_refuse_to_run_without_the_sla_engine(monkeypatch):
    """A broken SLA install stops the start-up: the services import the engine at module level, so no
    process can be assembled that tracks no deadlines."""
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "agent.sla", None)  # "import agent.sla" now raises ImportError
    monkeypatch.delitem(sys.modules, "agent.services")
    with pytest.raises(ImportError, match="agent.sla"):
        importlib.import_module("agent.services")


def test_rule10_report_due_text_of_an_earlier_resolution_names_its_own_deadline(rules):
    """The report-due notice of resolution 0, fired after a reopen and a second resolution (the report
    clock then shows resolution 1), prints resolution 0's deadline, never '?'."""
    from agent.sla.calendar import WorkingDayCalendar
    from agent.sla.clocks import compute_clocks
    from agent.sla.model import ClockKind, MilestoneKind, SlaEvent
    from agent.sla.model import SlaEventKind as K
    from agent.sla.texts import describe

    cal = WorkingDayCalendar("Asia/Shanghai", day_end="18:00")
    t0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Mon 09:00 Shanghai
    m = lambda minutes: t0 + timedelta(minutes=minutes)  # noqa: E731
    events = [SlaEvent(K.CREATED, m(0)), SlaEvent(K.SIGNED, m(1)), SlaEvent(K.RESOLVED, m(60)),
              SlaEvent(K.REOPENED, m(100)), SlaEvent(K.RESOLVED, m(2 * 24 * 60))]
    tc = compute_clocks(events, rules, cal, m(2 * 24 * 60 + 1))
    first = next(x for x in tc.milestones if x.clock is ClockKind.REPORT and x.seq == 0
                 and x.kind is MilestoneKind.REPORT_DUE)
    assert tc.clock(ClockKind.REPORT).seq == 1
    text = describe(first, rules, tc.clock(ClockKind.REPORT), [], cal)
    assert "?" not in text
    assert "due by 2026-03-04 18:00 (Asia/Shanghai), 2 working day(s)" in text  # Mon + 2 working days
