"""The scenario matrix: each lab fault x the ticket kinds it applies to -> the verdict, the suspected
segment and the key evidence, through the API (intake -> triage -> GET diagnoses) over real SNMP/SSH.

Circuit CIR-EPL-0001: seg 0 cpe-bank-1 -> acc-a-sw1 (customer premises -> access room A),
seg 1 acc-a-sw1 -> agg-rtr1 (-> aggregation), seg 2 agg-rtr1 -> metro-egr1 (-> metro egress),
seg 3 metro-egr1 -> prov-exit1 (-> province exit).

The lab's physics is deterministic, so every scenario pins one verdict (never "this or that").
"""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

EPL = "CIR-EPL-0001"
# The two ends of each segment of CIR-EPL-0001 (office side first).
ENDS = {
    0: (("acc-a-sw1", "GigabitEthernet0/0/1"), ("cpe-bank-1", "GigabitEthernet0/0/1")),
    1: (("acc-a-sw1", "XGigabitEthernet0/0/1"), ("agg-rtr1", "TenGigabitEthernet1/1/1")),
    2: (("agg-rtr1", "TenGigabitEthernet1/1/4"), ("metro-egr1", "XGigabitEthernet1/0/0")),
    3: (("metro-egr1", "XGigabitEthernet1/0/1"), ("prov-exit1", "xgei-1/1/0/1")),
}


def evidence(d: dict, name: str, segment: int | None = None, device: str | None = None,
             port: str | None = None) -> list[dict]:
    return [e for e in d["evidence"] if e["name"] == name and (segment is None or e.get("segment") == segment)
            and (device is None or e.get("device") == device) and (port is None or e.get("port") == port)]


def one(d: dict, name: str, **where) -> dict:
    found = evidence(d, name, **where)
    assert found, f"no {name} evidence where {where}: {[e['name'] for e in d['evidence']]}"
    return found[0]


def why(d: dict) -> str:
    return f"{d['summaryEn']} | could not check: {[n['textEn'] for n in d['couldNotCheck']]}"


def suspected(d: dict) -> list[int]:
    return [s["index"] for s in d["suspectedSegments"]]


def codes(d: dict) -> list[str]:
    return [a["code"] for a in d["actions"]]


def assert_dark_and_down(d: dict, segment: int) -> None:
    """Both ends of the segment: Rx below the receiver's sensitivity (no light) and oper down."""
    for device, port in ENDS[segment]:
        rx = one(d, "rx_power_dbm", segment=segment, device=device, port=port)
        assert rx["assessment"] == "fault" and rx["value"] < rx["limit"], rx  # limit = the sensitivity
        assert one(d, "rx_margin_db", segment=segment, device=device, port=port)["value"] < 0
        assert one(d, "oper_status", segment=segment, device=device, port=port)["value"] == "down"


def assert_no_fault_elsewhere(d: dict, segment: int) -> None:
    others = [e for e in d["evidence"] if e.get("segment") not in (None, segment)
              and e["name"] in ("rx_power_dbm", "oper_status", "loss_over_budget_db") and e["assessment"] == "fault"]
    assert not others, others


# -- no fault ------------------------------------------------------------------------------------
async def test_no_fault_assist_check_flap_requests_return(scenario):
    _, d = await scenario.triage(EPL, "assist_check", "interruption_or_flap")
    assert d["verdict"] == "no_alarm_request_return", why(d)
    assert suspected(d) == []
    assert one(d, "alarms_in_window")["value"] == 0
    assert evidence(d, "alarm") == [] and d["couldNotCheck"] == []
    assert codes(d) == ["request_return"]


async def test_no_fault_latency_finds_nothing_wrong(scenario):
    _, d = await scenario.triage(EPL, "assist_check", "latency_or_errors")
    assert d["verdict"] == "no_fault_found", why(d)
    assert suspected(d) == []
    losses = evidence(d, "segment_loss_db")
    assert len({e["segment"] for e in losses}) == 4  # every segment measured
    assert all(e["assessment"] != "fault" for e in evidence(d, "loss_over_budget_db"))


