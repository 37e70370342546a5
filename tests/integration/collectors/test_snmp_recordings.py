"""The SNMP collector against snmpsim serving real recorded devices, checked against values this test
derives itself from the .snmprec lines."""
from __future__ import annotations

import math
import re

from pathlib import Path

import pytest

from collectors.enums import Want
from collectors.errors import AuthenticationFailed, UnreachableError
from collectors.profiles import get_profile
from collectors.snmp.adapter import SnmpClient
from collectors.snmp.collect import collect_snmp
from collectors.snmp.facts import FactCache
from collectors.target import PortRef

pytestmark = pytest.mark.fixtures

PLATFORM = {"vrp": "huawei_vrp", "ios": "cisco_ios", "iosxe": "cisco_ios", "iosxr": "cisco_xr",
            "nxos": "cisco_nxos", "junos": "juniper_junos"}
# Power units per Huawei recording, from the fixture notes (VRP5 S-switches uW, VRP8/AR 0.01 dBm).
HUAWEI_UNIT = {"librenms_vrp_5720": "uW", "librenms_vrp_5720-32x-ei": "uW",
               "librenms_vrp_ar169sfp": "cdBm", "librenms_vrp_ne8000-m8": "cdBm"}
ALL = {Want.OPTICAL, Want.INTERFACE, Want.COUNTERS}


def load(path: Path) -> dict[str, str]:
    """The recording as {oid: value} (independent of the collectors code)."""
    rows: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.count("|") >= 2:
            oid, _type, value = line.split("|", 2)
            rows[oid] = value
    return rows


def column(rows: dict[str, str], prefix: str) -> dict[str, str]:
    start = prefix + "."
    return {oid[len(start):]: v for oid, v in rows.items() if oid.startswith(start)}


def platform_of(recording: str) -> str:
    return PLATFORM[recording.split("_")[1]]


async def survey_all(snmpsim, recording: str):
    async with SnmpClient() as client:
        return await collect_snmp(client, snmpsim.target(recording, platform_of(recording)), get_profile(platform_of(recording)), ALL)


def expected_huawei(rows: dict[str, str], unit: str) -> dict[str, float]:
    names = column(rows, "1.3.6.1.2.1.47.1.1.1.1.7")
    out = {}
    for ent, value in column(rows, "1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8").items():
        v = int(value)
        if v in (-1, 0, 2147483647):
            continue
        out[names[ent]] = 10 * math.log10(v / 1000) if unit == "uW" else v / 100
    return out


def expected_juniper(rows: dict[str, str]) -> dict[str, float]:
    descr = column(rows, "1.3.6.1.2.1.2.2.1.2")
    lanes: dict[str, list[float]] = {}
    for index, value in column(rows, "1.3.6.1.4.1.2636.3.60.1.2.1.1.6").items():
        lanes.setdefault(index.split(".")[0], []).append(int(value) / 100)
    out = {}
    for index, value in column(rows, "1.3.6.1.4.1.2636.3.60.1.1.1.1.5").items():
        # power, bias, temperature and the power thresholds all zero: an empty cage
        row = [int(rows.get(f"1.3.6.1.4.1.2636.3.60.1.1.1.1.{col}.{index}", "0")) for col in (5, 6, 7, 8, 9, 10, 11, 12)]
        if not any(row):
            continue
        out[descr[index]] = min(lanes[index]) if len(lanes.get(index, [])) > 1 else int(value) / 100
    return out


def expected_cisco_rx(rows: dict[str, str]) -> dict[str, float]:
    """entPhysicalName of each dBm receive sensor -> dBm."""
    names = column(rows, "1.3.6.1.2.1.47.1.1.1.1.7")
    scale = column(rows, "1.3.6.1.4.1.9.9.91.1.1.1.1.2")
    prec = column(rows, "1.3.6.1.4.1.9.9.91.1.1.1.1.3")
    value = column(rows, "1.3.6.1.4.1.9.9.91.1.1.1.1.4")
    out = {}
    for sensor, kind in column(rows, "1.3.6.1.4.1.9.9.91.1.1.1.1.1").items():
        name = names.get(sensor, "")
        if kind == "14" and re.search(r"Receive|Rx", name):
            out[name] = int(value[sensor]) * 10 ** ((int(scale[sensor]) - 9) * 3) / 10 ** int(prec[sensor])
    return out


