"""The scenario matrix: each lab fault x the ticket kinds it applies to -> the verdict, the suspected
segment and the key evidence, through the API (intake -> triage -> GET diagnoses) over real SNMP/SSH.

Circuit CIR-EPL-0001: seg 0 cpe-bank-1 -> acc-a-sw1 (customer premises -> access room A),
seg 1 acc-a-sw1 -> agg-rtr1 (-> aggregation), seg 2 agg-rtr1 -> metro-egr1 (-> metro egress),
seg 3 metro-egr1 -> prov-exit1 (-> province exit).
"""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

EPL = "CIR-EPL-0001"


def evidence(d: dict, name: str, segment: int | None = None) -> list[dict]:
    return [e for e in d["evidence"] if e["name"] == name and (segment is None or e.get("segment") == segment)]


def suspected(d: dict) -> list[int]:
    return [s["index"] for s in d["suspected_segments"]]


async def test_no_fault_assist_check_flap_requests_return(scenario):
    _, d = await scenario.triage(EPL, "assist_check", "interruption_or_flap")
    assert d["verdict"] == "no_alarm_request_return"
    assert suspected(d) == []


async def test_no_fault_latency_finds_nothing_wrong(scenario):
    _, d = await scenario.triage(EPL, "assist_check", "latency_or_errors")
    assert d["verdict"] == "no_fault_found"
    losses = evidence(d, "segment_loss_db")
    assert len({e["segment"] for e in losses}) == 4  # every segment measured
    assert all(e["assessment"] != "fault" for e in evidence(d, "loss_over_budget_db"))


@pytest.mark.parametrize("segment", [0, 1, 2, 3])
async def test_fiber_degraded_on_each_segment_kind(scenario, segment):
    truth_before = scenario.lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").rx_dbm
    scenario.lab.inject("fiber_degraded", f"{EPL}#{segment}", db=3.5)
    _, d = await scenario.triage(EPL, "assist_check", "latency_or_errors")
    assert d["verdict"] in ("fiber_degraded", "low_rx_margin"), d["summary_en"]
    assert suspected(d)[0] == segment
    over = [e for e in evidence(d, "loss_over_budget_db", segment) if e["assessment"] == "fault"]
    assert over and all(e["value"] > 3.0 for e in over)
    if segment == 1:  # the measured Rx is the lab's physical truth, read over the protocols
        truth = scenario.lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").rx_dbm
        assert truth == pytest.approx(truth_before - 3.5, abs=0.05)
        rx = [e for e in d["evidence"] if e["name"] == "rx_power_dbm" and e.get("device") == "acc-a-sw1"
              and e.get("port") == "XGigabitEthernet0/0/1"]
        assert rx and rx[0]["value"] == pytest.approx(truth, abs=0.05)


@pytest.mark.parametrize("segment", [0, 1])
async def test_fiber_cut_interruption(scenario, segment):
    scenario.lab.inject("fiber_cut", f"{EPL}#{segment}")
    _, d = await scenario.triage(EPL, "interruption", "down")
    assert d["verdict"] == "no_light_fiber_cut"
    assert suspected(d)[0] == segment
    assert d["loop_plan"], "an interruption comes with loop points"
    assert d["actions"][0]["code"] == "contact_customer_first"


async def test_fiber_cut_assist_check_finds_historical_alarms(scenario):
    scenario.lab.inject("fiber_cut", f"{EPL}#1")
    _, d = await scenario.triage(EPL, "assist_check", "interruption_or_flap")
    assert d["verdict"] == "historical_alarms_dispatch_customer_end"
    assert evidence(d, "alarm")


async def test_cut_then_unclear_segment_loops_province_exit_first(scenario):
    scenario.lab.inject("fiber_cut", f"{EPL}#3")
    _, d = await scenario.triage(EPL, "interruption", "down")
    assert d["verdict"] == "no_light_fiber_cut" and suspected(d)[0] == 3
    assert {p["device"] for p in d["loop_plan"]} >= {"prov-exit1"}


async def test_loose_connector_flaps(scenario):
    scenario.lab.inject("loose_connector", f"{EPL}#0", period_s=0.6, down_s=0.2)
    await scenario.wait_for_alarms("acc-a-sw1", "GigabitEthernet0/0/1", "linkDown", count=3)
    _, d = await scenario.triage(EPL, "assist_check", "interruption_or_flap")
    assert d["verdict"] == "flapping_port"
    assert suspected(d)[0] == 0


async def test_duplex_mismatch(scenario):
    scenario.lab.inject("duplex_mismatch", "cpe-bank-1:GigabitEthernet0/0/1", duplex="half")
    _, d = await scenario.triage(EPL, "assist_check", "latency_or_errors")
    assert d["verdict"] == "duplex_mismatch"
    assert suspected(d)[0] == 0


async def test_customer_rate_limit(scenario):
    scenario.lab.inject("port_congestion", "acc-a-sw1:GigabitEthernet0/0/1", utilisation=0.099, direction="out")
    _, d = await scenario.triage(EPL, "assist_check", "latency_or_errors")
    assert d["verdict"] == "customer_rate_limit", d["summary_en"]


async def test_egress_congestion(scenario):
    # the metro egress router's port that carries the circuit (the path's metro_egress end)
    scenario.lab.inject("egress_congestion", "metro-egr1:XGigabitEthernet1/0/0", utilisation=0.97)
    _, d = await scenario.triage(EPL, "assist_check", "latency_or_errors")
    assert d["verdict"] == "egress_congestion", d["summary_en"]
    util = evidence(d, "egress_utilisation", 2)
    assert util and util[0]["value"] >= 0.9


async def test_customer_power_off(scenario):
    scenario.lab.inject("cpe_power_off", "cpe-bank-1")
    _, d = await scenario.triage(EPL, "interruption", "down")
    assert d["verdict"] == "customer_premises_down", d["summary_en"]
    assert d["actions"][0]["code"] == "contact_customer_first"
    assert any(n["device"] == "cpe-bank-1" for n in d["could_not_check"])


async def test_unknown_circuit_gets_a_clear_journal_entry(scenario):
    ticket = await scenario.file("CIR-NOT-IN-INVENTORY", "interruption", "down")
    notes = await scenario.journal(ticket["id"])
    assert [n["kind"] for n in notes][:2] == ["created", "unknown_circuit"]
