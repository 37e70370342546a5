"""Vendor-neutral part of a device CLI: command matching with abbreviations, modes, loops.

Vendors subclass `Shell` with a command table: (words, handler). Words match the user's tokens by
case-insensitive prefix (`dis int br` = `display interface brief`); `{port}` takes the rest of the
line as an interface name (vendor abbreviations and a space before the number are accepted).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lab.clock import SimClock
from lab.enums import LoopMode
from lab.eventlog import EventBook
from lab.latency import DeviceTiming
from lab.model import Model, PortState
from lab.ssh.commit import DeviceConfig
from lab.topology import DeviceSpec
from lab.vendors import resolve_port

Handler = Callable[..., str]


@dataclass
class DeviceContext:
    """What a CLI session may see and do on its device."""

    spec: DeviceSpec
    device_no: int
    model: Model
    events: EventBook
    clock: SimClock
    set_loop: Callable[[str, str, LoopMode | None], None]  # (device, port, mode) -> reconciles + traps
    timing: DeviceTiming | None = None  # login and command waits (zero while the lab's latency is off)
    config: DeviceConfig | None = None  # commit platforms: the applied configuration and its rollback timer

    def ports(self) -> list[PortState]:
        return [self.model.ports[p.key] for p in self.spec.ports]

    def now(self) -> datetime:
        return self.clock.wall().replace(microsecond=0)


class CommandError(Exception):
    """Unknown or incomplete command; `position` is where the vendor's caret points."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


class PortNotFound(Exception):
    pass


INCOMPLETE = 1 << 20  # "fail index" when the tokens ran out before a command's required words


def _word_matches(token: str, word: str) -> bool:
    t = token.lower()
    return word.startswith(t) and (len(t) >= 2 or t == word)


class Shell:
    """A session: mode state, prompt and command dispatch. Subclasses fill `commands()`."""

    banner = ""
    config_mode = "config"  # the configuration view the interface view returns to (Huawei: "system")
    config_banner = "Enter configuration commands, one per line.  End with CNTL/Z.\n"

    def __init__(self, ctx: DeviceContext) -> None:
        self.ctx = ctx
        self.hostname = ctx.spec.name
        self.mode = "exec"
        self.current_port: str | None = None
        self.closed = False
        self.echo = True  # the session turns the PTY echo off while a password is typed

    # -- to override --------------------------------------------------------------------------
    def prompt(self) -> str:
        raise NotImplementedError

    def commands(self) -> list[tuple[str, str, Handler]]:
        """(mode or '*', space-separated words, handler(**params) -> output)."""
        raise NotImplementedError

    def error_text(self, line: str, position: int) -> str:
        raise NotImplementedError

    def port_error(self, line: str) -> str:
        return self.error_text(line, len(line))

    def incomplete_text(self, line: str) -> str:
        return self.error_text(line, len(line))

    # -- dispatch -------------------------------------------------------------------------------
    def handle(self, line: str) -> str:
        text = line.strip()
        if not text:
            return ""
        tokens = text.split()
        best_fail = 0
        for mode, words, handler in self.commands():
            if mode != "*" and mode != self.mode:
                continue
            params, fail = self._match(tokens, words.split())
            if params is None:
                best_fail = max(best_fail, fail)
                continue
            try:
                return handler(**params)
            except PortNotFound:
                return self.port_error(line)
        if best_fail >= INCOMPLETE:
            return self.incomplete_text(line)
        col = line.find(tokens[min(best_fail, len(tokens) - 1)]) if tokens else 0
        return self.error_text(line, max(col, 0))

    def _match(self, tokens: list[str], words: list[str]) -> tuple[dict[str, Any] | None, int]:
        """Match tokens against words; returns (params or None, index of the first bad token)."""
        if not words:
            return ({}, len(tokens)) if not tokens else (None, 0)
        word, rest = words[0], words[1:]
        if word.startswith("{"):  # a port name: one token, or two when typed 'GigabitEthernet 0/0/1'
            best = 0
            for take in (1, 2):
                if take > len(tokens):
                    break
                params, fail = self._match(tokens[take:], rest)
                if params is not None:
                    return {**params, word.strip("{}"): "".join(tokens[:take])}, 0
                best = max(best, fail if fail >= INCOMPLETE else fail + take)
            return None, (INCOMPLETE if not tokens else best)
        if word.startswith("["):  # optional keyword, e.g. [verbose]
            name = word.strip("[]")
            if tokens and _word_matches(tokens[0], name):
                params, fail = self._match(tokens[1:], rest)
                if params is not None:
                    return {**params, name: True}, 0
            params, fail = self._match(tokens, rest)
            return params, fail
        if not tokens:
            return None, INCOMPLETE
        if not _word_matches(tokens[0], word):
            return None, 0
        params, fail = self._match(tokens[1:], rest)
        if params is not None:
            return params, 0
        return None, (fail if fail >= INCOMPLETE else fail + 1)

    # -- helpers for vendors -------------------------------------------------------------------
    def port(self, wanted: str) -> PortState:
        names = [p.name for p in self.ctx.spec.ports]
        found = resolve_port(self.ctx.spec.vendor, wanted, names)
        if found is None:
            raise PortNotFound(wanted)
        return self.ctx.model.ports[f"{self.ctx.spec.name}:{found}"]

    # -- modes shared by every vendor (exec -> configuration -> interface) ---------------------
    def configure(self) -> str:
        self.mode = self.config_mode
        return self.config_banner

    def enter_interface(self, port: str) -> str:
        self.current_port = self.port(port).spec.name
        self.mode = "interface"
        return ""

    def leave_interface(self) -> str:
        self.mode, self.current_port = self.config_mode, None
        return ""

    def end(self) -> str:
        self.mode, self.current_port = "exec", None
        return ""

    def logout(self) -> str:
        self.closed = True
        return ""

    def set_loop(self, mode: LoopMode | None) -> str:
        assert self.current_port is not None
        self.ctx.set_loop(self.ctx.spec.name, self.current_port, mode)
        return ""