@pytest.mark.parametrize("recording", sorted(p for p in HUAWEI_UNIT))
async def test_huawei_optical_matches_recording(snmpsim, recording):
    expected = expected_huawei(load(snmpsim.data_dir / f"{recording}.snmprec"), HUAWEI_UNIT[recording])
    result = await survey_all(snmpsim, recording)
    got = {r.port: r.rx_dbm for r in result.optical if r.rx_dbm is not None}
    assert expected, "the recording has optical rows"
    assert got.keys() == expected.keys()
    for port, dbm in expected.items():
        assert got[port] == pytest.approx(dbm, abs=1e-3), port


async def test_ne8000_dark_port_below_its_threshold(snmpsim):
    result = await survey_all(snmpsim, "librenms_vrp_ne8000-m8")
    port = next(r for r in result.optical if r.port == "GigabitEthernet0/7/3")
    assert port.rx_dbm == pytest.approx(-40.00)
    assert port.rx_thresholds.low_alarm == pytest.approx(-26.02)
    assert port.rx_state == "low_alarm"
    assert port.tx_dbm == pytest.approx(3.40)  # positive 0.01 dBm, not microwatts
    assert "-4000" in port.source.raw and port.source.method == "snmp"


@pytest.mark.parametrize("recording", ["librenms_junos_ex4600mp", "librenms_junos_mx5t-isis", "librenms_junos_qfx5100"])
async def test_juniper_optical_matches_recording(snmpsim, recording):
    expected = expected_juniper(load(snmpsim.data_dir / f"{recording}.snmprec"))
    result = await survey_all(snmpsim, recording)
    got = {r.port: r.rx_dbm for r in result.optical}
    assert expected and got.keys() == expected.keys()
    for port, dbm in expected.items():
        assert got[port] == pytest.approx(dbm, abs=1e-6), port


async def test_mx5t_low_rx_against_module_threshold(snmpsim):
    result = await survey_all(snmpsim, "librenms_junos_mx5t-isis")
    port = next(r for r in result.optical if r.port == "ge-1/0/0")
    assert port.rx_dbm == pytest.approx(-26.77)
    assert port.rx_thresholds.low_alarm == pytest.approx(-21.02)
    assert port.rx_state == "low_alarm"


@pytest.mark.parametrize("recording", ["librenms_ios_2960x", "librenms_iosxe_c8500-20x6c", "librenms_iosxe_isr4321",
                                       "librenms_iosxr_ncs55a2", "librenms_nxos_n3k-3064pq"])
async def test_cisco_optical_values_come_from_rx_sensors(snmpsim, recording):
    expected = expected_cisco_rx(load(snmpsim.data_dir / f"{recording}.snmprec"))
    result = await survey_all(snmpsim, recording)
    assert result.optical, "every Cisco recording has transceivers"
    for reading in result.optical:
        assert any(reading.rx_dbm == pytest.approx(v, abs=1e-4) for v in expected.values()), reading
    assert len({r.port for r in result.optical}) == len(result.optical)


@pytest.mark.parametrize(("recording", "port", "rx"), [
    ("librenms_ios_2960x", "GigabitEthernet1/0/52", -4.7),       # scale units, precision 1
    ("librenms_iosxr_ncs55a2", "TenGigE0/0/0/0", -2.37171),      # precision 5
    ("librenms_nxos_n3k-3064pq", "Ethernet1/1", -13.187),        # scale milli
    ("librenms_iosxe_c8500-20x6c", "Te0/0/10", -6.5),            # "subslot 0/0 transceiver 10"
])
async def test_cisco_scale_precision_and_port_mapping(snmpsim, recording, port, rx):
    result = await survey_all(snmpsim, recording)
    reading = next(r for r in result.optical if r.port == port)
    assert reading.rx_dbm == pytest.approx(rx, abs=1e-6)


