"""The lab's topology parsing and physical model, without any network I/O."""
from __future__ import annotations

import copy

import pytest
import yaml

from lab import DEFAULT_TOPOLOGY, FaultParameterError, Lab, LinkEventKind, LoopMode, TopologyError, UnknownTarget
from lab.physics import error_fraction
from lab.topology import expected_loss_db, parse_topology


@pytest.fixture()
def raw() -> dict:
    return yaml.safe_load(DEFAULT_TOPOLOGY.read_text(encoding="utf-8"))


@pytest.fixture()
def lab() -> Lab:
    lab = Lab.load(DEFAULT_TOPOLOGY, address_block="127.99.1")
    lab.clock.scale = 0.0  # simulated time moves only with advance()
    return lab


def test_default_topology_shape(raw: dict) -> None:
    topo = parse_topology(raw)
    assert len(topo.circuits) == 6 and len({c.customer for c in topo.circuits.values()}) == 4
    assert {c.service_type for c in topo.circuits.values()} == {"ethernet_private_line", "mpls_vpn", "internet_access"}
    assert {d.vendor.value for d in topo.devices.values()} == {"huawei_vrp", "cisco_ios", "zte_zxros"}
    kinds = set(topo.site_kinds.values())
    assert {"customer_premises", "access_room", "aggregation", "metro_egress", "province_exit"} <= kinds
    # the access uplink is one fiber shared by three circuits
    uplink = "acc-a-sw1:XGigabitEthernet0/0/1--agg-rtr1:TenGigabitEthernet1/1/1"
    assert sum(uplink in c.link_keys for c in topo.circuits.values()) == 3
    assert topo.links[uplink].actual_loss_db == 4.4
    assert "lab" not in topo.inventory


def test_invalid_topology_lists_every_problem(raw: dict) -> None:
    bad = copy.deepcopy(raw)
    bad["devices"][0]["platform"] = "nokia_sros"
    bad["circuits"][0]["segments"][0]["z"]["port"] = "Gi9/9/9"
    bad["lab"]["segments"]["NOPE#0"] = {"actual_loss_db": 1}
    with pytest.raises(TopologyError) as info:
        parse_topology(bad)
    text = "\n".join(info.value.problems)
    assert "devices[0].platform" in text and "circuits[0].segments[0].z" in text and "NOPE#0" in text


def test_expected_loss_rule() -> None:
    assert expected_loss_db(10, 2, 5, 1310) == pytest.approx(3.5 + 1.0 + 0.5)
    assert expected_loss_db(10, 0, 0, 1550) == pytest.approx(2.5)


def test_error_fraction_zones() -> None:
    assert error_fraction(-21.0, -20.0, -3.0) == 0.0  # below sensitivity: no frames at all
    assert error_fraction(-19.0, -20.0, -3.0) > error_fraction(-18.0, -20.0, -3.0) > 0
    assert error_fraction(-10.0, -20.0, -3.0) == 0.0
    assert error_fraction(-1.0, -20.0, -3.0) > 0  # overload


def test_rx_is_tx_minus_segment_loss(lab: Lab) -> None:
    cpe = lab.port_state("cpe-bank-1", "GigabitEthernet0/0/1")
    acc = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1")
    assert acc.rx_dbm == pytest.approx(cpe.tx_dbm - 2.3)
    assert cpe.rx_dbm == pytest.approx(acc.tx_dbm - 2.3)
    assert acc.oper_up and cpe.oper_up
    assert not lab.port_state("acc-a-sw1", "GigabitEthernet0/0/4").oper_up  # spare port