async def test_no_fault_interruption_is_unclear_and_loops_at_the_province_exit_first(scenario):
    """DOMAIN interruption-3/-4: segment unclear -> the nearest province-exit port first, then the access
    room outwards."""
    _, d = await scenario.triage(EPL, "interruption", "down")
    assert d["verdict"] == "fault_segment_unclear", why(d)
    assert suspected(d) == []
    plan = d["loopPlan"]
    assert (plan[0]["device"], plan[0]["port"], plan[0]["siteKind"]) == ("prov-exit1", "xgei-1/1/0/1", "province_exit")
    assert (plan[1]["device"], plan[1]["port"], plan[1]["siteKind"]) == ("acc-a-sw1", "GigabitEthernet0/0/1", "access_room")
    # then outwards from the access room, the customer end last
    assert [(p["device"], p["segment"]) for p in plan[1:]] == [
        ("acc-a-sw1", 0), ("acc-a-sw1", 1), ("agg-rtr1", 1), ("agg-rtr1", 2), ("metro-egr1", 2), ("metro-egr1", 3),
        ("cpe-bank-1", 0)]
    assert codes(d)[:2] == ["contact_customer_first", "loop_province_exit_first"]
    assert all(e["value"] == "up" for e in evidence(d, "oper_status"))


# -- fiber degraded ------------------------------------------------------------------------------
@pytest.mark.parametrize("segment", [0, 1, 2, 3])
async def test_fiber_degraded_on_each_segment_kind(scenario, segment):
    truth_before = scenario.lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").rx_dbm
    scenario.lab.inject("fiber_degraded", f"{EPL}#{segment}", db=3.5)
    _, d = await scenario.triage(EPL, "assist_check", "latency_or_errors")
    assert d["verdict"] == "fiber_degraded", why(d)
    assert suspected(d)[0] == segment
    for device, port in ENDS[segment]:  # measured in both directions
        over = one(d, "loss_over_budget_db", segment=segment, device=device, port=port)
        assert over["assessment"] == "fault" and over["value"] > 3.0
        loss = one(d, "segment_loss_db", segment=segment, device=device, port=port)
        assert loss["value"] > loss["limit"] + 3.0  # limit = the segment's loss budget
    assert_no_fault_elsewhere(d, segment)
    assert "clean_or_replace_fiber" in codes(d)
    if segment == 1:  # the measured Rx is the lab's physical truth, read over the protocols
        truth = scenario.lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").rx_dbm
        assert truth == pytest.approx(truth_before - 3.5, abs=0.05)
        rx = one(d, "rx_power_dbm", device="acc-a-sw1", port="XGigabitEthernet0/0/1")
        assert rx["value"] == pytest.approx(truth, abs=0.05)


@pytest.mark.parametrize("segment", [0, 1])
async def test_fiber_degraded_on_an_interruption_ticket(scenario, segment):
    scenario.lab.inject("fiber_degraded", f"{EPL}#{segment}", db=3.5)
    _, d = await scenario.triage(EPL, "interruption", "down")
    assert d["verdict"] == "fiber_degraded", why(d)
    assert suspected(d) == [segment]
    for device, port in ENDS[segment]:
        assert one(d, "loss_over_budget_db", segment=segment, device=device, port=port)["value"] > 3.0
    assert codes(d)[0] == "contact_customer_first"
    assert "preventive_action" in codes(d)  # DOMAIN interruption-6: degraded fiber is controllable
    assert [(p["device"], p["port"]) for p in d["loopPlan"]] == list(ENDS[segment])


