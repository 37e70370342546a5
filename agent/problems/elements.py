"""The network elements a cause can sit on: a segment (one fibre between two ports), a port or a
device. Pure values: the same fibre is one element whichever circuit's path, and whichever direction,
names it (circuits are stored with their own segment rows over shared ports)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ElementKind(StrEnum):
    SEGMENT = "segment"
    PORT = "port"
    DEVICE = "device"


@dataclass(frozen=True)
class Element:
    """``device``/``port`` is one end, ``far_device``/``far_port`` the other (segments only); a
    segment's ends are kept in a canonical order so that equal fibres compare equal."""

    kind: ElementKind
    device: str
    port: str | None = None
    far_device: str | None = None
    far_port: str | None = None

    @classmethod
    def segment(cls, a_device: str, a_port: str, z_device: str, z_port: str) -> Element:
        (d1, p1), (d2, p2) = sorted(((a_device, a_port), (z_device, z_port)))
        return cls(ElementKind.SEGMENT, d1, p1, d2, p2)

    @classmethod
    def of_port(cls, device: str, port: str) -> Element:
        return cls(ElementKind.PORT, device, port)

    @classmethod
    def of_device(cls, device: str) -> Element:
        return cls(ElementKind.DEVICE, device)

    @property
    def key(self) -> str:
        """Canonical text form, stored as the problem's root key (one open problem per key)."""
        if self.kind is ElementKind.SEGMENT:
            return f"segment:{self.device}|{self.port}~{self.far_device}|{self.far_port}"
        if self.kind is ElementKind.PORT:
            return f"port:{self.device}|{self.port}"
        return f"device:{self.device}"

    @property
    def ports(self) -> frozenset[tuple[str, str]]:
        """The (device, port) pairs of the element (none for a device)."""
        ends = {(self.device, self.port), (self.far_device, self.far_port)}
        return frozenset((d, p) for d, p in ends if d is not None and p is not None)

    @property
    def devices(self) -> frozenset[str]:
        return frozenset(d for d in (self.device, self.far_device) if d is not None)

    @property
    def label(self) -> str:
        if self.kind is ElementKind.SEGMENT:
            return f"{self.device} {self.port} ↔ {self.far_device} {self.far_port}"
        if self.kind is ElementKind.PORT:
            return f"{self.device} {self.port}"
        return self.device

    def touches(self, other: Element) -> bool:
        """Whether a fault on one can be the same physical cause as a fault on the other: the same
        fibre, a port at an end of it, or a device holding it (a device down darkens its fibres)."""
        if self.kind is ElementKind.DEVICE or other.kind is ElementKind.DEVICE:
            return bool(self.devices & other.devices)
        if self.kind is ElementKind.SEGMENT and other.kind is ElementKind.SEGMENT:
            return self == other
        return bool(self.ports & other.ports)

    def to_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind.value, "device": self.device, "port": self.port, "farDevice": self.far_device,
                "farPort": self.far_port, "key": self.key, "label": self.label}


def from_key(key: str) -> Element:
    """The element back from its key (the inverse of ``Element.key``)."""
    kind, _, rest = key.partition(":")
    if kind == ElementKind.SEGMENT:
        a, _, z = rest.partition("~")
        (d1, _, p1), (d2, _, p2) = a.partition("|"), z.partition("|")
        return Element(ElementKind.SEGMENT, d1, p1, d2, p2)
    if kind == ElementKind.PORT:
        d, _, p = rest.partition("|")
        return Element(ElementKind.PORT, d, p)
    if kind == ElementKind.DEVICE:
        return Element(ElementKind.DEVICE, rest)
    raise ValueError(f"not an element key: {key!r}")
