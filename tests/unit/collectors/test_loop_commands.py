"""Loop set/clear lines per vendor profile (pure: no device). The lab has no IOS-XR or Junos devices,
so what those platforms receive is checked here, including that their lines are committed."""
from __future__ import annotations

import pytest

from collectors.errors import Unsupported
from collectors.profiles import get_profile, loop_plan

PORT = {"huawei_vrp": "GigabitEthernet0/0/1", "cisco_ios": "GigabitEthernet1/0/1", "cisco_nxos": "Ethernet1/1",
        "cisco_xr": "TenGigE0/0/0/0", "juniper_junos": "ge-1/0/0", "zte_zxros": "gei-1/1/0/1"}

# (platform, mode) -> lines; None = Unsupported. Written out by hand from each vendor's syntax.
EXPECTED = {
    ("huawei_vrp", "local"): ("interface GigabitEthernet0/0/1", "loopback local"),
    ("huawei_vrp", "remote"): ("interface GigabitEthernet0/0/1", "loopback remote"),
    ("huawei_vrp", None): ("interface GigabitEthernet0/0/1", "undo loopback"),
    ("cisco_ios", "local"): ("interface GigabitEthernet1/0/1", "loopback mac"),
    ("cisco_ios", "remote"): ("interface GigabitEthernet1/0/1", "loopback remote"),
    ("cisco_ios", None): ("interface GigabitEthernet1/0/1", "no loopback"),
    ("cisco_nxos", "local"): ("interface Ethernet1/1", "loopback internal"),
    ("cisco_nxos", "remote"): ("interface Ethernet1/1", "loopback external"),
    ("cisco_nxos", None): ("interface Ethernet1/1", "no loopback"),
    ("cisco_xr", "local"): ("interface TenGigE0/0/0/0", "loopback internal"),
    ("cisco_xr", "remote"): ("interface TenGigE0/0/0/0", "loopback line"),
    ("cisco_xr", None): ("interface TenGigE0/0/0/0", "no loopback"),
    ("juniper_junos", "local"): ("set interfaces ge-1/0/0 gigether-options loopback",),
    ("juniper_junos", "remote"): None,
    ("juniper_junos", None): ("delete interfaces ge-1/0/0 gigether-options loopback",),
    ("zte_zxros", "local"): ("interface gei-1/1/0/1", "loopback internal"),
    ("zte_zxros", "remote"): ("interface gei-1/1/0/1", "loopback external"),
    ("zte_zxros", None): ("interface gei-1/1/0/1", "no loopback"),
}
COMMITTED = {"cisco_xr", "juniper_junos"}  # candidate-configuration platforms


@pytest.mark.parametrize(("platform", "mode"), sorted(EXPECTED, key=str))
def test_loop_lines_per_profile(platform, mode):
    profile = get_profile(platform)
    expected = EXPECTED[(platform, mode)]
    if expected is None:
        with pytest.raises(Unsupported):
            loop_plan(profile, PORT[platform], mode)
        return
    plan = loop_plan(profile, PORT[platform], mode)
    assert plan.lines == expected
    assert plan.commit is (platform in COMMITTED)


def test_junos_remote_is_not_silently_a_local_loop():
    profile = get_profile("juniper_junos")
    assert "remote" not in profile.loop_set
    with pytest.raises(Unsupported, match="remote"):
        loop_plan(profile, "ge-1/0/0", "remote")


def test_generic_profile_has_no_loops():
    with pytest.raises(Unsupported):
        loop_plan(get_profile("generic"), "eth0", "local")
    with pytest.raises(Unsupported):
        loop_plan(get_profile("generic"), "eth0", None)
