"""Request dependencies: settings, a session per request, the current user and role checks."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from agent.auth import authenticate
from agent.enums import Role
from agent.settings import Settings
from agent.tickets import Actor

_bearer = HTTPBearer(auto_error=False, description="faultline API token (faultline users add NAME --role ROLE)")


def get_settings(request: Request) -> Settings:
    return request.app.state.services.settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; the route's service call commits (or the session rolls back on error)."""
    with request.app.state.services.session_factory() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_actor(request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Actor:
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(401, "a bearer token is required")
    with request.app.state.services.session_factory() as session:
        user = authenticate(session, creds.credentials)
    if user is None:
        raise HTTPException(401, "the token is not valid")
    return Actor(name=user.name, role=Role(user.role))


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require(*roles: Role):
    """A dependency that lets only the given roles through (403 for the others)."""
    allowed = frozenset(roles)

    def check(actor: CurrentActor) -> Actor:
        if actor.role not in allowed:
            raise HTTPException(403, f"role {actor.role.value} may not do this; allowed: {', '.join(sorted(r.value for r in allowed))}")
        return actor

    return Depends(check)


ANY_ROLE = tuple(Role)
WRITERS = (Role.DUTY_OFFICER, Role.ENGINEER, Role.PROVINCE, Role.ADMIN)
