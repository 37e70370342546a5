"""The lab's SNMP agents over real UDP: pysnmp and net-snmp's snmpbulkwalk walk the same tables and
agree; v3 authPriv works; the layout follows the LibreNMS recordings; counters follow the model."""
from __future__ import annotations

from pathlib import Path

import pytest

from lab import Lab

pytestmark = pytest.mark.asyncio(loop_scope="module")

IF_TABLE = "1.3.6.1.2.1.2.2"
IFX_TABLE = "1.3.6.1.2.1.31.1.1"
ENT_PHYS = "1.3.6.1.2.1.47.1.1.1"
ENT_ALIAS = "1.3.6.1.2.1.47.1.3.2"
HW_OPTICAL = "1.3.6.1.4.1.2011.5.25.31.1.1.3.1"
CISCO_SENSOR = "1.3.6.1.4.1.9.9.91.1.1.1"
CISCO_THRESHOLD = "1.3.6.1.4.1.9.9.91.1.2.1"
SYSTEM = "1.3.6.1.2.1.1"
DOT3_STATS = "1.3.6.1.2.1.10.7.2"


def _agree(ours: dict[str, str], theirs: dict[str, str], root: str) -> None:
    assert ours and set(ours) == set(theirs), (root, set(ours) ^ set(theirs))
    for oid, value in theirs.items():
        if "Hex-STRING" in value or value.startswith("STRING") and "\n" in value:
            continue
        assert _numeric(value) == ours[oid], (oid, value, ours[oid])


def _columns(snmprec: Path, prefix: str) -> set[int]:
    cols = set()
    for line in snmprec.read_text(errors="replace").splitlines():
        name = line.split("|", 1)[0]
        if name.startswith(prefix + "."):
            cols.add(int(name[len(prefix) + 1:].split(".")[0]))
    return cols


def _numeric(value: str) -> str:
    """net-snmp's 'INTEGER: 5' / 'Counter64: 7' / 'STRING: "x"' -> the bare value pysnmp prints."""
    kind, _, v = value.partition(": ")
    v = v.strip()
    if kind == "STRING":
        return v.strip('"')
    if kind == "Timeticks":
        return v.split(")")[0].strip("(")
    if kind == "OID":
        return v.lstrip(".")
    if kind == "Hex-STRING":
        return "0x" + v.replace(" ", "").lower()
    return v


@pytest.mark.netsnmp
@pytest.mark.parametrize("device,roots", [
    ("acc-a-sw1", [SYSTEM, IF_TABLE, IFX_TABLE, DOT3_STATS, ENT_PHYS, ENT_ALIAS, HW_OPTICAL]),
    ("agg-rtr1", [SYSTEM, IF_TABLE, IFX_TABLE, DOT3_STATS, ENT_PHYS, ENT_ALIAS, CISCO_SENSOR, CISCO_THRESHOLD]),
    ("acc-b-sw1", [SYSTEM, IF_TABLE, IFX_TABLE, DOT3_STATS, ENT_PHYS, ENT_ALIAS]),
])
async def test_pysnmp_and_snmpbulkwalk_agree(lab: Lab, tools, device: str, roots: list[str]) -> None:
    lab.clock.scale = 0.0  # freeze time so both walks read the same counters
    try:
        for root in roots:
            _agree(await tools.pysnmp_walk(lab, device, root), await tools.netsnmp_walk(lab, device, root), root)
    finally:
        lab.clock.scale = 1.0


@pytest.mark.netsnmp
@pytest.mark.parametrize("device,root", [
    ("acc-a-sw1", IF_TABLE), ("acc-a-sw1", HW_OPTICAL), ("agg-rtr1", CISCO_SENSOR), ("agg-rtr1", ENT_ALIAS),
    ("acc-b-sw1", SYSTEM),
])
async def test_getnext_walks_snmpwalk_and_pysnmp_equal_the_bulk_walk(lab: Lab, tools, device: str, root: str) -> None:
    """GETNEXT, from net-snmp's snmpwalk and pysnmp's walk_cmd, returns exactly what GETBULK returns."""
    lab.clock.scale = 0.0
    try:
        bulk = await tools.pysnmp_walk(lab, device, root)
        _agree(await tools.pysnmp_next_walk(lab, device, root), await tools.netsnmp_walk(lab, device, root, command="snmpwalk"), root)
        assert await tools.pysnmp_next_walk(lab, device, root) == bulk
    finally:
        lab.clock.scale = 1.0


