"""Trap meaning (pure): Cisco sensor facts from recorded sensor tables, sensor kinds, BITS decoding."""
from __future__ import annotations

import re

import pytest

from collectors.enums import ProbableCause
from collectors.snmp import oids
from collectors.trapmap import TRAP_TABLE, SensorInfo, bits, facts, sensor_catalog, sensor_kind

pytestmark = pytest.mark.fixtures
CISCO = ["librenms_ios_2960x", "librenms_iosxe_c8500-20x6c", "librenms_iosxe_isr4321", "librenms_iosxr_ncs55a2",
         "librenms_nxos_n3k-3064pq"]


def tables(path) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.count("|") < 2:
            continue
        oid, tag, value = line.split("|", 2)
        for column in (oids.CISCO_SENSOR_TYPE, oids.ENT_NAME, oids.CISCO_THRESHOLD_RELATION):
            if oid.startswith(column + "."):
                out.setdefault(column, {})[oid[len(column) + 1:]] = int(value) if tag in ("2", "66") else value
    return out


@pytest.mark.parametrize("recording", CISCO)
def test_sensor_catalog_of_recorded_devices(fixtures_dir, recording):
    t = tables(fixtures_dir / "snmp" / f"{recording}.snmprec")
    catalog = sensor_catalog(t)
    assert catalog
    for index, sensor_type in t[oids.CISCO_SENSOR_TYPE].items():
        name = str(t.get(oids.ENT_NAME, {}).get(index, ""))
        info = catalog[int(index)]
        # an independent reading of the names the devices give their sensors
        if sensor_type == 14 and re.search(r"Receive|Rx Power", name):
            assert info.kind == "rx_power", name
        elif sensor_type == 14 and re.search(r"Transmit|Tx Power", name):
            assert info.kind == "tx_power", name
        elif sensor_type == 8:
            assert info.kind == "temperature", name
        relations = {k: v for k, v in t.get(oids.CISCO_THRESHOLD_RELATION, {}).items() if k.split(".")[0] == index}
        assert dict(info.relations) == {int(k.split(".")[1]): v for k, v in relations.items()}


def test_sensor_kinds_from_type_and_name():
    assert sensor_kind(14, "Te1/1 Receive Power Sensor") == "rx_power"
    assert sensor_kind(14, "GigabitEthernet0/0/0/1 Tx Power") == "tx_power"
    assert sensor_kind(14, None) is None
    assert sensor_kind(5, "Te1/1 Bias Current Sensor") == "bias"
    assert sensor_kind(4, "Te1/1 Supply Voltage Sensor") == "voltage"
    assert sensor_kind(None, "Te1/1 Module Temperature Sensor") == "temperature"


def test_bits_as_the_adapter_hands_them_over():
    assert bits("0x880000") == {0, 4}
    assert bits("\x08\x00\x00") == {4}
    assert bits("\x00\x00\x10") == {19}
    assert bits(None) == frozenset()


@pytest.mark.parametrize(("relation", "value", "limit", "clear", "cause"), [
    (1, -300, -200, False, ProbableCause.RX_POWER_LOW),   # lessThan, below: raised
    (1, -100, -200, True, ProbableCause.RX_POWER_LOW),    # lessThan, back above: cleared
    (3, -20, -30, False, ProbableCause.RX_POWER_HIGH),    # greaterThan, above: raised
    (4, -40, -30, True, ProbableCause.RX_POWER_HIGH),
])
def test_old_cisco_notification_decided_by_the_relation(relation, value, limit, clear, cause):
    values = {f"{oids.CISCO_THRESHOLD_VALUE}.1007.1": limit, f"{oids.CISCO_SENSOR_VALUE}.1007": value}
    info = SensorInfo("rx_power", {1: relation})
    [fact] = facts(TRAP_TABLE["1.3.6.1.4.1.9.9.91.2.0.1"], values, "r1", lambda d, e: info)
    assert (fact.clear, fact.cause) == (clear, cause)


