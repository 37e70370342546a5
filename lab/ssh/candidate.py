"""Session behaviour shared by the lab's commit platforms (Junos, IOS-XR, Huawei VRP8 two-stage): loop
lines go to the session's candidate, ``commit`` applies it, a confirmed/trial commit applies it under
the device's rollback timer (lab.ssh.commit)."""
from __future__ import annotations

from lab.enums import LoopMode
from lab.ssh.commit import Candidate, DeviceConfig
from lab.ssh.shell import Shell


class CandidateShell(Shell):
    """A shell whose loop changes wait in a candidate until committed."""

    timer_unit_s = 1  # Junos counts its timer in minutes
    timer_range = (1, 65535)  # in timer units

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.candidate = Candidate()

    @property
    def device_config(self) -> DeviceConfig:
        assert self.ctx.config is not None, "a commit platform needs the device's configuration store"
        return self.ctx.config

    def stage_loop(self, port: str, mode: LoopMode | None) -> None:
        self.candidate.set(port, mode)

    def set_loop(self, mode: LoopMode | None) -> str:  # the interface view's loop lines
        assert self.current_port is not None
        self.stage_loop(self.current_port, mode)
        return ""

    def do_commit(self, timer: str | None = None) -> str | None:
        """Apply the candidate (and confirm a pending commit); with ``timer`` under the rollback timer.
        None when the timer is out of range (the vendor prints its own error)."""
        seconds = None
        if timer is not None:
            try:
                units = int(timer)
            except ValueError:
                return None
            lo, hi = self.timer_range
            if not lo <= units <= hi:
                return None
            seconds = units * self.timer_unit_s
        self.device_config.commit(self.candidate.take(), seconds)
        return ""

    def logout(self) -> str:
        self.candidate.discard()  # a session that ends drops its uncommitted lines
        return super().logout()
