"""A resource check measured on the lab (real SNMP over UDP, CLI over SSH where SNMP gives nothing): it
proposes a port that really is free and never one carrying a circuit, and refuses a path whose budget
or uplink utilisation does not fit, with the readings. Then the check's flow: distribution, answers,
chasing (催办) on the clock, feedback and the ledger."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
import yaml
from sqlalchemy import select

from agent.checks.service import CheckRequest, CheckService
from agent.clock import ManualClock
from agent.db import make_engine, make_session_factory, unit_of_work
from agent.enums import Role
from agent.inventory import import_inventory
from agent.models import ActivationJournalEntry
from agent.orders.rules import CheckRecord, kpis
from agent.tickets import Actor
from collectors import Collector
from lab import DEFAULT_TOPOLOGY
from tests.support.lab import started_lab
from tests.support.settings import settings_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
OFFICER = Actor("duty-1", Role.DUTY_OFFICER)
GROUP = Actor("account-mgr", Role.GROUP_CUSTOMER)
ENGINEER = Actor("om-eng", Role.ENGINEER)
ACCESS = "acc-a-sw1"
PATH = [{"aDevice": "acc-a-sw1", "aPort": "XGigabitEthernet0/0/1", "zDevice": "agg-rtr1", "zPort": "TenGigabitEthernet1/1/1"},
        {"aDevice": "agg-rtr1", "aPort": "TenGigabitEthernet1/1/4", "zDevice": "metro-egr1", "zPort": "XGigabitEthernet1/0/0"}]
LX = {"transceiver": "1000BASE-LX", "wavelength_nm": 1310, "rx_sensitivity_dbm": -20.0, "rx_overload_dbm": -3.0}


def topology() -> dict:
    """The default lab plus three ports on the access switch that look alike from far: one really free
    (module fitted, down, no description), one described (reserved by someone: not free), one carrying
    a circuit whose fibre is cut in the test (down, no description, but in the inventory)."""
    topo = yaml.safe_load(Path(DEFAULT_TOPOLOGY).read_text(encoding="utf-8"))
    acc = next(d for d in topo["devices"] if d["name"] == ACCESS)
    acc["ports"] += [{"name": "GigabitEthernet0/0/5", "if_index": 9, **LX},
                     {"name": "GigabitEthernet0/0/6", "if_index": 10, **LX},
                     {"name": "GigabitEthernet0/0/7", "if_index": 11, **LX}]
    hosp = next(d for d in topo["devices"] if d["name"] == "cpe-hosp-1")
    hosp["ports"].append({"name": "GigabitEthernet0/2", "if_index": 2, **LX})
    topo["circuits"].append({"id": "CIR-TEST-0007", "customer": "CUST-002", "service_type": "ethernet_private_line",
                             "rate_mbps": 20, "lead_office": "分公司A", "segments": [
                                 {"a": {"device": "cpe-hosp-1", "port": "GigabitEthernet0/2"},
                                  "z": {"device": ACCESS, "port": "GigabitEthernet0/0/7"}, "length_km": 1.0}]})
    topo["lab"]["ports"][f"{ACCESS}:GigabitEthernet0/0/6"] = {"description": "RESERVED-ACME-SEC"}
    return topo


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def check_lab():
    async with started_lab(topology()) as lab:
        yield lab


@pytest.fixture
def agent(check_lab, db_url):
    settings = settings_for(db_url, triage_counter_interval_seconds=1.0)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as s:
        import_inventory(s, check_lab.inventory())
    yield CheckService(settings, ManualClock(T0)), factory
    engine.dispose()


def _request(checks, factory, rate=100.0, path=PATH, access_km=3.0) -> int:
    with unit_of_work(factory) as s:
        check, created = checks.request(s, CheckRequest(
            customer="某某证券", a_site="城东营业部", z_site="省中心", service_type="ethernet_private_line", rate_mbps=rate,
            wanted_date="2026-03-20", upstream_id=f"RC-{rate:g}-{len(path)}", access_device=ACCESS, access_km=access_km,
            path=path), GROUP)
        assert created
        return check.id


async def test_proposes_a_really_free_port_and_never_one_carrying_a_circuit(check_lab, agent):
    checks, factory = agent
    cut = check_lab.inject("fiber_cut", "CIR-TEST-0007#0")
    try:
        cid = _request(checks, factory)
        async with Collector() as collector:
            m = await checks.measure(factory, collector, cid, ENGINEER)
        truth = {p: check_lab.port_state(ACCESS, p) for p in ("GigabitEthernet0/0/5", "GigabitEthernet0/0/7")}
    finally:
        check_lab.clear(cut)
    assert m["port"] == "GigabitEthernet0/0/5" and m["needs_module"] is None, m["port_reason"]
    assert not truth["GigabitEthernet0/0/5"].oper_up and not truth["GigabitEthernet0/0/7"].oper_up
    in_circuits = {(s["a"]["device"], s["a"]["port"]) for c in check_lab.inventory()["circuits"] for s in c["segments"]} | {
        (s["z"]["device"], s["z"]["port"]) for c in check_lab.inventory()["circuits"] for s in c["segments"]}
    assert (ACCESS, m["port"]) not in in_circuits
    ports = {p["port"]: p for p in m["ports"]}
    free = {p for p, v in ports.items() if v["free"]}
    assert free == {"GigabitEthernet0/0/4", "GigabitEthernet0/0/5"}
    # the cut circuit's port looks free on the device (down, no description) but carries a circuit
    assert ports["GigabitEthernet0/0/7"]["operUp"] is False and not ports["GigabitEthernet0/0/7"]["description"]
    assert ports["GigabitEthernet0/0/7"]["notFree"] == ["carries CIR-TEST-0007 in the inventory"]
    assert ports["GigabitEthernet0/0/6"]["notFree"] == ["description 'RESERVED-ACME-SEC'"]
    assert all(ports[p]["circuits"] for p in ("GigabitEthernet0/0/1", "GigabitEthernet0/0/2", "GigabitEthernet0/0/3"))
    # the reading behind the choice: module present, its Tx measured, and the access fibre's budget
    chosen = ports["GigabitEthernet0/0/5"]
    assert chosen["modulePresent"] is True and chosen["moduleClass"] == "1000BASE-LX"
    assert chosen["txDbm"] == pytest.approx(check_lab.port_state(ACCESS, "GigabitEthernet0/0/5").tx_dbm, abs=0.1)
    assert ports["GigabitEthernet0/0/4"]["modulePresent"] is False
    assert f"Tx {chosen['txDbm']:g} dBm (measured)" in m["port_reason"]
    assert m["fits"] is True, m["reasons"]
    for hop in m["hops"]:
        assert hop["fits"] and hop["loss_az_db"] is not None and hop["budget_db"] > 0
    assert {u["port"] for u in m["uplinks"]} == {f"{h['aDevice']}:{h['aPort']}" for h in PATH} | {
        f"{h['zDevice']}:{h['zPort']}" for h in PATH}
    with factory() as s:
        kinds = [e.kind for e in s.scalars(select(ActivationJournalEntry).where(ActivationJournalEntry.check_id == cid))]
    assert kinds == ["check_requested", "check_measured"]


async def test_refuses_a_path_whose_budget_does_not_fit_with_the_readings(check_lab, agent):
    checks, factory = agent
    cid = _request(checks, factory)
    fault = check_lab.inject("fiber_degraded", "CIR-EPL-0001#1", db=6)
    try:
        async with Collector() as collector:
            m = await checks.measure(factory, collector, cid, ENGINEER)
        rx = check_lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").rx_dbm
    finally:
        check_lab.clear(fault)
    assert m["fits"] is False
    hop = m["hops"][0]
    assert hop["fits"] is False and hop["rx_z_dbm"] == pytest.approx(rx, abs=0.1)
    assert hop["loss_az_db"] - hop["budget_db"] > 3  # a fault against the budget, not a warning
    assert any("over the budget" in r for r in hop["reasons"]) and any("above its sensitivity" in r for r in hop["reasons"])
    assert m["hops"][1]["fits"] is True
    assert any(r.startswith("hop 0 (acc-a-sw1:XGigabitEthernet0/0/1 -> agg-rtr1:TenGigabitEthernet1/1/1)") for r in m["reasons"])


async def test_refuses_a_path_whose_shared_uplink_cannot_take_the_rate(check_lab, agent):
    checks, factory = agent
    cid = _request(checks, factory, rate=800.0)
    busy = check_lab.inject("port_congestion", "agg-rtr1:TenGigabitEthernet1/1/4", utilisation=0.65, direction="out")
    try:
        async with Collector() as collector:
            m = await checks.measure(factory, collector, cid, ENGINEER)
    finally:
        check_lab.clear(busy)
    assert m["fits"] is False and all(h["fits"] for h in m["hops"])
    up = {u["port"]: u for u in m["uplinks"]}
    hot = up["agg-rtr1:TenGigabitEthernet1/1/4"]
    # 6,500 Mbit/s injected; the lab computes each value of a response at its own instant, so on a
    # loaded machine (load 16 seen) the counters and the sysUpTime of one PDU are some tens of ms apart
    # over the 1 s interval: 7 % off was measured there. The verdict does not depend on it (0.65 + 0.08).
    assert hot["fits"] is False and hot["out_mbps"] == pytest.approx(6500, rel=0.12)
    assert hot["utilisationAfter"] > 0.7 and hot["speed_mbps"] == 10000
    assert up["acc-a-sw1:XGigabitEthernet0/0/1"]["fits"] is True
    assert [r for r in m["reasons"] if "TenGigabitEthernet1/1/4" in r and "over 70%" in r]


async def test_the_check_flow_chases_late_answers_feeds_back_and_files_the_ledger(check_lab, agent):
    checks, factory = agent
    clock = checks.clock
    cid = _request(checks, factory)
    async with Collector() as collector:
        await checks.measure(factory, collector, cid, ENGINEER)
    with unit_of_work(factory) as s:
        checks.distribute(s, checks.get(s, cid), OFFICER)
    clock.advance(hours=10)
    with unit_of_work(factory) as s:
        checks.answer(s, checks.get(s, cid), "fixed_network", True, "接入机房A有空闲端口，上联带宽足够", ENGINEER)
    clock.advance(hours=15)  # 25 h: mobile is past its 24 h
    with unit_of_work(factory) as s:
        assert checks.sweep(s).chased == 1
        assert checks.sweep(s).chased == 0  # not again before the chase interval
    clock.advance(hours=4)
    with unit_of_work(factory) as s:
        assert checks.sweep(s).chased == 1
        check = checks.get(s, cid)
        assert [i.chase_count for i in check.items if i.department == "mobile"] == [2]
        checks.answer(s, check, "mobile", True, "无需移动资源", OFFICER)
    with unit_of_work(factory) as s:
        check = checks.feed_back(s, checks.get(s, cid), OFFICER)
        assert check.fits is True and check.ledger["port"] == "GigabitEthernet0/0/5" and check.ledger["onTime"] is True
        record = CheckRecord(check.requested_at, check.due_at, check.fed_back_at)
    assert kpis([record], [], clock.now()).resource_check_timeliness == 1.0
    with factory() as s:
        kinds = [e.kind for e in s.scalars(select(ActivationJournalEntry).where(
            ActivationJournalEntry.check_id == cid).order_by(ActivationJournalEntry.id))]
    assert kinds == ["check_requested", "check_measured", "check_distributed", "check_answered", "check_chased",
                     "check_chased", "check_answered", "check_fed_back"]
