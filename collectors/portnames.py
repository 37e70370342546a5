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
