"""Enumerations of the domain, in one place."""
from __future__ import annotations

from enum import StrEnum


class SiteKind(StrEnum):
    CUSTOMER_PREMISES = "customer_premises"
    ACCESS_ROOM = "access_room"  # 接入机房
    AGGREGATION = "aggregation"
    CORE = "core"
    METRO_EGRESS = "metro_egress"  # 城域网出口
    PROVINCE_EXIT = "province_exit"  # 出省端口


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


class TicketKind(StrEnum):
    ASSIST_CHECK = "assist_check"  # 协查类
    INTERRUPTION = "interruption"  # 中断类


class Symptom(StrEnum):
    INTERRUPTION_OR_FLAP = "interruption_or_flap"
    LATENCY_OR_ERRORS = "latency_or_errors"
    DOWN = "down"


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
