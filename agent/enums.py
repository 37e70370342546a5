"""Enumerations of the domain, in one place. The diagnosis' own enumerations (site kinds, ticket kinds,
symptoms, verdicts) are defined once in ``diagnosis.enums`` and re-exported here, never copied."""
from __future__ import annotations

from enum import StrEnum

from diagnosis.enums import SiteKind, Symptom, TicketKind, Verdict

__all__ = ["IntakeOutcome", "JournalKind", "LoopState", "ObservedImpact", "ProblemLinkState", "ProblemStatus", "Role",
           "ServiceType", "SiteKind", "Symptom", "TicketKind", "TicketStatus", "Verdict"]




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
    # before the fault (issue 15): the departments of the source's activation flow (六 售中)
    GROUP_CUSTOMER = "group_customer"  # 集团客户部: resource check requests, customer coordination, sign-off
    CONSTRUCTION = "network_construction"  # 网络建设部: the customer's access construction






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
    """A loop test's state (环测): requested -> setting -> set -> measuring -> clearing -> cleared, or
    not_set (the device never took the loop) or clear_failed (it may still be on the device).

    ``active()`` states hold the guard (a partial unique index per port and per circuit, migration
    0006): the loop is, or may be, on the device."""

    REQUESTED = "requested"  # persisted before the device is touched
    SETTING = "setting"
    SET = "set"
    MEASURING = "measuring"
    CLEARING = "clearing"
    CLEARED = "cleared"  # read back from the device: no loop
    NOT_SET = "not_set"  # the set failed before the device took it (or the read-back shows no loop)
    CLEAR_FAILED = "clear_failed"  # retried by the reaper with back-off, and through the API

    @classmethod
    def active(cls) -> tuple[LoopState, ...]:
        return (cls.REQUESTED, cls.SETTING, cls.SET, cls.MEASURING, cls.CLEARING, cls.CLEAR_FAILED)

    @classmethod
    def ended(cls) -> tuple[LoopState, ...]:
        return (cls.CLEARED, cls.NOT_SET)


class JournalKind(StrEnum):
    """What a journal entry records (追加信息). Lifecycle actions are journalled under their action name
    (``sign``, ``dispatch``, ...: agent/tickets/lifecycle.py) and SLA milestones as ``sla_<event>``."""

    CREATED = "created"
    UNKNOWN_CIRCUIT = "unknown_circuit"
    ALARM = "alarm"
    DIAGNOSIS = "diagnosis"
    TRIAGE_SKIPPED = "triage_skipped"
    TRIAGE_FAILED = "triage_failed"
    # a loop test's state changes, one kind each (loop_<state>), then its result; a localisation's conclusion
    LOOP_REQUESTED = "loop_requested"
    LOOP_SETTING = "loop_setting"
    LOOP_SET = "loop_set"
    LOOP_MEASURING = "loop_measuring"
    LOOP_CLEARING = "loop_clearing"
    LOOP_CLEARED = "loop_cleared"
    LOOP_NOT_SET = "loop_not_set"
    LOOP_CLEAR_FAILED = "loop_clear_failed"
    LOOP_RESULT = "loop_result"
    LOOP_LOCALISED = "loop_localised"
    REPORT_SUBMITTED = "report_submitted"
    # service problems (TMF656, agent/problems): a ticket linked to one cause, unlinked, kept apart by
    # its own diagnosis; the problem's progress and resolution written into each child
    PROBLEM_LINKED = "problem_linked"
    PROBLEM_UNLINKED = "problem_unlinked"
    PROBLEM_NOT_GROUPED = "problem_not_grouped"
    PROBLEM_PROGRESS = "problem_progress"
    PROBLEM_RESOLUTION_PROPOSED = "problem_resolution_proposed"


class ProblemStatus(StrEnum):
    """TMF656 ServiceProblem status values used here (docs/problems.md): submitted (opened by a diagnosis
    or an alarm), acknowledged (an officer took it), inProgress (work recorded on it), resolved (the cause
    repaired; children still confirm their own restoration), closed, cancelled (opened in error)."""

    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "inProgress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @classmethod
    def open(cls) -> tuple[ProblemStatus, ...]:
        """States in which tickets and alarms still join the problem (one open problem per root element)."""
        return (cls.SUBMITTED, cls.ACKNOWLEDGED, cls.IN_PROGRESS)


class ProblemLinkState(StrEnum):
    """A ticket's relation to a problem: linked (a child), unlinked (by an officer; never relinked
    automatically), excluded (its own diagnosis disagrees; the reason is kept)."""

    LINKED = "linked"
    UNLINKED = "unlinked"
    EXCLUDED = "excluded"
