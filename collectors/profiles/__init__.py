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


def _load(name: str) -> Profile:
    text = resources.files("collectors.profiles").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
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
    )


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


def loop_plan(profile: Profile, port_name: str, mode: str | None) -> ConfigPlan:
    """The lines that set a ``mode`` loop ("local"/"remote"; None clears) on a port. Pure: the port
    name must already be an inventory port (``DeviceTarget.port``), and only ``{port}`` is filled in."""
    if mode is None:
        lines = profile.loop_clear
        if not lines:
            raise Unsupported(f"profile {profile.name} cannot clear a loop")
    else:
        lines = profile.loop_set.get(mode, ())
        if not lines:
            raise Unsupported(f"profile {profile.name} cannot set a {mode} loop")
    return ConfigPlan(tuple(line.format(port=port_name) for line in lines), profile.commit, profile.enable)


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
