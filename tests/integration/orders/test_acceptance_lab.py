"""Acceptance tests (测试报竣) measured on the lab: a healthy circuit passes every indicator of its
template, a degraded segment fails the loss indicator with the measured value; the end-to-end report
cannot be completed without the customer's sign-off; completion adds the circuit to the inventory,
updates the ledger and queues the completion report for upstream."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select

from agent.clock import ManualClock
from agent.db import make_engine, make_session_factory, unit_of_work
from agent.devices import DeviceGateway
from agent.enums import Role
from agent.inventory import import_inventory
from agent.models import ActivationJournalEntry, Circuit
from agent.models.sla import OutboxRow
from agent.orders.acceptance import AcceptanceTests
from agent.orders.errors import OrderConflict
from agent.orders.rules import OfficeRole
from agent.orders.service import OrderIntake, OrderService
from agent.tickets import Actor
from tests.support.lab import started_lab
from tests.support.settings import settings_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CIRCUIT = "CIR-EPL-0001"
PROVINCE = Actor("prov-center", Role.PROVINCE)
TESTER = Actor("om-tester", Role.ENGINEER)
GROUP = Actor("account-mgr", Role.GROUP_CUSTOMER)
HOOK = "http://127.0.0.1:9/upstream"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def acc_lab():
    async with started_lab() as lab:
        yield lab


@pytest_asyncio.fixture(loop_scope="module")
async def agent(acc_lab, db_url):
    """The lab's inventory without CIR-EPL-0001 (its hand-over data not there yet) and an order for it."""
    settings = settings_for(db_url, triage_counter_interval_seconds=1.0, orders={"acceptance_window_seconds": 2.0},
                            sla={"webhooks": {"order.completed": [HOOK]}})
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    inv = acc_lab.inventory()
    ordered = next(c for c in inv["circuits"] if c["id"] == CIRCUIT)
    inv["circuits"] = [c for c in inv["circuits"] if c["id"] != CIRCUIT]
    with unit_of_work(factory) as s:
        import_inventory(s, inv)
    clock = ManualClock(T0)
    orders = OrderService(settings, clock)
    gateway = DeviceGateway(fresh_s=0)
    design = {"segments": [{"a": seg["a"], "z": seg["z"], "lengthKm": seg["length_km"], "connectors": seg["connectors"],
                            "splices": seg["splices"]} for seg in ordered["segments"]]}
    yield orders, AcceptanceTests(orders, factory, gateway), factory, design
    gateway.close()
    engine.dispose()


def _order(orders, factory, design, role=OfficeRole.LEAD, upstream="DD-ACC-1") -> int:
    with unit_of_work(factory) as s:
        return orders.receive(s, OrderIntake(upstream_id=upstream, circuit_id=CIRCUIT, customer_id="CUST-001",
                                             customer_name="某某银行城东支行", service_type="ethernet_private_line",
                                             rate_mbps=100, office_role=role, lead_office="分公司A",
                                             cooperating_office="省公司", due_at=T0 + timedelta(days=10),
                                             design=design), PROVINCE)[0].id


async def _run(tests, factory, orders, oid, scope) -> dict:
    with unit_of_work(factory) as s:
        tid = tests.start(s, orders.get(s, oid), scope, TESTER).id
    result = await tests.measure(tid)
    result["id"] = tid
    return result


