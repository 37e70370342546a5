"""Vendor profiles (厂商适配) as data: one YAML file per platform says which SNMP decoder reads optical
power, which CLI commands and parsers (with field maps) give optical / interface / alarm data, and
which configuration lines set and clear a loop. Code reads profiles; it never branches on the vendor."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from collectors.errors import ParseError, Unsupported


@dataclass(frozen=True, slots=True)
class CliParser:
    key: str  # capture folder style name, e.g. "display_transceiver_verbose"
    command: str  # template; only {port} is substituted, with a validated inventory port name
    templates: tuple[str, ...]  # tried in order: "ntc" (ntc-templates by platform + command) or a file in
    # collectors/templates; the first that reads the output wins (real devices print several dialects)
    reading: str  # "optical" | "interface" | "alarms"
    fields: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    layout: str = "records"  # "records" | "parameter_rows" | "cisco_syslog" | "huawei_alarm"
    ntc_command: str | None = None  # command text for the ntc index when it differs from `command`
    merge: bool = False  # run every template and fill the first one's empty fields from the others
    # A regular expression (multiline) for the lines of the output that are port rows/blocks (group 1:
    # the port) or alarm rows, independent of the templates: a parse that reads fewer is an error
    rows: str | None = None

    @property
    def per_port(self) -> bool:
        return "{port}" in self.command


@dataclass(frozen=True, slots=True)
class LoopStateProbe:
    """A read command and the patterns (multiline regular expressions) that say a port's loop state:
    ``local``/``remote`` name the mode, ``looped`` a loop of a mode the device does not print,
    ``none`` no loop. A looped pattern wins over ``none``; an output matching none of them is not read."""

    command: str
    local: str | None = None
    remote: str | None = None
    looped: str | None = None
    none: str | None = None


@dataclass(frozen=True, slots=True)
class RollbackTimer:
    """A commit platform's rollback timer (Junos/IOS-XR ``commit confirmed``, VRP8 ``commit trial``): the
    loop is committed under it, so the device removes it by itself if no confirming commit follows.
    ``command`` takes ``{units}``; ``unit_seconds`` is what one unit lasts; ``expect`` the prompt after the
    command (a regular expression); ``done`` a pattern the output must show (None: no error is enough)."""

    command: str
    unit_seconds: int
    min_units: int
    max_units: int
    expect: str
    done: str | None = None

    def units_for(self, seconds: float) -> int:
        """The timer that covers ``seconds``: rounded up to whole units, within the platform's range."""
        units = -(-int(max(0.0, seconds) + 0.999) // self.unit_seconds)
        return max(self.min_units, min(self.max_units, units))


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str
    snmp_optical: str | None  # an OpticalMib name (collectors.snmp.optical.OPTICAL_MIBS), None: IF-MIB only
    entity_patterns: tuple[tuple[str, str], ...] = ()
    parsers: MappingProxyType[str, CliParser] = field(default_factory=lambda: MappingProxyType({}))
    survey: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))  # Want -> parser
    loop_set: MappingProxyType[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    loop_clear: tuple[str, ...] = ()
    enable: bool = False  # enter privileged mode (Cisco "enable") before commands
    # Candidate-configuration platforms (IOS-XR, Junos) apply configuration only on "commit" and
    # discard uncommitted lines when configuration mode is left: their loop lines must be committed.
    commit: bool = False
    loop_state: LoopStateProbe | None = None  # how the device says whether a port is looped (read-back)
    loop_rollback: RollbackTimer | None = None  # the loop is set under this timer where the platform has one
    # the plain commit sent as a command (and the prompt it ends on) instead of the netmiko driver's
    # commit(), where that one probes config mode around it for seconds (huawei_vrpv8)
    commit_command: tuple[str, str] | None = None
    # a regular expression every prompt ends with: netmiko's config-mode checks read up to it instead of
    # waiting ~2 s for silence (its Huawei driver's way), which made a loop's config session ~9 s long
    prompt_end: str | None = None

    def parser_for(self, want: str) -> CliParser:
        key = self.survey.get(want)
        if key is None:
            raise Unsupported(f"profile {self.name} has no CLI command for {want}")
        return self.parsers[key]


def _parser(key: str, data: dict[str, Any]) -> CliParser:
    return CliParser(
        key=key,
        command=data["command"],
        templates=tuple(data["template"]) if isinstance(data["template"], list) else (data["template"],),
        reading=data["reading"],
        fields=MappingProxyType(dict(data.get("fields") or {})),
        layout=data.get("layout", "records"),
        ntc_command=data.get("ntc_command"),
        merge=bool(data.get("merge", False)),
        rows=data.get("rows"),
    )


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _raw(name: str) -> dict[str, Any]:
    """A profile's YAML; ``extends: other`` takes the other profile and overrides what this one says."""
    text = resources.files("collectors.profiles").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    base = data.pop("extends", None)
    return _merged(_raw(base), data) if base else data


def _load(name: str) -> Profile:
    data = _raw(name)
    snmp = data.get("snmp") or {}
    cli = data.get("cli") or {}
    loop = cli.get("loop") or {}
    parsers = {k: _parser(k, v) for k, v in (cli.get("parsers") or {}).items()}
    survey = dict(cli.get("survey") or {})
    for want, key in survey.items():
        if key not in parsers:
            raise ValueError(f"profile {name}: survey item {want} names unknown parser {key}")
    return Profile(
        name=data["name"],
        description=data.get("description", ""),
        snmp_optical=snmp.get("optical"),
        entity_patterns=tuple((p["regex"], p["suffix"]) for p in snmp.get("entity_patterns") or []),
        parsers=MappingProxyType(parsers),
        survey=MappingProxyType(survey),
        loop_set=MappingProxyType({k: tuple(v) for k, v in loop.items() if k in ("local", "remote")}),
        loop_clear=tuple(loop.get("clear") or ()),
        enable=bool(cli.get("enable", False)),
        commit=bool(cli.get("commit", False)),
        loop_state=_probe(loop.get("state")),
        loop_rollback=_rollback(loop.get("rollback")),
        commit_command=(cli["commit_command"]["command"], cli["commit_command"]["expect"]) if cli.get("commit_command") else None,
        prompt_end=cli.get("prompt_end"),
    )


def _rollback(data: dict[str, Any] | None) -> RollbackTimer | None:
    if not data:
        return None
    return RollbackTimer(command=data["command"], unit_seconds=int(data.get("unit_seconds", 1)),
                         min_units=int(data.get("min", 1)), max_units=int(data.get("max", 65535)),
                         expect=data.get("expect", r"[>#\]]\s*$"), done=data.get("done"))


def _probe(data: dict[str, Any] | None) -> LoopStateProbe | None:
    if not data:
        return None
    return LoopStateProbe(command=data["command"], local=data.get("local"), remote=data.get("remote"),
                          looped=data.get("looped"), none=data.get("none"))


@dataclass(frozen=True, slots=True)
class ConfigPlan:
    """The configuration lines of one loop action (打环/拆环) and whether they must be committed."""

    lines: tuple[str, ...]
    commit: bool
    enable: bool
    commit_command: str | None = None  # the commit to send (under the rollback timer) instead of the driver's
    commit_expect: str | None = None  # the prompt it ends on (a regular expression)
    commit_done: str | None = None  # what its output must show (None: no error is enough)
    lifts_after_s: int | None = None  # the device removes the loop by itself this long after the commit
    prompt_end: str | None = None  # the profile's prompt_end (config-mode checks read up to it)


def loop_plan(profile: Profile, port_name: str, mode: str | None, lifts_after_s: float | None = None) -> ConfigPlan:
    """The lines that set a ``mode`` loop ("local"/"remote"; None clears) on a port. Pure: the port
    name must already be an inventory port (``DeviceTarget.port``), and only ``{port}`` is filled in.

    ``lifts_after_s``: how long the loop may stay; where the profile has a rollback timer the set is
    committed under it (rounded up to the platform's units, within its range), so the device lifts
    the loop by itself unless a later commit (the clear) confirms."""
    if mode is None:
        lines = profile.loop_clear
        if not lines:
            raise Unsupported(f"profile {profile.name} cannot clear a loop")
    else:
        lines = profile.loop_set.get(mode, ())
        if not lines:
            raise Unsupported(f"profile {profile.name} cannot set a {mode} loop")
    rendered = tuple(line.format(port=port_name) for line in lines)
    timer = profile.loop_rollback
    if mode is not None and lifts_after_s is not None and timer is not None and profile.commit:
        units = timer.units_for(lifts_after_s)
        return ConfigPlan(rendered, True, profile.enable, timer.command.format(units=units), timer.expect, timer.done,
                          units * timer.unit_seconds, prompt_end=profile.prompt_end)
    if profile.commit and profile.commit_command:
        return ConfigPlan(rendered, True, profile.enable, *profile.commit_command, prompt_end=profile.prompt_end)
    return ConfigPlan(rendered, profile.commit, profile.enable, prompt_end=profile.prompt_end)


def loop_state_command(profile: Profile, port_name: str) -> str:
    if profile.loop_state is None:
        raise Unsupported(f"profile {profile.name} cannot read a port's loop state back")
    return profile.loop_state.command.format(port=port_name)


def read_loop_state(probe: LoopStateProbe, output: str) -> tuple[bool, str | None]:
    """(looped, mode or None) from the read-back output; ``ParseError`` with the raw text when the output
    matches none of the patterns (an unreadable answer is never taken for "no loop")."""
    for mode, pattern in (("local", probe.local), ("remote", probe.remote), (None, probe.looped)):
        if pattern and re.search(pattern, output, re.MULTILINE):
            return True, mode
    if probe.none and re.search(probe.none, output, re.MULTILINE):
        return False, None
    raise ParseError("the loop state could not be read from the output", raw=output)


def available() -> tuple[str, ...]:
    return tuple(sorted(p.name[:-5] for p in resources.files("collectors.profiles").iterdir()
                        if p.name.endswith(".yaml")))


@cache
def get_profile(name: str) -> Profile:
    """The profile of a platform; an unknown platform is ``Unsupported`` (use ``generic`` for IF-MIB only)."""
    if name not in available():
        raise Unsupported(f"no collector profile for platform {name!r} (known: {', '.join(available())})")
    return _load(name)
