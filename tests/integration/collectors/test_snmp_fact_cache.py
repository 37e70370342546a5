"""Pollers' cache of module facts (FactCache) over real SNMP: the lab's devices and snmpsim serving a
real Huawei recording whose threshold and entLastChangeTime are writable (snmpsim ``writecache``).

A second poll with the cache reads fewer values and gives the same readings, thresholds included; a
device that restarted or whose entity table changed is read again in full."""
from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from collectors.enums import Want
from collectors.profiles import get_profile
from collectors.snmp.adapter import SnmpClient
from collectors.snmp.collect import SnmpResult, collect_snmp
from collectors.snmp.facts import FactCache
from collectors.target import DeviceTarget, SnmpParams, target_from_inventory
from tests.support.needs import Need, require

from .conftest import start_snmpsim, stop

pytestmark = pytest.mark.asyncio(loop_scope="module")
ALL = {Want.OPTICAL, Want.INTERFACE, Want.COUNTERS}
CACHED = "thresholds and module facts from the SNMP read at"
HW = "1.3.6.1.4.1.2011.5.25.31.1.1.3.1"
ENT_LAST_CHANGE = "1.3.6.1.2.1.47.1.4.1.0"


def lab_target(lab, name: str) -> DeviceTarget:
    dev = next(d for d in lab.inventory()["devices"] if d["name"] == name)
    found = target_from_inventory(dev)
    return replace(found, snmp=replace(found.snmp, timeout=2.0, retries=1))


def comparable(result: SnmpResult) -> tuple[list, list]:
    """Optical readings and interface states without the read time and the cache note."""
    optical = [replace(r, source=replace(r.source, time=None), notes=tuple(n for n in r.notes if CACHED not in n))
               for r in result.optical]
    states = [replace(s, source=replace(s.source, time=None)) for s in result.interfaces]
    return optical, states


async def poll(client: SnmpClient, target: DeviceTarget, facts: FactCache) -> tuple[SnmpResult, int]:
    before = client.values_used
    result = await collect_snmp(client, target, get_profile(target.platform), ALL, facts=facts)
    return result, client.values_used - before


@pytest.mark.parametrize("name", ["cpe-bank-1", "agg-rtr1", "acc-b-sw1"])  # huawei, cisco, zte
async def test_second_poll_reads_fewer_values_and_gives_the_same_readings(lab, name):
    target = lab_target(lab, name)
    facts = FactCache(ttl=600)
    async with SnmpClient() as client:
        first, cost_first = await poll(client, target, facts)
        second, cost_second = await poll(client, target, facts)
        uncached, cost_uncached = await poll(client, target, FactCache(ttl=0))  # ttl 0: every poll reads all
    assert not [e for e in first.errors if e.item != "optical"] and first.interfaces
    assert comparable(second) == comparable(first) == comparable(uncached)
    assert facts.hits == 1 and facts.invalidations == 0
    if get_profile(target.platform).snmp_optical:
        assert first.optical and all(r.rx_thresholds.low_alarm is not None for r in second.optical)
        assert all(any(CACHED in n for n in r.notes) for r in second.optical)
        assert not any(CACHED in n for r in first.optical for n in r.notes)
        assert cost_second < 0.7 * cost_first  # the thresholds / sensor facts were not read again
    else:
        assert [e.item for e in second.errors] == ["optical"]  # ZTE: optics over CLI, as before
    assert cost_second < cost_first and cost_uncached >= cost_first - 2


async def test_a_restarted_device_is_read_again(lab):
    target = lab_target(lab, "cpe-hosp-1")  # cisco CPE
    lab.advance(600)  # the device has been up ten minutes
    facts = FactCache(ttl=600)
    async with SnmpClient() as client:
        first, cost_first = await poll(client, target, facts)
        await poll(client, target, facts)
        assert facts.invalidations == 0
        fault = lab.inject("cpe_power_off", "cpe-hosp-1")
        lab.clear(fault)  # power back: sysUpTime starts from zero
        again, cost_again = await poll(client, target, facts)
    assert facts.invalidations == 1
    assert "sysUpTime went back" in facts.last_reason[(target.address, target.snmp.port, target.snmp.context)]
    assert comparable(again)[0] == comparable(first)[0]
    assert not any(CACHED in n for r in again.optical for n in r.notes)  # read afresh, not from the cache
    assert cost_again > cost_first  # live columns of the discarded poll, then everything again


# --- snmpsim: a real NE8000 recording with a writable threshold and entLastChangeTime ---------------
PORT_ENTITY = "17305857"  # GigabitEthernet0/8/0
RX_LOW_ALARM = f"{HW}.13.{PORT_ENTITY}"


@pytest.fixture(scope="module")
def writable(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    require(Need.NETSNMP)  # snmpset writes the threshold
    work = tmp_path_factory.mktemp("snmpsim-writecache")
    data = work / "data"
    data.mkdir()
    lines = []
    for line in (fixtures_dir / "snmp" / "librenms_vrp_ne8000-m8.snmprec").read_text(encoding="utf-8").splitlines():
        oid, tag, value = line.split("|", 2)
        lines.append(f"{oid}|{tag}:writecache|value={value}" if oid == RX_LOW_ALARM else line)
    lines.append(f"{ENT_LAST_CHANGE}|67:writecache|value=4200")  # the recording has none: added, writable
    lines.sort(key=lambda text: tuple(int(p) for p in text.split("|", 1)[0].split(".")))
    (data / "ne8000.snmprec").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc, address, port = start_snmpsim(data, work)
    yield DeviceTarget("ne8000", "huawei_vrp", address, snmp=SnmpParams(community="ne8000", port=port, timeout=2.0, retries=1))
    stop(proc)


def snmpset(target: DeviceTarget, oid: str, kind: str, value: str) -> None:
    subprocess.run(["snmpset", "-v2c", "-c", target.snmp.community, "-On", "-t", "2", "-r", "1",
                    f"{target.address}:{target.snmp.port}", oid, kind, value], check=True, capture_output=True)


@pytest.mark.fixtures
@pytest.mark.netsnmp
async def test_an_entity_change_on_the_device_brings_the_new_thresholds(writable):
    facts = FactCache(ttl=600)
    async with SnmpClient() as client:
        first, _ = await poll(client, writable, facts)
        port = next(r for r in first.optical if r.port == "GigabitEthernet0/8/0")
        assert port.rx_thresholds.low_alarm == pytest.approx(-14.10)  # the recording's own value
        snmpset(writable, RX_LOW_ALARM, "i", "-1500")  # a new module class in the slot...
        cached, _ = await poll(client, writable, facts)
        # ...without entLastChangeTime moving, the cached facts stand (and the reading says so)
        port = next(r for r in cached.optical if r.port == "GigabitEthernet0/8/0")
        assert port.rx_thresholds.low_alarm == pytest.approx(-14.10) and any(CACHED in n for n in port.notes)
        snmpset(writable, ENT_LAST_CHANGE, "t", "9900")  # the device reports the entity change
        fresh, _ = await poll(client, writable, facts)
    port = next(r for r in fresh.optical if r.port == "GigabitEthernet0/8/0")
    assert port.rx_thresholds.low_alarm == pytest.approx(-15.00)
    assert not any(CACHED in n for n in port.notes)
    assert facts.invalidations == 1
    assert "entLastChangeTime changed from 4200 to 9900" in facts.last_reason[
        (writable.address, writable.snmp.port, writable.snmp.context)]
