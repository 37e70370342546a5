"""All tables; importing this package registers them on ``agent.db.Base.metadata``."""
from agent.models import sla as _sla  # noqa: F401,E402  (SLA tables, issue 6)
from agent.models.cutover import Cutover, CutoverCircuit  # noqa: E402  (planned cutover windows, 割接)
from agent.models.cutover_chain import CutoverDecision  # noqa: E402  (the approval chain's decisions)
from agent.models.inventory import Circuit, Customer, Device, Port, Segment, Site
from agent.models.loops import LoopLocalisation, LoopTest  # noqa: E402  (loop tests, 环测)
from agent.models.orders import (  # noqa: E402  (resource checks 资源核查, circuit orders 电路调单, tests 测试报竣)
    AcceptanceTest,
    ActivationJournalEntry,
    CircuitOrder,
    DelayRequest,
    OrderLimitPeriod,
    OrderStep,
    ResourceCheck,
    ResourceCheckItem,
)
from agent.models.problems import (  # noqa: E402  (service problems, TMF656)
    ProblemAlarm,
    ProblemJournalEntry,
    ProblemTicket,
    ServiceProblem,
)
from agent.models.reports import (  # noqa: E402  (fault reports 故障报告, optimisation requests 网络优化)
    FaultReport,
    FaultReportVersion,
    KeyAssurance,
    OptimisationRequest,
    PeriodReport,
    PeriodReportVersion,
)
from agent.models.telemetry import (  # noqa: E402  (polled readings history, health grades)
    CircuitHealthRow,
    HealthEvent,
    OpticalSample,
    PollRun,
    PortTrend,
    ReadingHourly,
)
from agent.models.tickets import (
    Alarm,
    Diagnosis,
    ExternalIdentifier,
    JournalEntry,
    Participant,
    Suspension,
    Ticket,
)
from agent.models.users import User

__all__ = [
    "AcceptanceTest", "ActivationJournalEntry", "CircuitOrder", "DelayRequest", "OrderLimitPeriod", "OrderStep",
    "ResourceCheck", "ResourceCheckItem",
    "Alarm", "Circuit", "CircuitHealthRow", "Customer", "Cutover", "CutoverCircuit", "CutoverDecision", "Device", "Diagnosis", "ExternalIdentifier", "FaultReport", "FaultReportVersion", "HealthEvent", "KeyAssurance", "JournalEntry", "LoopLocalisation", "LoopTest", "OpticalSample", "OptimisationRequest", "Participant", "PeriodReport", "PeriodReportVersion", "PollRun", "Port", "PortTrend", "ProblemAlarm", "ProblemJournalEntry", "ProblemTicket", "ReadingHourly", "Segment", "ServiceProblem", "Site", "Suspension", "Ticket", "User",
]