@pytest.mark.parametrize("recording", [
    "librenms_ios_2960x", "librenms_iosxe_isr4321", "librenms_iosxr_ncs55a2", "librenms_junos_ex4600mp",
    "librenms_junos_mx5t-isis", "librenms_junos_qfx5100", "librenms_nxos_n3k-3064pq", "librenms_vrp_5720-32x-ei",
    "librenms_vrp_5720", "librenms_vrp_ar169sfp", "librenms_vrp_ne8000-m8"])
async def test_status_and_counters_match_recording(snmpsim, recording):
    rows = load(snmpsim.data_dir / f"{recording}.snmprec")
    admin = column(rows, "1.3.6.1.2.1.2.2.1.7")
    oper = column(rows, "1.3.6.1.2.1.2.2.1.8")
    hc_in = column(rows, "1.3.6.1.2.1.31.1.1.1.6")
    in_errors = column(rows, "1.3.6.1.2.1.2.2.1.14")
    result = await survey_all(snmpsim, recording)
    states = {s.if_index: s for s in result.interfaces}
    assert set(states) == {int(i) for i in set(admin) | set(oper)}
    codes = {"1": "up", "2": "down", "3": "testing"}
    for index, value in admin.items():
        assert states[int(index)].admin.value == codes.get(value, "unknown")
    for index, value in oper.items():
        assert states[int(index)].oper.value == {**codes, "5": "dormant", "6": "notPresent", "7": "lowerLayerDown"}.get(value, "unknown")
    counters = {c.if_index: c for c in result.counters}
    for index, value in hc_in.items():
        assert counters[int(index)].in_octets == int(value)
    for index, value in in_errors.items():
        assert counters[int(index)].in_errors == int(value)


async def test_selected_ports_are_renamed_to_inventory_names(snmpsim):
    target = snmpsim.target("librenms_vrp_ne8000-m8", "huawei_vrp")
    ports = [PortRef("GigabitEthernet0/7/3"), PortRef("GigabitEthernet0/8/1", if_index=17), PortRef("GigabitEthernet9/9/9")]
    async with SnmpClient() as client:
        result = await collect_snmp(client, target, get_profile("huawei_vrp"), ALL, ports)
    assert [r.port for r in result.optical] == ["GigabitEthernet0/7/3", "GigabitEthernet0/8/1"]
    assert result.optical[1].rx_dbm == pytest.approx(-1.78)
    assert [c.port for c in result.counters] == ["GigabitEthernet0/8/1"]
    missing = {(e.item, e.port) for e in result.errors}
    assert ("optical", "GigabitEthernet9/9/9") in missing and ("counters", "GigabitEthernet9/9/9") in missing


async def test_snmpv3_auth_priv_reads_the_same_values(snmpsim):
    async with SnmpClient() as client:
        v3 = await collect_snmp(client, snmpsim.v3_target("librenms_vrp_ne8000-m8", "huawei_vrp"), get_profile("huawei_vrp"), {Want.OPTICAL})
    port = next(r for r in v3.optical if r.port == "GigabitEthernet0/7/3")
    assert port.rx_dbm == pytest.approx(-40.0)


async def test_snmpv3_wrong_key_is_an_authentication_failure(snmpsim):
    target = snmpsim.v3_target("librenms_vrp_ne8000-m8", "huawei_vrp", auth_key="not-the-key")
    async with SnmpClient() as client:
        with pytest.raises(AuthenticationFailed) as info:
            (await client.get(target, ["1.3.6.1.2.1.1.3.0"])).complete()
    assert info.value.raw and "not-the-key" not in repr(target)


async def test_generic_profile_reads_if_mib_only(snmpsim):
    target = snmpsim.target("librenms_vrp_ne8000-m8", "generic")
    async with SnmpClient() as client:
        result = await collect_snmp(client, target, get_profile("generic"), ALL)
    assert result.optical == () and len(result.interfaces) == 19
    assert [(e.item, type(e.error).__name__) for e in result.errors] == [("optical", "Unsupported")]