def test_cut_takes_both_ends_down_with_events_and_alarms(lab: Lab) -> None:
    seen = []
    lab.model.listeners.append(seen.append)
    fid = lab.inject("fiber_cut", "CIR-EPL-0001#0")
    kinds = {(e.device, e.kind) for e in seen}
    assert ("acc-a-sw1", LinkEventKind.LINK_DOWN) in kinds and ("cpe-bank-1", LinkEventKind.LINK_DOWN) in kinds
    assert ("acc-a-sw1", LinkEventKind.RX_LOW_ALARM) in kinds
    assert {a.name for a in lab.alarms("acc-a-sw1")} == {"linkDown", "hwOpticalInvalid"}
    assert not lab.circuit_state("CIR-EPL-0001").up
    assert lab.circuit_state("CIR-MPLS-0002").up  # the other circuit of the same customer is fine
    lab.clear(fid)
    assert lab.alarms("acc-a-sw1") == [] and len(lab.alarms("acc-a-sw1", active=False)) == 2


def test_degraded_uplink_hits_every_circuit_crossing_it(lab: Lab) -> None:
    lab.inject("fiber_degraded", "agg-rtr1:TenGigabitEthernet1/1/1", db=12)
    for cid in ("CIR-EPL-0001", "CIR-MPLS-0002", "CIR-MPLS-0003"):
        assert not lab.circuit_state(cid).up
    assert lab.circuit_state("CIR-INET-0004").up


def test_loop_test_needs_a_loop_and_healthy_segments(lab: Lab) -> None:
    origin = ("acc-b-sw1", "gei-1/1/0/2")
    assert not lab.loop_test(*origin, "cpe-factory-1", "GigabitEthernet0/0/1").returned
    lab.set_loop("cpe-factory-1", "GigabitEthernet0/0/1", "remote")
    result = lab.loop_test(*origin, "cpe-factory-1", "GigabitEthernet0/0/1")
    assert result.returned and result.round_trip_loss_db == pytest.approx(7.0)
    assert lab.port_state(*origin).rx_dbm == pytest.approx(lab.port_state(*origin).tx_dbm - 7.0)
    lab.inject("cpe_power_off", "cpe-factory-1")
    assert "without power" in lab.loop_test(*origin, "cpe-factory-1", "GigabitEthernet0/0/1").reason
    lab.clear()
    lab.set_loop("cpe-factory-1", "GigabitEthernet0/0/1", None)
    assert lab.circuit_state("CIR-EPL-0005").up


def test_local_loop_lights_own_port_and_darkens_the_far_end(lab: Lab) -> None:
    lab.set_loop("acc-a-sw1", "GigabitEthernet0/0/2", LoopMode.LOCAL)
    assert lab.port_state("acc-a-sw1", "GigabitEthernet0/0/2").oper_up
    assert not lab.port_state("cpe-bank-1", "GigabitEthernet0/0/2").oper_up


def test_loose_connector_flaps_in_simulated_time(lab: Lab) -> None:
    lab.inject("loose_connector", "CIR-INET-0004#0", period_s=10, down_s=2)
    states = []
    for _ in range(6):
        states.append(lab.port_state("acc-b-sw1", "gei-1/1/0/1").oper_up)
        lab.advance(2.5)
    assert states[0] is False and True in states and states.count(False) >= 2


def test_bad_fault_requests_are_clear_errors(lab: Lab) -> None:
    with pytest.raises(FaultParameterError):
        lab.inject("lightning", "cpe-bank-1")
    with pytest.raises(FaultParameterError):
        lab.inject("fiber_degraded", "CIR-EPL-0001#0", decibels=3)
    with pytest.raises(UnknownTarget):
        lab.inject("fiber_cut", "CIR-EPL-0001#9")
    with pytest.raises(UnknownTarget):
        lab.inject("duplex_mismatch", "cpe-bank-1:Gi9/9")
    with pytest.raises(UnknownTarget):
        lab.clear("F9999")
    assert lab.faults() == []


def test_inventory_has_endpoints_and_no_lab_section(lab: Lab) -> None:
    inv = lab.inventory()
    assert "lab" not in inv
    dev = next(d for d in inv["devices"] if d["name"] == "acc-a-sw1")
    ep = lab.device("acc-a-sw1")
    assert dev["mgmt_address"] == ep.host == "127.99.1.5"
    assert dev["snmp"] == {"version": "2c", "port": 1161, "community": "public"}
    assert dev["cli"]["port"] == 2222 and dev["cli"]["device_type"] == "huawei_vrp"
    v3 = next(d for d in inv["devices"] if d["name"] == "cpe-factory-1")["snmp"]
    assert v3["version"] == "3" and v3["auth_protocol"] == "SHA" and v3["priv_protocol"] == "AES"


