"""Interface name equivalence: devices abbreviate in tables ("Gi0/11", "Te1/49", "XGE0/0/1") what the
inventory writes in full ("GigabitEthernet0/11"). Pure."""
from __future__ import annotations

import re

_SPLIT = re.compile(r"^([A-Za-z][A-Za-z-]*?)\s*(\d.*)$")
# Abbreviations that are not simply a prefix of the full name.
_ALIASES = {
    "ge": "gigabitethernet",
    "xge": "xgigabitethernet",
    "10ge": "xgigabitethernet",
    "eth": "ethernet",
    "mge": "multigige",
    "hge": "hundredgige",
    "hundredgigabitethernet": "hundredgige",
    "fortygigabitethernet": "fortygige",
    "twentyfivegige": "twentyfivegigabitethernet",
}


def split(name: str) -> tuple[str, str]:
    match = _SPLIT.match(name.strip())
    if not match:
        return name.strip().lower(), ""
    return match.group(1).lower(), match.group(2)


def same_interface(a: str, b: str) -> bool:
    """True when two spellings name the same interface (exact, or abbreviation + same numbering)."""
    if a == b:
        return True
    pa, na = split(a)
    pb, nb = split(b)
    if not na or na != nb:
        return False
    pa, pb = _ALIASES.get(pa, pa), _ALIASES.get(pb, pb)
    return pa == pb or pa.startswith(pb) or pb.startswith(pa)


# Interface type words as devices spell them (full and abbreviated), longest first in the pattern so
# "XGigabitEthernet" is not read as "GigabitEthernet". Cisco IOS/XR/NX-OS, Huawei VRP5/VRP8/CE, ZTE
# ZXROS ("xgei-0/3/0/1"), Junos ("xe-0/0/1").
PORT_TYPES = (
    # Cisco
    "FastEthernet", "GigabitEthernet", "TwoGigabitEthernet", "FiveGigabitEthernet", "TenGigabitEthernet",
    "TwentyFiveGigabitEthernet", "TwentyFiveGigE", "FortyGigabitEthernet", "FortyGigE", "FiftyGigE",
    "HundredGigabitEthernet", "HundredGigE", "TwoHundredGigE", "FourHundredGigE", "AppGigabitEthernet",
    "Ethernet", "MgmtEth", "Bundle-Ether", "Port-channel", "Serial", "POS", "Fa", "Gi", "Tw", "Te", "Twe",
    "Fo", "Hu", "Eth", "Po", "BE",
    # Huawei
    "XGigabitEthernet", "MultiGE", "GE", "XGE", "10GE", "25GE", "40GE", "50GE", "100GE", "200GE", "400GE",
    "Eth-Trunk", "MEth", "FlexE", "Virtual-Ethernet",
    # ZTE
    "fei", "gei", "xgei", "xxvgei", "xlgei", "cgei", "ccgei", "smartgroup",
    # Juniper (type, dash, FPC/PIC/port)
    "fe", "ge", "xe", "et", "ae",
)
_TYPES = "|".join(sorted((re.escape(t) for t in PORT_TYPES), key=len, reverse=True))
# a port name: type word, optional "-" or space (ZTE/Junos "xgei-0/3/0/1", Huawei "100GE 0/0/3" is
# written without space in alarm texts), then slot/port numbers with "/" or ":" and a subinterface
_PORT = re.compile(rf"(?<![\w-])(?:{_TYPES})-?\d+(?:[/:]\d+)*(?:\.\d+)?(?![\w/-])", re.IGNORECASE)
# "key=value" / "key: value" / key="value" pairs in alarm and log texts (Huawei alarm parameters,
# ZTE alarm descriptions); keys naming an interface are tried before any other
_PAIR = re.compile(r"([A-Za-z][\w.-]*)\s*[=:]\s*\"?([^\",;()\s]+)\"?")
_PORT_KEY = re.compile(r"name|interface|port|ifdescr|\bif", re.IGNORECASE)


def is_port_name(text: str) -> bool:
    """True when ``text`` is a port name in one of the vendors' spellings ("XGigabitEthernet0/0/8",
    "xgei-0/3/0/1", "Te1/1/1", "ge-0/0/0", "100GE1/0/3")."""
    return _PORT.fullmatch(text.strip()) is not None


def find_port(text: str) -> str | None:
    """The port an alarm or log text names, or None: first a key=value pair whose key names an
    interface (``hwIfMonitorName=XGigabitEthernet0/0/8``, ``PhysicalName="xgei-0/3/0/1"``,
    ``InterfaceName=GE0/1/0``), then any other pair whose value is a port name, then the first port
    name anywhere in the text ("Interface GigabitEthernet2/0/3, changed state to down")."""
    pairs = [(key, value) for key, value in _PAIR.findall(text or "") if is_port_name(value)]
    for key, value in pairs:
        if _PORT_KEY.search(key):
            return value
    if pairs:
        return pairs[0][1]
    match = _PORT.search(text or "")
    return match.group(0) if match else None