async def test_survey_over_snmp_only_reports_what_it_cannot_read(snmpsim):
    from dataclasses import replace

    from collectors.survey import survey

    target = replace(snmpsim.target("librenms_junos_mx5t-isis", "juniper_junos"),
                     ports=(PortRef("ge-1/0/0"), PortRef("ge-1/0/9")))
    result = await survey(target, ports=["ge-1/0/0"], timeout=30)
    assert result.reachable
    assert [(r.port, r.rx_dbm) for r in result.optical] == [("ge-1/0/0", -26.77)]
    assert [s.port for s in result.interfaces] == ["ge-1/0/0"] and [c.port for c in result.counters] == ["ge-1/0/0"]
    assert [e.item for e in result.errors] == ["alarms"]  # alarms need CLI; traps come through the receiver


async def test_silent_agent_is_unreachable_not_an_exception(snmpsim):
    from dataclasses import replace

    from collectors.survey import survey

    target = snmpsim.target("librenms_vrp_ne8000-m8", "huawei_vrp")
    silent = replace(target, snmp=replace(target.snmp, port=snmpsim.port + 1 if snmpsim.port < 65535 else 1, timeout=0.3, retries=0))
    result = await survey(silent, timeout=10)
    assert not result.reachable
    [error] = [e for e in result.errors if e.item == "device"]
    assert isinstance(error.error, UnreachableError) and "RequestTimedOut" in (error.error.raw or "")


async def test_cached_mapping_makes_the_next_poll_cheaper_with_the_same_readings(snmpsim):
    target = snmpsim.target("librenms_ios_2960x", "cisco_ios")
    async with SnmpClient() as client:
        facts = FactCache(ttl=600)
        first = await collect_snmp(client, target, get_profile("cisco_ios"), ALL, facts=facts)
        cost_first = client.values_read
        second = await collect_snmp(client, target, get_profile("cisco_ios"), ALL, facts=facts)
        cost_second = client.values_read - cost_first
    assert [(r.port, r.rx_dbm) for r in second.optical] == [(r.port, r.rx_dbm) for r in first.optical]
    assert len(second.interfaces) == len(first.interfaces)
    assert cost_second < cost_first


def expected_cisco_ports(rows: dict[str, str]) -> dict[str, dict]:
    """Per port, from the sensor names alone: Rx/Tx dBm (weakest lane) and each power sensor's
    threshold values (entSensorThresholdTable, same scaling) with their sides (relation)."""
    names = column(rows, "1.3.6.1.2.1.47.1.1.1.1.7")
    if_names = list(column(rows, "1.3.6.1.2.1.31.1.1.1.1").values()) + list(column(rows, "1.3.6.1.2.1.2.2.1.2").values())
    scale = column(rows, "1.3.6.1.4.1.9.9.91.1.1.1.1.2")
    prec = column(rows, "1.3.6.1.4.1.9.9.91.1.1.1.1.3")
    value = column(rows, "1.3.6.1.4.1.9.9.91.1.1.1.1.4")
    th_value = column(rows, "1.3.6.1.4.1.9.9.91.1.2.1.1.4")
    th_relation = column(rows, "1.3.6.1.4.1.9.9.91.1.2.1.1.3")

    def scaled(sensor: str, raw: str) -> float:
        return round(int(raw) * 10 ** ((int(scale[sensor]) - 9) * 3) / 10 ** int(prec[sensor]), 5)

    out: dict[str, dict] = {}
    for sensor, kind in column(rows, "1.3.6.1.4.1.9.9.91.1.1.1.1.1").items():
        name = names.get(sensor, "")
        if kind != "14" or sensor not in value:
            continue
        side = "rx" if re.search(r"Receive|Rx", name) else "tx" if re.search(r"Transmit|Tx", name) else None
        if m := re.match(r"subslot (\d+)/(\d+) transceiver (\d+)", name):
            suffix = "/".join(m.groups())
            port = next(n for n in if_names if re.search(rf"\D{re.escape(suffix)}$", n))
        else:
            port = re.split(r"[\s]|-(?=[RT]x)", name)[0]
        entry = out.setdefault(port, {"rx": [], "tx": [], "rx_th": {}, "tx_th": {}})
        entry[side].append(scaled(sensor, value[sensor]))
        for idx, raw in th_value.items():
            s, _, _ = idx.partition(".")
            if s == sensor and th_relation.get(idx) in ("1", "2", "3", "4"):
                entry[side + "_th"].setdefault("low" if th_relation[idx] in ("1", "2") else "high", set()).add(scaled(sensor, raw))
    return out


