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

# Times go out as Python's isoformat() ("+00:00", not pydantic's "Z"), as every body has always written them.
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
