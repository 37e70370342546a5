"""The agent's exception tree.

    FaultlineError
    ├── InventoryError            the inventory file or request is invalid (every problem listed)
    ├── NotFound (LookupError)    an unknown ticket, circuit, device, user
    │   └── UnknownCircuit
    ├── InvalidTransition         a lifecycle action not allowed in the ticket's current state
    ├── InvalidInput (ValueError) well-formed values that break a rule (blank or unclear cause, ...)
    ├── Forbidden (PermissionError) the acting user's role may not do this
    └── LoopGuardError            a loop test refused by the guard (one per circuit, state, hold time)
"""
from __future__ import annotations


class FaultlineError(Exception):
    """Root of every error the agent raises on purpose."""


class InventoryError(FaultlineError):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} inventory error(s): " + "; ".join(f"{e['loc']}: {e['msg']}" for e in errors[:5]))


class NotFound(FaultlineError, LookupError):
    pass


class UnknownCircuit(NotFound):
    pass


class InvalidTransition(FaultlineError):
    def __init__(self, action: str, status: str, allowed: list[str], detail: str | None = None) -> None:
        self.action, self.status, self.allowed = action, status, allowed
        msg = detail or f"'{action}' is not allowed while the ticket is {status}"
        super().__init__(f"{msg}; allowed now: {', '.join(allowed) or 'nothing'}")


class InvalidInput(FaultlineError, ValueError):
    """Field errors found by the service (the API answers 422 with them); ``loc`` names the request field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['loc']}: {e['msg']}" for e in errors))


class Forbidden(FaultlineError, PermissionError):
    pass


class LoopGuardError(FaultlineError):
    pass