@pytest.mark.parametrize("recording", ["librenms_ios_2960x", "librenms_iosxe_c8500-20x6c", "librenms_iosxe_isr4321",
                                       "librenms_iosxr_ncs55a2", "librenms_nxos_n3k-3064pq", "librenms_iosxe_c9400x-svl"])
async def test_cisco_every_port_named_with_tx_and_sensor_thresholds(snmpsim, recording):
    from collectors.portnames import same_interface

    expected = expected_cisco_ports(load(snmpsim.data_dir / f"{recording}.snmprec"))
    result = await survey_all(snmpsim, recording)
    got = {r.port: r for r in result.optical}
    assert len(got) == len(expected), (sorted(got), sorted(expected))
    for port, exp in expected.items():
        reading = next((r for p, r in got.items() if same_interface(p, port)), None)
        assert reading is not None, (port, sorted(got))
        assert reading.rx_dbm == pytest.approx(min(exp["rx"]), abs=1e-5), port
        assert reading.tx_dbm == pytest.approx(min(exp["tx"]), abs=1e-5), port
        assert len(reading.rx_lanes_dbm) == (len(exp["rx"]) if len(exp["rx"]) > 1 else 0), port
        for side in ("rx", "tx"):
            t = getattr(reading, f"{side}_thresholds")
            table = exp[f"{side}_th"]
            if any("bogus threshold replaced: " + side in n for n in reading.notes):
                continue
            for level, got_value in (("low", t.low_alarm), ("low", t.low_warning), ("high", t.high_warning), ("high", t.high_alarm)):
                if got_value is not None:
                    assert got_value in table.get(level, set()), (port, side, level, got_value, table)
            # each side the device has thresholds for shows up in the reading
            assert ("low" in table) == (t.low_alarm is not None or t.low_warning is not None), (port, side, table, t)
            assert ("high" in table) == (t.high_alarm is not None or t.high_warning is not None), (port, side, table, t)


@pytest.mark.parametrize("recording", ["librenms_ios_2960x", "librenms_junos_ex4600mp", "librenms_vrp_5720-32x-ei",
                                       "librenms_vrp_ar169sfp", "librenms_iosxr_ncs55a2"])
async def test_if_alias_is_the_interface_description(snmpsim, recording):
    aliases = column(load(snmpsim.data_dir / f"{recording}.snmprec"), "1.3.6.1.2.1.31.1.1.1.18")
    result = await survey_all(snmpsim, recording)
    states = {s.if_index: s for s in result.interfaces}
    assert any(aliases.values())
    for index, alias in aliases.items():
        if int(index) in states:
            assert states[int(index)].description == (alias or None), index


# Alarm and warning limits by entSensorThresholdSeverity, read by hand from the recorded rows
# (severity/relation/value): c8500 sensor 1219 30/4/30 10/4/0 10/2/-170 30/2/-210 (precision 1);
# n3k sensor 300000013 20/3/-1999 10/3/-3001 20/1/-26989 10/1/-25228 (precision 3); ncs55a2 sensor
# 2130202 10/2/-1500312 10/4/49992 20/2/-1600326 20/4/149988 30/2/0 30/4/0 (critical rows unset).
@pytest.mark.parametrize("recording,port,expected", [
    ("librenms_iosxe_c8500-20x6c", "Te0/0/10", (-21.0, -17.0, 0.0, 3.0)),
    ("librenms_nxos_n3k-3064pq", "Ethernet1/1", (-26.989, -25.228, -3.001, -1.999)),
    ("librenms_iosxr_ncs55a2", "TenGigE0/0/0/0", (-16.00326, -15.00312, 0.49992, 1.49988)),
])
async def test_cisco_rx_alarm_and_warning_by_severity(snmpsim, recording, port, expected):
    result = await survey_all(snmpsim, recording)
    reading = next(r for r in result.optical if r.port == port)
    th = reading.rx_thresholds
    assert (th.low_alarm, th.low_warning, th.high_warning, th.high_alarm) == pytest.approx(expected)
