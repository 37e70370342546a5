"""Loop read-back patterns of every profile against real captures' wording (never 'no loop' by silence)."""
from __future__ import annotations

import pytest

from collectors.errors import ParseError
from collectors.profiles import get_profile, read_loop_state


@pytest.mark.parametrize("platform,text,expected", [
    ("huawei_vrp", "Speed : 10000,  Loopback: NONE\n", (False, None)),
    ("huawei_vrp", "Speed : 1000,  Loopback: PHY\n", (True, "local")),
    ("huawei_vrp", "Speed : 1000,  Loopback: REMOTE\n", (True, "remote")),
    ("huawei_vrp", "Loopback: none, LAN full-duplex mode\n", (False, None)),
    ("cisco_ios", "  Encapsulation ARPA, loopback not set\n", (False, None)),
    ("cisco_ios", "  Encapsulation ARPA, loopback set\n", (True, None)),
    ("juniper_junos", "  Link-level type: Ethernet, MTU: 1514, Loopback: Disabled,\n", (False, None)),
    ("zte_zxros", "xgei-1/1/0/1 is up, ifindex: 8225\n  The interface is in loopback external mode\n", (True, "remote")),
    ("zte_zxros", "xgei-1/1/0/1 is up, ifindex: 8225\n  Line protocol is up\n", (False, None)),
    ("cisco_xr", "interface TenGigE0/0/0/1\n loopback line\n!\n", (True, "remote")),
])
def test_readback(platform, text, expected):
    assert read_loop_state(get_profile(platform).loop_state, text) == expected


def test_unreadable_output_is_an_error_with_the_raw_text():
    with pytest.raises(ParseError) as err:
        read_loop_state(get_profile("huawei_vrp").loop_state, "Error: Unrecognized command found at '^' position.\n")
    assert "Unrecognized" in err.value.raw
