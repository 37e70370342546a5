"""Per-device alarm tables (告警) and log buffers, fed by model link events.

Huawei renders them as `display alarm active|history`, Cisco as `show logging`, ZTE as
`show alarm current|history`. Alarm ids and texts follow vendor documentation style; they are not
taken from captures (none with clear provenance exist, see fixtures README "Known gaps").
"""
from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime

from lab.clock import SimClock
from lab.enums import LinkEventKind
from lab.model import CRC_ALARM_INTERVAL_S, CRC_ALARM_THRESHOLD, LinkEvent

HISTORY_CAP = 500


@dataclass(frozen=True)
class Alarm:
    seq: int
    alarm_id: str  # vendor alarm id, e.g. 0x08520003
    name: str  # e.g. linkDown, hwOpticalInvalid
    severity: str  # Critical | Major | Minor | Warning
    port: str
    description: str
    raised: datetime
    cleared: datetime | None = None


@dataclass(frozen=True)
class LogLine:
    seq: int
    at: datetime
    text: str  # e.g. "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down"


class DeviceEvents:
    def __init__(self) -> None:
        self.active: dict[tuple[str, str], Alarm] = {}
        self.history: deque[Alarm] = deque(maxlen=HISTORY_CAP)
        self.log: deque[LogLine] = deque(maxlen=HISTORY_CAP)


class EventBook:
    """Alarm and log state of every device; subscribe `on_event` to the model."""

    def __init__(self, clock: SimClock, devices: list[str]) -> None:
        self.clock = clock
        self.devices = {d: DeviceEvents() for d in devices}
        self._seq = itertools.count(1)

    def _raise(self, ev: DeviceEvents, key: tuple[str, str], alarm: Alarm) -> None:
        if key not in ev.active:
            ev.active[key] = alarm

    def _clear(self, ev: DeviceEvents, key: tuple[str, str], at: datetime) -> None:
        alarm = ev.active.pop(key, None)
        if alarm is not None:
            ev.history.append(replace(alarm, cleared=at))

    def on_event(self, event: LinkEvent) -> None:
        ev = self.devices[event.device]
        at = self.clock.wall(event.at_s).replace(microsecond=0)
        port = event.port
        rx = "-40.00" if event.rx_dbm is None else f"{event.rx_dbm:.2f}"
        if event.kind is LinkEventKind.LINK_DOWN:
            self._raise(ev, ("linkDown", port), Alarm(
                next(self._seq), "0x08520003", "linkDown", "Major", port,
                f"The interface status changes. (ifName={port}, AdminStatus=UP, OperStatus=DOWN, "
                f"Reason=The link protocol is down)", at))
            self._log(ev, at, f"%LINK-3-UPDOWN: Interface {port}, changed state to down")
            self._log(ev, at, f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {port}, changed state to down")
        elif event.kind is LinkEventKind.LINK_UP:
            self._clear(ev, ("linkDown", port), at)
            self._log(ev, at, f"%LINK-3-UPDOWN: Interface {port}, changed state to up")
            self._log(ev, at, f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {port}, changed state to up")
        elif event.kind is LinkEventKind.RX_LOW_ALARM:
            self._raise(ev, ("hwOpticalInvalid", port), Alarm(
                next(self._seq), "0x08130059", "hwOpticalInvalid", "Critical", port,
                f"Optical Module is invalid.(PhysicalName=\"{port}\", EntityTrapFaultID=136196, "
                f"RxPower={rx}dBm, Reason=The input power is too low.)", at))
            self._log(ev, at, f"%SFF8472-5-THRESHOLD_VIOLATION: {port}: Rx power low alarm; "
                              f"Operating value: {rx} dBm")
        elif event.kind in (LinkEventKind.TX_LOW_ALARM, LinkEventKind.TX_LOW_CLEAR):
            self._tx_low(ev, event, at, event.kind is LinkEventKind.TX_LOW_ALARM)
        elif event.kind in (LinkEventKind.CRC_RISING, LinkEventKind.CRC_RESUME):
            self._crc(ev, event, at, event.kind is LinkEventKind.CRC_RISING)
        elif event.kind is LinkEventKind.RX_LOW_CLEAR:
            self._clear(ev, ("hwOpticalInvalid", port), at)
            self._log(ev, at, f"%SFF8472-5-THRESHOLD_VIOLATION: {port}: Rx power low alarm cleared; "
                              f"Operating value: {rx} dBm")

    def _tx_low(self, ev: DeviceEvents, event: LinkEvent, at: datetime, raised: bool) -> None:
        """The same Huawei alarm as a dark receiver, another fault id (136194: output power too low)."""
        key = ("hwOpticalInvalid:tx", event.port)
        tx = "-40.00" if event.tx_dbm is None else f"{event.tx_dbm:.2f}"
        if raised:
            self._raise(ev, key, Alarm(
                next(self._seq), "0x08130059", "hwOpticalInvalid", "Critical", event.port,
                f"Optical Module is invalid.(PhysicalName=\"{event.port}\", EntityTrapFaultID=136194, "
                f"TxPower={tx}dBm, Reason=The output power is too low.)", at))
        else:
            self._clear(ev, key, at)
        state = "alarm" if raised else "alarm cleared"
        self._log(ev, at, f"%SFF8472-5-THRESHOLD_VIOLATION: {event.port}: Tx power low {state}; Operating value: {tx} dBm")

    def _crc(self, ev: DeviceEvents, event: LinkEvent, at: datetime, rising: bool) -> None:
        key = ("hwIfMonitorCrcErrorRising", event.port)
        if not rising:
            self._clear(ev, key, at)
            return
        self._raise(ev, key, Alarm(
            next(self._seq), "0x081300bc", "hwIfMonitorCrcErrorRising", "Major", event.port,
            f"The CRC error is rising. (hwIfMonitorName={event.port}, hwIfMonitorCrcErrorThreshold="
            f"{CRC_ALARM_THRESHOLD}, hwIfMonitorCrcErrorInterval={int(CRC_ALARM_INTERVAL_S)})", at))

    def _log(self, ev: DeviceEvents, at: datetime, text: str) -> None:
        ev.log.append(LogLine(next(self._seq), at, text))

    def all_alarms(self, device: str) -> list[Alarm]:
        ev = self.devices[device]
        return sorted([*ev.history, *ev.active.values()], key=lambda a: a.seq)
