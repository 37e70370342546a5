"""Errors of the reports package.

    ReportError (agent.errors.FaultlineError)
    ├── ReportNotOwed (409)        no fault report is owed for the ticket now (not resolved, or reopened)
    ├── ReportSubmitted (409)      the report was submitted: it is the record now, no more edits
    ├── ReportConflict (409)       the edit was made on an older version than the current one
    └── ReportUnavailable (503)    the PDF cannot be made here (no font with Chinese glyphs)
"""
from __future__ import annotations

from agent.errors import FaultlineError


class ReportError(FaultlineError):
    """Root of the errors the reports package raises on purpose."""


class ReportNotOwed(ReportError):
    status, title = 409, "No fault report owed"


class ReportSubmitted(ReportError):
    status, title = 409, "Fault report already submitted"


class ReportConflict(ReportError):
    status, title = 409, "Fault report changed meanwhile"


class ReportUnavailable(ReportError):
    status, title = 503, "Report rendering unavailable"
