"""Circuit orders (电路调单, source 六 售中; docs/orders.md): intake from the province, steps with their
limits, delay requests (延期申请) up the chain and back, acceptance tests measured on the network
(测试报竣), completion (报竣) and the assessment's KPIs."""
from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy import select

from agent.errors import Forbidden, Unavailable
from agent.models import ActivationJournalEntry, CircuitOrder
from agent.orders.acceptance import AcceptanceTests
from agent.orders.rules import STEP_DEPARTMENT, Step
from agent.orders.service import STEP_PERMISSION, OrderIntake, OrderOutcome, OrderService
from agent.policy import Permission, may, roles_for
from agent.tickets import Actor
from api.deps import DB_INT_MAX, ServicesDep, SessionDep, require
from api.order_schemas import (
    DelayDecisionIn,
    DelayIn,
    DelayOut,
    DelaysOut,
    DelaySubmitIn,
    KpisOut,
    OrderIn,
    OrderListOut,
    OrderOut,
    SignIn,
    StepDoneIn,
    StepOut,
    StepsOut,
    TestIn,
    TestOut,
    TestsOut,
    step_out,
)
from api.problems import responses

router = APIRouter(prefix="/api/v1/orders", tags=["circuit orders"], responses=responses(401, 403, 422))
OrderId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="faultline's order id")]
ChildId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]


def _orders(services) -> OrderService:
    return services.orders


def _tests(services, measuring: bool = False) -> AcceptanceTests:
    if measuring and services.acceptance.collector is None:
        raise Unavailable("no collector in this process (acceptance tests read the network where triage runs)")
    return services.acceptance


def _out(services, session, order: CircuitOrder, outcome: str | None = None) -> OrderOut:
    journal = session.scalars(select(ActivationJournalEntry).where(ActivationJournalEntry.order_id == order.id)
                              .order_by(ActivationJournalEntry.id)).all()
    return OrderOut.of(order, services.clock.now(), outcome, journal)


@router.post("", status_code=201, response_model=OrderOut,
             summary="An order from the province (idempotent on upstreamId; a higher revision is a changed order)")
def receive(body: OrderIn, response: Response, services: ServicesDep, session: SessionDep,
            actor: Actor = require(Permission.ORDER_INTAKE)) -> OrderOut:
    order, outcome = _orders(services).receive(session, OrderIntake(
        upstream_id=body.upstream_id, circuit_id=body.circuit_id, customer_id=body.customer_id,
        customer_name=body.customer_name, service_type=body.service_type, rate_mbps=body.rate_mbps,
        office_role=body.office_role, lead_office=body.lead_office, cooperating_office=body.cooperating_office,
        due_at=body.due_at, revision=body.revision, design=body.design.model_dump(by_alias=False),
        resource_check_id=body.resource_check_id), actor)
    session.commit()
    if outcome != OrderOutcome.CREATED:
        response.status_code = 200
    return _out(services, session, _orders(services).get(session, order.id), outcome.value)


@router.get("", response_model=OrderListOut, summary="Circuit orders, newest first")
def list_orders(services: ServicesDep, session: SessionDep, actor: Actor = require(Permission.READ)) -> OrderListOut:
    ids = session.scalars(select(CircuitOrder.id).order_by(CircuitOrder.id.desc()).limit(200)).all()
    now = services.clock.now()
    return OrderListOut(orders=[OrderOut.of(_orders(services).get(session, i), now) for i in ids])


@router.get("/kpis", response_model=KpisOut, summary="资源核查及时率, 业务开通及时率, 业务开通周期")
def kpis(services: ServicesDep, session: SessionDep, actor: Actor = require(Permission.READ)) -> KpisOut:
    return KpisOut.model_validate(_orders(services).kpis(session))


@router.get("/{order_id}", response_model=OrderOut, responses=responses(404), summary="One order with its journal")
def get_order(order_id: OrderId, services: ServicesDep, session: SessionDep, actor: Actor = require(Permission.READ)) -> OrderOut:
    return _out(services, session, _orders(services).get(session, order_id))


@router.get("/{order_id}/steps", response_model=StepsOut, responses=responses(404), summary="The steps and their limits")
def steps(order_id: OrderId, services: ServicesDep, session: SessionDep, actor: Actor = require(Permission.READ)) -> StepsOut:
    now = services.clock.now()
    return StepsOut(steps=[step_out(s, now) for s in _orders(services).get(session, order_id).steps])


@router.post("/{order_id}/steps/{step}", response_model=StepOut, responses=responses(404, 409),
             summary="A step done (by the department that does it: agent/policy.py order.step.*)")
def step_done(order_id: OrderId, step: Step, body: StepDoneIn, services: ServicesDep, session: SessionDep,
              actor: Actor = require(Permission.READ)) -> StepOut:
    # the step's own permission is its department's (the role is checked before the order is looked up)
    permission = STEP_PERMISSION[STEP_DEPARTMENT[step]]
    if not may(actor.role, permission):
        raise Forbidden(f"role {actor.role.value} may not do this ({permission.value}); allowed: "
                        + ", ".join(sorted(r.value for r in roles_for(permission))))
    row = _orders(services).complete_step(session, _orders(services).get(session, order_id), step, actor, body.note)
    session.commit()
    return step_out(row, services.clock.now())


