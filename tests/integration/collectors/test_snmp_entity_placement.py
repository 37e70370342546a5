"""Where optical sensors sit, against real recordings served by snmpsim: a Catalyst 9400 SVL pair whose
sensors are named after one port but contained under another's entity (the names win, and the reading
says so), and a copy of a recording with its IF-MIB rows removed (sensors but no interfaces: an error
carrying what was seen, not an empty answer)."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from collectors.enums import Want
from collectors.errors import ParseError
from collectors.profiles import get_profile
from collectors.snmp.adapter import SnmpClient
from collectors.snmp.collect import collect_snmp
from collectors.target import DeviceTarget, SnmpParams

from .conftest import start_snmpsim, stop

pytestmark = [pytest.mark.fixtures, pytest.mark.asyncio(loop_scope="module")]

SVL = "librenms_iosxe_c9400x-svl"
ISR = "librenms_iosxe_isr4321"
NO_IFMIB = "isr4321-no-ifmib"
IF_MIB_TABLES = ("1.3.6.1.2.1.2.2.", "1.3.6.1.2.1.31.1.1.")


@dataclass(frozen=True)
class Agent:
    address: str
    port: int
    data_dir: Path

    def target(self, community: str) -> DeviceTarget:
        return DeviceTarget(community, "cisco_ios", self.address,
                            snmp=SnmpParams(community=community, port=self.port, timeout=2.0, retries=1))


@pytest.fixture(scope="module")
def agent(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("snmpsim-placement")
    data = work / "data"
    data.mkdir()
    for name in (SVL, ISR):
        shutil.copy(fixtures_dir / "snmp" / f"{name}.snmprec", data / f"{name}.snmprec")
    lines = (fixtures_dir / "snmp" / f"{ISR}.snmprec").read_text(encoding="utf-8").splitlines()
    (data / f"{NO_IFMIB}.snmprec").write_text(
        "\n".join(line for line in lines if not line.startswith(IF_MIB_TABLES)) + "\n", encoding="utf-8")
    proc, address, port = start_snmpsim(data, work)
    yield Agent(address, port, data)
    stop(proc)


def recorded(agent: Agent, name: str) -> dict[str, str]:
    out = {}
    for line in (agent.data_dir / f"{name}.snmprec").read_text(encoding="utf-8").splitlines():
        oid, _tag, value = line.split("|", 2)
        out[oid] = value
    return out


async def read(agent: Agent, community: str):
    async with SnmpClient() as client:
        return await collect_snmp(client, agent.target(community), get_profile("cisco_ios"), {Want.OPTICAL, Want.INTERFACE})


async def test_svl_sensors_go_to_the_port_their_names_say_and_the_disagreement_is_noted(agent):
    rows = recorded(agent, SVL)
    # the recording itself: Te1/2/0/1's Rx sensor (2138) sits under the TenGigabitEthernet1/2/0/2 entity
    assert rows["1.3.6.1.2.1.47.1.1.1.1.7.2138"] == "Te1/2/0/1 Receive Power Sensor"
    assert rows["1.3.6.1.2.1.47.1.1.1.1.7.2128"] == "TenGigabitEthernet1/2/0/2"
    assert rows["1.3.6.1.2.1.47.1.1.1.1.4.2138"] == "2128"
    result = await read(agent, SVL)
    got = {r.port: r for r in result.optical}
    named = {v.split()[0] for k, v in rows.items()
             if k.startswith("1.3.6.1.2.1.47.1.1.1.1.7.") and v.endswith("Receive Power Sensor")}
    assert len(got) == len(named) == 6, sorted(got)
    one, two = got["TenGigabitEthernet1/2/0/1"], got["TenGigabitEthernet1/2/0/2"]
    assert one.rx_dbm == int(rows["1.3.6.1.4.1.9.9.91.1.1.1.1.4.2138"]) / 10  # -3.0 dBm, its own sensor
    assert two.rx_dbm == int(rows["1.3.6.1.4.1.9.9.91.1.1.1.1.4.2133"]) / 10  # -1.9 dBm
    assert one.rx_lanes_dbm == () and two.rx_lanes_dbm == ()  # not two "lanes" of one port
    assert any("named after TenGigabitEthernet1/2/0/1 but contained under TenGigabitEthernet1/2/0/2" in n
               for n in one.notes), one.notes
    assert not [e for e in result.errors if e.item == "optical"], result.errors


async def test_optical_sensors_without_if_mib_rows_are_an_error_carrying_what_was_seen(agent):
    result = await read(agent, NO_IFMIB)
    assert result.optical == ()
    [error] = [e for e in result.errors if e.item == "optical"]
    assert isinstance(error.error, ParseError) and not error.partial
    assert "no IF-MIB interface rows" in str(error.error)
    # the raw text names the sensors the recording holds
    assert "subslot 0/0 transceiver 0 Rx Power Sensor" in (error.error.raw or "")
    assert "subslot 0/0 transceiver 0 Tx Power Sensor" in (error.error.raw or "")
