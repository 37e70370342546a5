"""Loop tests (环测) and circuit service state, read from the model.

A loop test sends a test signal from an origin port along the circuit path to a loop point. The
signal comes back iff a loop is set at the loop point, every device on the way is powered, and every
segment between origin and loop point passes light both ways. Where the loop point is the origin's
direct neighbour the reflection is passive, so the round trip (Tx - 2 x loss) must still reach the
origin's receiver - exactly what the origin port then shows over SNMP and CLI.

The loop's direction matters. A `remote` (line) loop sends back what arrives from the port's far end:
it returns the test signal only on the port through which the signal enters the loop device (the
port facing the origin). A `local` (internal) loop sends the device's own traffic back into the
device: it returns the signal only on a port the signal reaches from inside the device (the port
facing away from the origin, or an outside-facing port off the path such as the province exit), and
only when that port has a module to loop (a port with no light returns nothing).
"""
from __future__ import annotations

from dataclasses import dataclass

from lab import physics
from lab.enums import LoopMode
from lab.errors import LabStateError, UnknownTarget
from lab.model import Model
from lab.topology import CircuitSpec


@dataclass(frozen=True)
class LoopTestResult:
    returned: bool
    circuit: str
    segments: tuple[str, ...]  # link keys between origin and loop point, origin side first
    loop_mode: LoopMode | None
    origin_rx_dbm: float | None  # what the origin port receives now
    round_trip_loss_db: float | None  # sum of both directions over the segments, when light passes
    reason: str


@dataclass(frozen=True)
class CircuitState:
    circuit: str
    up: bool
    looped_at: tuple[str, ...]  # "device:port" with a loop set (a loop takes the service down)
    down_ports: tuple[str, ...]
    unpowered: tuple[str, ...]


def _path_ports(cir: CircuitSpec) -> list[str]:
    return [key for hop in cir.hops for key in hop]


def circuit_state(model: Model, circuit_id: str) -> CircuitState:
    cir = model.topology.circuits.get(circuit_id)
    if cir is None:
        raise UnknownTarget(f"no circuit {circuit_id!r}")
    keys = _path_ports(cir)
    devices = {k.split(":")[0] for k in keys}
    looped = model.circuit_loops(circuit_id)
    down = tuple(k for k in keys if not model.ports[k].oper_up)
    unpowered = tuple(sorted(d for d in devices if not model.powered(d)))
    return CircuitState(circuit_id, not (looped or down or unpowered), looped, down, unpowered)


def loop_test(model: Model, origin_device: str, origin_port: str, loop_device: str, loop_port: str) -> LoopTestResult:
    origin = model.port(origin_device, origin_port)
    loop_ps = model.port(loop_device, loop_port)
    for cir in model.topology.circuits.values():
        keys = _path_ports(cir)
        if origin.spec.key in keys and any(k.split(":")[0] == loop_device for k in keys):
            break
    else:
        raise LabStateError(f"no circuit runs from {origin.spec.key} to device {loop_device!r}")
    i_origin = keys.index(origin.spec.key)
    if loop_ps.spec.key in keys:
        i_loop = keys.index(loop_ps.spec.key)
    else:  # a port off the path on a path device: the signal crosses the whole device to reach it
        idx = [i for i, k in enumerate(keys) if k.split(":")[0] == loop_device]
        i_loop = max(idx, key=lambda i: abs(i - i_origin))
    lo, hi = sorted((i_origin, i_loop))
    hops = [(n, hop) for n, hop in enumerate(cir.hops) if lo <= 2 * n and 2 * n + 1 <= hi]
    if i_origin > i_loop:
        hops.reverse()
    segments = tuple(cir.link_keys[n] for n, _ in hops)
    origin_rx = model.rx_dbm(origin)

    def result(returned: bool, reason: str, rt: float | None = None) -> LoopTestResult:
        return LoopTestResult(returned, cir.id, segments, loop_ps.loop, origin_rx, rt, reason)

    if loop_ps.loop is None:
        return result(False, f"no loop set at {loop_ps.spec.key}")
    # the signal enters the loop device through the loop port itself when that port faces the origin:
    # the z end of a hop going away from the customer, the a end going towards it
    facing = loop_ps.spec.key in keys and (i_loop % 2 == 1) == (i_origin < i_loop)
    if facing and loop_ps.loop is LoopMode.LOCAL:
        return result(False, f"the local loop at {loop_ps.spec.key} reflects towards its own device, not back along "
                             "the line the test signal came on")
    if not facing and loop_ps.loop is LoopMode.REMOTE:
        return result(False, f"the remote loop at {loop_ps.spec.key} reflects what comes from its far end; the test "
                             "signal reaches it from inside the device")
    if not facing and not loop_ps.spec.transceiver:
        return result(False, f"no light at {loop_ps.spec.key} (no module): nothing to loop back")
    devices = {k.split(":")[0] for n, hop in hops for k in hop} | {origin_device, loop_device}
    dark = sorted(d for d in devices if not model.powered(d))
    if dark:
        return result(False, f"device(s) without power on the way: {', '.join(dark)}")
    round_trip = 0.0
    for _, (a, z) in hops:
        link = model.ports[a].link
        assert link is not None
        loss = model.link_loss_db(link)
        if loss is None:
            return result(False, f"no light across {link.key}")
        for recv in (a, z):
            ps = model.ports[recv]
            if not physics.has_light(model.one_way_rx(ps), ps.spec.rx_sensitivity_dbm):
                return result(False, f"{recv} receives below its sensitivity across {link.key}")
        round_trip += 2 * loss
    neighbour = len(hops) == 1 and loop_ps.spec.key == origin.peer and loop_ps.loop is LoopMode.REMOTE
    if neighbour and not physics.has_light(origin_rx, origin.spec.rx_sensitivity_dbm):
        return result(False, f"reflected light at {origin.spec.key} below its sensitivity", round_trip)
    return result(True, "signal returned", round_trip)
