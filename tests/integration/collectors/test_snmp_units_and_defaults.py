"""Huawei power encoding decided by the device model, and module-class threshold defaults by port
speed, against snmpsim serving real recordings with a few values changed (noted per copy)."""
from __future__ import annotations

from pathlib import Path

import pytest

from collectors.enums import Want
from collectors.profiles import get_profile
from collectors.snmp.adapter import SnmpClient
from collectors.snmp.collect import collect_snmp
from collectors.target import DeviceTarget, SnmpParams
from collectors.thresholds import DEFAULTS

from .conftest import start_snmpsim, stop

pytestmark = [pytest.mark.fixtures, pytest.mark.asyncio(loop_scope="module")]
HW = "1.3.6.1.4.1.2011.5.25.31.1.1.3.1"
IF_HIGH_SPEED = "1.3.6.1.2.1.31.1.1.1.15"

COPIES = {
    # NE8000: GigabitEthernet0/8/0 (ifIndex 16, 10G) and 0/8/1 (ifIndex 17, here 1G) get an Rx low
    # alarm of 0 dBm, a bogus threshold the collectors must replace
    "ne8000-bogus": ("librenms_vrp_ne8000-m8", {f"{HW}.13.17305857": "0", f"{HW}.13.17305858": "0",
                                                f"{IF_HIGH_SPEED}.17": "1000"}),
    # AR169 (0.01 dBm device): its only lit port sends +1.00 dBm and reports no Rx, so every power
    # value on the device is positive - the sign rule alone would read 100 as 100 uW = -10 dBm
    "ar169-positive": ("librenms_vrp_ar169sfp", {f"{HW}.8.270": "-1", f"{HW}.9.270": "100"}),
    # the same values on a VRP5 S5720 are microwatts: 100 uW = -10 dBm
    "s5720-positive": ("librenms_vrp_5720", {}),
}


@pytest.fixture(scope="module")
def agent(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("snmpsim-units")
    data = work / "data"
    data.mkdir()
    for name, (recording, changes) in COPIES.items():
        lines = []
        for line in (fixtures_dir / "snmp" / f"{recording}.snmprec").read_text(encoding="utf-8").splitlines():
            oid, tag, value = line.split("|", 2)
            lines.append(f"{oid}|{tag}|{changes[oid]}" if oid in changes else line)
        missing = set(changes) - {line.split("|", 1)[0] for line in lines}
        assert not missing, missing
        (data / f"{name}.snmprec").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc, address, port = start_snmpsim(data, work)
    yield address, port
    stop(proc)


async def optical(agent, community: str, wants=frozenset({Want.OPTICAL})):
    address, port = agent
    target = DeviceTarget(community, "huawei_vrp", address, snmp=SnmpParams(community=community, port=port))
    async with SnmpClient() as client:
        result = await collect_snmp(client, target, get_profile("huawei_vrp"), set(wants))
    assert not result.errors, result.errors
    return {r.port: r for r in result.optical}


@pytest.mark.parametrize("wants", [{Want.OPTICAL}, {Want.OPTICAL, Want.INTERFACE}])  # ifHighSpeed walked once
async def test_bogus_thresholds_take_the_defaults_of_the_port_speed_class(agent, wants):
    readings = await optical(agent, "ne8000-bogus", wants)
    ten_g, one_g = readings["GigabitEthernet0/8/0"], readings["GigabitEthernet0/8/1"]
    assert ten_g.rx_thresholds == DEFAULTS["10GBASE-LR"][0] and ten_g.rx_thresholds.low_alarm == -14.4
    assert any("10GBASE-LR defaults" in n for n in ten_g.notes)
    assert one_g.rx_thresholds == DEFAULTS["1000BASE-LX"][0] and one_g.rx_thresholds.low_alarm == -20.0
    assert any("1000BASE-LX defaults" in n for n in one_g.notes)
    # the ports whose thresholds are sane keep the module's own
    assert readings["GigabitEthernet0/7/3"].rx_thresholds.low_alarm == pytest.approx(-26.02)


async def test_a_positive_centi_dbm_tx_on_a_router_is_not_read_as_microwatts(agent):
    port = (await optical(agent, "ar169-positive"))["GigabitEthernet0/0/4"]
    assert port.tx_dbm == pytest.approx(1.00) and port.rx_dbm is None
    assert not any("uW" in n for n in port.notes)


async def test_an_s_series_switch_still_reads_microwatts(agent):
    readings = await optical(agent, "s5720-positive")
    assert readings and all(any("uW" in n for n in r.notes) for r in readings.values())
