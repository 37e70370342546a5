"""What the agent needs from the collectors, as Protocols: read a device, set and clear a loop.

The agent depends on these, not on ``collectors.Collector`` itself: its adapter
(``agent.devices.DeviceGateway``: one shared Collector, surveys of a device coalesced) implements both, and a test or a worker process can put another implementation behind them. They
describe exactly what the agent calls today:

- triage and circuit health: ``survey`` (every reading of the target's ports) and ``counters`` (the
  second counter read of a rate; ``collectors.rates.counter_rates`` turns two samples into rates);
- the loop guard: ``set_loop`` / ``clear_loop`` on an inventory port, ``loop_state`` (the clear read
  back from the device) and ``port_light`` on the far end while the loop is held.

Device trouble is reported inside the readings (``DeviceSurvey.errors``), never raised; bad input
(a port outside the target's inventory) raises ``collectors.errors.InvalidPort``.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypedDict, runtime_checkable

from collectors.readings import CounterSample, DeviceSurvey
from collectors.survey import LoopReadback
from collectors.target import DeviceTarget


class PortLight(TypedDict):
    """The far end's view while a loop is held: is the port up, and how much light does it see."""

    oper_up: bool | None  # None: the interface state could not be read
    rx_dbm: float | None  # None: no optical reading
    tx_dbm: float | None
    source: str  # the methods the values came from ("cli; snmp")
    errors: list[str]  # why a value is missing, as the collector said it


@runtime_checkable
class DeviceReader(Protocol):
    """Reads a device's optical power, interface status, counters and alarms as typed readings."""

    async def survey(self, target: DeviceTarget, since: datetime | None, timeout: float) -> DeviceSurvey:
        """Every reading of ``target.ports``; alarms (active, and cleared since ``since``) included.
        Returns within about ``timeout`` seconds with what was read by then."""
        ...

    async def counters(self, target: DeviceTarget, timeout: float) -> Sequence[CounterSample]:
        """One counter sample per port of ``target`` (the second read of a rate), each timed by the
        response that carried it."""
        ...


@runtime_checkable
class LoopDriver(Protocol):
    """Sets and clears a loop (打环/拆环) on a device port, and reads the far end's light meanwhile."""

    async def set_loop(self, target: DeviceTarget, port: str, mode: str, lifts_after_s: float | None = None) -> str:
        """Loop ``port`` ("local" | "remote"); returns the commands sent, for the journal. Where the
        platform has a rollback timer the loop is committed under one covering ``lifts_after_s``, so
        the device lifts it by itself if no later commit (the clear) confirms it."""
        ...

    async def clear_loop(self, target: DeviceTarget, port: str) -> str:
        """Remove any loop on ``port``; returns the commands sent."""
        ...

    async def loop_state(self, target: DeviceTarget, port: str) -> LoopReadback:
        """The port's loop state as the device prints it (raw output kept); unreadable output raises
        ``ParseError``, never reads as "no loop"."""
        ...

    async def port_light(self, target: DeviceTarget, port: str) -> PortLight:
        ...
