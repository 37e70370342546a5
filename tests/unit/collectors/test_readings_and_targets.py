"""Pure parts of the collectors: utilisation, thresholds, targets, port names, profiles."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.enums import Method
from collectors.errors import InvalidPort, Unsupported
from collectors.profiles import available, get_profile
from collectors.readings import CounterSample, Source, Thresholds, utilisation, utilisation_in_out
from collectors.target import CliParams, DeviceTarget, PortRef, SnmpParams
from collectors.thresholds import module_class, sanitize

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def sample(at: datetime, in_octets: int, out_octets: int, bits: int = 64) -> CounterSample:
    src = Source("d1", "Gi0/0/1", Method.SNMP, "x", "", at)
    return CounterSample("d1", "Gi0/0/1", at, src, in_octets=in_octets, out_octets=out_octets, counter_bits=bits)


def test_utilisation_is_the_busier_direction():
    a = sample(T0, 0, 0)
    b = sample(T0 + timedelta(seconds=10), 125_000_000, 62_500_000)  # 100 Mbit/s in, 50 out
    assert utilisation(a, b, 1_000_000_000) == pytest.approx(0.1)
    assert utilisation_in_out(a, b, 100_000_000) == pytest.approx((1.0, 0.5))


def test_utilisation_survives_one_32bit_wrap():
    a = sample(T0, 2**32 - 1000, 0, bits=32)
    b = sample(T0 + timedelta(seconds=8), 9000, 0, bits=32)
    assert utilisation_in_out(a, b, 10_000)[0] == pytest.approx(10_000 * 8 / 8 / 10_000)


@pytest.mark.parametrize("speed", [0, -1])
def test_utilisation_refuses_bad_input(speed):
    with pytest.raises(ValueError):
        utilisation(sample(T0, 0, 0), sample(T0 + timedelta(seconds=1), 1, 1), speed)
    with pytest.raises(ValueError):
        utilisation(sample(T0, 0, 0), sample(T0, 1, 1), 1000)


def test_thresholds_classify():
    th = Thresholds(low_alarm=-20, low_warning=-18, high_warning=-4, high_alarm=-3)
    assert [th.classify(v) for v in (-25, -19, -10, -3.5, 0, None)] == [
        "low_alarm", "low_warning", "normal", "high_warning", "high_alarm", None]


@pytest.mark.parametrize("bogus", [
    Thresholds(low_alarm=0.0, high_alarm=0.0),                       # low alarm of 0 dBm
    Thresholds(low_alarm=-5.0, high_alarm=-20.0),                    # low above high
    Thresholds(low_alarm=8.16, low_warning=8.16, high_warning=8.16, high_alarm=8.16),
    Thresholds(low_alarm=-400.0, high_alarm=3.0),                    # out of range
])
def test_bogus_thresholds_are_replaced_with_a_note(bogus):
    fixed, notes = sanitize(bogus, kind="rx", module="1000BASE-LX SFP")
    assert fixed == Thresholds(-20.0, -19.0, -4.0, -3.0)
    assert notes and notes[0].startswith("bogus threshold replaced")


def test_sane_thresholds_are_kept():
    th = Thresholds(-26.02, -25.08, -7.0, -6.0)
    assert sanitize(th, kind="rx") == (th, ())


@pytest.mark.parametrize(("module", "speed", "cls"), [
    ("10GBASE-LR SFP+", None, "10GBASE-LR"), ("1000BaseSX SFP", None, "1000BASE-SX"),
    (None, 100_000_000_000, "100GBASE-LR4"), (None, 1_000_000_000, "1000BASE-LX"), (None, None, "generic")])
def test_module_class(module, speed, cls):
    assert module_class(module, speed) == cls


def test_credentials_never_in_repr():
    target = DeviceTarget(
        "acc-1", "huawei_vrp", "127.0.0.1",
        snmp=SnmpParams(version="3", user="u", auth_protocol="SHA", auth_key="AUTHSECRET", priv_protocol="AES", priv_key="PRIVSECRET"),
        cli=CliParams("huawei_vrp", username="admin", password="PASSWORD", secret="ENABLE"),
    )
    text = repr(target) + str(target)
    for secret in ("AUTHSECRET", "PRIVSECRET", "PASSWORD", "ENABLE"):
        assert secret not in text
    assert "SECRETCOMMUNITY" not in repr(SnmpParams(community="SECRETCOMMUNITY"))


@pytest.mark.parametrize("name", ["Gi0/0/1\nreload", "Gi0/0/1; undo", "", "Gi 0/0/1", "x" * 100, "0/0/1"])
def test_port_names_that_could_inject_commands_are_refused(name):
    with pytest.raises(InvalidPort):
        PortRef(name)


@pytest.mark.parametrize("name", ["10GE1/0/1", "100GE0/0/1", "40GE1/0/1", "GigabitEthernet0/0/1", "xgei-0/1/0/1",
                                  "Te1/1/1", "et-0/0/0:1"])
def test_real_port_names_are_accepted_also_with_a_leading_digit(name):
    assert PortRef(name).name == name


def test_target_port_lookup_is_inventory_only():
    target = DeviceTarget("d", "huawei_vrp", "127.0.0.1", ports=(PortRef("GigabitEthernet0/0/1", 3),))
    assert target.port("GigabitEthernet0/0/1").if_index == 3
    with pytest.raises(InvalidPort):
        target.port("GigabitEthernet0/0/2")


@pytest.mark.parametrize("kwargs", [{"version": "1", "community": "x"}, {"version": "2c"}, {"version": "3"},
                                    {"version": "3", "user": "u", "auth_protocol": "CRC"},
                                    {"version": "3", "user": "u", "priv_protocol": "AES"}])
def test_snmp_params_validation(kwargs):
    with pytest.raises(ValueError):
        SnmpParams(**kwargs)


def test_every_inventory_platform_has_a_profile():
    for platform in ("huawei_vrp", "cisco_ios", "cisco_xr", "cisco_nxos", "zte_zxros", "juniper_junos", "generic"):
        assert platform in available()
        profile = get_profile(platform)
        assert profile.name == platform
        for lines in [*profile.loop_set.values(), profile.loop_clear]:
            assert all("{" not in line.replace("{port}", "") for line in lines)
    with pytest.raises(Unsupported):
        get_profile("nokia_sros")
