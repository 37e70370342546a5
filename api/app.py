"""The FastAPI application factory."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from agent.services import Services
from api import pages, problems
from api.limits import BodyLimit
from api.routers import (checks, cutovers, health, inventory, loops, metrics, noc, orders, period_reports, reports,
                         sla, tickets, triage)
from api.routers import problems as service_problems
from api.schemas.base import Out

# Every route of the API, whatever the process runs: a part this process lacks answers 503 (api/deps.py).
ROUTERS = (tickets.router, inventory.router, triage.router, loops.router, sla.router, cutovers.router, health.router,
           service_problems.router, noc.router, reports.router, period_reports.router, checks.router, orders.router,
           metrics.router)


class Ready(Out):
    status: str = "ok"


def create_app(services: Services) -> FastAPI:
    """Build the API around already-built services (settings, database, ticket service, jobs)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await services.start()
        app.state.ready = True
        yield
        app.state.ready = False
        await services.stop()

    app = FastAPI(title="faultline", version="0.1.0", lifespan=lifespan,
                  description="Fault diagnosis agent for enterprise leased lines: tickets (TMF621 shape), "
                              "automatic triage, SLA clocks, loop tests.")
    app.state.services = services
    app.state.ready = False
    problems.install(app)
    app.add_middleware(BodyLimit)

    @app.get("/healthz", tags=["health"], response_model=Ready, responses=problems.responses(503),
             summary="Ready check (no authentication): 200 ok, else 503 problem (starting, or no database)")
    def healthz(request: Request) -> JSONResponse:
        if not app.state.ready:
            return problems.problem(503, "Service unavailable", "faultline is starting", request, health="starting")
        try:
            with services.session_factory() as s:
                s.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError):
            return problems.problem(503, "Service unavailable", "the database cannot be reached", request,
                                    health="database_unavailable")
        return JSONResponse({"status": "ok"})

    for router in ROUTERS:
        app.include_router(router)
    pages.install(app)  # the duty console: session sign-in, static files, its error pages
    for router in pages.ROUTERS:
        app.include_router(router)
    return app