def test_generator_builds_a_large_valid_topology() -> None:
    from lab.generator import generate_topology

    data = generate_topology(devices=1000, ports_per_device=20)
    topo = parse_topology(data)
    assert len(topo.devices) == 1000 and sum(len(d.ports) for d in topo.devices.values()) == 20_000
    assert len(topo.circuits) == 1000 - 1 - 10 - 100
    assert generate_topology(devices=50, ports_per_device=20, seed=3) == generate_topology(devices=50, ports_per_device=20, seed=3)
    lab = Lab.load(generate_topology(devices=60, ports_per_device=10), address_block="127.98")
    assert all(lab.circuit_state(c).up for c in lab.topology.circuits)
    with pytest.raises(ValueError):
        generate_topology(devices=1000, ports_per_device=3)


def test_generator_with_one_aggregation_puts_every_circuit_over_its_uplink() -> None:
    from lab.generator import generate_topology

    data = generate_topology(devices=224, ports_per_device=24, aggregations=1)
    parse_topology(data)
    aggs = [d["name"] for d in data["devices"] if d["name"].startswith("agg-")]
    assert aggs == ["agg-001"] and len(data["circuits"]) == 224 - 2 - 22
    uplinks = {(c["segments"][2]["a"]["device"], c["segments"][2]["z"]["device"]) for c in data["circuits"]}
    assert uplinks == {("agg-001", "metro-1")}


def test_lab_imports_no_product_package() -> None:
    import ast
    from pathlib import Path

    import lab as lab_pkg

    forbidden = {"agent", "collectors", "diagnosis", "api"}
    for path in Path(lab_pkg.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path}: imports {name}"


def test_the_agent_importer_accepts_the_lab_topology_and_inventory(lab: Lab) -> None:
    """Contract with agent/inventory.py: the agent imports the lab's YAML and its inventory as is."""
    from agent.inventory import parse_inventory
    from lab.generator import generate_topology

    parse_inventory(yaml.safe_load(DEFAULT_TOPOLOGY.read_text(encoding="utf-8")))
    parse_inventory(yaml.safe_dump(lab.inventory(), allow_unicode=True))
    parse_inventory(generate_topology(devices=100, ports_per_device=20))


def test_a_loop_cuts_only_the_circuits_it_sits_on(lab: Lab) -> None:
    lab.set_loop("acc-a-sw1", "GigabitEthernet0/0/2", "remote")
    assert not lab.circuit_state("CIR-MPLS-0002").up
    assert lab.circuit_state("CIR-EPL-0001").up  # same switch, other customer port
    lab.set_loop("prov-exit1", "xgei-1/1/0/2", "local")  # the province-exit line port
    assert lab.circuit_state("CIR-EPL-0001").looped_at == ("prov-exit1:xgei-1/1/0/2",)
    assert lab.circuit_state("CIR-MPLS-0003").up  # ends at the metro core, never crosses the exit


def test_clear_by_target_takes_the_names_inject_takes(lab: Lab) -> None:
    cut = lab.inject("fiber_cut", "CIR-EPL-0001#0")
    power = lab.inject("cpe_power_off", "cpe-school-1")
    duplex = lab.inject("duplex_mismatch", "cpe-hosp-1:Gi0/1")
    assert lab.clear(target="cpe-bank-1:GigabitEthernet0/0/1--acc-a-sw1:GigabitEthernet0/0/1") == [cut]
    assert lab.clear(target="cpe-hosp-1:GigabitEthernet0/1") == [duplex]
    assert lab.clear(target="cpe-school-1") == [power]
    assert lab.faults() == [] and lab.clear(target="cpe-school-1") == []


