"""Per vendor: netmiko connects to the lab over real SSH with its stock device type, runs every
supported command, and the outputs parse with the ntc-templates that parse the real captures;
the values parsed equal the model's truth."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from lab import Lab

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _label_order(text: str) -> list[str]:
    return [line.split(":")[0].strip() for line in text.splitlines() if ":" in line and line.startswith("  ")]


async def test_huawei_commands_parse_with_ntc_templates(lab: Lab, tools) -> None:
    parsed = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei_vrp", [
        "display interface GigabitEthernet0/0/1", "display interface", "display interface brief"], True)
    one = parsed["display interface GigabitEthernet0/0/1"]
    assert isinstance(one, list) and len(one) == 1
    truth = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1")
    assert one[0]["interface"] == "GigabitEthernet0/0/1"
    assert one[0]["link_status"] == ("UP" if truth.oper_up else "DOWN")
    assert one[0]["speed"] == "1000" and one[0]["duplex"] == "FULL" and one[0]["loopback"] == "NONE"
    every = parsed["display interface"]
    assert [r["interface"] for r in every] == [p.name for p in lab.topology.devices["acc-a-sw1"].ports]
    brief = {r["interface"]: r for r in parsed["display interface brief"]}
    assert brief["GigabitEthernet0/0/4"]["phy"] == "down"  # spare port without fiber
    assert brief["GigabitEthernet0/0/1"]["phy"] == "up"


async def test_huawei_untemplated_commands_follow_real_captures(lab: Lab, tools, fixtures_dir: Path) -> None:
    raw = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei", [
        "display transceiver interface GigabitEthernet0/0/1 verbose", "display alarm active",
        "display alarm history", "dispaly interface", "screen-length 0 temporary"], False)
    capture = (fixtures_dir / "cli/huawei_vrp/display_transceiver_verbose/misc-one-liners_s5730_10g-er_rx-los.raw"
               ).read_text(encoding="utf-8", errors="replace")
    ours = raw["display transceiver interface GigabitEthernet0/0/1 verbose"]
    # same labels in the same order as the real S5730 capture (bar the mojibake degree sign)
    strip = lambda labels: [re.sub(r"\(.*C\)", "(C)", x) for x in labels]  # noqa: E731
    assert strip(_label_order(ours)) == strip(_label_order(capture))
    rx = float(re.search(r"RX Power\(dBM\)\s+:(-?\d+\.\d+)", ours).group(1))
    assert rx == pytest.approx(lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").rx_dbm, abs=0.005)
    assert "Sequence   AlarmId    Severity Date Time  Description" in raw["display alarm active"]
    assert "Error: Unrecognized command found at '^' position." in raw["dispaly interface"]
    assert raw["screen-length 0 temporary"].startswith("Info:")


async def test_cisco_commands_parse_with_ntc_templates(lab: Lab, tools) -> None:
    fid = lab.inject("fiber_cut", "agg-rtr1:TenGigabitEthernet1/1/2")  # gives `show logging` some history
    lab.clear(fid)
    parsed = await asyncio.to_thread(tools.run_commands, lab, "agg-rtr1", "cisco_ios", [
        "show interfaces TenGigabitEthernet1/1/1", "show interfaces", "show interface transceiver",
        "show logging"], True)
    one = parsed["show interfaces TenGigabitEthernet1/1/1"][0]
    assert one["interface"] == "TenGigabitEthernet1/1/1" and one["link_status"] == "up"
    assert one["duplex"] == "Full-duplex" and one["speed"] == "10Gb/s"
    assert len(parsed["show interfaces"]) == 3
    xcvr = {r["interface"]: r for r in parsed["show interface transceiver"]}
    truth = lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1")
    assert float(xcvr["Te1/1/1"]["rx_pwr"]) == pytest.approx(truth.rx_dbm, abs=0.05)
    assert float(xcvr["Te1/1/1"]["tx_pwr"]) == pytest.approx(truth.tx_dbm, abs=0.05)
    logs = parsed["show logging"]
    mnemonics = {(r["facility"], r["mnemonic"]) for r in logs}
    assert ("LINK", "UPDOWN") in mnemonics and ("LINEPROTO", "UPDOWN") in mnemonics
    assert any("TenGigabitEthernet1/1/2, changed state to down" in " ".join(r["message"]) for r in logs)


async def test_cisco_raw_loopback_field_and_invalid_input(lab: Lab, tools) -> None:
    raw = await asyncio.to_thread(tools.run_commands, lab, "cpe-hosp-1", "cisco_ios", [
        "show interfaces GigabitEthernet0/1", "show interfacez", "terminal length 0"], False)
    assert "Encapsulation ARPA, loopback not set" in raw["show interfaces GigabitEthernet0/1"]
    assert "% Invalid input detected at '^' marker." in raw["show interfacez"]


async def test_zte_commands_parse_with_ntc_templates(lab: Lab, tools) -> None:
    parsed = await asyncio.to_thread(tools.run_commands, lab, "acc-b-sw1", "zte_zxros", [
        "show interface gei-1/1/0/1", "show interface", "show interface brief"], True)
    one = parsed["show interface gei-1/1/0/1"][0]
    assert one["interface"] == "gei-1/1/0/1" and one["link_status"] == "up" and one["interface_index"] == "8193"
    assert len(parsed["show interface"]) == 4
    brief = {r["interface"]: r for r in parsed["show interface brief"]}
    assert brief["xgei-1/1/0/49"]["bw"] == "10G" and brief["xgei-1/1/0/49"]["physical"] == "up"


async def test_zte_optical_info_matches_truth(lab: Lab, tools) -> None:
    raw = await asyncio.to_thread(tools.run_commands, lab, "prov-exit1", "zte_zxros", [
        "show opticalinfo xgei-1/1/0/1", "show interface xgei-1/1/0/9"], False)
    rx = float(re.search(r"RxPower\(dBm\)\s+:\s+(-?\d+\.\d+)", raw["show opticalinfo xgei-1/1/0/1"]).group(1))
    assert rx == pytest.approx(lab.port_state("prov-exit1", "xgei-1/1/0/1").rx_dbm, abs=0.005)
    assert "Invalid input" in raw["show interface xgei-1/1/0/9"]


async def test_huawei_transceiver_diagnosis_follows_real_capture(lab: Lab, tools, fixtures_dir: Path) -> None:
    raw = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei", [
        "display transceiver diagnosis interface XGigabitEthernet0/0/1"], False)
    ours = next(iter(raw.values())).splitlines()
    capture = (fixtures_dir / "cli/huawei_vrp/display_transceiver_diagnosis_interface/"
               "misc-one-liners_s5730_xge0-0-1_rx-abnormal.raw").read_text(encoding="utf-8", errors="replace").splitlines()
    assert ours[1:4] == capture[1:4]  # the same header
    assert [ln.split()[0][:4] for ln in ours[4:9]] == [ln.split()[0][:4] for ln in capture[4:9]]
    rx = float(next(ln for ln in ours if ln.startswith("RxPower")).split()[1])
    assert rx == pytest.approx(lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").rx_dbm, abs=0.005)


async def test_cisco_enable_secret_when_the_topology_sets_one(tools) -> None:
    """With `cli.secret`, IOS logs in at user EXEC and netmiko's enable() must give the secret."""
    import random

    import yaml
    from netmiko import ConnectHandler

    from lab import DEFAULT_TOPOLOGY

    data = yaml.safe_load(DEFAULT_TOPOLOGY.read_text(encoding="utf-8"))
    next(d for d in data["devices"] if d["name"] == "cpe-hosp-1")["cli"]["secret"] = "En@ble1"
    small = Lab.load(data, address_block=f"127.{random.randint(100, 250)}.{random.randint(1, 254)}",
                     snmp_port=random.randint(20000, 40000), ssh_port=random.randint(40001, 60000))
    async with small:
        ep = small.device("cpe-hosp-1")

        def session(secret: str) -> tuple[str, str]:
            conn = ConnectHandler(device_type="cisco_ios", host=ep.host, port=ep.ssh_port, username=ep.username,
                                  password=ep.password, secret=secret)
            try:
                before = conn.find_prompt()
                conn.enable()
                out = conn.send_config_set(["interface GigabitEthernet0/1", "loopback remote"])
                return before, out
            finally:
                conn.disconnect()

        before, out = await asyncio.to_thread(session, "En@ble1")
        assert before == "cpe-hosp-1>" and "cpe-hosp-1(config-if)#" in out
        assert small.port_state("cpe-hosp-1", "GigabitEthernet0/1").loop is not None
        with pytest.raises(ValueError):
            await asyncio.to_thread(session, "wrong")
