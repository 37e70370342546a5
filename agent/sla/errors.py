"""Errors of the SLA engine.

    SlaError (agent.errors.FaultlineError)
    ├── HistoryError (ValueError)   a ticket's event history cannot be replayed (unknown kind, out of order)
    ├── WebhookError                 one webhook delivery failed (HTTP status, timeout, refused); retried
    └── HolidayFileError (ValueError) a holiday file (the State Council's schedule) is unreadable or inconsistent
"""
from __future__ import annotations

from agent.errors import FaultlineError


class SlaError(FaultlineError):
    """Root of every error the SLA package raises on purpose."""


class HistoryError(SlaError, ValueError):
    pass


class WebhookError(SlaError):
    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"webhook {url}: {reason}")


class HolidayFileError(SlaError, ValueError):
    """Refused at start-up: a wrong holiday file would move every report deadline silently."""
