"""Errors as RFC 9457 problem details (application/problem+json).

Every error the API answers is a problem document, including the unexpected ones: an exception no
handler knows becomes a plain 500 problem that says nothing about its cause (no stack trace, no
message that could carry a credential or a database URL); the traceback goes to the server log only.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SqlTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.errors import FaultlineError
from api.schemas.problems import Problem

PROBLEM = "application/problem+json"
DATABASE_RETRY_AFTER_S = 5
log = logging.getLogger("faultline.api")

# What each error status means on this API, for the OpenAPI document of the routes that can answer it.
MEANING = {
    401: "no bearer token, or the token is not valid",
    403: "the caller's role may not do this",
    404: "no such ticket, circuit or cutover",
    409: "refused in the current state (an action the ticket's status does not allow, a loop test the guard refuses, "
         "a report not owed)",
    422: "invalid request: every field error is listed in `errors`",
    503: "this part does not run in this process, or the database is unavailable; retry after Retry-After seconds",
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route documents, each an ``application/problem+json`` Problem."""
    return {status: {"description": MEANING[status], "content": {PROBLEM: {"schema": _PROBLEM_REF}}}
            for status in statuses}


def document(app: FastAPI) -> None:
    """Put the Problem schema the error responses refer to into the app's OpenAPI components (FastAPI
    files a response ``model`` under the route's own media type only, never under problem+json)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def problem(status: int, title: str, detail: str, request: Request, **extra: Any) -> JSONResponse:
    body = {"type": f"https://faultline.example/problems/{title.lower().replace(' ', '-')}", "title": title,
            "status": status, "detail": detail, "instance": request.url.path, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    document(app)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        return problem(422, "Invalid request", f"{len(errors)} field error(s)", request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
                 503: "Service unavailable"}.get(exc.status_code, "Error")
        return problem(exc.status_code, title, str(exc.detail), request)

    @app.exception_handler(FaultlineError)
    async def _domain(request: Request, exc: FaultlineError) -> JSONResponse:
        # The error class says how it is answered (agent/errors.py): status, title, extra members.
        response = problem(exc.status, exc.title, str(exc), request, **exc.problem_fields())
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(DisconnectionError)
    @app.exception_handler(SqlTimeoutError)
    async def _database_lost(request: Request, exc: Exception) -> JSONResponse:
        # The database restarted, dropped the connection or has no free connection: nothing was
        # committed by this request (its transaction rolled back), so the client may simply retry.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        response = problem(503, "Service unavailable", "the database cannot be reached just now; retry shortly",
                           request, health="database_unavailable")
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette calls this from its outermost middleware and re-raises afterwards, so the server
        # logs the traceback; the client learns only that it failed.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return problem(500, "Internal server error", "the server could not complete the request; "
                       "the error is logged on the server", request)
