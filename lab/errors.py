"""Exceptions of the lab.

LabError
 ├── TopologyError (ValueError)     the topology YAML/dict is invalid; `.problems` lists every error
 ├── UnknownTarget (LookupError)    a device, port, segment, circuit or fault id that does not exist
 ├── FaultParameterError (ValueError)  a fault kind or parameter the lab does not understand
 └── LabStateError (RuntimeError)   start/stop misuse, address in use, loop test outside a circuit
"""
from __future__ import annotations


class LabError(Exception):
    """Root of every error the lab raises."""


class TopologyError(LabError, ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid topology:\n  " + "\n  ".join(self.problems))


class UnknownTarget(LabError, LookupError):
    pass


class FaultParameterError(LabError, ValueError):
    pass


class LabStateError(LabError, RuntimeError):
    pass