def test_mismatch_physics_duplex_or_speed() -> None:
    from lab.physics import duplex_effect

    assert duplex_effect("full", "full", 100, 100) == duplex_effect("full", "full", 100, 100, 1000, 1000)
    assert duplex_effect("full", "full", 100, 100, 1000, 1000).late_collisions == 0
    half = duplex_effect("half", "full", 100, 100)
    assert half.late_collisions > 0 and half.out_errors > 0 and half.in_errors == 0
    assert duplex_effect("full", "half", 100, 100).in_errors > 0
    # speed mismatch with both ends configured full duplex: the slower end falls back to half
    slow = duplex_effect("full", "full", 100, 100, 100, 1000)
    fast = duplex_effect("full", "full", 100, 100, 1000, 100)
    assert slow.late_collisions > 0 and slow.in_errors == 0
    assert fast.in_errors > 0 and fast.late_collisions == 0


def test_speed_mismatch_gives_late_collisions_and_errors_at_both_ends(lab: Lab) -> None:
    fid = lab.inject("speed_mismatch", "cpe-hosp-1:Gi0/1", speed_mbps=100)
    lab.advance(60)
    cpe = lab.port_state("cpe-hosp-1", "GigabitEthernet0/1")
    acc = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/3")
    assert cpe.speed_mbps == 100 and acc.speed_mbps == 1000
    assert cpe.oper_up and acc.oper_up  # a mismatch errs, it does not take the link down
    assert cpe.counters["late_collisions"] > 0 and cpe.counters["out_errors"] > 0
    assert acc.counters["in_errors"] > 0 and acc.counters["crc"] > 0 and acc.counters["late_collisions"] == 0
    assert cpe.in_util == pytest.approx(85 / 100)  # the configured 85 Mbit/s against 100 Mbit/s now
    lab.clear(fid)
    lab.advance(60)
    after = lab.port_state("cpe-hosp-1", "GigabitEthernet0/1")
    assert after.speed_mbps == 1000 and after.counters["late_collisions"] == cpe.counters["late_collisions"]


def test_speed_mismatch_parameters_are_checked(lab: Lab) -> None:
    with pytest.raises(FaultParameterError):
        lab.inject("speed_mismatch", "cpe-hosp-1:Gi0/1", speed_mbps=123)
    with pytest.raises(FaultParameterError):
        lab.inject("speed_mismatch", "cpe-hosp-1:Gi0/1", speed_mbps="fast")
    with pytest.raises(UnknownTarget):
        lab.inject("speed_mismatch", "cpe-hosp-1")
    assert lab.faults() == []


def test_a_loop_stops_the_circuits_customer_traffic_on_its_whole_path(lab: Lab) -> None:
    before = lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1")
    lab.set_loop("cpe-hosp-1", "GigabitEthernet0/1", LoopMode.REMOTE)  # CIR-MPLS-0003
    access = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/3")
    uplink = lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1")
    assert access.oper_up and access.in_util == 0 and access.out_util == 0
    # the shared uplink loses exactly this circuit's share (85 down / 60 up), the others flow on
    assert uplink.in_util * 10_000 == pytest.approx(before.in_util * 10_000 - 85)
    assert uplink.out_util * 10_000 == pytest.approx(before.out_util * 10_000 - 60)
    lab.advance(10)
    octets = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/3").counters["in_octets"]
    lab.advance(10)
    assert lab.port_state("acc-a-sw1", "GigabitEthernet0/0/3").counters["in_octets"] == octets
    lab.set_loop("cpe-hosp-1", "GigabitEthernet0/1", None)
    lab.advance(10)
    assert lab.port_state("acc-a-sw1", "GigabitEthernet0/0/3").counters["in_octets"] == octets + 60e6 / 8 * 10
    assert lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").in_util == pytest.approx(before.in_util)


