"""The scenario generator: deterministic for a seed, covering every class, vendor and position, and
its truth holds in the lab's own physics (a cut is dark, a degraded fiber is over budget by > 3 dB
with its receivers out of the bit-error zone, an aged laser is below its Tx alarm with the far end
up, a healthy circuit is up) - checked on the model, without any network I/O."""
from __future__ import annotations

import pytest

from lab import FaultKind, Lab
from lab.enums import PowerUnit
from lab.scenarios import CLASSES, POSITIONS, generate_scenarios
from lab.topology import expected_loss_db


@pytest.fixture(scope="module")
def labs():
    return generate_scenarios(5, 96, per_lab=16)


def test_same_seed_same_scenarios_other_seed_others(labs) -> None:
    again = generate_scenarios(5, 96, per_lab=16)
    assert [s.topology for s in again] == [s.topology for s in labs]
    assert generate_scenarios(6, 96)[0].topology != labs[0].topology


def test_every_class_vendor_position_and_length_appears(labs) -> None:
    scenarios = [sc for slab in labs for sc in slab.scenarios]
    assert {(sc.truth.kind, sc.ticket_kind, sc.symptom) for sc in scenarios} == set(CLASSES)
    assert {(v, p) for sc in scenarios for v, p in zip(sc.vendors, sc.positions, strict=True)} == {
        (v, p) for v in ("huawei_vrp", "cisco_ios", "zte_zxros") for p in POSITIONS}
    assert {sc.segments for sc in scenarios} == set(range(2, 9))
    devices = [d for slab in labs for d in slab.topology["devices"]]
    assert {d["snmp"]["version"] for d in devices} == {"2c", "3"}
    modules = {p.get("transceiver") for d in devices for p in d["ports"]}
    assert {"1000BASE-LX", "10GBASE-LR", "10GBASE-ER", "10GBASE-ZR", "100GBASE-LR4"} <= modules


def test_islands_share_no_device_and_siblings_share_segments(labs) -> None:
    for slab in labs:
        lab = Lab.load(slab.topology, address_block="127.98.1")
        owner: dict[str, str] = {}
        for cir in lab.topology.circuits.values():
            island = cir.id.removesuffix("-B")
            for a, z in cir.hops:
                for key in (a, z):
                    assert owner.setdefault(key.split(":")[0], island) == island
        main = [c for c in lab.topology.circuits.values() if not c.id.endswith("-B")]
        for cir in main:
            sib = lab.topology.circuits[f"{cir.id}-B"]
            assert set(cir.link_keys[1:]) <= set(sib.link_keys)  # the upstream segments are shared


def test_the_truth_holds_in_the_lab_physics(labs) -> None:
    checked = set()
    for slab in labs:
        lab = Lab.load(slab.topology, address_block="127.98.2")
        lab.clock.scale = 0.0
        for sc in slab.scenarios:
            if sc.truth.kind is not None:
                lab.inject(sc.truth.kind, sc.truth.target, **sc.truth.params)
        for sc in slab.scenarios:
            t, cir = sc.truth, lab.topology.circuits[sc.circuit]
            state = lab.circuit_state(sc.circuit)
            seg = cir.hops[t.segment] if t.segment is not None else None
            if t.kind in (None, FaultKind.FIBER_DEGRADED, FaultKind.DUPLEX_MISMATCH, FaultKind.SPEED_MISMATCH,
                          FaultKind.PORT_CONGESTION, FaultKind.EGRESS_CONGESTION, FaultKind.TRANSCEIVER_AGEING):
                assert state.up, (sc.id, t)
            if t.kind in (FaultKind.FIBER_CUT, FaultKind.CPE_POWER_OFF):
                assert not state.up, (sc.id, t)
            if t.kind is FaultKind.FIBER_DEGRADED:
                link = lab.topology.links[cir.link_keys[t.segment]]
                wl = lab.topology.port(link.a).wavelength_nm
                budget = expected_loss_db(link.length_km, link.connectors, link.splices, wl)
                assert lab.model.link_loss_db(link) > budget + 3.0, (sc.id, t)
                for end in seg:
                    r = lab.port_state(*end.split(":", 1))
                    assert r.rx_dbm >= lab.topology.port(end).rx_sensitivity_dbm + 3.0  # no bit errors
            if t.kind is FaultKind.TRANSCEIVER_AGEING:
                port = lab.topology.port(t.target)
                assert lab.port_state(*t.target.split(":", 1)).tx_dbm < port.tx_dbm - 4.0
            if t.kind is FaultKind.EGRESS_CONGESTION:
                assert lab.topology.site_kinds[lab.topology.devices[t.target.split(":")[0]].site] == "metro_egress"
                assert t.target == seg[1]
            if t.kind is FaultKind.PORT_CONGESTION:
                r = lab.port_state(*t.target.split(":", 1))
                assert r.out_util * r.speed_mbps >= 0.9 * cir.rate_mbps
            if t.kind is FaultKind.CPE_POWER_OFF:
                assert t.target == cir.hops[0][0].split(":")[0]
            checked.add(t.kind)
    assert checked == {k for k, *_ in CLASSES}


def test_s_series_devices_report_microwatts(labs) -> None:
    lab = Lab.load(labs[0].topology, address_block="127.98.3")
    units = {d.model: d.optical_unit for d in lab.topology.devices.values() if d.vendor.value == "huawei_vrp"}
    assert any(u is PowerUnit.MICROWATT for m, u in units.items() if m.startswith("S"))
    assert all(u is PowerUnit.CENTI_DBM for m, u in units.items() if m.startswith(("AR", "NE", "CE")))
