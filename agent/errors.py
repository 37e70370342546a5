"""The agent's exception tree. Each class says how the edge answers it (``status``, ``title``): the
API maps errors by these attributes, never by an if-chain of its own.

    FaultlineError (400)
    ├── InventoryError (422)          the inventory file or request is invalid (every problem listed)
    ├── NotFound (LookupError, 404)   an unknown ticket, circuit, device, user
    │   └── UnknownCircuit
    ├── InvalidTransition (409)       a lifecycle action not allowed in the ticket's current state
    ├── InvalidInput (ValueError, 422) well-formed values that break a rule (blank or unclear cause, ...)
    ├── Forbidden (PermissionError, 403) the acting user's role may not do this
    ├── LoopGuardError (409)          a loop test refused by the guard (one per circuit, state, hold time)
    └── Unavailable (503)             a part this process does not run, or a store that is busy now
        └── HealthUnavailable         no collector in this process for a live circuit read
"""
from __future__ import annotations

from typing import Any


class FaultlineError(Exception):
    """Root of every error the agent raises on purpose."""

    status = 400
    title = "Bad request"
    retry_after: int | None = None  # seconds, for the 503s

    def problem_fields(self) -> dict[str, Any]:
        """Extra members of the problem document (RFC 9457 extensions)."""
        return {}


class InventoryError(FaultlineError):
    status, title = 422, "Invalid inventory"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} inventory error(s): " + "; ".join(f"{e['loc']}: {e['msg']}" for e in errors[:5]))

    def problem_fields(self) -> dict[str, Any]:
        return {"errors": self.errors}


class NotFound(FaultlineError, LookupError):
    status, title = 404, "Not found"


class UnknownCircuit(NotFound):
    pass


class InvalidTransition(FaultlineError):
    status, title = 409, "Invalid transition"

    def __init__(self, action: str, status: str, allowed: list[str], detail: str | None = None) -> None:
        self.action, self.state, self.allowed = action, status, allowed
        msg = detail or f"'{action}' is not allowed while the ticket is {status}"
        super().__init__(f"{msg}; allowed now: {', '.join(allowed) or 'nothing'}")

    def problem_fields(self) -> dict[str, Any]:
        return {"currentState": self.state, "allowedActions": self.allowed}


class InvalidInput(FaultlineError, ValueError):
    """Field errors found by the service (the API answers 422 with them); ``loc`` names the request field."""

    status, title = 422, "Invalid request"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['loc']}: {e['msg']}" for e in errors))

    def problem_fields(self) -> dict[str, Any]:
        return {"errors": [{**e, "loc": f"body.{e['loc']}"} for e in self.errors]}


class Forbidden(FaultlineError, PermissionError):
    status, title = 403, "Forbidden"


class LoopGuardError(FaultlineError):
    status, title = 409, "Loop test refused"


class Unavailable(FaultlineError):
    """Not here or not now: the part does not run in this process, or the store is busy (retry)."""

    status, title = 503, "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class HealthUnavailable(Unavailable):
    """No collector in this process (triage is not running here)."""
