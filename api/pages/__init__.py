"""The duty console: server-rendered pages over the same services as the JSON API.

``ROUTERS`` are included by api/app.py; ``install(app)`` adds what the pages need besides routes:
the session signer, the template environment, the board feed, the static files and the answers for
a missing session (redirect to sign-in) and a refused form (403).
"""
from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.deps import SignInRequired
from api.pages import auth, board, circuit, loops, problems, reports, ticket
from api.pages.feed import BoardFeed
from api.pages.posting import CsrfRefused, FormTooLarge
from api.pages.render import STATIC, make_environment, render
from api.pages.session import SessionSigner, session_secret

ROUTERS = (auth.router, board.router, ticket.router, loops.router, problems.router, circuit.router, reports.router)


def install(app: FastAPI) -> None:
    services = app.state.services
    # The settings' secret, or the one generated once into the data folder: a session outlives a restart
    # and is good in every process on the same secret (docs/console.md, "Sessions").
    app.state.session_signer = SessionSigner(session_secret(services.settings))
    app.state.page_templates = make_environment(services.settings.timezone)
    app.state.board_feed = BoardFeed(services.session_factory)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.method != "GET" or request.headers.get("hx-request"):
            return render(request, "error.html", status_code=401, user=None, message="sign_in", detail="")
        return RedirectResponse(f"/login?next={quote(exc.back_to)}", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> Response:
        return render(request, "error.html", status_code=403, user=None, message="csrf_refused", detail="")

    @app.exception_handler(FormTooLarge)
    async def _large(request: Request, exc: FormTooLarge) -> Response:
        return render(request, "error.html", status_code=413, user=None, message="refused", detail=str(exc))
