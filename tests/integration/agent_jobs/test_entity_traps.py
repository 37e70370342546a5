"""Traps that name an entity, not a port, in the serving agent: Cisco entity-sensor notifications
(only the sensor's entPhysicalIndex) and Huawei hwOpticalInvalid (fault id, entPhysicalIndex). The
agent reads the sender's ENTITY-MIB / sensor tables over real SNMP from the lab device at the first
such trap, so the alarm is stored with the right probable cause on the right inventory port."""
from __future__ import annotations

import asyncio
import shutil

import pytest
from tests.support.needs import Need, require

pytestmark = pytest.mark.asyncio(loop_scope="module")

HW_OPTICAL_INVALID, HW_OPTICAL_RESUME = "1.3.6.1.4.1.2011.5.25.219.2.4.5", "1.3.6.1.4.1.2011.5.25.219.2.4.6"
CISCO_THRESHOLD = "1.3.6.1.4.1.9.9.91.2.0.1"
SENSOR_VALUE, THRESHOLD_VALUE = "1.3.6.1.4.1.9.9.91.1.1.1.1.4", "1.3.6.1.4.1.9.9.91.1.2.1.1.4"


async def _alarms(api, **params) -> list[dict]:
    r = await api.get("/api/v1/alarms", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _row(rows: list[dict], cause: str, port: str, state: str = "raised") -> dict | None:
    return next((a for a in rows if a["probableCause"] == cause and a["alarmedObject"]["port"] == port
                 and a["state"] == state), None)


async def _snmptrap(source: str, port: int, trap_oid: str, *varbinds: str) -> None:
    """net-snmp's snmptrap as the device: v2c, from the device's own address."""
    require(Need.NETSNMP)  # the tests are marked netsnmp: this is the same check, where the tool is used
    exe = shutil.which("snmptrap")
    proc = await asyncio.create_subprocess_exec(
        exe, "-v", "2c", "-c", "public", f"--clientaddr={source}", f"127.0.0.1:{port}", "", trap_oid, *varbinds,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()


async def test_transceiver_ageing_is_stored_as_tx_low_on_cisco_and_huawei(lab, trap_port, db_url, helpers):
    """The lab's ageing lasers: Cisco sends the Tx sensor's entSensorThresholdNotification without
    entSensorType, Huawei hwOpticalInvalid with fault id 136194; both are transmitPowerLow."""
    async with helpers.agent_on(db_url, trap_port) as api:
        await api.import_inventory(lab)
        lab.clock.scale = 0.0
        ids = []
        try:
            ids.append(lab.inject("transceiver_ageing", "agg-rtr1:TenGigabitEthernet1/1/1", db_per_day=5.0))
            ids.append(lab.inject("transceiver_ageing", "acc-a-sw1:XGigabitEthernet0/0/1", db_per_day=5.0))
            lab.advance(86400)  # 5 dB down: below nominal - 4 dB, the Tx low alarm threshold

            async def both():
                cisco = _row(await _alarms(api, device="agg-rtr1"), "transmitPowerLow", "TenGigabitEthernet1/1/1")
                huawei = _row(await _alarms(api, device="acc-a-sw1"), "transmitPowerLow", "XGigabitEthernet0/0/1")
                return (cisco, huawei) if cisco and huawei else None

            cisco, huawei = await helpers.until(both, what="Tx low stored for both lasers")
        finally:
            for fid in ids:
                lab.clear(fid)
            lab.clock.scale = 1.0
        assert not _row(await _alarms(api, device="agg-rtr1"), "receivePowerLow", "TenGigabitEthernet1/1/1")
        assert "unknown" not in (cisco["specificProblem"] or "")  # the kind came from the device's sensor table
        assert "136194" in huawei["specificProblem"] and huawei["perceivedSeverity"] == "major"

        async def cleared():
            rows = await _alarms(api, active="false")
            return [a for a in rows if a["id"] in (cisco["id"], huawei["id"])]

        rows = await helpers.until(lambda: _len2(cleared()), what="both Tx low alarms cleared by the repair")
        assert {a["probableCause"] for a in rows} == {"transmitPowerLow"}
        facts = api.agent.services.traps.entities
        agg = lab.device("agg-rtr1").host
        assert facts[agg].error is None and facts[agg].sensors[1000 + 10 * 10101 + 1 + 5].kind == "tx_power"


async def _len2(rows_coro):
    rows = await rows_coro
    return rows if len(rows) == 2 else None


@pytest.mark.netsnmp
async def test_cisco_temperature_sensor_trap_without_sensor_type(lab, trap_port, db_url, helpers):
    """A temperature threshold crossed: the trap carries only the sensor's value and threshold; the
    device's entSensorType (celsius) and threshold relation (greaterOrEqual) say what it is."""
    agg = lab.device("agg-rtr1").host
    sensor = 1000 + 10 * 10101 + 1 + 2  # TenGigabitEthernet1/1/1's module temperature sensor in the lab
    async with helpers.agent_on(db_url, trap_port) as api:
        await api.import_inventory(lab)
        await _snmptrap(agg, trap_port, CISCO_THRESHOLD, f"{THRESHOLD_VALUE}.{sensor}.1", "i", "750",
                        f"{SENSOR_VALUE}.{sensor}", "i", "760")

        async def stored():
            return _row(await _alarms(api, device="agg-rtr1"), "temperatureHigh", "TenGigabitEthernet1/1/1")

        row = await helpers.until(stored, what="temperature high stored")
        assert row["alarmType"] == "environmentalAlarm"
        await _snmptrap(agg, trap_port, CISCO_THRESHOLD, f"{THRESHOLD_VALUE}.{sensor}.1", "i", "750",
                        f"{SENSOR_VALUE}.{sensor}", "i", "400")

        async def cleared():
            return _row(await _alarms(api, device="agg-rtr1"), "temperatureHigh", "TenGigabitEthernet1/1/1", "cleared")

        assert (await helpers.until(cleared, what="back under the threshold clears"))["id"] == row["id"]


@pytest.mark.netsnmp
async def test_huawei_fault_ids_and_entity_index_without_a_port_name(lab, trap_port, db_url, helpers):
    """hwOpticalInvalid as the MIB lists its objects (hwEntityPhysicalIndex, entPhysicalName,
    hwEntityTrapFaultID): an empty entPhysicalName is mapped through the device's entAliasMapping, an
    abbreviated one ("GE0/0/2") to the inventory's name; fault id 136195 is Rx high."""
    acc = lab.device("acc-a-sw1").host
    ent_of = {p.name: 16_000 + p.if_index for p in lab.topology.devices["acc-a-sw1"].ports}
    ent = ent_of["GigabitEthernet0/0/1"]
    async with helpers.agent_on(db_url, trap_port) as api:
        await api.import_inventory(lab)
        await _snmptrap(acc, trap_port, HW_OPTICAL_INVALID, "1.3.6.1.4.1.2011.5.25.219.1.1.0", "i", str(ent),
                        f"1.3.6.1.2.1.47.1.1.1.1.7.{ent}", "s", "", "1.3.6.1.4.1.2011.5.25.219.1.3.0", "i", "136195")
        await _snmptrap(acc, trap_port, HW_OPTICAL_INVALID, "1.3.6.1.2.1.47.1.1.1.1.7.99", "s", "GE0/0/2",
                        "1.3.6.1.4.1.2011.5.25.219.1.3", "i", "136196")

        async def stored():
            rows = await _alarms(api, device="acc-a-sw1")
            high = _row(rows, "receivePowerHigh", "GigabitEthernet0/0/1")
            low = _row(rows, "receivePowerLow", "GigabitEthernet0/0/2")
            return (high, low) if high and low else None

        high, low = await helpers.until(stored, what="both Huawei optical alarms stored on inventory ports")
        assert low["perceivedSeverity"] == "critical" and high["perceivedSeverity"] == "major"
        await _snmptrap(acc, trap_port, HW_OPTICAL_RESUME, "1.3.6.1.4.1.2011.5.25.219.1.1.0", "i", str(ent),
                        f"1.3.6.1.2.1.47.1.1.1.1.7.{ent}", "s", "", "1.3.6.1.4.1.2011.5.25.219.1.3.0", "i", "136195")

        async def cleared():
            return _row(await _alarms(api, device="acc-a-sw1"), "receivePowerHigh", "GigabitEthernet0/0/1", "cleared")

        assert (await helpers.until(cleared, what="the resume clears the Rx high alarm"))["id"] == high["id"]
        assert not [a for a in await _alarms(api, device="acc-a-sw1") if a["alarmedObject"]["port"] in (None, "", "GE0/0/2")]


@pytest.mark.netsnmp
async def test_a_sender_whose_tables_cannot_be_read_still_gets_its_alarm(lab, trap_port, db_url, helpers):
    """The CPE is dark to SNMP (powered off) when its sensor trap arrives: the alarm is stored anyway,
    read as before (receive power, kind unknown), and the failed read is not retried per trap."""
    hosp = lab.device("cpe-hosp-1").host
    sensor = 1007
    async with helpers.agent_on(db_url, trap_port) as api:
        await api.import_inventory(lab)
        fid = lab.inject("cpe_power_off", "cpe-hosp-1")
        try:
            await _snmptrap(hosp, trap_port, CISCO_THRESHOLD, f"{THRESHOLD_VALUE}.{sensor}.4", "i", "-200",
                            f"{SENSOR_VALUE}.{sensor}", "i", "-300")

            async def stored():
                return next((a for a in await _alarms(api, device="cpe-hosp-1")
                             if a["probableCause"] == "receivePowerLow"), None)

            row = await helpers.until(stored, timeout=30, what="the alarm stored after the read gave up")
        finally:
            lab.clear(fid)
        assert "sensor kind unknown" in row["specificProblem"]
        facts = api.agent.services.traps.entities[hosp]
        assert facts.error and not facts.sensors