@router.get("/{order_id}/delay-requests", response_model=DelaysOut, responses=responses(404))
def delays(order_id: OrderId, services: ServicesDep, session: SessionDep, actor: Actor = require(Permission.READ)) -> DelaysOut:
    return DelaysOut(delay_requests=[DelayOut.model_validate(d) for d in _orders(services).get(session, order_id).delay_requests])


@router.post("/{order_id}/delay-requests", status_code=201, response_model=DelayOut, responses=responses(404, 409),
             summary="File a delay request (延期申请); one refused (not customer-caused, after the limit) is recorded as refused")
def request_delay(order_id: OrderId, body: DelayIn, services: ServicesDep, session: SessionDep,
                  actor: Actor = require(Permission.DELAY_REQUEST)) -> DelayOut:
    req = _orders(services).request_delay(session, _orders(services).get(session, order_id), body.cause, body.reason,
                                          body.requested_due_at, actor)
    session.commit()
    return DelayOut.model_validate(req)


@router.post("/{order_id}/delay-requests/{request_id}/submission", response_model=DelayOut, responses=responses(404, 409),
             summary="The province filed it in the group's systems")
def submit_delay(order_id: OrderId, request_id: ChildId, body: DelaySubmitIn, services: ServicesDep, session: SessionDep,
                 actor: Actor = require(Permission.DELAY_SUBMIT)) -> DelayOut:
    req = _orders(services).submit_delay(session, _orders(services).get(session, order_id), request_id, actor, body.note)
    session.commit()
    return DelayOut.model_validate(req)


@router.post("/{order_id}/delay-requests/{request_id}/decision", response_model=DelayOut, responses=responses(404, 409),
             summary="The group's decision came back: approved moves the order's limit")
def decide_delay(order_id: OrderId, request_id: ChildId, body: DelayDecisionIn, services: ServicesDep, session: SessionDep,
                 actor: Actor = require(Permission.DELAY_DECIDE)) -> DelayOut:
    req = _orders(services).decide_delay(session, _orders(services).get(session, order_id), request_id, body.approve, actor,
                                         body.new_due_at, body.note)
    session.commit()
    return DelayOut.model_validate(req)


@router.get("/{order_id}/tests", response_model=TestsOut, responses=responses(404))
def tests(order_id: OrderId, services: ServicesDep, session: SessionDep, actor: Actor = require(Permission.READ)) -> TestsOut:
    return TestsOut(tests=[TestOut.model_validate(t) for t in _orders(services).get(session, order_id).tests])


@router.get("/{order_id}/tests/{test_id}", response_model=TestOut, responses=responses(404), summary="A test report (progress while measuring)")
def one_test(order_id: OrderId, test_id: ChildId, services: ServicesDep, session: SessionDep,
             actor: Actor = require(Permission.READ)) -> TestOut:
    from agent.orders.errors import UnknownOrder

    test = next((t for t in _orders(services).get(session, order_id).tests if t.id == test_id), None)
    if test is None:
        raise UnknownOrder(f"order {order_id} has no test {test_id}")
    return TestOut.model_validate(test)


@router.post("/{order_id}/tests", status_code=202, response_model=TestOut, responses=responses(404, 409, 503),
             summary="Start a local or end-to-end test report measured on the network (fills while the window runs)")
async def start_test(order_id: OrderId, body: TestIn, services: ServicesDep,
                     actor: Actor = require(Permission.ORDER_TEST)) -> TestOut:
    runner = _tests(services, measuring=True)

    def open_report() -> TestOut:  # database work off the event loop
        with services.session_factory() as session:
            test = runner.start(session, _orders(services).get(session, order_id), body.scope, actor)
            session.commit()
            return TestOut.model_validate(test)

    out = await asyncio.to_thread(open_report)
    runner.launch(out.id)  # measured on the serving loop, where the collectors live
    return out


@router.post("/{order_id}/tests/{test_id}/tester-signature", response_model=TestOut, responses=responses(404, 409),
             summary="The tester signs a passed report (测试人签字)")
def tester_sign(order_id: OrderId, test_id: ChildId, body: SignIn, services: ServicesDep, session: SessionDep,
                actor: Actor = require(Permission.ORDER_TEST)) -> TestOut:
    test = _tests(services).sign(session, _orders(services).get(session, order_id), test_id, "tester", body.signer, actor,
                                 may_customer=False)
    session.commit()
    return TestOut.model_validate(test)


@router.post("/{order_id}/tests/{test_id}/customer-signature", response_model=TestOut, responses=responses(404, 409),
             summary="The customer or customer manager signs the end-to-end report (客户或客户经理签字确认)")
def customer_sign(order_id: OrderId, test_id: ChildId, body: SignIn, services: ServicesDep, session: SessionDep,
                  actor: Actor = require(Permission.ORDER_TEST_CUSTOMER_SIGN)) -> TestOut:
    test = _tests(services).sign(session, _orders(services).get(session, order_id), test_id, "customer", body.signer, actor,
                                 may_customer=may(actor.role, Permission.ORDER_TEST_CUSTOMER_SIGN))
    session.commit()
    return TestOut.model_validate(test)


@router.post("/{order_id}/completion", response_model=OrderOut, responses=responses(404, 409),
             summary="报竣: with the signed, passed reports; adds the circuit to the inventory and reports upstream")
def complete(order_id: OrderId, services: ServicesDep, session: SessionDep,
             actor: Actor = require(Permission.ORDER_STEP_OM)) -> OrderOut:
    order = _tests(services).complete(session, _orders(services).get(session, order_id), actor)
    session.commit()
    return _out(services, session, order)
