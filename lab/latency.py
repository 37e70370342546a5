"""Per-device response latency (时延): SNMP round trip, SSH login, CLI command times.

Real devices answer an SNMP request in tens of milliseconds, take 1-3 s from the SSH password to the
first prompt and a few hundred milliseconds per `display` command; a collector's timing (counter
intervals, deadlines, concurrency) only shows its faults against such a network. The lab therefore
simulates these times with asyncio waits inside its agents, never in the tests.

Latency is off unless asked for (`Lab.load(latency="realistic")`, `lab up --latency realistic`, or
the environment `FAULTLINE_LAB_LATENCY=realistic`), so every existing test and bench runs as fast as
before. The topology sets the times per device (validated); what it does not set comes from the
vendor defaults below:

    lab:
      latency:
        default: {snmp_ms: 30, ssh_login_ms: 1800, command_ms: 250, jitter: 0.2}
        devices:
          cpe-bank-1: {snmp_ms: 80, ssh_login_ms: 2600}   # a CPE behind a slow access line

Each wait is the configured time times a uniform factor in [1 - jitter, 1 + jitter], drawn from a
generator seeded by the device name, so a run is repeatable.
"""
from __future__ import annotations

import os
import random
import zlib
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any

from lab.enums import Vendor

ENV_SWITCH = "FAULTLINE_LAB_LATENCY"


class LatencyMode(StrEnum):
    OFF = "off"  # answer at once (the tests' default)
    REALISTIC = "realistic"  # the per-device times of the topology / vendor defaults


@dataclass(frozen=True)
class Latency:
    """The simulated times of one device."""

    snmp_ms: float  # one SNMP request -> response round trip (network + agent processing)
    ssh_login_ms: float  # password accepted -> session starts (VRP/IOS take seconds)
    command_ms: float  # one CLI command, Enter -> its output
    jitter: float = 0.2  # +- share of each time, uniform

    def check(self, where: str) -> list[str]:
        problems = []
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                problems.append(f"{where}.{f.name}: a number >= 0, got {value!r}")
        if isinstance(self.jitter, int | float) and not isinstance(self.jitter, bool) and self.jitter >= 1:
            problems.append(f"{where}.jitter: a share below 1 (0.2 = +-20 %), got {self.jitter!r}")
        return problems


ZERO = Latency(0.0, 0.0, 0.0, 0.0)

# Typical times of the lab's platforms (field measurements of VRP5 S-switches, IOS 15 access
# switches and ZXROS boxes over a management network): ZTE's CLI is the slowest to log in.
VENDOR_DEFAULTS: dict[Vendor, Latency] = {
    Vendor.HUAWEI: Latency(snmp_ms=25.0, ssh_login_ms=1800.0, command_ms=300.0),
    Vendor.CISCO: Latency(snmp_ms=15.0, ssh_login_ms=1200.0, command_ms=200.0),
    Vendor.ZTE: Latency(snmp_ms=40.0, ssh_login_ms=2500.0, command_ms=400.0),
    Vendor.JUNOS: Latency(snmp_ms=20.0, ssh_login_ms=1500.0, command_ms=300.0),
    Vendor.XR: Latency(snmp_ms=20.0, ssh_login_ms=1500.0, command_ms=250.0),
}
_KEYS = {f.name for f in fields(Latency)}


def latency_mode(value: str | bool | LatencyMode | None) -> LatencyMode:
    """`True`/`"realistic"` -> on, `False`/`"off"` -> off, `None` -> the environment switch (off by default)."""
    if value is None:
        value = os.environ.get(ENV_SWITCH, "") or LatencyMode.OFF
    if isinstance(value, bool):
        return LatencyMode.REALISTIC if value else LatencyMode.OFF
    try:
        return LatencyMode(str(value).strip().lower())
    except ValueError:
        raise ValueError(f"lab latency: {[m.value for m in LatencyMode]}, got {value!r}") from None


def _overlay(base: Latency, data: Any, where: str, problems: list[str]) -> Latency:
    if data is None:
        return base
    if not isinstance(data, dict):
        problems.append(f"{where}: a mapping of {sorted(_KEYS)}, got {data!r}")
        return base
    unknown = set(data) - _KEYS
    if unknown:
        problems.append(f"{where}: unknown key(s) {sorted(unknown)}; accepted: {sorted(_KEYS)}")
    result = replace(base, **{k: v for k, v in data.items() if k in _KEYS})
    problems += result.check(where)
    return result


def parse_latency(section: Any, vendors: dict[str, Vendor], problems: list[str]) -> dict[str, Latency]:
    """The `lab.latency` section -> each device's times (vendor defaults, then `default`, then the device's own)."""
    if section is None:
        section = {}
    if not isinstance(section, dict):
        problems.append(f"lab.latency: a mapping with 'default' and 'devices', got {section!r}")
        section = {}
    unknown = set(section) - {"default", "devices"}
    if unknown:
        problems.append(f"lab.latency: unknown key(s) {sorted(unknown)}; accepted: ['default', 'devices']")
    default = section.get("default")
    per_device = section.get("devices") or {}
    if not isinstance(per_device, dict):
        problems.append(f"lab.latency.devices: a mapping device -> times, got {per_device!r}")
        per_device = {}
    for name in set(per_device) - set(vendors):
        problems.append(f"lab.latency.devices[{name!r}]: no such device")
    out: dict[str, Latency] = {}
    default_problems: list[str] = []
    for name, vendor in vendors.items():
        base = _overlay(VENDOR_DEFAULTS[vendor], default, "lab.latency.default", default_problems)
        out[name] = _overlay(base, per_device.get(name), f"lab.latency.devices[{name!r}]", problems)
    problems += sorted(set(default_problems))
    return out


class DeviceTiming:
    """The waits one device makes now: zero while the lab's latency is off."""

    def __init__(self, name: str, latency: Latency, switch: LatencySwitch) -> None:
        self.latency = latency
        self._switch = switch
        self._rng = random.Random(zlib.crc32(name.encode()))

    def _draw(self, ms: float) -> float:
        if not self._switch.on or ms <= 0:
            return 0.0
        j = self.latency.jitter
        return ms / 1000.0 * (1.0 + self._rng.uniform(-j, j) if j else 1.0)

    def snmp_s(self) -> float:
        return self._draw(self.latency.snmp_ms)

    def login_s(self) -> float:
        return self._draw(self.latency.ssh_login_ms)

    def command_s(self) -> float:
        return self._draw(self.latency.command_ms)


class LatencySwitch:
    """The lab-wide switch every device's timing reads: one place to turn the latency on or off."""

    def __init__(self, mode: LatencyMode | str | bool) -> None:
        self.mode = mode  # type: ignore[assignment]

    @property
    def mode(self) -> LatencyMode:
        return self._mode

    @mode.setter
    def mode(self, value: LatencyMode | str | bool) -> None:
        self._mode = latency_mode(value)

    @property
    def on(self) -> bool:
        return self._mode is LatencyMode.REALISTIC