@pytest.mark.netsnmp
async def test_netsnmp_v3_authpriv_walk_equals_v2c(lab: Lab, tools) -> None:
    """net-snmp as an independent SNMPv3 client: SHA auth + AES privacy, GETBULK and GETNEXT."""
    v3 = tools.netsnmp_v3_args(lab)
    lab.clock.scale = 0.0
    try:
        for device, root in (("acc-a-sw1", HW_OPTICAL), ("agg-rtr1", CISCO_SENSOR), ("acc-b-sw1", IFX_TABLE)):
            plain = await tools.netsnmp_walk(lab, device, root)
            assert plain, root
            assert await tools.netsnmp_walk(lab, device, root, extra=v3) == plain
            assert await tools.netsnmp_walk(lab, device, root, extra=v3, command="snmpwalk") == plain
        wrong = [*v3[:-1], "not-the-priv-key"]
        with pytest.raises(AssertionError):  # a wrong privacy key gets nothing back
            await tools.netsnmp_walk(lab, "agg-rtr1", SYSTEM, extra=wrong)
    finally:
        lab.clock.scale = 1.0


async def test_v3_authpriv_walk_equals_v2c(lab: Lab, tools) -> None:
    lab.clock.scale = 0.0
    try:
        plain = await tools.pysnmp_walk(lab, "acc-a-sw1", HW_OPTICAL)
        secure = await tools.pysnmp_walk(lab, "acc-a-sw1", HW_OPTICAL, auth=tools.v3(lab))
    finally:
        lab.clock.scale = 1.0
    assert plain and plain == secure


async def test_v3_only_device_answers_v3_and_refuses_v2c(lab: Lab, tools) -> None:
    """cpe-factory-1 is `snmp.version: "3"` in the topology: authPriv works, a community gets silence."""
    assert lab.device("cpe-factory-1").snmp_version == "3"
    secure = await tools.pysnmp_walk(lab, "cpe-factory-1", HW_OPTICAL, auth=tools.v3(lab))
    ent = 16_000 + lab.topology.port("cpe-factory-1:GigabitEthernet0/0/1").if_index
    rx = lab.port_state("cpe-factory-1", "GigabitEthernet0/0/1").rx_dbm
    assert int(secure[f"{HW_OPTICAL}.8.{ent}"]) == round(rx * 100)
    with pytest.raises(AssertionError, match="(?i)timeout"):
        await tools.pysnmp_get(lab, "cpe-factory-1", "1.3.6.1.2.1.1.5.0")  # v2c, community public


async def test_wrong_community_gets_no_answer(lab: Lab) -> None:
    from pysnmp.hlapi.v3arch.asyncio import (
        CommunityData, ContextData, ObjectIdentity, ObjectType, SnmpEngine, UdpTransportTarget, get_cmd)

    ep = lab.device("acc-a-sw1")
    engine = SnmpEngine()
    try:
        target = await UdpTransportTarget.create((ep.host, ep.snmp_port), timeout=0.5, retries=0)
        err, _, _, _ = await get_cmd(engine, CommunityData("wrong"), target, ContextData(),
                                     ObjectType(ObjectIdentity("1.3.6.1.2.1.1.5.0")), lookupMib=False)
    finally:
        engine.close_dispatcher()
    assert err is not None and "timeout" in str(err).lower()


