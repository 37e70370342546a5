"""After the fault (issue 16): the fault report (故障报告) drafted from the record.

``FaultReports(sla, timezone)``: ``draft`` (from the record, once per resolution), ``edit`` (the
officer's texts, a new version each time), ``redraft`` (facts re-read, edited texts kept),
``submit`` (meets the rule-10 report clock like ``POST /api/v1/sla/tickets/{id}/report``).
``record.load_record`` reads the record; ``fault.draft`` drafts from it without I/O;
``render.to_markdown`` / ``render.to_pdf`` export a version, Chinese first.

``optimisation.recurring(session, start, end)``: recurring faults per segment, port and customer,
ranked; ``requests``: optimisation requests raised from them and tracked to the end.
"""
from __future__ import annotations

from agent.reports import optimisation, requests
from agent.reports.errors import (
           ReportConflict,
           ReportError,
           ReportNotOwed,
           ReportSubmitted,
           ReportUnavailable,
)
from agent.reports.fault import EDITABLE, draft
from agent.reports.record import FaultRecord, load_record
from agent.reports.render import to_markdown, to_pdf
from agent.reports.service import FaultReports, meta

__all__ = ["EDITABLE", "FaultRecord", "FaultReports", "ReportConflict", "ReportError", "ReportNotOwed",
           "ReportSubmitted", "ReportUnavailable", "draft", "load_record", "meta", "optimisation", "requests",
           "to_markdown", "to_pdf"]
