"""Request and response models of the period reports (运行分析报告, 季报), the assessment rates (考核) and
the key-assurance periods (重保): api/routers/period_reports.py, on the camelCase bases."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from agent.models import PeriodReport, PeriodReportVersion
from agent.reports.period_service import period_meta
from api.schemas.base import In, Out

Text = Annotated[str, Field(max_length=20000)]
Note = Annotated[str, Field(max_length=4000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/-]+$")]


class PeriodReportMetaOut(Out):
    report_id: int
    kind: Literal["operation", "quarterly"]
    scope: str = Field(description="the customer id (operation) or the branch (quarterly)")
    period_start: str
    period_end: str = Field(description="exclusive")
    due_at: str = Field(description="the end of the N-th working day after the period")
    state: Literal["draft", "submitted"] = Field(description="of this version")
    version: int
    latest_version: int
    origin: Literal["drafted", "edited", "redrafted"]
    author: str
    created_at: str
    note: str | None
    submitted_at: str | None
    submitted_by: str | None
    submitted_version: int | None
    submitted_late: bool | None = Field(description="None until submitted")


class PeriodReportOut(Out):
    meta: PeriodReportMetaOut
    content: dict[str, Any] = Field(description="schema 1: the measured sections from the data, the officer's texts")

    @classmethod
    def of(cls, report: PeriodReport, version: PeriodReportVersion) -> PeriodReportOut:
        return cls(meta=PeriodReportMetaOut(**period_meta(report, version)), content=version.content)


class PeriodReportListOut(Out):
    reports: list[PeriodReportMetaOut]


class OperationReportIn(In):
    customer_id: Id
    start: dt.date = Field(alias="from", description="first local day of the period")
    end: dt.date = Field(alias="to", description="last local day of the period (inclusive)")


class QuarterlyReportIn(In):
    branch: Name = Field(description="the branch: the lead office (主调局) of its circuits")
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)


class PeriodReportEdit(In):
    base_version: int = Field(ge=1, description="the version the edit was made on")
    texts: dict[Annotated[str, Field(max_length=40)], Text] = Field(description="section key -> text")
    note: Note | None = None


class PeriodReportAction(In):
    base_version: int = Field(ge=1)


# --- assessment -----------------------------------------------------------------------------------------
class CaseOut(Out):
    ref: str
    branch: str | None
    decided_at: str
    on_time: bool
    due_at: str | None
    done_at: str | None
    value: float | None
    detail: dict[str, Any]


class RateOut(Out):
    key: str
    label_zh: str
    label_en: str
    kind: Literal["rate", "average"]
    available: bool = Field(description="false: not measurable yet (reason says why)")
    reason: str | None
    value: float | None = Field(description="the rate 0..1 or the average; null with no case or not available")
    on_time: int
    late: int
    total: int
    cases: list[CaseOut]
    parts: dict[str, RateOut]


class AssessmentOut(Out):
    start: str = Field(serialization_alias="from")
    end: str = Field(serialization_alias="to")
    branch: str | None
    branches: list[str]
    rates: dict[str, RateOut]


# --- key assurance --------------------------------------------------------------------------------------
class Contact(In):
    name: Name
    contact: Annotated[str, Field(max_length=200)] | None = None


class KeyAssuranceIn(In):
    name: Name
    start: AwareDatetime
    end: AwareDatetime
    customers: list[Id] = Field(default_factory=list, max_length=200)
    circuits: list[Id] = Field(default_factory=list, max_length=2000)
    contacts: list[Contact] = Field(default_factory=list, max_length=50)
    poll_interval_seconds: float = Field(60.0, ge=10, le=86400)
    rx_margin_db: float = Field(5.0, ge=0, le=20, description="Rx low margin over sensitivity (the normal rule: 3 dB)")
    warning_horizon_days: float = Field(60.0, gt=0, le=365, description="never shorter than the normal horizon")


class ContactOut(Out):
    name: str
    contact: str | None = None


class KeyAssuranceOut(Out):
    id: int
    name: str
    start: str
    end: str
    customers: list[str]
    circuits: list[str]
    contacts: list[ContactOut]
    poll_interval_seconds: float
    rx_margin_db: float
    warning_horizon_days: float
    created_at: str
    created_by: str
    cancelled_at: str | None
    active: bool
    covered_circuits: list[str] = Field(default_factory=list)
    devices: list[str] = Field(default_factory=list)