async def test_healthy_circuit_passes_every_indicator_and_completes_only_with_the_customer_sign_off(acc_lab, agent):
    orders, tests, factory, design = agent
    oid = _order(orders, factory, design)
    local = await _run(tests, factory, orders, oid, "local")
    assert local["state"] == "passed", [i for i in local["indicators"] if not i["pass"]]
    names = {i["name"] for i in local["indicators"]}
    assert names == {"segment_loss", "rx_margin", "link_up", "speed_duplex", "errors_stable", "utilisation"}
    assert local["readings"]["segments"] == [0, 1, 2]  # the province exit's segment is the far side's
    loss = next(i for i in local["indicators"] if i["name"] == "segment_loss" and i["subject"].startswith("segment 0 A->Z"))
    truth = acc_lab.port_state("cpe-bank-1", "GigabitEthernet0/0/1").tx_dbm - acc_lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").rx_dbm
    assert loss["measured"] == pytest.approx(truth, abs=0.15)
    e2e = await _run(tests, factory, orders, oid, "end_to_end")
    assert e2e["state"] == "passed", [i for i in e2e["indicators"] if not i["pass"]]
    assert e2e["readings"]["segments"] == [0, 1, 2, 3]
    with unit_of_work(factory) as s:
        order = orders.get(s, oid)
        tests.sign(s, order, local["id"], "tester", "王工", TESTER, may_customer=False)
        tests.sign(s, order, e2e["id"], "tester", "王工", TESTER, may_customer=False)
    with unit_of_work(factory) as s, pytest.raises(OrderConflict, match="customer or customer manager"):
        tests.complete(s, orders.get(s, oid), TESTER)
    with unit_of_work(factory) as s:
        order = orders.get(s, oid)
        tests.sign(s, order, e2e["id"], "customer", "张伟 (客户)", GROUP, may_customer=True)
        order = tests.complete(s, order, TESTER)
        assert order.state == "completed" and order.overtimes == 0
        assert order.ledger["circuit_ledger"]["circuit"] == CIRCUIT
    with factory() as s:
        circuit = s.get(Circuit, CIRCUIT)
        assert circuit is not None and len(circuit.segments) == 4
        sent = [r for r in s.scalars(select(OutboxRow).where(OutboxRow.kind == "order.completed"))]
        assert [r.url for r in sent] == [HOOK]
        assert [r["scope"] for r in sent[0].payload["testReports"]] == ["local", "end_to_end"]
        kinds = [e.kind for e in s.scalars(select(ActivationJournalEntry).where(ActivationJournalEntry.order_id == oid))]
    assert kinds[-4:] == ["test_signed", "circuit_added", "ledger_updated", "order_completed"]


async def test_a_degraded_segment_fails_the_loss_indicator_with_the_measured_value(acc_lab, agent):
    orders, tests, factory, design = agent
    oid = _order(orders, factory, design, upstream="DD-ACC-2")
    fault = acc_lab.inject("fiber_degraded", f"{CIRCUIT}#1", db=6)
    try:
        result = await _run(tests, factory, orders, oid, "local")
        rx = acc_lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").rx_dbm
        tx = acc_lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").tx_dbm
    finally:
        acc_lab.clear(fault)
    assert result["state"] == "failed"
    failed = [i for i in result["indicators"] if not i["pass"]]
    losses = [i for i in failed if i["name"] == "segment_loss"]
    assert {i["subject"].split(" (")[0] for i in losses} == {"segment 1 A->Z", "segment 1 Z->A"}
    az = next(i for i in losses if "A->Z" in i["subject"])
    assert az["measured"] == pytest.approx(tx - rx, abs=0.15) and az["standard"].startswith("<= budget")
    assert all(i["pass"] for i in result["indicators"] if i["name"] == "segment_loss" and not i["subject"].startswith("segment 1"))
    with unit_of_work(factory) as s, pytest.raises(OrderConflict, match="only a passed report"):
        tests.sign(s, orders.get(s, oid), result["id"], "tester", "王工", TESTER, may_customer=False)


async def test_the_cooperating_office_gives_only_the_local_report(acc_lab, agent):
    orders, tests, factory, design = agent
    oid = _order(orders, factory, design, role=OfficeRole.COOPERATING, upstream="DD-ACC-3")
    with unit_of_work(factory) as s, pytest.raises(OrderConflict, match="被调局"):
        tests.start(s, orders.get(s, oid), "end_to_end", TESTER)


async def test_a_report_left_measuring_by_a_stopped_process_is_closed_and_another_may_start(acc_lab, agent):
    orders, tests, factory, design = agent
    oid = _order(orders, factory, design, upstream="DD-ACC-4")
    with unit_of_work(factory) as s:
        first = tests.start(s, orders.get(s, oid), "local", TESTER).id  # never measured: the process "stopped"
    with unit_of_work(factory) as s, pytest.raises(OrderConflict, match="measuring now"):
        tests.start(s, orders.get(s, oid), "local", TESTER)
    tests.clock.advance(seconds=2 + 4 * 30 + 61)
    with unit_of_work(factory) as s:
        order = orders.get(s, oid)
        second = tests.start(s, order, "local", TESTER).id
        assert {t.id: t.state for t in order.tests} == {first: "error", second: "measuring"}
