"""Assemble the running process: services, API, and (when present) the agent's background jobs."""
from __future__ import annotations

from fastapi import FastAPI

from agent.clock import Clock
from agent.services import Services, build_services
from agent.settings import Settings
from api.app import create_app


def build_app(settings: Settings, clock: Clock | None = None, *, jobs: bool = True) -> FastAPI:
    services = build_services(settings, clock)
    if jobs:
        install_jobs(services)
    return create_app(services)


def install_jobs(services: Services) -> None:
    """Background work of the agent process; each later stage registers its jobs here."""
