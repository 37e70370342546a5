"""Recurring faults -> ranked optimisation proposals (pure): the same physical segment across
circuits, a port alarming week after week, one customer's repeated customer-side faults."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.reports.optimisation import (
    AlarmFact,
    FaultFact,
    ProposalKind,
    find_recurring,
)

T0 = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
SEG = ("acc-a-sw1 XGigabitEthernet0/0/1", "agg-rtr1 TenGigabitEthernet1/1/1")


def fault(tid, days, *, circuit="CIR-EPL-0001", customer="CUST-001", verdict="fiber_degraded", segment=SEG, cause=""):
    return FaultFact(tid, T0 + timedelta(days=days), circuit, customer, verdict, segment, cause)


def test_three_faults_on_one_segment_over_circuits_make_one_proposal():
    faults = [fault(1, 0), fault(2, 20, circuit="CIR-MPLS-0002"), fault(3, 45, verdict="no_light_fiber_cut"),
              fault(4, 50, segment=("a x", "b y"))]
    (p,) = find_recurring(faults)
    assert (p.kind, p.key, p.tickets, p.occurrences) == (ProposalKind.SEGMENT, f"segment:{SEG[0]}|{SEG[1]}", (1, 2, 3), 3)
    assert p.circuits == ("CIR-EPL-0001", "CIR-MPLS-0002")
    assert p.verdicts == {"fiber_degraded": 2, "no_light_fiber_cut": 1}
    assert "3" in p.text_zh and p.first_at == T0 and p.last_at == T0 + timedelta(days=45)


def test_two_faults_or_non_faults_do_not_make_a_proposal():
    assert find_recurring([fault(1, 0), fault(2, 3)]) == []
    assert find_recurring([fault(1, 0), fault(2, 3), fault(3, 9, verdict="no_fault_found")]) == []


def test_port_alarming_in_three_different_weeks_is_proposed_not_three_alarms_in_one_week():
    same_week = [AlarmFact("acc-b-sw1", "gei-1/1/0/1", T0 + timedelta(hours=h), "link_down") for h in (0, 5, 30)]
    assert find_recurring([], same_week) == []
    weekly = [AlarmFact("acc-b-sw1", "gei-1/1/0/1", T0 + timedelta(weeks=w), "link_down") for w in range(4)]
    (p,) = find_recurring([], weekly)
    assert (p.kind, p.subject, p.occurrences) == (ProposalKind.PORT, {"device": "acc-b-sw1", "port": "gei-1/1/0/1"}, 4)


def test_repeated_customer_side_power_faults_are_proposed_for_the_customer():
    faults = [fault(1, 0, verdict="customer_premises_down", segment=None),
              fault(2, 10, verdict="port_down", segment=None, cause="用户侧电源掉电"),
              fault(3, 30, verdict="customer_premises_down", segment=None),
              fault(4, 31, verdict="customer_premises_down", segment=None, customer="CUST-002")]
    (p,) = find_recurring(faults)
    assert (p.kind, p.subject, p.tickets) == (ProposalKind.CUSTOMER, {"customer": "CUST-001"}, (1, 2, 3))


def test_ranked_by_occurrences_then_recency():
    other = ("x p", "y q")
    faults = [fault(i, i) for i in range(1, 4)] + [fault(10 + i, 60 + i, segment=other) for i in range(4)]
    ranked = find_recurring(faults)
    assert [p.occurrences for p in ranked] == [4, 3]
    assert ranked[0].subject == {"a": "x p", "z": "y q"}