def test_modern_cisco_notification_is_a_raise_on_either_side():
    values = {f"{oids.CISCO_THRESHOLD_VALUE}.1007.1": -30, f"{oids.CISCO_SENSOR_VALUE}.1007": -20,
              f"{oids.CISCO_THRESHOLD_SEVERITY}.1007.1": 10, f"{oids.CISCO_SENSOR_TYPE}.1007": 14,
              f"{oids.ENT_NAME}.1007": "Te0/1 Receive Power Sensor"}
    [fact] = facts(TRAP_TABLE["1.3.6.1.4.1.9.9.91.2.0.1"], values, "r1")
    assert (fact.clear, fact.cause, fact.severity.value) == (False, ProbableCause.RX_POWER_HIGH, "minor")


# -- fuzzing: any varbinds, no exception -----------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_COLUMNS = [oids.CISCO_SENSOR_VALUE, oids.CISCO_SENSOR_TYPE, oids.CISCO_THRESHOLD_VALUE, oids.CISCO_THRESHOLD_SEVERITY,
            oids.CISCO_THRESHOLD_RELATION, oids.ENT_NAME, oids.ENT_DESCR, oids.IF_DESCR, oids.IF_INDEX, oids.IF_ADMIN,
            oids.JNX_DOM + ".1", oids.JNX_DOM + ".3", "1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8"]
_suffixes = st.sampled_from(["1007", "1007.1", "1007.4", "516", "x", "", "1.2.3", "0", "99999999999"])
_values = st.one_of(st.none(), st.integers(-(2**63), 2**64), st.text(max_size=16),
                    st.sampled_from(["0x880000", "0x", "0xzz", "\x00\x00\x10", "Te1/1 Receive Power Sensor", "-Inf"]))
_varbinds = st.dictionaries(st.builds(lambda c, s: f"{c}.{s}" if s else c, st.sampled_from(_COLUMNS), _suffixes),
                            _values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(sorted(TRAP_TABLE)), values=_varbinds,
       info=st.one_of(st.none(), st.builds(SensorInfo, st.one_of(st.none(), st.sampled_from(
           ["rx_power", "tx_power", "temperature", "bias", "voltage"])),
           st.dictionaries(st.integers(0, 9), st.integers(-5, 10), max_size=3))))
def test_any_varbinds_decode_without_an_exception(kind, values, info):
    from collectors.traps import TrapReceiver

    found = facts(TRAP_TABLE[kind], values, "d", lambda d, e: info)
    assert all(isinstance(f.clear, bool) for f in found)
    receiver = TrapReceiver("127.0.0.1", 0, sensors=lambda d, e: info, entity_ports=lambda d, e: None,
                            if_ports=lambda d, i: None)
    events = receiver.events_from("127.0.0.9", {oids.SNMP_TRAP_OID: kind, **values})
    assert len(events) == len(found)


def test_every_trap_kind_that_decodes_its_varbinds_has_a_decoder():
    from collectors.trapmap import TRAP_TABLE, VARBIND_DECODERS

    for oid, kind in TRAP_TABLE.items():
        assert kind.decode is None or kind.decode in VARBIND_DECODERS, oid
        assert kind.decode is not None or kind.clear is not None, oid  # fixed meaning needs a fixed direction


def test_huawei_crc_rising_names_its_port_or_its_ifindex():
    from collectors.enums import ProbableCause, Severity
    from collectors.trapmap import TRAP_TABLE, facts

    monitor = "1.3.6.1.4.1.2011.5.25.41.1.7.1.1"
    rising = TRAP_TABLE["1.3.6.1.4.1.2011.5.25.41.4.1"]
    [fact] = facts(rising, {f"{monitor}.2.17": 2720, f"{monitor}.3.17": 3, f"{monitor}.4.17": 10,
                            f"{monitor}.19.17": "XGigabitEthernet0/0/8"}, "d")
    assert (fact.cause, fact.clear, fact.severity, fact.port, fact.if_index) == (
        ProbableCause.CRC_ERRORS, False, Severity.MAJOR, "XGigabitEthernet0/0/8", 17)
    [resume] = facts(TRAP_TABLE["1.3.6.1.4.1.2011.5.25.41.4.2"], {f"{monitor}.2.17": 0}, "d")
    assert (resume.clear, resume.port, resume.if_index) == (True, None, 17)
    assert "ifIndex" in resume.specific_problem
