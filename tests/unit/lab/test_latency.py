"""Per-device latency: the topology's `lab.latency` section, its validation, and the waits a device draws."""
from __future__ import annotations

import copy

import pytest
import yaml

from lab import DEFAULT_TOPOLOGY, Lab, TopologyError, Vendor
from lab.latency import VENDOR_DEFAULTS, ZERO, DeviceTiming, Latency, LatencyMode, LatencySwitch, latency_mode
from lab.topology import parse_topology


@pytest.fixture()
def raw() -> dict:
    return yaml.safe_load(DEFAULT_TOPOLOGY.read_text(encoding="utf-8"))


def test_without_a_section_every_device_gets_its_vendors_times(raw: dict) -> None:
    topo = parse_topology(raw)
    for dev in topo.devices.values():
        assert dev.latency == VENDOR_DEFAULTS[dev.vendor]
    # like real devices: tens of ms for SNMP, 1-3 s to log in, some hundred ms per command
    for lat in VENDOR_DEFAULTS.values():
        assert 10 <= lat.snmp_ms <= 100 and 1000 <= lat.ssh_login_ms <= 3000 and 100 <= lat.command_ms <= 1000


def test_default_then_device_overrides_field_by_field(raw: dict) -> None:
    raw["lab"]["latency"] = {"default": {"snmp_ms": 50, "jitter": 0.0},
                             "devices": {"cpe-bank-1": {"ssh_login_ms": 2900}}}
    topo = parse_topology(raw)
    cpe, cisco = topo.devices["cpe-bank-1"], topo.devices["agg-rtr1"]
    assert cpe.latency == Latency(50, 2900, VENDOR_DEFAULTS[Vendor.HUAWEI].command_ms, 0.0)
    assert cisco.latency == Latency(50, VENDOR_DEFAULTS[Vendor.CISCO].ssh_login_ms,
                                    VENDOR_DEFAULTS[Vendor.CISCO].command_ms, 0.0)


@pytest.mark.parametrize(("section", "message"), [
    ({"default": {"snmp_ms": -1}}, "lab.latency.default.snmp_ms: a number >= 0"),
    ({"default": {"snmp": 20}}, "lab.latency.default: unknown key(s) ['snmp']"),
    ({"devices": {"no-such-box": {"snmp_ms": 20}}}, "lab.latency.devices['no-such-box']: no such device"),
    ({"devices": {"cpe-bank-1": {"command_ms": "slow"}}}, "lab.latency.devices['cpe-bank-1'].command_ms"),
    ({"devices": {"cpe-bank-1": {"jitter": 1.5}}}, "jitter: a share below 1"),
    ({"defaults": {}}, "lab.latency: unknown key(s) ['defaults']"),
    ("fast", "lab.latency: a mapping"),
])
def test_invalid_latency_is_reported(raw: dict, section: object, message: str) -> None:
    bad = copy.deepcopy(raw)
    bad["lab"]["latency"] = section
    with pytest.raises(TopologyError) as info:
        parse_topology(bad)
    assert any(message in p for p in info.value.problems), info.value.problems
    if isinstance(section, dict) and "default" in section:
        assert sum(message in p for p in info.value.problems) == 1  # one problem, not one per device


def test_waits_are_zero_while_the_switch_is_off_and_jittered_when_on() -> None:
    switch = LatencySwitch(LatencyMode.OFF)
    timing = DeviceTiming("acc-a-sw1", Latency(40, 2000, 300, 0.25), switch)
    assert (timing.snmp_s(), timing.login_s(), timing.command_s()) == (0.0, 0.0, 0.0)
    switch.mode = LatencyMode.REALISTIC
    draws = [timing.snmp_s() for _ in range(200)]
    assert all(0.030 <= d <= 0.050 for d in draws) and len(set(draws)) > 100
    assert 1.5 <= timing.login_s() <= 2.5 and 0.225 <= timing.command_s() <= 0.375
    # repeatable: a second device of the same name draws the same waits
    again = DeviceTiming("acc-a-sw1", Latency(40, 2000, 300, 0.25), switch)
    assert [again.snmp_s() for _ in range(200)] == draws
    assert DeviceTiming("x", ZERO, switch).snmp_s() == 0.0


def test_mode_from_argument_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAULTLINE_LAB_LATENCY", raising=False)
    assert latency_mode(None) is LatencyMode.OFF  # the tests' default: no waits
    assert latency_mode(True) is LatencyMode.REALISTIC and latency_mode("off") is LatencyMode.OFF
    monkeypatch.setenv("FAULTLINE_LAB_LATENCY", "Realistic")
    assert latency_mode(None) is LatencyMode.REALISTIC
    assert Lab.load(DEFAULT_TOPOLOGY, address_block="127.99.2").latency.on
    assert not Lab.load(DEFAULT_TOPOLOGY, address_block="127.99.2", latency=False).latency.on
    with pytest.raises(ValueError, match="lab latency"):
        latency_mode("sometimes")
