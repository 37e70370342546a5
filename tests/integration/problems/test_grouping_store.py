"""Grouping on a real database (SQLite and PostgreSQL), the lab's default inventory, diagnoses stored
as triage stores them: agreeing tickets become children of one problem, a disagreeing one is kept
apart with its reason in its journal, an officer's unlink stands against a later re-diagnosis."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from agent.clock import ManualClock
from agent.db import unit_of_work
from agent.enums import Role, Symptom, TicketKind
from agent.inventory import import_inventory
from agent import problems
from agent.models import Diagnosis, JournalEntry, ProblemJournalEntry
from agent.models.sla import OutboxRow
from agent.problems import grouping, work
from agent.problems import store as st
from agent.services import build_services
from agent.settings import Settings
from agent.tickets import Actor, Intake

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
OFFICER = Actor("值班员甲", Role.DUTY_OFFICER)
SHARED = ("CIR-EPL-0001", "CIR-MPLS-0002", "CIR-MPLS-0003")  # segment 1 of each: acc-a-sw1 uplink to agg-rtr1


@pytest.fixture
def services(db_url):
    from lab import DEFAULT_TOPOLOGY, Lab

    svc = build_services(Settings(database_url=db_url), ManualClock(T0), migrate=False)
    with unit_of_work(svc.session_factory) as s:
        import_inventory(s, yaml.safe_dump(Lab.load(DEFAULT_TOPOLOGY).inventory(), allow_unicode=True))
    yield svc
    svc.close()


def _ticket(svc, circuit: str) -> int:
    with unit_of_work(svc.session_factory) as s:
        t, _ = svc.tickets.intake(s, Intake(f"UP-{circuit}", TicketKind.INTERRUPTION, Symptom.DOWN, circuit, T0), OFFICER)
        return t.id


def _diagnose(svc, ticket_id: int, verdict: str, segment: int | None) -> grouping.Grouped:
    data = {"suspected_segments": [{"index": segment, "verdict": verdict}] if segment is not None else [],
            "findings": [{"verdict": verdict, "segment": segment}] if segment is not None else []}
    with unit_of_work(svc.session_factory) as s:
        s.add(Diagnosis(ticket_id=ticket_id, created_at=T0, playbook="interruption", verdict=verdict, summary="",
                        data=data))
    with unit_of_work(svc.session_factory) as s:
        return grouping.on_diagnosis(s, ticket_id, T0)


def _kinds(svc, ticket_id: int) -> list[str]:
    with svc.session_factory() as s:
        return [j.kind for j in s.query(JournalEntry).filter_by(ticket_id=ticket_id).order_by(JournalEntry.id)]


def test_agreeing_tickets_join_one_problem_and_a_disagreeing_one_is_kept_apart_with_its_reason(services):
    first, second, third = (_ticket(services, c) for c in SHARED)
    g1 = _diagnose(services, first, "no_light_fiber_cut", 1)
    assert g1.opened and g1.linked == (first,)  # the uplink carries 3 circuits: a problem at once
    assert _diagnose(services, third, "no_fault_found", None).excluded == (third,)
    g2 = _diagnose(services, second, "no_light_fiber_cut", 1)
    assert g2.problem_id == g1.problem_id and g2.linked == (second,) and not g2.opened
    with services.session_factory() as s:
        problem = work.get(s, g1.problem_id)
        assert problem.root_key == "segment:acc-a-sw1|XGigabitEthernet0/0/1~agg-rtr1|TenGigabitEthernet1/1/1"
        assert [t.id for t in st.children(s, problem)] == [first, second]
        apart = st.link_of(s, problem.id, third)
        assert apart.state == "excluded" and "healthy" in apart.reason
        note = s.query(JournalEntry).filter_by(ticket_id=third, kind="problem_not_grouped").one()
        assert f"#{problem.id}" in note.text and "no_fault_found" in note.text
    assert _kinds(services, first).count("problem_linked") == 1


def test_an_officer_unlink_stands_and_a_manual_link_is_journalled(services):
    first, second, third = (_ticket(services, c) for c in SHARED)
    pid = _diagnose(services, first, "no_light_fiber_cut", 1).problem_id
    _diagnose(services, second, "no_light_fiber_cut", 1)
    with unit_of_work(services.session_factory) as s:
        work.unlink(s, services.tickets.get(s, second), OFFICER, T0, "用户侧另有停电，单独处理")
    assert _diagnose(services, second, "no_light_fiber_cut", 1).linked == ()  # re-diagnosed: not put back
    with unit_of_work(services.session_factory) as s:
        work.link(s, work.get(s, pid), services.tickets.get(s, third), OFFICER, T0, "同一光缆中断，人工并单")
    with services.session_factory() as s:
        assert [t.id for t in st.children(s, work.get(s, pid))] == [first, third]
    assert "problem_unlinked" in _kinds(services, second) and "problem_linked" in _kinds(services, third)


def _progress_clock(svc, ticket_id: int, now: datetime):
    with svc.session_factory() as s:
        return next(c for c in svc.sla.clocks_for(s, ticket_id, now) if c.kind.value == "progress")


def test_a_loop_result_on_one_child_is_the_problems_and_meets_every_childs_progress_clock(services):
    first, second, third = (_ticket(services, c) for c in SHARED)
    pid = _diagnose(services, first, "no_light_fiber_cut", 1).problem_id
    _diagnose(services, second, "no_light_fiber_cut", 1)
    with unit_of_work(services.session_factory) as s:
        services.tickets.sign(s, services.tickets.get(s, first), OFFICER)  # second stays unsigned: no progress yet
    services.clock.advance(seconds=600)
    before = _progress_clock(services, first, services.clock.now())
    text = "环测结果 / loop test result at agg-rtr1 TenGigabitEthernet1/1/1: 信号未返回 / no signal back"
    done = problems.after_loop_result(services.session_factory, services.tickets, first, 7, OFFICER, text,
                                      {"signal": {"signal": "not_returned"}})
    assert done == [first]
    with services.session_factory() as s:
        entries = s.query(JournalEntry).filter(JournalEntry.ticket_id.in_([first, second]),
                                               JournalEntry.kind.in_(["progress", "loop_result"])).all()
        by = {(e.ticket_id, e.kind): e for e in entries}
        assert set(by) == {(first, "progress"), (second, "loop_result")}
        for e in by.values():
            assert f"#{pid}" in e.text and "loop test #7 on ticket #" in e.text and "no signal back" in e.text
        assert by[(second, "loop_result")].data["from_ticket"] == first
        record = s.query(ProblemJournalEntry).filter_by(problem_id=pid, kind="loop_result").one()
        assert record.data["tickets"] == [str(first)] and record.data["skipped"][0]["ticket"] == str(second)
        assert work.get(s, pid).status == "inProgress"
        assert s.query(JournalEntry).filter_by(ticket_id=third).filter(JournalEntry.kind == "progress").count() == 0
    after = _progress_clock(services, first, services.clock.now())
    assert after.seq == before.seq + 1 and after.started_at == services.clock.now()  # the running cycle met


def test_problem_events_are_queued_for_the_webhooks_with_their_change_and_only_then(db_url):
    from lab import DEFAULT_TOPOLOGY, Lab

    hooks = {"problem.created": ["http://hooks.example/opened"], "*": ["http://hooks.example/all"]}
    svc = build_services(Settings(database_url=db_url, sla={"webhooks": hooks}), ManualClock(T0), migrate=False)
    try:
        with unit_of_work(svc.session_factory) as s:
            import_inventory(s, yaml.safe_dump(Lab.load(DEFAULT_TOPOLOGY).inventory(), allow_unicode=True))
        first, second = (_ticket(svc, c) for c in SHARED[:2])
        pid = _diagnose(svc, first, "no_light_fiber_cut", 1).problem_id
        _diagnose(svc, second, "no_light_fiber_cut", 1)
        with unit_of_work(svc.session_factory) as s:
            work.acknowledge(s, work.get(s, pid), OFFICER, T0, None)
        try:  # a change rolled back announces nothing
            with unit_of_work(svc.session_factory) as s:
                work.add_progress(s, work.get(s, pid), OFFICER, svc.tickets, "抢修中")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        with unit_of_work(svc.session_factory) as s:
            work.resolve(s, work.get(s, pid), OFFICER, svc.tickets, "上联光缆熔接恢复")
        with svc.session_factory() as s:
            rows = s.query(OutboxRow).filter(OutboxRow.kind.like("problem.%")).order_by(OutboxRow.id).all()
        kinds = [(r.kind, r.url) for r in rows]
        all_url = [k for k, u in kinds if u == "http://hooks.example/all"]
        assert all_url == ["problem.created", "problem.ticket_linked", "problem.ticket_linked",
                           "problem.acknowledged", "problem.resolved"]
        assert [k for k, u in kinds if u == "http://hooks.example/opened"] == ["problem.created"]
        assert len({(r.idempotency_key, r.url) for r in rows}) == len(rows)
        resolved = next(r for r in rows if r.kind == "problem.resolved")
        assert resolved.payload["problemId"] == str(pid) and resolved.payload["status"] == "resolved"
        assert resolved.payload["data"]["cause"] == "上联光缆熔接恢复"
        assert resolved.payload["rootCause"]["kind"] == "segment"
        assert all(r.next_attempt_at is not None and r.delivered_at is None for r in rows)  # the outbox delivers them
    finally:
        svc.close()


def test_resolving_the_problem_resolves_working_children_with_its_cause_each_still_confirming_its_restoration(services):
    from agent.errors import InvalidTransition

    first, second = (_ticket(services, c) for c in SHARED[:2])
    pid = _diagnose(services, first, "no_light_fiber_cut", 1).problem_id
    _diagnose(services, second, "no_light_fiber_cut", 1)
    with unit_of_work(services.session_factory) as s:
        services.tickets.sign(s, services.tickets.get(s, first), OFFICER)  # second not taken yet
    cause = "接入机房上联光缆被挖断，已熔接恢复"
    with unit_of_work(services.session_factory) as s:
        out = work.resolve(s, work.get(s, pid, for_update=True), OFFICER, services.tickets, cause)
    assert out.done == [first] and [k["ticket"] for k in out.skipped] == [str(second)]
    with services.session_factory() as s:
        resolved = services.tickets.get(s, first)
        assert resolved.status == "resolved" and cause in resolved.resolution_cause and f"#{pid}" in resolved.resolution_cause
        proposal = s.query(JournalEntry).filter_by(ticket_id=second, kind="problem_resolution_proposed").one()
        assert proposal.data == {"problem_id": pid, "cause": cause} and f"#{pid}" in proposal.text
        assert services.tickets.get(s, second).status != "resolved"
        p = work.get(s, pid)
        assert (p.status, p.resolution_cause) == ("resolved", cause)
    # rule 9: the child is not returned on the problem's word; its own restoration confirmation first
    with unit_of_work(services.session_factory) as s, pytest.raises(InvalidTransition, match="restoration"):
        services.tickets.close(s, services.tickets.get(s, first, for_update=True), OFFICER, cause)
    with unit_of_work(services.session_factory) as s:
        ticket = services.tickets.get(s, first, for_update=True)
        services.tickets.confirm_restoration(s, ticket, OFFICER, "customer_service", "客服 王某")
        services.tickets.close(s, ticket, OFFICER, cause)
    with services.session_factory() as s:
        assert services.tickets.get(s, first).status == "closed"
