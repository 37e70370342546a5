"""Request dependencies: settings, a session per request, the current user, role checks from the policy
table, and the typed services a route uses (503 when this process does not run that part)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from agent.alarms import TrapIngest
from agent.auth import authenticate
from agent.enums import Role
from agent.errors import HealthUnavailable, Unavailable
from agent.health import CircuitHealth
from agent.loops import LoopGuard
from agent.policy import Permission, roles_for
from agent.services import Services
from agent.settings import Settings
from agent.sla import SlaEngine
from agent.tickets import Actor, TicketService
from agent.triage.service import TriageService

_bearer = HTTPBearer(auto_error=False, description="faultline API token (faultline users add NAME --role ROLE)")


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


def get_session(services: ServicesDep) -> Iterator[Session]:
    """One session per request; the route's service call commits (or the session rolls back on error)."""
    with services.session_factory() as session:
        try:
            yield session
        except BaseException:
            try:
                session.rollback()
            except SQLAlchemyError:  # a dead connection cannot roll back: the original error is the answer
                session.invalidate()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_tickets(services: ServicesDep) -> TicketService:
    return services.tickets


def get_sla(services: ServicesDep) -> SlaEngine:
    return services.sla


def get_triage(services: ServicesDep) -> TriageService:
    if services.triage is None:
        raise Unavailable("triage is not running in this process")
    return services.triage


def get_loops(services: ServicesDep) -> LoopGuard:
    if services.loops is None:
        raise Unavailable("loop tests are not available in this process")
    return services.loops


def get_health(services: ServicesDep) -> CircuitHealth:
    if services.health is None:
        raise HealthUnavailable("no collector in this process")
    return services.health


def get_traps(services: ServicesDep) -> TrapIngest | None:
    return services.traps


TicketsDep = Annotated[TicketService, Depends(get_tickets)]
SlaDep = Annotated[SlaEngine, Depends(get_sla)]
TriageDep = Annotated[TriageService, Depends(get_triage)]
LoopGuardDep = Annotated[LoopGuard, Depends(get_loops)]
HealthDep = Annotated[CircuitHealth, Depends(get_health)]


def get_actor(services: ServicesDep, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Actor:
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(401, "a bearer token is required")
    with services.session_factory() as session:
        user = authenticate(session, creds.credentials)
    if user is None:
        raise HTTPException(401, "the token is not valid")
    return Actor(name=user.name, role=Role(user.role))


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require(permission: Permission):
    """A dependency that lets only the roles agent.policy gives ``permission`` through (403 for the others)."""
    allowed = roles_for(permission)

    def check(actor: CurrentActor) -> Actor:
        if actor.role not in allowed:
            raise HTTPException(403, f"role {actor.role.value} may not do this ({permission.value}); "
                                     f"allowed: {', '.join(sorted(r.value for r in allowed))}")
        return actor

    return Depends(check)


Reader = Annotated[Actor, require(Permission.READ)]


# -- path and query parameters, bounded to what the database can hold ---------------------------------
# Ids are 32-bit integer columns on PostgreSQL; a larger number in a URL is a 422 at the edge, never a
# database overflow (500). Names follow the inventory's own patterns.
DB_INT_MAX = 2**31 - 1
_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/.:_#\-]*$"
TicketId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="faultline's ticket id")]
CutoverId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="the cutover's id")]
CircuitId = Annotated[str, Path(min_length=1, max_length=64, pattern=_NAME_PATTERN, description="the circuit id")]
Offset = Annotated[int, Query(ge=0, le=DB_INT_MAX)]


# -- the pages: the actor from the session cookie (api/pages/session.py) --------------------------------
class SignInRequired(Exception):
    """No valid session cookie: the pages answer with a redirect to the sign-in page."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


@dataclass(frozen=True)
class PageUser:
    actor: Actor
    csrf: str  # the session's CSRF token, put in every form the page draws


def get_page_user(request: Request, services: ServicesDep) -> PageUser:
    from agent.models import User
    from api.pages.session import SESSION_COOKIE, token_print

    session = request.app.state.session_signer.read(request.cookies.get(SESSION_COOKIE), services.clock.now())
    if session is None:
        raise SignInRequired(request.url.path)
    with services.session_factory() as s:
        user = s.get(User, session.user_id)
        if user is None or not user.active or token_print(user.token_hash) != session.token_print:
            raise SignInRequired(request.url.path)
        return PageUser(Actor(name=user.name, role=Role(user.role)), session.csrf)


PageUserDep = Annotated[PageUser, Depends(get_page_user)]
