"""Planned cutover (割接) bodies."""
from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from agent.models import Cutover
from api.schemas.base import In, Instant, Out


class CutoverCreate(In):
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/\-]+$")
    description: str = Field("", max_length=4000)
    circuits: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=500)
    start: AwareDatetime
    end: AwareDatetime
    approved: bool = Field(False, description="already approved: only the province or an admin may say so")


class CutoverOut(Out):
    id: int
    reference: str = Field(description="the work order / approval number")
    description: str
    start: Instant
    end: Instant
    circuits: list[str] = Field(description="the circuits the cutover affects")
    approved: bool = Field(description="only an approved cutover excuses a fault on its circuits")
    approved_by: str | None
    approved_at: Instant | None
    created_by: str
    created_at: Instant

    @classmethod
    def of(cls, row: Cutover) -> CutoverOut:
        return cls(id=row.id, reference=row.reference, description=row.description, start=row.starts_at,
                   end=row.ends_at, circuits=[c.circuit_id for c in row.circuits], approved=row.approved,
                   approved_by=row.approved_by, approved_at=row.approved_at, created_by=row.created_by,
                   created_at=row.created_at)
