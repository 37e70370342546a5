"""Request and response models of the loop-test routes (api/routers/loops.py).

Kept apart from api/schemas while that module becomes a package; camelCase as the rest of the API."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_DEVICE = r"^[A-Za-z0-9._\-]+$"
_PORT = r"^[0-9]*[A-Za-z][A-Za-z0-9/.:_\-]*$"  # as collectors.target: a type word, 10GE1/0/1 too
_CIRCUIT = r"^[A-Za-z0-9][A-Za-z0-9/.:_#\-]*$"


class LoopTestIn(BaseModel):
    """One loop point (device, port), or ``localise``: the diagnosis's plan walked automatically
    (``guided``: one point per call, the next one suggested)."""

    model_config = ConfigDict(extra="forbid")
    device: str | None = Field(None, min_length=1, max_length=128, pattern=_DEVICE)
    port: str | None = Field(None, min_length=1, max_length=128, pattern=_PORT)
    mode: str = Field("remote", pattern="^(local|remote)$")
    holdSeconds: int | None = Field(None, ge=1, le=900, description="at most the setting loop_max_hold_seconds (default 120)")
    confirmSharedCircuits: list[str] = Field(default_factory=list, max_length=64,
                                             description="the other circuits a shared port carries, named to confirm")
    confirmServiceAffecting: bool = Field(False, description="the circuit is up: the requester accepts that the "
                                                               "loop interrupts its service")
    localise: bool = False
    guided: bool = False
    authorisedBy: str | None = Field(None, min_length=1, max_length=128,
                                     description="who at the province authorised a branch's province-exit loop")


class LoopPointOut(BaseModel):
    device: str
    port: str


class StateAt(BaseModel):
    model_config = ConfigDict(extra="allow")
    state: str
    at: datetime
    note: str | None = None


class LoopTestOut(BaseModel):
    """A loop test as a job: its state, each state with its time, the observer's reading when done."""

    id: int
    href: str
    ticketId: int
    circuitId: str
    loopPoint: LoopPointOut
    mode: str
    segment: int | None
    observer: LoopPointOut | None
    state: str
    active: bool
    holdSeconds: int
    requestedBy: str
    requestedAt: datetime
    setAt: datetime | None
    clearedAt: datetime | None
    deadlineAt: datetime | None
    stateHistory: list[StateAt]
    clearAttempts: int
    nextClearAt: datetime | None
    error: str | None
    sharedCircuits: list[str]
    authorisedBy: str | None
    cancelledBy: str | None
    localisationId: int | None
    result: dict[str, Any] | None


class PlanPointOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    order: int
    device: str
    port: str
    segment: int
    site_kind: str = Field(serialization_alias="siteKind")


class LocalisationOut(BaseModel):
    """Localising the faulty segment (故障段落定位): the plan, the loop tests so far, the conclusion."""

    id: int
    href: str
    ticketId: int
    circuitId: str
    mode: str
    state: str
    requestedBy: str
    authorisedBy: str | None
    startedAt: datetime
    endedAt: datetime | None
    plan: list[PlanPointOut]
    loopTests: list[LoopTestOut]
    nextPoint: PlanPointOut | None
    conclusion: dict[str, Any] | None
    diagnosisId: int | None
    supersedesDiagnosisId: int | None
