"""RFC 9457 problem details, the body of every error answer (``application/problem+json``)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    loc: str = Field(description="where: body.cause, query.limit, path.ticket_id, or an inventory location")
    msg: str
    type: str | None = Field(None, description="the validator's error type, for request validation errors")


class Problem(BaseModel):
    """An error answer. Extension members appear only where they apply."""

    # Problem documents are open by design (RFC 9457 section 3.2): members beyond these may appear.
    model_config = ConfigDict(extra="allow")

    type: str = Field(description="a URI naming the kind of problem")
    title: str = Field(description="short, the same for every problem of the type")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what went wrong in this case")
    instance: str = Field(description="the request path")
    errors: list[FieldError] | None = Field(None, description="422: every field error found")
    currentState: str | None = Field(None, description="409 Invalid transition: the ticket's status now")
    allowedActions: list[str] | None = Field(None, description="409 Invalid transition: what the caller may do now")
    health: str | None = Field(None, description="/healthz 503: starting or database_unavailable")
