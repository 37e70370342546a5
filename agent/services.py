"""The application's parts, built once from settings and handed to the API and the jobs."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agent.auth import add_user, hash_token
from agent.clock import Clock, SystemClock
from agent.db import make_engine, make_session_factory, unit_of_work
from agent.migrate import upgrade
from agent.models import User
from agent.settings import Settings
from agent.tickets import TicketService

log = logging.getLogger("faultline")


@dataclass
class Services:
    settings: Settings
    clock: Clock
    engine: Engine
    session_factory: sessionmaker[Session]
    tickets: TicketService
    extras: dict[str, Any] = field(default_factory=dict)  # triage, sla, scheduler: filled by later stages

    def close(self) -> None:
        self.engine.dispose()


def build_services(settings: Settings, clock: Clock | None = None, *, migrate: bool = True) -> Services:
    clock = clock or SystemClock()
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    sla = _sla_engine(settings, clock)
    services = Services(settings, clock, engine, factory, TicketService(settings, clock, sla))
    if sla is not None:
        services.extras["sla"] = sla
    _bootstrap_users(services)
    return services


def _sla_engine(settings: Settings, clock: Clock):
    """The SLA clocks of the duty rules (issue 6). Every deployment runs them: an agent that cannot load
    them (a missing dependency such as chinese-calendar, a broken install) stops at start-up instead
    of silently tracking no deadlines."""
    try:
        from agent.sla import SlaEngine
    except ImportError as exc:
        log.critical("the SLA engine cannot be loaded (%s: %s); faultline does not run without SLA clocks",
                     type(exc).__name__, exc)
        raise
    return SlaEngine(settings, clock)


def _bootstrap_users(services: Services) -> None:
    with unit_of_work(services.session_factory) as session:
        for u in services.settings.bootstrap_users:
            token = u.token.get_secret_value()
            existing = session.query(User).filter_by(name=u.name).one_or_none()
            if existing is None or existing.token_hash != hash_token(token) or existing.role != u.role:
                add_user(session, u.name, u.role, services.clock, token=token)
                log.info("bootstrap user %s (%s) ready", u.name, u.role)
