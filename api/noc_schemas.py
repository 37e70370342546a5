"""Response models of the NOC's health routes (api/routers/noc.py): circuit grades, readings history,
early warnings, poll records. Kept apart from api/schemas while that module becomes a package;
camelCase as the rest of the API."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ReasonOut(BaseModel):
    grade: str = Field(description="ok | degraded | down | unknown: what this reason alone means")
    code: str = Field(description="the diagnosis verdict, or active_alarm | open_ticket | early_warning")
    segment: int | None = None
    device: str | None = None
    port: str | None = None
    zh: str
    en: str


class SegmentGradeOut(BaseModel):
    index: int
    grade: str
    reasons: list[ReasonOut]


class CircuitGradeOut(BaseModel):
    circuitId: str
    customer: str
    grade: str = Field(description="down | degraded | unknown | ok")
    verdict: str = Field(description="the diagnosis's verdict on the latest readings (playbook 2)")
    reasons: list[ReasonOut] = Field(description="worst first")
    segments: list[SegmentGradeOut]
    earlyWarningAt: datetime | None = Field(None, description="the soonest projected crossing inside the horizon")
    gradedAt: datetime
    since: datetime = Field(description="when the circuit took this grade")
    href: str


class CircuitGradePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[CircuitGradeOut] = Field(description="worst first: down, degraded, unknown, ok; then circuit id")


class ReadingPointOut(BaseModel):
    at: datetime = Field(description="the poll (raw) or the start of the hour (hourly)")
    value: float | None = Field(None, description="raw sample")
    min: float | None = None
    avg: float | None = None
    max: float | None = None
    n: int | None = Field(None, description="samples in the hour")


class ReadingSeriesOut(BaseModel):
    device: str
    port: str
    kind: str
    unit: str
    resolution: str = Field(description="raw | hourly")
    points: list[ReadingPointOut]


class ReadingsOut(BaseModel):
    circuitId: str
    start: datetime
    end: datetime
    series: list[ReadingSeriesOut]


class CrossingOut(BaseModel):
    limit: str = Field(description="low_warning | low_alarm | error_rate")
    value: float
    source: str = Field(alias="from", description="where the limit came from")
    at: datetime | None = Field(None, description="projected date the trend reaches the limit (None: not heading there)")
    withinHorizon: bool

    model_config = {"populate_by_name": True}


class EarlyWarningOut(BaseModel):
    device: str
    port: str
    metric: str
    slopePerDay: float
    level: float = Field(description="the fitted value at the latest sample")
    points: int
    since: datetime = Field(description="first sample of the trend (after a restart, the first after it)")
    until: datetime
    restartedAt: datetime | None = Field(None, description="a module swap (sustained rise) restarted the trend here")
    crossings: list[CrossingOut]
    firstCrossing: datetime | None
    flagged: bool
    computedAt: datetime


class PollRunOut(BaseModel):
    id: int
    startedAt: datetime
    wants: list[str]
    durationSeconds: float
    devices: int
    samples: int
    failed: int
    failures: dict[str, str]
    slowestDevices: dict[str, float] = Field(description="the ten longest device surveys, seconds")