async def test_walks_have_the_columns_real_devices_have(lab: Lab, tools, fixtures_dir: Path) -> None:
    huawei = fixtures_dir / "snmp" / "librenms_vrp_ar169sfp.snmprec"
    cisco = fixtures_dir / "snmp" / "librenms_ios_2960x.snmprec"
    ours_hw = await tools.pysnmp_walk(lab, "acc-a-sw1", HW_OPTICAL)
    hw_cols = {int(k[len(HW_OPTICAL) + 1:].split(".")[0]) for k in ours_hw}
    assert _columns(huawei, HW_OPTICAL) <= hw_cols
    ours_if = await tools.pysnmp_walk(lab, "agg-rtr1", IF_TABLE + ".1")
    if_cols = {int(k[len(IF_TABLE) + 3:].split(".")[0]) for k in ours_if}
    assert _columns(cisco, IF_TABLE + ".1") <= if_cols
    ours_sensor = await tools.pysnmp_walk(lab, "agg-rtr1", CISCO_SENSOR)
    assert _columns(cisco, CISCO_SENSOR + ".1") <= {int(k[len(CISCO_SENSOR) + 3:].split(".")[0]) for k in ours_sensor}


async def test_optical_values_use_vendor_encodings_and_map_to_ifindex(lab: Lab, tools) -> None:
    # Huawei: hwEntityOpticalRxPower in 0.01 dBm on the port entity; entAliasMapping -> ifIndex
    alias = await tools.pysnmp_walk(lab, "acc-a-sw1", ENT_ALIAS)
    ent_by_if = {int(v.rsplit(".", 1)[1]): int(k.split(".")[-2]) for k, v in alias.items()}
    port = lab.topology.port("acc-a-sw1:GigabitEthernet0/0/1")
    ent = ent_by_if[port.if_index]
    rx_centi, = await tools.pysnmp_get(lab, "acc-a-sw1", f"{HW_OPTICAL}.8.{ent}")
    assert int(rx_centi) == round(lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").rx_dbm * 100)
    # Cisco: Rx sensor type 14 (dBm), scale 9 (units), precision 1, under the aliased transceiver
    sensors = await tools.pysnmp_walk(lab, "agg-rtr1", CISCO_SENSOR)
    names = await tools.pysnmp_walk(lab, "agg-rtr1", "1.3.6.1.2.1.47.1.1.1.1.7")
    rx_idx = next(int(k.rsplit(".", 1)[1]) for k, v in names.items() if v == "Te1/1/1 Receive Power Sensor")
    assert sensors[f"{CISCO_SENSOR}.1.1.{rx_idx}"] == "14"
    assert sensors[f"{CISCO_SENSOR}.1.2.{rx_idx}"] == "9"
    assert sensors[f"{CISCO_SENSOR}.1.3.{rx_idx}"] == "1"
    truth = lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").rx_dbm
    assert int(sensors[f"{CISCO_SENSOR}.1.4.{rx_idx}"]) == round(truth * 10)


async def test_hc_octets_advance_with_configured_traffic(lab: Lab, tools) -> None:
    port = lab.topology.port("acc-a-sw1:XGigabitEthernet0/0/1")
    oid = f"{IFX_TABLE}.1.6.{port.if_index}"
    lab.clock.scale = 0.0
    try:
        before, = await tools.pysnmp_get(lab, "acc-a-sw1", oid)
        lab.advance(100.0)
        after, = await tools.pysnmp_get(lab, "acc-a-sw1", oid)
    finally:
        lab.clock.scale = 1.0
    assert int(after) - int(before) == pytest.approx(port.traffic_in_mbps * 1e6 / 8 * 100, rel=1e-3)


async def test_set_is_refused_as_not_writable(lab: Lab) -> None:
    from pysnmp.hlapi.v3arch.asyncio import (
        CommunityData, ContextData, ObjectIdentity, ObjectType, OctetString, SnmpEngine, UdpTransportTarget, set_cmd)

    ep = lab.device("acc-a-sw1")
    engine = SnmpEngine()
    try:
        target = await UdpTransportTarget.create((ep.host, ep.snmp_port), timeout=2, retries=1)
        err, status, _, _ = await set_cmd(engine, CommunityData(ep.community), target, ContextData(),
                                          ObjectType(ObjectIdentity("1.3.6.1.2.1.1.5.0"), OctetString("x")),
                                          lookupMib=False)
    finally:
        engine.close_dispatcher()
    assert err is None and status.prettyPrint() == "notWritable"
