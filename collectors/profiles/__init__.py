"""Vendor profiles (厂商适配) as data: one YAML file per platform says which SNMP decoder reads optical
power, which CLI commands and parsers give optical / interface / alarm data, and which configuration
lines set and clear a loop. Code reads profiles; it never branches on the vendor."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from collectors.errors import Unsupported


@dataclass(frozen=True, slots=True)
class CliCommand:
    command: str  # a template: only {port} is substituted, with a validated inventory port name
    parser: str  # "ntc" (ntc-templates by platform + command) or a template file in collectors/templates
    per_port: bool = False


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str
    snmp_optical: str | None  # decoder name in collectors.snmp.optical.DECODERS, None: IF-MIB only
    entity_patterns: tuple[tuple[str, str], ...] = ()
    device_type: str | None = None  # netmiko device_type
    commands: dict[str, CliCommand] = field(default_factory=dict)  # keyed by Want value
    loop_set: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "local"/"remote" -> config lines
    loop_clear: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ("snmp", "cli")  # method order per survey item

    def command(self, want: str) -> CliCommand:
        try:
            return self.commands[want]
        except KeyError:
            raise Unsupported(f"profile {self.name} has no CLI command for {want}") from None


def _load(name: str) -> Profile:
    text = resources.files("collectors.profiles").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    snmp = data.get("snmp") or {}
    cli = data.get("cli") or {}
    loop = cli.get("loop") or {}
    return Profile(
        name=data["name"],
        description=data.get("description", ""),
        snmp_optical=snmp.get("optical"),
        entity_patterns=tuple((p["regex"], p["suffix"]) for p in snmp.get("entity_patterns") or []),
        device_type=cli.get("device_type"),
        commands={k: CliCommand(v["command"], v["parser"], bool(v.get("per_port", False)))
                  for k, v in (cli.get("commands") or {}).items()},
        loop_set={k: tuple(v) for k, v in loop.items() if k in ("local", "remote")},
        loop_clear=tuple(loop.get("clear") or ()),
        prefer=tuple(data.get("prefer") or ("snmp", "cli")),
    )


def available() -> tuple[str, ...]:
    return tuple(sorted(p.name[:-5] for p in resources.files("collectors.profiles").iterdir()
                        if p.name.endswith(".yaml")))


@cache
def get_profile(name: str) -> Profile:
    """The profile of a platform; an unknown platform is ``Unsupported`` (use ``generic`` for IF-MIB only)."""
    if name not in available():
        raise Unsupported(f"no collector profile for platform {name!r} (known: {', '.join(available())})")
    return _load(name)
