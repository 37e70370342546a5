"""The assessment rates (考核) on a hand-computed set of cases: each rate, per branch, with its cases."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.reports import assessment as a

START, END = datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
NOW = datetime(2026, 7, 15, tzinfo=UTC)
D = timedelta(days=1)


def case(ref, branch, day, on_time, value=None):
    return a.Case(ref, branch, START + day * D, on_time, value=value)


def test_deadline_case_is_decided_when_done_or_when_due_passes():
    due = START + 10 * D
    on_time = a.deadline_case("r:1", "A", due, due - D, START, END, NOW)
    assert on_time.on_time and on_time.decided_at == due - D
    late = a.deadline_case("r:2", "A", due, due + 2 * D, START, END, NOW)
    assert not late.on_time and late.decided_at == due + 2 * D
    undone = a.deadline_case("r:3", "A", due, None, START, END, NOW)
    assert not undone.on_time and undone.decided_at == due and undone.done_at is None
    assert a.deadline_case("r:4", "A", NOW + D, None, START, END, NOW) is None  # not due yet: undecided
    assert a.deadline_case("r:5", "A", START - D, START - 2 * D, START, END, NOW) is None  # decided before
    # submitted after "now" (a replay of the past): undecided then, late at its due time
    assert a.deadline_case("r:6", "A", due, NOW + D, START, END, NOW).on_time is False
    # exactly at the due time is on time
    assert a.deadline_case("r:7", "A", due, due, START, END, NOW).on_time


def test_completion_case_counts_work_raised_in_the_period():
    raised = START + 5 * D
    assert a.completion_case("w:1", "A", raised, raised + D, START, END).on_time
    assert not a.completion_case("w:2", "A", raised, END + D, START, END).on_time  # finished after the period
    assert not a.completion_case("w:3", "A", raised, None, START, END).on_time
    assert a.completion_case("w:4", "A", START - D, START, START, END) is None


@pytest.fixture
def assessment_cases():
    fault = [case("ticket:1", "A", 1, True), case("ticket:2", "A", 2, True), case("ticket:3", "A", 3, True),
             case("ticket:4", "A", 4, False), case("ticket:5", "B", 5, False)]
    fault_reports = [case("ticket:1", "A", 3, True), case("ticket:2", "B", 6, False)]
    operation = [case("operation-report:1", "A", 10, True)]
    quarterly = [case("quarterly-report:1", "B", 80, False)]
    work = [case("optimisation-request:1", "A", 7, True), case("optimisation-request:2", "A", 8, True),
            case("optimisation-request:3", "B", 9, False)]
    return fault, fault_reports, operation, quarterly, work


def test_every_rate_on_a_hand_computed_set(assessment_cases):
    fault, fault_reports, operation, quarterly, work = assessment_cases
    r = a.combine(START, END, None, fault, fault_reports, operation, quarterly, work).rates
    assert list(r) == list(a.LABELS)  # every rate of the source, in its order
    assert (r["faultHandlingTimeliness"].on_time, r["faultHandlingTimeliness"].late) == (3, 2)
    assert r["faultHandlingTimeliness"].value == pytest.approx(3 / 5)
    assert [c.ref for c in r["faultHandlingTimeliness"].cases] == [f"ticket:{i}" for i in range(1, 6)]
    # the three reports: 1 of 2 fault reports, 1 of 1 operation report, 0 of 1 quarterly report
    reports = r["reportsTimeliness"]
    assert reports.value == pytest.approx(2 / 4) and len(reports.cases) == 4
    assert {k: p.value for k, p in reports.parts.items()} == {"faultReport": 0.5, "operationReport": 1.0,
                                                               "quarterlyReport": 0.0}
    assert r["quarterlyReportTimeliness"].value == 0.0 and r["quarterlyReportTimeliness"].late == 1
    assert r["responseWorkCompletion"].value == pytest.approx(2 / 3)
    for key in ("resourceCheckTimeliness", "activationTimeliness", "activationCycleTime"):
        assert r[key].available is False and r[key].value is None and "not available" in r[key].reason
        assert r[key].to_dict()["available"] is False


def test_per_branch(assessment_cases):
    got = a.combine(START, END, "A", *assessment_cases)
    assert got.branches == ["A", "B"]
    r = got.rates
    assert r["faultHandlingTimeliness"].value == pytest.approx(3 / 4)
    assert r["reportsTimeliness"].value == 1.0 and r["reportsTimeliness"].parts["quarterlyReport"].value is None
    assert r["responseWorkCompletion"].value == 1.0
    b = a.combine(START, END, "B", *assessment_cases).rates
    assert b["faultHandlingTimeliness"].value == 0.0 and b["quarterlyReportTimeliness"].value == 0.0
    assert b["responseWorkCompletion"].value == 0.0
    assert a.combine(START, END, "C", *assessment_cases).rates["faultHandlingTimeliness"].value is None  # no case


class Orders:
    def resource_check_cases(self, session, start, end, now):
        return [case("check:1", "A", 1, True), case("check:2", "B", 2, False)]

    def activation_cases(self, session, start, end, now):
        return [case("order:1", "A", 3, True)]

    def activation_cycle_cases(self, session, start, end, now):
        return [case("order:1", "A", 3, True, value=3.0), case("order:2", "B", 4, False, value=5.0)]


def test_order_rates_once_the_orders_part_provides_them(assessment_cases):
    orders = Orders()
    cases = {"resourceCheckTimeliness": orders.resource_check_cases(None, START, END, NOW),
             "activationTimeliness": orders.activation_cases(None, START, END, NOW),
             "activationCycleTime": orders.activation_cycle_cases(None, START, END, NOW)}
    r = a.combine(START, END, None, *assessment_cases, orders=orders, order_cases=cases).rates
    assert r["resourceCheckTimeliness"].value == 0.5 and r["activationTimeliness"].value == 1.0
    assert r["activationCycleTime"].kind == "average" and r["activationCycleTime"].value == pytest.approx(4.0)
    assert a.combine(START, END, "B", *assessment_cases, orders=orders, order_cases=cases).rates[
        "activationCycleTime"].value == pytest.approx(5.0)
