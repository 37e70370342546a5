"""Exceptions of the diagnosis package.

    DiagnosisError                 root of everything raised here
     └── InvalidInput (ValueError) the circuit path, readings or ticket are malformed

Missing readings and unreachable devices are NOT errors: they become evidence and `could_not_check`
entries of the diagnosis. Only input that cannot be a description of a circuit raises.
"""
from __future__ import annotations


class DiagnosisError(Exception):
    """Root of the diagnosis package's exceptions."""


class InvalidInput(DiagnosisError, ValueError):
    """The input cannot describe a circuit, a reading or a ticket; `problems` lists every reason."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))
