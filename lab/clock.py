"""Simulated time of the lab: real time times a scale, plus manual jumps (for ageing over days)."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class SimClock:
    def __init__(self, scale: float = 1.0, epoch: datetime | None = None) -> None:
        self.scale = scale
        self.epoch = epoch or datetime.now(UTC).replace(microsecond=0)
        self._mono0 = time.monotonic()
        self._offset = 0.0

    def now_s(self) -> float:
        """Simulated seconds since the lab epoch."""
        return (time.monotonic() - self._mono0) * self.scale + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the lab clock only moves forward")
        self._offset += seconds

    def wall(self, at_s: float | None = None) -> datetime:
        return self.epoch + timedelta(seconds=self.now_s() if at_s is None else at_s)

    def ticks(self, at_s: float | None = None) -> int:
        """sysUpTime in hundredths of a second (devices booted at the lab epoch)."""
        return int((self.now_s() if at_s is None else at_s) * 100) % (2**32)
