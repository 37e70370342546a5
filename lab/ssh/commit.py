"""Candidate configuration and rollback timers (two-stage commit) of the lab's commit platforms.

Junos and IOS-XR keep configuration lines in a candidate until ``commit``; Huawei VRP8 does the same in
its two-stage mode. ``commit confirmed N`` (Junos: minutes, IOS-XR: seconds) and ``commit trial N``
(VRP8: seconds) apply the candidate under a rollback timer: unless a later ``commit`` confirms it, the
device restores the configuration it had before when the timer runs out, by itself, whatever became of
the session that committed (faultline killed, the management network lost).

The candidate belongs to a session; the applied configuration and the pending rollback belong to the
device (``DeviceConfig``, one per device, shared by its sessions). Only loop settings are configured in
the lab, so a configuration is the loop mode of each port.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from lab.enums import LoopMode

log = logging.getLogger(__name__)

Schedule = Callable[[float, Callable[[], None]], Callable[[], None]]  # (delay_s, callback) -> cancel


def _asyncio_schedule(delay_s: float, callback: Callable[[], None]) -> Callable[[], None]:
    handle = asyncio.get_running_loop().call_later(delay_s, callback)
    return handle.cancel


@dataclass
class DeviceConfig:
    """The applied configuration of one device and its pending rollback timer."""

    device: str
    apply: Callable[[str, str, LoopMode | None], None]  # (device, port, mode): the lab's set_loop
    current: Callable[[str], LoopMode | None]  # the port's loop now
    schedule: Schedule = _asyncio_schedule
    rollback_to: dict[str, LoopMode | None] = field(default_factory=dict)  # what the timer restores
    timer_s: float | None = None  # the pending timer's length (None: nothing to confirm)
    _cancel: Callable[[], None] | None = None
    rollbacks: int = 0  # timers that ran out (for tests and the lab's event log)

    @property
    def pending(self) -> bool:
        return self._cancel is not None

    def commit(self, changes: dict[str, LoopMode | None], confirm_within_s: float | None = None) -> None:
        """Apply ``changes``; a plain commit confirms a pending one (its timer stops), a confirmed/trial
        commit (re)starts the timer and remembers what to restore (the state before the first
        unconfirmed commit)."""
        if confirm_within_s is None:
            self._stop_timer()
            self.rollback_to = {}
        else:
            for port in changes:
                self.rollback_to.setdefault(port, self.current(port))
        for port, mode in changes.items():
            self.apply(self.device, port, mode)
        if confirm_within_s is not None:
            self._stop_timer()
            self.timer_s = confirm_within_s
            self._cancel = self.schedule(confirm_within_s, self._expire)

    def _stop_timer(self) -> None:
        if self._cancel is not None:
            self._cancel()
        self._cancel, self.timer_s = None, None

    def _expire(self) -> None:
        """The timer ran out unconfirmed: the device rolls back by itself."""
        restore, self.rollback_to = self.rollback_to, {}
        self._cancel, self.timer_s = None, None
        self.rollbacks += 1
        log.info("%s: commit not confirmed within its timer: rolling back %s", self.device, sorted(restore))
        for port, mode in restore.items():
            self.apply(self.device, port, mode)


class Candidate:
    """A session's uncommitted loop changes (port -> mode, None: no loop)."""

    def __init__(self) -> None:
        self.changes: dict[str, LoopMode | None] = {}

    def __bool__(self) -> bool:
        return bool(self.changes)

    def set(self, port: str, mode: LoopMode | None) -> None:
        self.changes[port] = mode

    def take(self) -> dict[str, LoopMode | None]:
        changes, self.changes = self.changes, {}
        return changes

    def discard(self) -> None:
        self.changes = {}