# -- fiber cut -----------------------------------------------------------------------------------
@pytest.mark.parametrize("segment", [0, 1])
async def test_fiber_cut_interruption(scenario, segment):
    scenario.lab.inject("fiber_cut", f"{EPL}#{segment}")
    _, d = await scenario.triage(EPL, "interruption", "down")
    assert d["verdict"] == "no_light_fiber_cut", why(d)
    assert suspected(d) == [segment]
    assert_dark_and_down(d, segment)
    assert_no_fault_elsewhere(d, segment)
    assert [(p["device"], p["port"]) for p in d["loopPlan"]] == list(ENDS[segment])  # office side first
    assert codes(d)[:2] == ["contact_customer_first", "repair_fiber"]


async def test_fiber_cut_assist_check_finds_historical_alarms(scenario):
    scenario.lab.inject("fiber_cut", f"{EPL}#1")
    _, d = await scenario.triage(EPL, "assist_check", "interruption_or_flap")
    assert d["verdict"] == "historical_alarms_dispatch_customer_end", why(d)
    assert suspected(d) == [1]
    for device, port in ENDS[1]:
        alarms = evidence(d, "alarm", segment=1, device=device, port=port)
        assert any(a["value"].startswith("linkDown") for a in alarms), alarms
        assert one(d, "oper_status", segment=1, device=device, port=port)["value"] == "down"
    assert any(a["value"].startswith("receivePowerLow") for a in evidence(d, "alarm", device="agg-rtr1"))
    assert one(d, "alarms_in_window")["value"] >= 2
    assert codes(d) == ["dispatch_customer_end"]


async def test_cut_on_the_province_exit_segment_loops_at_that_segment(scenario):
    scenario.lab.inject("fiber_cut", f"{EPL}#3")
    _, d = await scenario.triage(EPL, "interruption", "down")
    assert d["verdict"] == "no_light_fiber_cut" and suspected(d) == [3]
    assert_dark_and_down(d, 3)
    assert [(p["device"], p["port"]) for p in d["loopPlan"]] == list(ENDS[3])


# -- loose connector -----------------------------------------------------------------------------
async def test_loose_connector_flaps(scenario):
    scenario.lab.inject("loose_connector", f"{EPL}#0", period_s=0.6, down_s=0.2)
    await scenario.wait_for_alarms("acc-a-sw1", "GigabitEthernet0/0/1", "linkDown", count=3)
    _, d = await scenario.triage(EPL, "assist_check", "interruption_or_flap")
    assert d["verdict"] == "flapping_port", why(d)
    assert suspected(d)[0] == 0
    flaps = one(d, "flap_count", segment=0, device="acc-a-sw1", port="GigabitEthernet0/0/1")
    assert flaps["value"] >= 3 and flaps["assessment"] == "fault"
    assert all(e["value"] < 3 for e in evidence(d, "flap_count") if e["segment"] != 0)
    assert "fix_flapping_port" in codes(d)


async def test_loose_connector_on_an_interruption_ticket_is_flapping_with_preventive_action(scenario):
    scenario.lab.inject("loose_connector", f"{EPL}#0", period_s=0.6, down_s=0.2)
    await scenario.wait_for_alarms("acc-a-sw1", "GigabitEthernet0/0/1", "linkDown", count=3)
    _, d = await scenario.triage(EPL, "interruption", "down")
    assert d["verdict"] == "flapping_port", why(d)
    assert suspected(d) == [0]
    assert one(d, "flap_count", segment=0, device="acc-a-sw1", port="GigabitEthernet0/0/1")["value"] >= 3
    assert codes(d)[0] == "contact_customer_first"
    assert "preventive_action" in codes(d)  # DOMAIN interruption-6: a loose port is controllable


# -- the three latency causes --------------------------------------------------------------------
async def test_duplex_mismatch(scenario):
    scenario.lab.inject("duplex_mismatch", "cpe-bank-1:GigabitEthernet0/0/1", duplex="half")
    _, d = await scenario.triage(EPL, "assist_check", "latency_or_errors")
    assert d["verdict"] == "duplex_mismatch", why(d)
    assert suspected(d)[0] == 0
    sd = one(d, "speed_duplex", segment=0)
    assert sd["assessment"] == "fault" and sd["value"] == "1000M/half vs 1000M/full"
    assert all(e["assessment"] == "ok" for e in evidence(d, "speed_duplex") if e["segment"] != 0)
    assert "align_speed_duplex" in codes(d)


