"""The lab cannot drift from real devices: for every command with an ntc-template, the real capture
parses to its expected result AND every lab device of that platform renders output the same template
parses into records of the same shape, in every port state (up, down, looped, degraded). The same for
the project's own TextFSM templates (collectors/templates/, for commands ntc-templates lacks): the lab
output fills the same fields as the real capture its layout follows, and where no capture exists
(Huawei/ZTE alarm tables, ZTE optics) the parse carries every value the lab rendered."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ntc_templates.parse import parse_output

import io

import textfsm

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
    lab.clear(lab.inject("fiber_cut", "CIR-MPLS-0002#0"))  # cleared alarms for the history views
    lab.clear(lab.inject("fiber_cut", "CIR-EPL-0005#0"))
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


# ---- the project's own TextFSM templates (collectors/templates/) ---------------------------------------
OWN_TEMPLATES = Path(__file__).resolve().parents[3] / "collectors" / "templates"
# (template, lab device, lab command, fixture folder, the capture whose layout the lab follows)
OWN_CASES = [
    ("huawei_vrp_display_transceiver_verbose", "acc-a-sw1", "display transceiver verbose",
     "cli/huawei_vrp/display_transceiver_verbose", "misc-one-liners_s5730_10g-er_rx-los.raw"),
    ("huawei_vrp_display_transceiver_verbose", "metro-egr1", "display transceiver interface XGigabitEthernet1/0/1 verbose",
     "cli/huawei_vrp/display_transceiver_verbose", "misc-one-liners_s5730_10g-er_rx-los.raw"),
    ("huawei_vrp_display_transceiver_diagnosis", "acc-a-sw1", "display transceiver diagnosis interface XGigabitEthernet0/0/1",
     "cli/huawei_vrp/display_transceiver_diagnosis_interface", "misc-one-liners_s5730_xge0-0-1_rx-abnormal.raw"),
    ("huawei_vrp_display_interface", "acc-a-sw1", "display interface",
     "cli/huawei_vrp/display_interface", "huawei_vrp_display_interface.raw"),
    ("huawei_vrp_display_interface_brief", "metro-egr1", "display interface brief",
     "cli/huawei_vrp/display_interface_brief", "huawei_vrp_display_interface_brief.raw"),
    ("cisco_ios_show_interfaces_transceiver", "agg-rtr1", "show interfaces transceiver",
     "cli/cisco_ios/show_interfaces_transceiver", "cisco_ios_show_interface_transceiver.raw"),
]


def _own_parse(template: str, text: str) -> list[dict]:
    fsm = textfsm.TextFSM(io.StringIO((OWN_TEMPLATES / f"{template}.textfsm").read_text(encoding="utf-8")))
    return fsm.ParseTextToDicts(text)


def _filled(records: list[dict]) -> set[str]:
    return {k for r in records for k, v in r.items() if v not in ("", [])}


def _layout_fields(records: list[dict]) -> set[str]:
    """Filled fields, less the device's alarm flags (Cisco '-40.0 --'): a flag is printed only where
    a value crosses a threshold, so which flags show depends on the values, not on the layout."""
    return {k for k in _filled(records) if not k.endswith("_FLAG")}


@pytest.mark.parametrize("template,device,command,folder,reference", OWN_CASES, ids=[f"{c[0]}-{c[1]}" for c in OWN_CASES])
def test_own_templates_read_the_lab_like_the_real_capture(lab: Lab, fixtures_dir: Path, template: str, device: str,
                                                          command: str, folder: str, reference: str) -> None:
    captures = {raw.name: _layout_fields(_own_parse(template, raw.read_text(encoding="utf-8", errors="replace")))
                for raw in sorted((fixtures_dir / folder).glob("*.raw"))}
    assert captures.get(reference), f"{reference}: the template reads nothing of the real capture"
    ours = _own_parse(template, _render(lab, device, command))
    assert ours, command
    # the same fields as the capture the lab's layout copies, and all those every real capture fills
    assert _layout_fields(ours) == captures[reference]
    assert set.intersection(*captures.values()) <= _layout_fields(ours)


def test_own_templates_read_lab_optical_values_equal_to_the_truth(lab: Lab) -> None:
    verbose = _own_parse("huawei_vrp_display_transceiver_verbose", _render(lab, "acc-a-sw1", "display transceiver verbose"))
    assert [r["PORT"] for r in verbose] == [p.name for p in lab.topology.devices["acc-a-sw1"].ports if p.transceiver]
    for r in verbose:
        truth = lab.port_state("acc-a-sw1", r["PORT"])
        assert float(r["RX_POWER"][0]) == pytest.approx(max(truth.rx_dbm or -40.0, -40.0), abs=0.005)
        assert float(r["TX_POWER"][0]) == pytest.approx(truth.tx_dbm, abs=0.005)
    diag = _own_parse("huawei_vrp_display_transceiver_diagnosis",
                      _render(lab, "acc-a-sw1", "display transceiver diagnosis interface GigabitEthernet0/0/3"))
    rx_row = next(r for r in diag if r["PARAMETER"] == "RxPower")
    assert float(rx_row["VALUE"][0]) == pytest.approx(lab.port_state("acc-a-sw1", "GigabitEthernet0/0/3").rx_dbm, abs=0.005)
    optical = _own_parse("zte_zxros_show_opticalinfo", _render(lab, "prov-exit1", "show opticalinfo"))
    assert [r["PORT"] for r in optical] == ["xgei-1/1/0/1", "xgei-1/1/0/2"]
    assert float(optical[0]["RX_POWER"]) == -40.0  # CIR-EPL-0001#3 is cut in this lab
    assert float(optical[1]["RX_POWER"]) == pytest.approx(lab.port_state("prov-exit1", "xgei-1/1/0/2").rx_dbm, abs=0.005)
    assert _filled(optical) == {k for k in optical[0]}  # no field the template knows is left empty
    one = _own_parse("zte_zxros_show_opticalinfo", _render(lab, "acc-b-sw1", "show opticalinfo gei-1/1/0/1"))
    assert len(one) == 1 and one[0]["PORT"] == "gei-1/1/0/1"


@pytest.mark.parametrize("device,template,active_cmd,history_cmd,some_cleared", [
    ("metro-egr1", "huawei_vrp_display_alarm", "display alarm active", "display alarm history", False),
    ("acc-a-sw1", "huawei_vrp_display_alarm", "display alarm active", "display alarm history", True),
    ("prov-exit1", "zte_zxros_show_alarm", "show alarm current", "show alarm history", False),
    ("acc-b-sw1", "zte_zxros_show_alarm", "show alarm current", "show alarm history", True),
])
def test_own_alarm_templates_read_every_lab_alarm(lab: Lab, device: str, template: str, active_cmd: str,
                                                  history_cmd: str, some_cleared: bool) -> None:
    """No real capture exists for these tables (fixtures README): the parse must carry every alarm the
    lab holds, raised and cleared times included."""
    active = _own_parse(template, _render(lab, device, active_cmd))
    history = _own_parse(template, _render(lab, device, history_cmd))
    want_active, want_all = lab.alarms(device), lab.alarms(device, active=False)
    assert want_active and (len(want_all) > len(want_active)) is some_cleared
    assert len(active) == len(want_active) and len(history) == len(want_all)
    for rec, alarm in zip(history, want_all, strict=True):
        assert rec["RAISED"].startswith(f"{alarm.raised:%Y-%m-%d %H:%M:%S}")  # VRP adds the zone (+00:00)
        assert rec["CLEARED"].startswith(f"{alarm.cleared:%Y-%m-%d %H:%M:%S}" if alarm.cleared else "-")
        description = " ".join(rec["DESCRIPTION"]) if isinstance(rec["DESCRIPTION"], list) else rec["DESCRIPTION"]
        assert alarm.description.startswith(description[:40])
    fields = {"ALARM_ID", "LEVEL", "RAISED", "DESCRIPTION"}
    assert all(fields <= _filled([r]) for r in active + history)
