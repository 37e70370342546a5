"""The ticket's append-only journal (追加信息), entry by entry."""
from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from api.schemas.base import Instant, Out


class JournalOut(Out):
    id: int
    date: Instant = Field(validation_alias=AliasChoices("date", "at"))
    author: str
    role: str
    kind: str = Field(description="what the entry records (agent.enums.JournalKind): sign, diagnosis, loop_test ...")
    text: str = Field(description="readable, Chinese then English")
    data: dict[str, Any] | None = Field(description="the entry's structured content, free-form per kind (keys as "
                                                    "the agent wrote them)")