async def test_customer_rate_limit(scenario):
    scenario.lab.inject("port_congestion", "acc-a-sw1:GigabitEthernet0/0/1", utilisation=0.099, direction="out")
    _, d = await scenario.triage(EPL, "assist_check", "latency_or_errors")
    assert d["verdict"] == "customer_rate_limit", why(d)
    assert suspected(d) == [0]
    util = one(d, "customer_utilisation_mbps", segment=0, device="acc-a-sw1", port="GigabitEthernet0/0/1")
    assert util["limit"] == pytest.approx(90.0)  # 90 % of the contracted 100 Mbps
    assert util["value"] >= util["limit"]
    assert "tell_customer_rate_limit" in codes(d)


async def test_egress_congestion(scenario):
    # the metro egress router's port that carries the circuit (the path's metro_egress end)
    scenario.lab.inject("egress_congestion", "metro-egr1:XGigabitEthernet1/0/0", utilisation=0.97)
    _, d = await scenario.triage(EPL, "assist_check", "latency_or_errors")
    assert d["verdict"] == "egress_congestion", why(d)
    assert suspected(d) == [2]
    util = one(d, "egress_utilisation", segment=2, device="metro-egr1", port="XGigabitEthernet1/0/0")
    assert util["value"] >= 0.9 and util["assessment"] == "fault"
    assert "relieve_egress" in codes(d)


# -- customer power off --------------------------------------------------------------------------
async def test_customer_power_off(scenario):
    scenario.lab.inject("cpe_power_off", "cpe-bank-1")
    _, d = await scenario.triage(EPL, "interruption", "down")
    assert d["verdict"] == "customer_premises_down", why(d)
    assert suspected(d) == [0]
    assert one(d, "device_reachability", device="cpe-bank-1")["value"] == "unreachable"
    office = one(d, "rx_power_dbm", segment=0, device="acc-a-sw1", port="GigabitEthernet0/0/1")
    assert office["value"] < office["limit"]  # the office port facing the CPE is dark
    assert codes(d)[:2] == ["contact_customer_first", "test_customer_device"]
    assert any(n["device"] == "cpe-bank-1" and n["kind"] == "device" and n["reason"] == "unreachable"
               for n in d["couldNotCheck"])


async def test_customer_power_off_on_an_assist_check_flap_ticket(scenario):
    scenario.lab.inject("cpe_power_off", "cpe-bank-1")
    _, d = await scenario.triage(EPL, "assist_check", "interruption_or_flap")
    assert d["verdict"] == "historical_alarms_dispatch_customer_end", why(d)
    assert suspected(d) == [0]
    alarms = evidence(d, "alarm", segment=0, device="acc-a-sw1", port="GigabitEthernet0/0/1")
    assert any(a["value"].startswith("linkDown") for a in alarms), alarms
    assert one(d, "oper_status", segment=0, device="acc-a-sw1", port="GigabitEthernet0/0/1")["value"] == "down"
    # the customer device's own alarm history could not be read, and the verdict says so
    assert {("cpe-bank-1", "device"), ("cpe-bank-1", "alarms")} <= {(n["device"], n["kind"]) for n in d["couldNotCheck"]}
    assert codes(d) == ["dispatch_customer_end"]


# -- no circuit ----------------------------------------------------------------------------------
async def test_unknown_circuit_gets_a_clear_journal_entry(scenario):
    ticket = await scenario.file("CIR-NOT-IN-INVENTORY", "interruption", "down")
    notes = await scenario.journal(ticket["id"])
    assert [n["kind"] for n in notes][:2] == ["created", "unknown_circuit"]