def test_generated_devices_get_distinct_loopback_addresses(tmp_path) -> None:
    from typer.testing import CliRunner

    from lab.cli import app
    from lab.generator import generate_topology, mgmt_address

    data = generate_topology(devices=300, ports_per_device=12)  # past one /24: the second octet moves on
    addresses = [d["mgmt_address"] for d in data["devices"]]
    assert len(set(addresses)) == 300 and all(a.startswith("127.30.") for a in addresses)
    assert addresses[:2] == ["127.30.0.1", "127.30.0.2"] and addresses[254] == "127.30.1.1"
    assert not [a for a in addresses if a.endswith((".0", ".255"))]
    assert mgmt_address("127.40", 254 * 256) == "127.40.255.254"
    with pytest.raises(ValueError):
        mgmt_address("127.40", 254 * 256 + 1)
    with pytest.raises(ValueError):
        generate_topology(devices=10, address_base="10.0")
    lab = Lab.load(generate_topology(devices=60, ports_per_device=10), address_block=None)
    assert len({d.host for d in lab.devices}) == 60

    out = tmp_path / "big.yaml"
    res = CliRunner().invoke(app, ["generate", "--devices", "200", "--ports", "12", "--out", str(out),
                                   "--address-base", "127.31"])
    assert res.exit_code == 0, res.output
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written == generate_topology(devices=200, ports_per_device=12, address_base="127.31")
    assert "200 devices, 2400 ports" in res.output
    bad = CliRunner().invoke(app, ["generate", "--devices", "1000", "--ports", "3", "--out", str(tmp_path / "x.yaml")])
    assert bad.exit_code == 2 and not (tmp_path / "x.yaml").exists()


def test_a_power_cycle_restarts_uptime_and_counters(lab: Lab) -> None:
    lab.advance(500)
    assert lab.model.uptime_ticks("cpe-hosp-1") == 50_000
    octets = lab.port_state("cpe-hosp-1", "GigabitEthernet0/1").counters["in_octets"]
    assert octets > 0
    fid = lab.inject("cpe_power_off", "cpe-hosp-1")
    lab.advance(100)
    assert lab.port_state("cpe-hosp-1", "GigabitEthernet0/1").counters["in_octets"] == octets  # dark: nothing moves
    lab.clear(fid)
    assert lab.model.uptime_ticks("cpe-hosp-1") == 0
    assert lab.port_state("cpe-hosp-1", "GigabitEthernet0/1").counters["in_octets"] == 0
    lab.advance(10)
    assert lab.model.uptime_ticks("cpe-hosp-1") == 1000 and lab.model.uptime_ticks("acc-a-sw1") == 61_000
    assert lab.port_state("cpe-hosp-1", "GigabitEthernet0/1").counters["in_octets"] == 85e6 / 8 * 10
    assert lab.port_state("acc-a-sw1", "GigabitEthernet0/0/3").counters["in_octets"] == 60e6 / 8 * 510  # not rebooted: 500 s + 10 s of traffic


def test_transceiver_ageing_raises_and_clears_a_tx_low_alarm(lab: Lab) -> None:
    seen = []
    lab.model.listeners.append(seen.append)
    fid = lab.inject("transceiver_ageing", "cpe-bank-1:GigabitEthernet0/0/1", db_per_day=1.0)
    lab.advance(3.9 * 86400)  # 3.9 dB below nominal: above the threshold (nominal - 4 dB)
    assert not [e for e in seen if e.kind is LinkEventKind.TX_LOW_ALARM]
    lab.advance(0.2 * 86400)
    [raised] = [e for e in seen if e.kind is LinkEventKind.TX_LOW_ALARM]
    assert (raised.device, raised.port) == ("cpe-bank-1", "GigabitEthernet0/0/1")
    assert raised.tx_dbm == pytest.approx(-5.2 - 4.1)
    [alarm] = [a for a in lab.alarms("cpe-bank-1") if "output power is too low" in a.description]
    assert alarm.port == "GigabitEthernet0/0/1" and "EntityTrapFaultID=136194" in alarm.description
    assert lab.port_state("cpe-bank-1", "GigabitEthernet0/0/1").oper_up  # still light enough for the link
    lab.clear(fid)
    assert LinkEventKind.TX_LOW_CLEAR in [e.kind for e in seen]
    assert not [a for a in lab.alarms("cpe-bank-1") if "output power" in a.description]
    assert [a for a in lab.alarms("cpe-bank-1", active=False) if "output power" in a.description][0].cleared
