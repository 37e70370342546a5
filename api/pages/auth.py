"""Sign-in (token -> session cookie), sign-out, and the language switch."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from agent.auth import authenticate
from api.deps import PageUserDep, ServicesDep
from api.pages.i18n import LANG_COOKIE, LANGUAGES
from api.pages.posting import read_form
from api.pages.render import render
from api.pages.session import LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_TTL

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect to another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", login_csrf=token, next=_safe_next(next), error=None)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/login")
    return response


@router.post("/login")
async def login(request: Request, services: ServicesDep) -> Response:
    form = await read_form(request, request.cookies.get(LOGIN_CSRF_COOKIE) or "")
    target = _safe_next(form.get("next"))
    with services.session_factory() as s:
        user = authenticate(s, form.get("token", "").strip())
        ids = (user.id, user.token_hash) if user is not None else None
    if ids is None:
        return render(request, "login.html", status_code=401, login_csrf=request.cookies.get(LOGIN_CSRF_COOKIE),
                      next=target, error="bad_token")
    cookie, _ = request.app.state.session_signer.issue(*ids, services.clock.now())
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(SESSION_TTL.total_seconds()), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, user: PageUserDep) -> Response:
    await read_form(request, user.csrf)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{lang}")
def switch_language(lang: str, request: Request, back: str = "/") -> Response:
    response = RedirectResponse(_safe_next(back), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return response
