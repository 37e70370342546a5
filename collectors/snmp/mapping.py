"""Port name <-> ifIndex <-> entPhysicalIndex, from IF-MIB and ENTITY-MIB walks (pure, no I/O)."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from collectors.snmp import oids

Tables = Mapping[str, Mapping[str, int | str | None]]

# A sensor's name usually starts with its port ("Gi1/0/52 Receive Power Sensor",
# "TenGigE0/0/0/0-Tx Lane Power", "Ethernet1/1 Lane 1 Transceiver ..."): the token before a blank/dash.
_NAME_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9/.:_]*\d)(?:[\s-]|$)")


def _column(tables: Tables, column: str) -> dict[int, int | str | None]:
    out: dict[int, int | str | None] = {}
    for index, value in tables.get(column, {}).items():
        if index.isdigit():
            out[int(index)] = value
    return out


@dataclass(frozen=True)
class PortMap:
    if_descr: dict[int, str] = field(default_factory=dict)
    if_name: dict[int, str] = field(default_factory=dict)
    ent_name: dict[int, str] = field(default_factory=dict)
    ent_parent: dict[int, int] = field(default_factory=dict)
    ent_alias: dict[int, int] = field(default_factory=dict)  # entPhysicalIndex -> ifIndex

    @classmethod
    def from_tables(cls, tables: Tables) -> PortMap:
        alias: dict[int, int] = {}
        for index, value in tables.get(oids.ENT_ALIAS_MAPPING, {}).items():
            ent = index.split(".", 1)[0]
            if isinstance(value, str) and value.startswith(oids.IF_INDEX + ".") and ent.isdigit():
                alias[int(ent)] = int(value.rsplit(".", 1)[1])
        return cls(
            if_descr={k: str(v) for k, v in _column(tables, oids.IF_DESCR).items() if v},
            if_name={k: str(v) for k, v in _column(tables, oids.IF_NAME).items() if v},
            ent_name={k: str(v) for k, v in _column(tables, oids.ENT_NAME).items() if v},
            ent_parent={k: int(v) for k, v in _column(tables, oids.ENT_CONTAINED_IN).items() if isinstance(v, int)},
            ent_alias=alias,
        )

    # -- names ----------------------------------------------------------------------------------
    def port_name(self, if_index: int) -> str | None:
        """The device's own name for an interface (ifDescr, else ifName)."""
        return self.if_descr.get(if_index) or self.if_name.get(if_index)

    def if_index(self, name: str) -> int | None:
        for table in (self.if_descr, self.if_name):
            for index, text in table.items():
                if text == name:
                    return index
        lowered = name.lower()
        for table in (self.if_descr, self.if_name):
            for index, text in table.items():
                if text.lower() == lowered:
                    return index
        return None

    def same_port(self, name: str, if_index: int | None, other_name: str, other_if_index: int | None) -> bool:
        if if_index is not None and other_if_index is not None:
            return if_index == other_if_index
        if name == other_name:
            return True
        a = if_index if if_index is not None else self.if_index(name)
        b = other_if_index if other_if_index is not None else self.if_index(other_name)
        return a is not None and a == b

    # -- entities -------------------------------------------------------------------------------
    def port_for_entity(
        self, entity: int, *, patterns: Sequence[tuple[str, str]] = (), max_depth: int = 6
    ) -> tuple[str, int | None] | None:
        """The port an entity (a module, a sensor) belongs to, as (name, ifIndex or None).

        Tried in order: the entity and its containers' entAliasMapping; an entity whose name is an
        interface name; the sensor name's leading port token; profile patterns (regex, format) that
        turn names like "subslot 0/0 transceiver 10" into an interface suffix.
        """
        chain: list[int] = []
        current: int | None = entity
        while current and len(chain) < max_depth:
            chain.append(current)
            current = self.ent_parent.get(current)
        for ent in chain:
            if ent in self.ent_alias:
                if_index = self.ent_alias[ent]
                return (self.port_name(if_index) or self.ent_name.get(ent, str(ent)), if_index)
        for ent in chain:
            name = self.ent_name.get(ent)
            if name and (idx := self.if_index(name)) is not None:
                return (self.port_name(idx) or name, idx)
        own = self.ent_name.get(entity, "")
        match = _NAME_PREFIX.match(own)
        if match and (idx := self.if_index(match.group(1))) is not None:
            return (self.port_name(idx) or match.group(1), idx)
        for ent in chain:
            name = self.ent_name.get(ent, "")
            for regex, suffix_format in patterns:
                found = re.search(regex, name)
                if not found:
                    continue
                suffix = suffix_format.format(*found.groups())
                hits = [
                    i
                    for i, text in {**self.if_name, **self.if_descr}.items()
                    if text.endswith(suffix) and "." not in text and not text[: -len(suffix)][-1:].isdigit()
                ]
                if len(hits) == 1:
                    return (self.port_name(hits[0]) or suffix, hits[0])
        # Huawei names the port entity itself exactly like the interface, even without ifTable rows.
        for ent in chain:
            name = self.ent_name.get(ent)
            if name and re.match(r"^[A-Za-z-]+\d+(/\d+)+$", name):
                return (name, None)
        return None

    def port_named_by(self, entity: int) -> tuple[str, int] | None:
        """The interface an entity's own name starts with ("Te1/2/0/1 Receive Power Sensor"), if the
        device lists one of that name."""
        match = _NAME_PREFIX.match(self.ent_name.get(entity, ""))
        if match and (idx := self.if_index(match.group(1))) is not None:
            return (self.port_name(idx) or match.group(1), idx)
        return None

    def port_for_sensor(
        self, entity: int, *, patterns: Sequence[tuple[str, str]] = ()
    ) -> tuple[tuple[str, int | None] | None, str | None]:
        """The port a sensor belongs to, and, when its name and its place in the entity tree disagree,
        the port the tree gave. Stacks and SVL pairs serve sensors named after one port but contained
        under another port's entity ("Te1/2/0/1 Receive Power Sensor" under TenGigabitEthernet1/2/0/2):
        the name is what the device's own CLI shows for that sensor, so the name wins."""
        by_tree = self.port_for_entity(entity, patterns=patterns)
        by_name = self.port_named_by(entity)
        if by_name is not None and by_tree is not None and by_tree[1] is not None and by_name[1] != by_tree[1]:
            return by_name, by_tree[0]
        return (by_tree or by_name), None
