"""Fault records and parameter validation (故障注入). The model asks these what they do right now."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lab.enums import FaultKind
from lab.errors import FaultParameterError

# Parameters each kind accepts, with defaults. Targets: a link ("devA:portA--devB:portB" or
# "CIRCUIT#index"), a port ("device:port"), or a device name.
FAULT_PARAMS: dict[FaultKind, dict[str, Any]] = {
    FaultKind.FIBER_DEGRADED: {"db": 6.0},
    FaultKind.FIBER_CUT: {},
    FaultKind.LOOSE_CONNECTOR: {"period_s": 6.0, "down_s": 2.0, "extra_loss_db": 2.0},
    FaultKind.DUPLEX_MISMATCH: {"duplex": "half"},
    FaultKind.SPEED_MISMATCH: {"speed_mbps": 100},
    FaultKind.PORT_CONGESTION: {"utilisation": 0.98, "direction": "out"},
    FaultKind.EGRESS_CONGESTION: {"utilisation": 0.97},
    FaultKind.CPE_POWER_OFF: {},
    FaultKind.TRANSCEIVER_AGEING: {"db_per_day": 0.5, "db": 0.0},  # db: already aged when found
}
PORT_SPEEDS_MBPS = (10, 100, 1000, 2500, 10000, 25000, 40000, 100000)
TARGET_TYPE: dict[FaultKind, str] = {
    FaultKind.FIBER_DEGRADED: "link",
    FaultKind.FIBER_CUT: "link",
    FaultKind.LOOSE_CONNECTOR: "link",
    FaultKind.DUPLEX_MISMATCH: "port",
    FaultKind.SPEED_MISMATCH: "port",
    FaultKind.PORT_CONGESTION: "port",
    FaultKind.EGRESS_CONGESTION: "port_or_device",
    FaultKind.CPE_POWER_OFF: "device",
    FaultKind.TRANSCEIVER_AGEING: "port",
}


@dataclass(frozen=True)
class Fault:
    id: str
    kind: FaultKind
    target: str  # resolved: link key, port key or device name
    params: dict[str, Any] = field(default_factory=dict)
    started_s: float = 0.0  # simulated seconds since the lab epoch

    def loose_connector_open(self, now_s: float) -> bool:
        """True while the intermittent connector has lost contact (first flap at injection)."""
        period = float(self.params["period_s"])
        return ((now_s - self.started_s) % period) < float(self.params["down_s"])

    def ageing_drop_db(self, now_s: float) -> float:
        days = max(0.0, now_s - self.started_s) / 86400.0
        return float(self.params.get("db", 0.0)) + float(self.params["db_per_day"]) * days


def fault_kind(kind: str | FaultKind) -> FaultKind:
    try:
        return FaultKind(kind)
    except ValueError as exc:
        raise FaultParameterError(f"unknown fault kind {kind!r}; known: {[k.value for k in FaultKind]}") from exc


def validated_params(kind: FaultKind, params: dict[str, Any]) -> dict[str, Any]:
    allowed = FAULT_PARAMS[kind]
    unknown = set(params) - set(allowed)
    if unknown:
        raise FaultParameterError(f"{kind}: unknown parameter(s) {sorted(unknown)}; accepted: {sorted(allowed)}")
    merged = {**allowed, **params}
    for name, default in allowed.items():
        if isinstance(default, float):
            try:
                merged[name] = float(merged[name])
            except (TypeError, ValueError) as exc:
                raise FaultParameterError(f"{kind}.{name}: expected a number, got {merged[name]!r}") from exc
    if kind is FaultKind.SPEED_MISMATCH:
        try:
            merged["speed_mbps"] = int(merged["speed_mbps"])
        except (TypeError, ValueError) as exc:
            raise FaultParameterError(f"speed_mismatch.speed_mbps: expected an integer, got {merged['speed_mbps']!r}") from exc
        if merged["speed_mbps"] not in PORT_SPEEDS_MBPS:
            raise FaultParameterError(f"speed_mismatch.speed_mbps: one of {PORT_SPEEDS_MBPS}")
    if kind is FaultKind.LOOSE_CONNECTOR and not 0 < merged["down_s"] < merged["period_s"]:
        raise FaultParameterError("loose_connector: need 0 < down_s < period_s")
    if kind is FaultKind.DUPLEX_MISMATCH and merged["duplex"] not in ("half", "full"):
        raise FaultParameterError("duplex_mismatch.duplex: 'half' or 'full'")
    if kind in (FaultKind.PORT_CONGESTION, FaultKind.EGRESS_CONGESTION) and not 0 < merged["utilisation"] <= 1:
        raise FaultParameterError(f"{kind}.utilisation: in (0, 1]")
    if kind is FaultKind.PORT_CONGESTION and merged["direction"] not in ("in", "out", "both"):
        raise FaultParameterError("port_congestion.direction: in | out | both")
    if kind is FaultKind.TRANSCEIVER_AGEING and (merged["db"] < 0 or merged["db_per_day"] < 0):
        raise FaultParameterError("transceiver_ageing: db and db_per_day must be >= 0 (a laser only loses power)")
    if kind is FaultKind.FIBER_DEGRADED and merged["db"] <= 0:
        raise FaultParameterError("fiber_degraded.db: must be > 0")
    return merged
