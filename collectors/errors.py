"""Exceptions of the collectors package: one root, each keeping the device's raw words as evidence.

    CollectorError                      root; ``.device``, ``.raw`` (raw text / SNMP error)
    ├── UnreachableError(ConnectionError)   no answer at all (no SNMP response, TCP refused/unroutable)
    ├── AuthenticationFailed(PermissionError)  wrong community/USM key, SSH login refused
    ├── CollectorTimeout(TimeoutError)      the device answered before but this request timed out
    ├── Unsupported(NotImplementedError)    the profile has no way to read this (or no credentials)
    ├── ParseError(ValueError)              device output could not be understood; ``.raw`` holds it
    ├── SnmpError                           the agent answered with an error status (genErr, ...)
    ├── CommandError                        the CLI rejected a command (``Error: ...`` / ``% Invalid``)
    └── InvalidPort(ValueError)             a port name not in the target's inventory ports
"""
from __future__ import annotations


class CollectorError(Exception):
    """Root of every error the collectors raise or report.

    ``config_sent`` on a configuration call's error: False when it failed before any line reached the
    device (connect, login, device busy), True after; None for read calls."""

    config_sent: bool | None = None

    def __init__(self, message: str, *, device: str | None = None, raw: str | None = None) -> None:
        super().__init__(message)
        self.device = device
        self.raw = raw

    def __str__(self) -> str:
        base = super().__str__()
        return f"{self.device}: {base}" if self.device else base


class UnreachableError(CollectorError, ConnectionError):
    pass


class AuthenticationFailed(CollectorError, PermissionError):
    pass


class CollectorTimeout(CollectorError, TimeoutError):
    pass


class Unsupported(CollectorError, NotImplementedError):
    pass


class ParseError(CollectorError, ValueError):
    pass


class SnmpError(CollectorError):
    pass


class CommandError(CollectorError):
    pass


class InvalidPort(CollectorError, ValueError):
    pass
