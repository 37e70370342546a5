"""The circuit path (电路路由): ordered segments, each joining two ports over fiber.

Segments are ordered from the customer end outwards (A end first), as in the inventory format
(docs/inventory-format.md): segment n's Z device is segment n+1's A device.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from diagnosis.enums import SiteKind
from diagnosis.errors import InvalidInput


@dataclass(frozen=True)
class PortEnd:
    """One end of a segment: a port on a device at a site of a given kind.

    `rx_sensitivity_dbm` / `rx_overload_dbm` come from the inventory when known; the module's own
    DDM thresholds (in the optical reading) take precedence, then these, then the defaults of the
    transceiver type (`diagnosis.optics`).
    """

    device: str
    port: str
    site_kind: SiteKind
    platform: str = ""
    transceiver: str = ""
    wavelength_nm: int | None = None
    rx_sensitivity_dbm: float | None = None
    rx_overload_dbm: float | None = None
    speed_mbps: int | None = None

    def __post_init__(self) -> None:
        problems = []
        if not self.device:
            problems.append("port end: device name is empty")
        if not self.port:
            problems.append(f"port end on {self.device!r}: port name is empty")
        try:
            object.__setattr__(self, "site_kind", SiteKind(self.site_kind))
        except ValueError:
            problems.append(f"{self.device}:{self.port}: unknown site kind {self.site_kind!r}")
        if problems:
            raise InvalidInput(problems)

    @property
    def key(self) -> tuple[str, str]:
        return (self.device, self.port)

    @property
    def label(self) -> str:
        return f"{self.device} {self.port}"


@dataclass(frozen=True)
class Segment:
    """A fiber span (段) between port A and port Z.

    `connectors` counts mated connector pairs (each ODF or patch-panel joint, 0.5 dB each);
    `splices` counts fusion splices (0.1 dB each). None means the hand-over data lacks it.
    """

    index: int
    a: PortEnd
    z: PortEnd
    length_km: float | None = None
    connectors: int | None = None
    splices: int | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.length_km is not None and self.length_km < 0:
            problems.append(f"segment {self.index}: negative length {self.length_km} km")
        for name in ("connectors", "splices"):
            value = getattr(self, name)
            if value is not None and value < 0:
                problems.append(f"segment {self.index}: negative {name} {value}")
        if problems:
            raise InvalidInput(problems)

    @property
    def ends(self) -> tuple[PortEnd, PortEnd]:
        return (self.a, self.z)

    @property
    def label(self) -> str:
        return f"#{self.index} ({self.a.label} → {self.z.label})"

    @property
    def kinds(self) -> tuple[SiteKind, SiteKind]:
        return (self.a.site_kind, self.z.site_kind)


@dataclass(frozen=True)
class CircuitPath:
    """A customer's circuit (专线) and its path. An empty path is accepted: playbook 3 reports it as
    missing hand-over data (treated as a fault, never as "circuit not accepted")."""

    circuit_id: str
    customer: str
    service_type: str
    rate_mbps: float | None
    segments: tuple[Segment, ...] = field(default_factory=tuple)
    # Egress / uplink ports of the path's devices that are not themselves segments of the circuit (a
    # metro device's backbone uplink): the circuit's traffic leaves through them, so playbook 2 checks
    # them for congestion (issue 10 item 6). From the inventory's port ``role``.
    uplinks: tuple[PortEnd, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.segments))
        object.__setattr__(self, "uplinks", tuple(self.uplinks))
        problems = []
        on_path = {end.key for seg in self.segments for end in seg.ends}
        path_devices = {end.device for seg in self.segments for end in seg.ends}
        for up in self.uplinks:
            if up.key in on_path:
                problems.append(f"circuit {self.circuit_id}: uplink {up.label} is a segment end of the circuit")
            elif up.device not in path_devices:
                problems.append(f"circuit {self.circuit_id}: uplink {up.label} is not on a device of the path")
        if not self.circuit_id:
            problems.append("circuit id is empty")
        if self.rate_mbps is not None and self.rate_mbps <= 0:
            problems.append(f"circuit {self.circuit_id}: contracted rate must be > 0 Mbps")
        for position, segment in enumerate(self.segments):
            if segment.index != position:
                problems.append(
                    f"circuit {self.circuit_id}: segment at position {position} has index {segment.index}"
                )
            if position and self.segments[position - 1].z.device != segment.a.device:
                problems.append(
                    f"circuit {self.circuit_id}: segment {position} starts at {segment.a.device!r} but "
                    f"segment {position - 1} ends at {self.segments[position - 1].z.device!r}"
                )
        if problems:
            raise InvalidInput(problems)

    def ports(self) -> tuple[tuple[Segment, PortEnd], ...]:
        """Every port of the path in path order (seg0.A, seg0.Z, seg1.A, ...)."""
        return tuple((seg, end) for seg in self.segments for end in seg.ends)

    def devices(self) -> tuple[str, ...]:
        """Device names in path order, each once."""
        seen: dict[str, None] = {}
        for _, end in self.ports():
            seen.setdefault(end.device, None)
        return tuple(seen)

    def site_kind_of(self, device: str) -> SiteKind | None:
        for _, end in self.ports():
            if end.device == device:
                return end.site_kind
        return None
