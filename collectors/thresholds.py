"""Optical threshold sanity (pure): modules sometimes report nonsense thresholds (a low alarm of 0 dBm,
low above high); those are replaced by public defaults for the module class, with a note."""
from __future__ import annotations

import math

from collectors.readings import Thresholds

# Public engineering values (IEEE 802.3 receiver sensitivity / overload, transmitter range).
# (rx thresholds, tx thresholds) per module class.
DEFAULTS: dict[str, tuple[Thresholds, Thresholds]] = {
    "1000BASE-LX": (Thresholds(-20.0, -19.0, -4.0, -3.0), Thresholds(-9.5, -9.0, -3.5, -3.0)),
    "1000BASE-SX": (Thresholds(-17.0, -16.0, 0.0, 0.5), Thresholds(-9.5, -9.0, -4.0, -3.0)),
    "10GBASE-LR": (Thresholds(-14.4, -13.4, 0.0, 0.5), Thresholds(-8.2, -7.2, 0.0, 0.5)),
    "10GBASE-SR": (Thresholds(-11.1, -10.1, -1.0, -0.5), Thresholds(-7.3, -6.3, -1.5, -1.0)),
    "100GBASE-LR4": (Thresholds(-10.6, -9.6, 3.5, 4.5), Thresholds(-4.3, -3.3, 3.5, 4.5)),
    "generic": (Thresholds(-30.0, -28.0, 2.0, 3.0), Thresholds(-12.0, -11.0, 3.0, 5.0)),
}

_PLAUSIBLE = (-50.0, 20.0)


def module_class(module: str | None, speed_bps: int | None = None) -> str:
    """Best guess of the module class from its type text, else the port speed."""
    text = (module or "").upper().replace("_", "-")
    for name in DEFAULTS:
        if name != "generic" and name in text:
            return name
    if "SX" in text or "SR" in text:
        return "10GBASE-SR" if "10G" in text else "1000BASE-SX"
    if "100G" in text or (speed_bps or 0) >= 100_000_000_000:
        return "100GBASE-LR4"
    if "10G" in text or "XFP" in text or "SFP+" in text or (speed_bps or 0) >= 10_000_000_000:
        return "10GBASE-LR"
    if "1000" in text or "GE" in text or "SFP" in text or (speed_bps or 0) >= 1_000_000_000:
        return "1000BASE-LX"
    return "generic"


def problems(th: Thresholds, *, kind: str) -> list[str]:
    """Why a module's thresholds cannot be trusted (empty list: they look sane)."""
    found: list[str] = []
    values = [v for v in (th.low_alarm, th.low_warning, th.high_warning, th.high_alarm) if v is not None]
    if any(not math.isfinite(v) or not _PLAUSIBLE[0] <= v <= _PLAUSIBLE[1] for v in values):
        found.append("threshold outside -50..+20 dBm")
    if kind == "rx" and th.low_alarm == 0.0:
        found.append("rx low alarm of 0 dBm")
    if th.low_alarm is not None and th.high_alarm is not None and th.low_alarm >= th.high_alarm:
        found.append("low alarm not below high alarm")
    if th.low_warning is not None and th.high_warning is not None and th.low_warning >= th.high_warning:
        found.append("low warning not below high warning")
    if th.low_alarm is not None and th.low_warning is not None and th.low_alarm > th.low_warning:
        found.append("low alarm above low warning")
    if th.high_alarm is not None and th.high_warning is not None and th.high_warning > th.high_alarm:
        found.append("high warning above high alarm")
    return found


def sanitize(
    th: Thresholds, *, kind: str, module: str | None = None, speed_bps: int | None = None
) -> tuple[Thresholds, tuple[str, ...]]:
    """``th`` unchanged when sane; otherwise the class defaults and a note saying what was replaced."""
    found = problems(th, kind=kind)
    if not found:
        return th, ()
    cls = module_class(module, speed_bps)
    rx_default, tx_default = DEFAULTS[cls]
    replacement = rx_default if kind == "rx" else tx_default
    note = f"bogus threshold replaced: {kind} {th} ({'; '.join(found)}) -> {cls} defaults"
    return replacement, (note,)
