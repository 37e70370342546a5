"""Circuit orders in the database (SQLite and PostgreSQL) on an injected clock: idempotent intake, steps
that warn and go overdue, delay requests before and after the limit, cumulative overtimes, the journal."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from agent.clock import ManualClock
from agent.db import make_engine, make_session_factory, unit_of_work
from agent.enums import Role
from agent.errors import Forbidden
from agent.models import ActivationJournalEntry, CircuitOrder
from agent.models.sla import OutboxRow
from agent.orders.rules import DelayCause, OfficeRole, Step
from agent.orders.service import OrderIntake, OrderOutcome, OrderService
from agent.tickets import Actor
from tests.support.settings import settings_for

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
H = timedelta(hours=1)
PROVINCE = Actor("prov-center", Role.PROVINCE)
OFFICER = Actor("duty-1", Role.DUTY_OFFICER)
BUILDER = Actor("builder-1", Role.CONSTRUCTION)
GROUP = Actor("account-mgr", Role.GROUP_CUSTOMER)


@pytest.fixture
def store(db_url):
    clock = ManualClock(T0)
    settings = settings_for(db_url, sla={"webhooks": {"*": ["http://127.0.0.1:9/upstream"]}})
    engine = make_engine(db_url)
    yield OrderService(settings, clock), make_session_factory(engine), clock
    engine.dispose()


def _intake(upstream="DD-2026-0001", revision=1, due=T0 + 240 * H, **kw) -> OrderIntake:
    return OrderIntake(upstream_id=upstream, circuit_id="CIR-NEW-0001", customer_id="CUST-001", customer_name="某某银行",
                       service_type="ethernet_private_line", rate_mbps=100, office_role=OfficeRole.LEAD,
                       lead_office="分公司A", due_at=due, revision=revision, **kw)


def _journal(factory, order_id) -> list[str]:
    with factory() as s:
        return [e.kind for e in s.scalars(select(ActivationJournalEntry).where(
            ActivationJournalEntry.order_id == order_id).order_by(ActivationJournalEntry.id))]


def test_intake_is_idempotent_and_a_higher_revision_is_a_changed_order(store):
    orders, factory, clock = store
    with unit_of_work(factory) as s:
        order, outcome = orders.receive(s, _intake(), PROVINCE)
        assert outcome == OrderOutcome.CREATED
        oid = order.id
    with unit_of_work(factory) as s:
        again, outcome = orders.receive(s, _intake(), PROVINCE)
        assert (again.id, outcome) == (oid, OrderOutcome.EXISTING)
        assert len(s.scalars(select(CircuitOrder)).all()) == 1
    clock.advance(hours=10)
    with unit_of_work(factory) as s:
        changed, outcome = orders.receive(s, _intake(revision=2, due=T0 + 300 * H), PROVINCE)
        assert outcome == OrderOutcome.CHANGED and changed.due_at == T0 + 300 * H
        assert [p.origin for p in changed.periods] == ["original", "changed_order"]
        assert changed.steps[-1].due_at == T0 + 300 * H
    assert _journal(factory, oid) == ["order_received", "order_changed"]


def test_steps_warn_then_go_overdue_on_the_clock_each_once(store):
    orders, factory, clock = store
    with unit_of_work(factory) as s:
        oid = orders.receive(s, _intake(), PROVINCE)[0].id
    # resource allocation: 0-24 h, warning at 18 h
    clock.set(T0 + 17 * H)
    with unit_of_work(factory) as s:
        assert orders.sweep(s).warnings == 0
    clock.set(T0 + 18 * H)
    with unit_of_work(factory) as s:
        assert orders.sweep(s).warnings == 1
        assert orders.sweep(s).warnings == 0  # once
        step = orders.get(s, oid).steps[0]
        assert orders.timing(step).value == "warning"
    clock.set(T0 + 24 * H + timedelta(minutes=1))
    with unit_of_work(factory) as s:
        result = orders.sweep(s)
        assert result.overdue == 1 and result.overtimes == 0
        assert orders.timing(orders.get(s, oid).steps[0]).value == "overdue"
        # the construction step is construction's: O&M's engineer may not complete it, the builder may
        order = orders.get(s, oid)
        with pytest.raises(Forbidden):
            orders.complete_step(s, order, Step.ACCESS_CONSTRUCTION, Actor("eng", Role.ENGINEER))
        done = orders.complete_step(s, order, Step.RESOURCE_ALLOCATION, OFFICER, "ports allocated")
        assert orders.timing(done).value == "overdue"  # done late: it stays late
        orders.complete_step(s, order, Step.ACCESS_CONSTRUCTION, BUILDER)
    kinds = _journal(factory, oid)
    assert kinds == ["order_received", "step_warning", "step_overdue", "step_done", "step_done"]
    with factory() as s:
        sent = {r.kind for r in s.scalars(select(OutboxRow))}
    assert {"order.step_warning", "order.step_overdue"} <= sent


def test_a_delay_request_before_the_limit_extends_it_once_approved(store):
    orders, factory, clock = store
    with unit_of_work(factory) as s:
        oid = orders.receive(s, _intake(), PROVINCE)[0].id
    clock.set(T0 + 200 * H)
    with unit_of_work(factory) as s:
        req = orders.request_delay(s, orders.get(s, oid), DelayCause.CUSTOMER, "客户机房装修，延后接入",
                                   T0 + 300 * H, GROUP)
        assert req.state == "filed" and req.refusal is None
        rid = req.id
    clock.set(T0 + 230 * H)
    with unit_of_work(factory) as s:
        orders.submit_delay(s, orders.get(s, oid), rid, PROVINCE)
    clock.set(T0 + 250 * H)  # the decision comes back after the old limit: the request was in time
    with unit_of_work(factory) as s:
        assert orders.sweep(s).overtimes == 0
        req = orders.decide_delay(s, orders.get(s, oid), rid, True, PROVINCE, new_due_at=T0 + 290 * H)
        order = orders.get(s, oid)
        assert req.state == "approved" and order.due_at == T0 + 290 * H and order.overtimes == 0
        assert order.steps[-1].due_at == T0 + 290 * H
        assert len(req.chain) == 3  # filed, submitted to the group's systems, decided
    delays = [k for k in _journal(factory, oid) if k.startswith("delay_")]
    assert delays == ["delay_filed", "delay_submitted", "delay_approved"]


def test_after_the_limit_a_request_is_refused_and_counted_and_two_missed_count_two(store):
    orders, factory, clock = store
    with unit_of_work(factory) as s:
        oid = orders.receive(s, _intake(), PROVINCE)[0].id
    clock.set(T0 + 241 * H)
    with unit_of_work(factory) as s:
        req = orders.request_delay(s, orders.get(s, oid), DelayCause.CUSTOMER, "客户未准备好", T0 + 300 * H, GROUP)
        assert (req.state, req.refusal) == ("refused", "after_limit")
        assert orders.get(s, oid).overtimes == 1
    with unit_of_work(factory) as s:
        assert orders.sweep(s).overtimes == 0  # counted once
    # the group extends it anyway (a changed order); that limit is missed too
    with unit_of_work(factory) as s:
        orders.receive(s, _intake(revision=2, due=T0 + 280 * H), PROVINCE)
    clock.set(T0 + 281 * H)
    with unit_of_work(factory) as s:
        assert orders.sweep(s).overtimes == 1
        assert orders.get(s, oid).overtimes == 2
    with unit_of_work(factory) as s:
        other = orders.request_delay(s, orders.get(s, oid), DelayCause.OTHER, "设备未到货", T0 + 400 * H, OFFICER)
        assert other.refusal == "not_customer_caused"
        assert orders.get(s, oid).overtimes == 2  # the same missed limit is not counted twice
    assert _journal(factory, oid).count("overtime") == 2
    with unit_of_work(factory) as s:
        k = orders.kpis(s)
        assert k.overtimes == 2 and k.orders_completed == 0


def test_a_changed_order_whose_limit_ends_before_its_open_steps_start_is_refused(store):
    from agent.errors import InvalidInput

    orders, factory, clock = store
    with unit_of_work(factory) as s:
        oid = orders.receive(s, _intake(), PROVINCE)[0].id
    clock.set(T0 + 30 * H)
    with unit_of_work(factory) as s:
        order = orders.get(s, oid)
        orders.complete_step(s, order, Step.RESOURCE_ALLOCATION, OFFICER)
        orders.complete_step(s, order, Step.DISPATCH, OFFICER)
    with unit_of_work(factory) as s, pytest.raises(InvalidInput, match="before the open steps start"):
        orders.receive(s, _intake(revision=2, due=T0 + 20 * H), PROVINCE)


def test_the_periodic_sweep_runs_both_flows_in_one_transaction(store):
    from agent.checks.service import CheckRequest, CheckService
    from agent.orders.sweep import OrderSweep

    orders, factory, clock = store
    checks = CheckService(orders.settings, clock)
    with unit_of_work(factory) as s:
        orders.receive(s, _intake(), PROVINCE)
        check, _ = checks.request(s, CheckRequest("某某银行", "A", "Z", "mpls_vpn", 50), GROUP)
        checks.distribute(s, check, OFFICER)
    clock.set(T0 + 49 * H)  # step 1 overdue, check items late, the check's result late
    order_result, check_result = OrderSweep(orders, checks, factory, 5.0).once()
    assert (order_result.overdue, check_result.chased, check_result.overdue) == (2, 2, 1)  # steps 1 and 2 overdue


def test_the_assessment_reads_activation_rates_from_the_orders(store):
    """Activation timeliness and cycle time (业务开通及时率, 业务开通周期) from the orders table: one order
    completed in 4 days with no overtime, one completed after its missed limit, one still open."""
    from agent.orders.rates import OrderRateCases

    orders, factory, clock = store
    with unit_of_work(factory) as s:
        on_time = orders.receive(s, _intake("DD-A"), PROVINCE)[0].id
        late = orders.receive(s, _intake("DD-B", due=T0 + 24 * H), PROVINCE)[0].id
        orders.receive(s, _intake("DD-C"), PROVINCE)
    clock.set(T0 + 96 * H)
    with unit_of_work(factory) as s:
        orders.sweep(s)
        for oid in (on_time, late):
            o = orders.get(s, oid)
            o.completed_at, o.state = clock.now(), "completed"
    with factory() as s:
        src = OrderRateCases()
        cases = src.activation_cases(s, T0, T0 + 240 * H, clock.now())
        assert sorted((c.ref, c.on_time) for c in cases) == [(f"order:{on_time}", True), (f"order:{late}", False)]
        assert {c.branch for c in cases} == {"分公司A"}
        cycle = src.activation_cycle_cases(s, T0, T0 + 240 * H, clock.now())
        assert [c.value for c in cycle] == [4.0, 4.0]
        assert src.activation_cases(s, T0 + 200 * H, T0 + 240 * H, clock.now()) == []  # completed before the period
