"""The lab prints what real devices print: Huawei S-series optics in uW in the columns the LibreNMS
S5720 recordings use, CloudEngine (VRP8) transceiver verbose output in the CE6870 capture's layout,
VRP5 multi-lane rows as the S6730 capture, and alarm rows indented by two spaces after the VRP
legend. Rendered from the model without I/O; the captures are read from ../shared/fixtures."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from lab import DEFAULT_TOPOLOGY, Lab, TopologyError
from lab.enums import CliDialect, PowerUnit
from lab.snmp.mib import HW_OPTICAL, DeviceMib
from lab.ssh.huawei import HuaweiShell
from lab.ssh.shell import DeviceContext

pytestmark = pytest.mark.fixtures


def _lab(models: dict[str, str] | None = None, transceivers: dict[str, str] | None = None) -> Lab:
    raw = yaml.safe_load(DEFAULT_TOPOLOGY.read_text(encoding="utf-8"))
    raw["lab"]["optical_power_unit"] = {}  # every device as its family reports
    raw["lab"]["models"].update(models or {})
    for dev in raw["devices"]:
        for p in dev["ports"]:
            key = f"{dev['name']}:{p['name']}"
            if key in (transceivers or {}):
                p["transceiver"] = transceivers[key]
                p.pop("rx_sensitivity_dbm", None), p.pop("rx_overload_dbm", None), p.pop("wavelength_nm", None)
    lab = Lab.load(raw, address_block="127.99.3")
    lab.clock.scale = 0.0
    return lab


def _shell(lab: Lab, device: str) -> HuaweiShell:
    ctx = DeviceContext(lab.topology.devices[device], 1, lab.model, lab.events, lab.clock, lab.set_loop)
    return HuaweiShell(ctx)


def _columns(mib: DeviceMib, ent: int) -> dict[int, object]:
    return {o[len(HW_OPTICAL)]: g() for o, g in zip(mib.oids, mib.getters, strict=True)
            if o[:len(HW_OPTICAL)] == HW_OPTICAL and o[-1] == ent}


def _recorded_columns(fixtures_dir: Path) -> set[int]:
    rec = fixtures_dir / "snmp" / "librenms_vrp_5720-32x-ei.snmprec"
    prefix = ".".join(map(str, HW_OPTICAL)) + "."
    return {int(line[len(prefix):].split(".")[0]) for line in rec.read_text(errors="replace").splitlines()
            if line.startswith(prefix)}


def test_s_series_serves_microwatts_like_the_s5720_recording(fixtures_dir: Path) -> None:
    lab = _lab()
    spec = lab.topology.devices["acc-a-sw1"]
    assert spec.model.startswith("S5720") and spec.optical_unit is PowerUnit.MICROWATT
    mib = DeviceMib(spec, 5, lab.model, lab.clock)
    port = lab.topology.port("acc-a-sw1:GigabitEthernet0/0/1")
    cols = _columns(mib, 16_000 + port.if_index)
    truth = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1")
    assert int(cols[8]) == round(10 ** (truth.rx_dbm / 10) * 1000) > 0  # uW, as the recording's 78, 132 ...
    assert int(cols[9]) == round(10 ** (truth.tx_dbm / 10) * 1000) > 0
    assert int(cols[13]) == round(port.rx_sensitivity_dbm * 100)  # thresholds stay in 0.01 dBm (-2697 ...)
    assert [int(cols[c]) for c in (20, 21, 22, 23)] == [-1, -1, -1, -1]  # no warning thresholds, as recorded
    assert re.fullmatch(r"-?\d+\.\d\d", str(cols[32]))  # '-1104.03': 0.01 dBm text with two decimals
    assert float(str(cols[32])) / 100 == pytest.approx(truth.rx_dbm, abs=0.005)
    # every recorded column but three the lab does not simulate (18, the 31 bias and 45 distance texts)
    assert _recorded_columns(fixtures_dir) - {18, 31, 45} <= set(cols)
    # a dark receiver: 0 uW (below 0.5 uW nothing is left), the text says -40 dBm
    lab.inject("fiber_cut", "CIR-MPLS-0002#0")
    port2 = lab.topology.port("acc-a-sw1:GigabitEthernet0/0/2")
    dark = _columns(mib, 16_000 + port2.if_index)
    assert int(dark[8]) == 0 and str(dark[32]) == "-4000.00" and int(dark[9]) > 0


def test_ar_and_ne_keep_centi_dbm_and_a_topology_may_pin_the_unit() -> None:
    lab = _lab()
    for name in ("cpe-bank-1", "metro-egr1"):
        spec = lab.topology.devices[name]
        assert spec.optical_unit is PowerUnit.CENTI_DBM
        port = spec.ports[0]
        cols = _columns(DeviceMib(spec, 1, lab.model, lab.clock), 16_000 + port.if_index)
        assert int(cols[8]) == round(lab.port_state(name, port.name).rx_dbm * 100)
    default = Lab.load(DEFAULT_TOPOLOGY, address_block="127.99.3")  # the branch topology pins acc-a-sw1
    assert default.topology.devices["acc-a-sw1"].optical_unit is PowerUnit.CENTI_DBM
    raw = yaml.safe_load(DEFAULT_TOPOLOGY.read_text(encoding="utf-8"))
    raw["lab"]["optical_power_unit"] = {"agg-rtr1": "microwatt", "acc-a-sw1": "dBm", "ghost": "microwatt"}
    with pytest.raises(TopologyError) as info:
        Lab.load(raw)
    problems = "\n".join(info.value.problems)
    assert "['agg-rtr1']: only Huawei" in problems and "['acc-a-sw1']: one of" in problems
    assert "['ghost']: no such device" in problems


def _diag_fields(text: str) -> dict[str, list[str]]:
    """Label -> values of a VRP8 diagnostic block, lanes continued on indented lines (independent of the lab)."""
    out: dict[str, list[str]] = {}
    last = None
    for line in text.split("Diagnostic information:")[1].splitlines():
        m = re.match(r"^   (\S.*?)\s*:(.*)$", line)
        if m:
            last = m.group(1)
            out[last] = re.findall(r"-?\d+\.\d+", m.group(2).split("(")[0])
        elif last and re.match(r"^ {42}\S", line):
            out[last] += re.findall(r"-?\d+\.\d+", line.split("(")[0])
    return out


def test_cloudengine_verbose_has_the_ce6870_layout(fixtures_dir: Path) -> None:
    capture = (fixtures_dir / "cli" / "huawei_vrp" / "display_transceiver_verbose" / "yandex_ce6870_100ge_lanes_dark.raw"
               ).read_text(encoding="utf-8")
    lab = _lab(models={"metro-egr1": "CE6870-48S6CQ-EI"},
               transceivers={"metro-egr1:XGigabitEthernet1/0/0": "100GBASE-LR4",
                             "agg-rtr1:TenGigabitEthernet1/1/4": "100GBASE-LR4"})
    assert lab.topology.devices["metro-egr1"].cli_dialect is CliDialect.VRP8
    shell = _shell(lab, "metro-egr1")
    ours = shell.handle("display interface XGigabitEthernet1/0/0 transceiver verbose")
    assert ours == shell.handle("display transceiver interface XGigabitEthernet1/0/0 verbose")
    labels = lambda t: [m.group(1) for m in re.finditer(r"^ {1,3}(\S[^:]*?)\s*:", t, re.M)]  # noqa: E731
    assert labels(ours)[1:] == labels(capture)[1:]  # every label (after the port's), in the capture's order and spelling
    assert labels(ours)[0] == "XGigabitEthernet1/0/0 transceiver information"
    ours_d, theirs_d = _diag_fields(ours), _diag_fields(capture)
    assert set(ours_d) == set(theirs_d)
    assert len(ours_d["Current RX Power (dBm)"]) == len(theirs_d["Current RX Power (dBm)"]) == 4
    truth = lab.port_state("metro-egr1", "XGigabitEthernet1/0/0").rx_dbm
    assert min(map(float, ours_d["Current RX Power (dBm)"])) == pytest.approx(truth, abs=0.005)  # weakest lane
    assert float(ours_d["Default RX Power Low Threshold (dBm)"][0]) == -10.6
    assert "LOS Alarm" not in ours
    lab.inject("fiber_cut", "CIR-EPL-0001#2")
    dark = shell.handle("display interface XGigabitEthernet1/0/0 transceiver verbose")
    assert "    LOS Alarm\n" in dark and _diag_fields(dark)["Current RX Power (dBm)"] == ["-40.00"] * 4


def test_vrp5_multi_lane_rows_follow_the_s6730_capture(fixtures_dir: Path) -> None:
    capture = (fixtures_dir / "cli" / "huawei_vrp" / "display_transceiver_verbose" / "ix-rnp-100G_s6730_100ge0-0-3_lanes.raw"
               ).read_text(encoding="utf-8")
    lab = _lab(transceivers={"acc-a-sw1:XGigabitEthernet0/0/1": "100GBASE-LR4",
                             "agg-rtr1:TenGigabitEthernet1/1/1": "100GBASE-LR4"})
    ours = _shell(lab, "acc-a-sw1").handle("display transceiver interface XGigabitEthernet0/0/1 verbose")
    pattern = re.compile(r"^  RX Power\(dBM\)\s+:-?\d+\.\d\d\|-?\d+\.\d\d\(Lane0\|Lane1\)\n( +)-?\d+\.\d\d\|-?\d+\.\d\d\(Lane2\|Lane3\)$", re.M)
    theirs_m, ours_m = pattern.search(capture), pattern.search(ours)
    assert theirs_m and ours_m and ours_m.group(1) == theirs_m.group(1)  # continuation under the first value
    lanes = [float(x) for x in re.findall(r"-?\d+\.\d\d", ours_m.group(0))]
    assert min(lanes) == pytest.approx(lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").rx_dbm, abs=0.005)


def test_alarm_rows_are_indented_after_the_legend() -> None:
    lab = _lab()
    shell = _shell(lab, "acc-a-sw1")
    fid = lab.inject("fiber_cut", "CIR-EPL-0001#1")
    active = shell.handle("display alarm active")
    assert active.startswith("A/B/C/D/E/F/G/H/I/J\nA=Sequence, B=RootKindFlag(Independent|RootCause|nonRootCause)\n")
    rows = [line for line in active.splitlines() if re.match(r"^  \d+/", line)]
    assert len(rows) == len(lab.alarms("acc-a-sw1")) == 2
    fields = [r.strip().split("/", 8) for r in rows]
    assert {(f[1], f[3], f[5], f[7]) for f in fields} == {("Independent", "-", "linkDown", "Start"),
                                                           ("Independent", "-", "hwOpticalInvalid", "Start")}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00", f[2]) for f in fields)
    assert all("XGigabitEthernet0/0/1" in f[8] for f in fields)
    assert not any(re.match(r"^\d", line) for line in active.splitlines())  # never flush left
    lab.clear(fid)
    assert not [line for line in shell.handle("display alarm active").splitlines() if re.match(r"^  \d+/", line)]
    history = [line.strip().split("/", 8) for line in shell.handle("display alarm history").splitlines()
               if re.match(r"^  \d+/", line)]
    assert {f[7] for f in history} == {"End"} and all(f[3] != "-" for f in history)
