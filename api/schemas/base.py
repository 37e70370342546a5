"""What every request and response body of the API shares: camelCase on the wire, snake_case in Python.

Response models are built from the agent's rows and dataclasses by attribute (``from_attributes``) or
from keyword arguments by field name (``populate_by_name``); FastAPI writes them with their aliases.
Request models take the camelCase spelling only and refuse unknown members, as before.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

# Every time goes out in one spelling, Python's isoformat() ("2026-11-25T09:00:00+00:00", UTC), as the
# agent has always written SLA clocks, alarms, health and stored diagnoses. (Before the response models,
# a ticket, journal entry or cutover came out "...Z" from some routes and "+00:00" from others,
# depending on whether the route happened to annotate its return type.)
Instant = Annotated[datetime, PlainSerializer(lambda t: t.isoformat(), return_type=str, when_used="json")]


class Out(BaseModel):
    """A response body (or part of one)."""

    # Members with a default are written all the same: required in the document of what goes out.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True,
                              json_schema_serialization_defaults_required=True)


class In(BaseModel):
    """A request body: camelCase members only, nothing unknown."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=False, extra="forbid")


__all__ = ["AwareDatetime", "In", "Instant", "Out"]
