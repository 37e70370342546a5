"""Enumerations of the domain, in one place. The diagnosis' own enumerations (site kinds, ticket kinds,
symptoms, verdicts) are defined once in ``diagnosis.enums`` and re-exported here, never copied."""
from __future__ import annotations

from enum import StrEnum

from diagnosis.enums import SiteKind, Symptom, TicketKind, Verdict

__all__ = ["IntakeOutcome", "JournalKind", "LoopState", "ObservedImpact", "Role", "ServiceType", "SiteKind",
           "Symptom", "TicketKind", "TicketStatus", "Verdict"]




class ServiceType(StrEnum):
    SDH = "sdh"
    ATM = "atm"
    DDN = "ddn"
    FRAME_RELAY = "frame_relay"
    MPLS_VPN = "mpls_vpn"
    ETHERNET_PRIVATE_LINE = "ethernet_private_line"
    INTERNET_ACCESS = "internet_access"


class Role(StrEnum):
    DUTY_OFFICER = "duty_officer"  # 分公司值班人员
    ENGINEER = "engineer"  # 维护人员 / 代维
    NOC = "noc"  # 网管 (read-only)
    PROVINCE = "province"  # 省公司值班人员 (approves suspension)
    ADMIN = "admin"






class TicketStatus(StrEnum):
    """TMF621 status values, mapped onto the source's procedure (see docs/tickets.md)."""

    ACKNOWLEDGED = "acknowledged"  # received; sign clock running until 签收 is recorded
    IN_PROGRESS = "inProgress"  # signed / dispatched / being worked (a pending suspension request stays here)
    HELD = "held"  # suspension approved (挂起): SLA clocks paused
    RESOLVED = "resolved"  # repaired, cause recorded; waiting for restoration confirmation and return
    CLOSED = "closed"  # returned upstream with a clear cause (返单)
    REOPENED = "reopened"  # MEF 124: the customer or a repeat fault reopened it


class ObservedImpact(StrEnum):
    """MEF 124 observedImpact."""

    DOWN = "down"
    DEGRADED = "degraded"
    INTERMITTENT = "intermittent"
    NO_IMPACT = "noImpact"
    UNKNOWN = "unknown"


class IntakeOutcome(StrEnum):
    """What an intake did with the upstream ticket (the answer is idempotent on the upstream id)."""

    CREATED = "created"
    EXISTING = "existing"  # the same upstream id was posted before: the same ticket
    REOPENED = "reopened"  # a repeat fault within the reopen window (MEF 124)


class LoopState(StrEnum):
    """A loop test's state (环测). ``ACTIVE`` ones hold the guard: the loop may be on the device."""

    PENDING = "pending"  # persisted before the device is touched: a crash here is cleared at start-up
    SET = "set"
    CLEARED = "cleared"
    CLEAR_FAILED = "clear_failed"  # still on the device as far as we know: retried at every start
    FAILED = "failed"

    @classmethod
    def active(cls) -> tuple[LoopState, ...]:
        return (cls.PENDING, cls.SET, cls.CLEAR_FAILED)


class JournalKind(StrEnum):
    """What a journal entry records (追加信息). Lifecycle actions are journalled under their action name
    (``sign``, ``dispatch``, ...: agent/tickets/lifecycle.py) and SLA milestones as ``sla_<event>``."""

    CREATED = "created"
    UNKNOWN_CIRCUIT = "unknown_circuit"
    ALARM = "alarm"
    DIAGNOSIS = "diagnosis"
    TRIAGE_SKIPPED = "triage_skipped"
    TRIAGE_FAILED = "triage_failed"
    LOOP_REQUESTED = "loop_requested"
    LOOP_SET = "loop_set"
    LOOP_CLEARED = "loop_cleared"
    LOOP_CLEAR_FAILED = "loop_clear_failed"
    LOOP_RESULT = "loop_result"
    REPORT_SUBMITTED = "report_submitted"
