"""Request and response bodies of the API, one module per resource; the tables stay in agent.models.

Every response model is camelCase on the wire (api/schemas/base.py) and shapes the agent's rows and
dataclasses itself: the agent returns typed values, never the API's JSON.
"""
from api.schemas.alarms import AlarmOut
from api.schemas.cutovers import CutoverCreate, CutoverOut
from api.schemas.diagnoses import SCHEMA_VERSION, DiagnosisOut, LoopDiagnosisOut
from api.schemas.health import CircuitHealthOut
from api.schemas.inventory import CircuitOut, DeviceOut, ImportOut
from api.schemas.journal import JournalOut
from api.schemas.problems import Problem
from api.schemas.sla import (
    ClockOut,
    KpiReportOut,
    ReportOut,
    ReportSubmitted,
    UpcomingOut,
)
from api.schemas.tickets import (
    CauseIn,
    ContactIn,
    DecisionIn,
    DispatchIn,
    IntakeOut,
    PartyIn,
    ProgressIn,
    ReasonIn,
    RestorationIn,
    SignIn,
    SuspensionRequestIn,
    TicketCreate,
    TicketDetail,
    TicketOut,
    TicketPage,
    TicketWithClocks,
)

__all__ = [
    "SCHEMA_VERSION", "AlarmOut", "CauseIn", "CircuitHealthOut", "CircuitOut", "ClockOut", "ContactIn", "CutoverCreate",
    "CutoverOut", "DecisionIn", "DeviceOut", "DiagnosisOut", "LoopDiagnosisOut", "DispatchIn", "ImportOut", "IntakeOut", "JournalOut",
    "KpiReportOut", "PartyIn", "Problem", "ProgressIn", "ReasonIn", "ReportOut", "ReportSubmitted", "RestorationIn",
    "SignIn", "SuspensionRequestIn", "TicketCreate", "TicketDetail", "TicketOut", "TicketPage", "TicketWithClocks",
    "UpcomingOut",
]
