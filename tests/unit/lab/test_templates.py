"""The lab cannot drift from real devices: for every command with an ntc-template, the real capture
parses to its expected result AND every lab device of that platform renders output the same template
parses into records of the same shape, in every port state (up, down, looped, degraded)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ntc_templates.parse import parse_output

from lab import DEFAULT_TOPOLOGY, Lab, LoopMode
from lab.ssh.server import SHELLS
from lab.ssh.shell import DeviceContext

# (platform, command the lab is sent, command ntc indexes, fixture folder)
CASES = [
    ("huawei_vrp", "display interface", "display interface", "cli/huawei_vrp/display_interface"),
    ("huawei_vrp", "display interface brief", "display interface brief", "cli/huawei_vrp/display_interface_brief"),
    ("cisco_ios", "show interfaces", "show interfaces", "cli/cisco_ios/show_interfaces"),
    ("cisco_ios", "show interfaces transceiver", "show interface transceiver", "cli/cisco_ios/show_interfaces_transceiver"),
    ("cisco_ios", "show logging", "show logging", "cli/cisco_ios/show_logging"),
    ("zte_zxros", "show interface", "show interface", "cli/zte_zxros/show_interface"),
    ("zte_zxros", "show interface brief", "show interface brief", "cli/zte_zxros/show_interface_brief"),
]


@pytest.fixture(scope="module")
def lab() -> Lab:
    lab = Lab.load(DEFAULT_TOPOLOGY, address_block="127.97.1")
    lab.clock.scale = 0.0
    # a mix of states so every branch of the renderers is exercised
    lab.inject("fiber_cut", "CIR-EPL-0001#3")
    lab.inject("fiber_degraded", "CIR-MPLS-0003#0", db=10)
    lab.inject("duplex_mismatch", "acc-b-sw1:gei-1/1/0/3")
    lab.set_loop("cpe-bank-1", "GigabitEthernet0/0/2", LoopMode.REMOTE)
    lab.set_loop("prov-exit1", "xgei-1/1/0/2", LoopMode.LOCAL)
    lab.inject("fiber_cut", "CIR-INET-0004#1")  # agg-rtr1 Te1/1/2 goes down: Cisco log lines
    lab.advance(30)
    return lab


def _render(lab: Lab, device: str, command: str) -> str:
    spec = lab.topology.devices[device]
    ctx = DeviceContext(spec, 1, lab.model, lab.events, lab.clock, lab.set_loop)
    return SHELLS[spec.vendor](ctx).handle(command)


@pytest.mark.parametrize("platform,command,ntc_command,folder", CASES, ids=[c[3].split("/", 1)[1] for c in CASES])
def test_lab_output_parses_like_the_real_capture(lab: Lab, fixtures_dir: Path, platform: str, command: str,
                                                 ntc_command: str, folder: str) -> None:
    expected_keys: set[str] | None = None
    for yml in sorted((fixtures_dir / folder).glob("*.yml")):
        raw = yml.with_suffix(".raw").read_text(encoding="utf-8", errors="replace")
        expected = yaml.safe_load(yml.read_text(encoding="utf-8"))["parsed_sample"]
        parsed = parse_output(platform=platform, command=ntc_command, data=raw)
        assert parsed == expected, yml.name  # the template really parses the real capture
        expected_keys = set(expected[0])
    assert expected_keys is not None, f"no expected parse in {folder}"
    devices = [d for d in lab.topology.devices.values() if d.vendor.value == platform]
    parsed_any = False
    for dev in devices:
        out = _render(lab, dev.name, command)
        parsed = parse_output(platform=platform, command=ntc_command, data=out)
        if command == "show logging" and not parsed:
            continue  # a device with an empty log buffer
        assert parsed, (dev.name, out[:300])
        parsed_any = True
        assert set(parsed[0]) == expected_keys
        if "interface" in parsed[0] and command != "show logging":
            names = {r["interface"] for r in parsed}
            if "transceiver" in command:
                assert len(names) == sum(1 for p in dev.ports if p.transceiver)
            else:
                assert names == {p.name for p in dev.ports}
    assert parsed_any


@pytest.mark.parametrize("device,command,expected", [
    ("acc-a-sw1", "display", "Error: Incomplete command found at '^' position."),
    ("acc-a-sw1", "dispaly interface", "Error: Unrecognized command found at '^' position."),
    ("acc-a-sw1", "display interface GigabitEthernet9/9/9", "Error: Wrong parameter found at '^' position."),
    ("agg-rtr1", "show", "% Incomplete command."),
    ("agg-rtr1", "show interfacez", "% Invalid input detected at '^' marker."),
    ("acc-b-sw1", "show", "%Error 20201: Incomplete command."),
])
def test_bad_commands_answer_like_the_vendor(lab: Lab, device: str, command: str, expected: str) -> None:
    assert expected in _render(lab, device, command)


def test_abbreviations_and_split_port_names(lab: Lab) -> None:
    full = _render(lab, "acc-a-sw1", "display interface GigabitEthernet0/0/1")
    assert _render(lab, "acc-a-sw1", "dis int GE0/0/1").split("Current system time")[0] == full.split("Current system time")[0]
    assert _render(lab, "acc-a-sw1", "display interface GigabitEthernet 0/0/1").startswith("GigabitEthernet0/0/1 current state")
    assert _render(lab, "agg-rtr1", "sh int Te1/1/1").startswith("TenGigabitEthernet1/1/1 is")
