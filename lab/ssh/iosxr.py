"""Cisco IOS-XR CLI (NCS/ASR9k): ``RP/0/RP0/CPU0:host#``, a candidate configuration per session,
``commit``, ``commit confirmed <seconds>`` (rolled back by the device itself unless a later ``commit``
confirms it), ``end`` asking about uncommitted changes, and ``show running-config interface`` as the
read-back of ``loopback internal|line``."""
from __future__ import annotations

from lab.enums import LoopMode
from lab.model import PortState
from lab.ssh.candidate import CandidateShell

LOOP_WORDS = {"internal": LoopMode.LOCAL, "line": LoopMode.REMOTE}


class XrShell(CandidateShell):
    banner = "\n"
    timer_unit_s = 1  # commit confirmed <seconds>
    timer_range = (30, 65535)

    def prompt(self) -> str:
        base = f"RP/0/RP0/CPU0:{self.hostname}"
        return {"exec": f"{base}#", "config": f"{base}(config)#", "interface": f"{base}(config-if)#",
                "confirm_end": ""}[self.mode]

    def error_text(self, line: str, position: int) -> str:
        pad = " " * (len(self.prompt()) + position)
        return f"{pad}^\n% Invalid input detected at '^' marker.\n"

    def incomplete_text(self, line: str) -> str:
        return "% Incomplete command.\n"

    def commands(self):  # type: ignore[no-untyped-def]
        loops = [("interface", f"loopback {w}", (lambda mode=mode: self.set_loop(mode))) for w, mode in LOOP_WORDS.items()]
        return [
            ("confirm_end", "yes", lambda: self._answer_end("yes")),
            ("confirm_end", "no", lambda: self._answer_end("no")),
            ("confirm_end", "cancel", lambda: self._answer_end("cancel")),
            ("*", "terminal length 0", lambda: ""),
            ("*", "terminal width {width}", lambda width: ""),
            ("exec", "show running-config interface {port}", lambda port: self.running_interface(self.port(port))),
            ("exec", "configure terminal", self.configure),
            ("exec", "configure", self.configure),
            ("exec", "exit", self.logout),
            ("config", "interface {port}", self.enter_interface),
            ("interface", "interface {port}", self.enter_interface),
            *loops,
            ("interface", "no loopback", lambda: self.set_loop(None)),
            ("interface", "exit", self.leave_interface),
            ("interface", "root", self.leave_interface),
            ("config", "commit confirmed minutes {minutes}", lambda minutes: self._confirmed(minutes, 60)),
            ("config", "commit confirmed {seconds}", lambda seconds: self._confirmed(seconds, 1)),
            ("interface", "commit confirmed {seconds}", lambda seconds: self._confirmed(seconds, 1)),
            ("config", "commit", self._commit),
            ("interface", "commit", self._commit),
            ("config", "abort", self._abort),
            ("config", "exit", self._end),
            ("*", "end", self._end),
        ]

    def configure(self) -> str:
        self.mode = "config"
        return ""

    def _confirmed(self, value: str, unit_s: int) -> str:
        self.timer_unit_s = unit_s
        try:
            if self.do_commit(value) is None:
                return f"% Invalid input: commit confirmed takes {self.timer_range[0]}-{self.timer_range[1]} seconds\n"
        finally:
            self.timer_unit_s = 1
        return ""

    def _commit(self) -> str:
        self.do_commit()
        return ""

    def _abort(self) -> str:
        self.candidate.discard()
        return self.end()

    def _end(self) -> str:
        if self.candidate:
            self.mode = "confirm_end"
            return "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:"
        return self.end()

    def _answer_end(self, answer: str) -> str:
        if answer == "cancel":
            self.mode = "config"
            return ""
        if answer == "yes":
            self.do_commit()
        else:
            self.candidate.discard()
        return self.end()

    def running_interface(self, ps: PortState) -> str:
        loop = {LoopMode.LOCAL: " loopback internal\n", LoopMode.REMOTE: " loopback line\n"}.get(ps.loop, "")  # type: ignore[arg-type]
        desc = f" description {ps.spec.description}\n" if ps.spec.description else ""
        return f"{self.ctx.now():%a %b %d %H:%M:%S.000 UTC}\ninterface {ps.spec.name}\n{desc}{loop}!\n"
