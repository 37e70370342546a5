"""Jinja2 rendering of the pages: one environment per app, whole pages or one block (an HTMX fragment).

Times are shown in the settings' zone (Asia/Shanghai); numbers with their units.
"""
from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from api.pages.chips import ChipWriter

from api.pages.i18n import LANG_COOKIE, pick_language, translator

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"


def make_environment(timezone: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    zone = ZoneInfo(timezone)

    def local(value: datetime | str | None, fmt: str = "%m-%d %H:%M:%S") -> str:
        if value is None:
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.astimezone(zone).strftime(fmt)

    def epoch_ms(value: datetime | None) -> str:
        return "" if value is None else str(int(value.timestamp() * 1000))

    def minutes(seconds: float | None) -> str:
        if seconds is None:
            return "—"
        sign, s = ("-" if seconds < 0 else ""), abs(int(seconds))
        return f"{sign}{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{sign}{s // 60}:{s % 60:02d}"

    @pass_context
    def chip_html(ctx, clock, t) -> Markup:
        """One clock chip, the same markup as the board's rows (api/pages/chips.py)."""
        return Markup(ChipWriter(t).chip(clock, ctx["now"]))

    env.filters.update(local=local, epoch_ms=epoch_ms, minutes=minutes)
    env.globals["chip_html"] = chip_html
    env.globals["timezone"] = timezone
    return env


def page_context(request: Request, **ctx: Any) -> dict[str, Any]:
    lang = pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
    services = request.app.state.services
    return {"request": request, "lang": lang, "t": translator(lang), "now": services.clock.now(), **ctx}


def render(request: Request, template: str, status_code: int = 200, block: str | None = None,
           **ctx: Any) -> HTMLResponse:
    env: Environment = request.app.state.page_templates
    tpl = env.get_template(template)
    context = page_context(request, **ctx)
    if block is None:
        html = tpl.render(context)
    else:
        html = "".join(tpl.blocks[block](tpl.new_context(context)))
    return html_response(request, html, status_code)


GZIP_FROM = 16 * 1024  # bytes: a board of 1,000 rows is ~700 KiB of repetitive markup, ~40 KiB gzipped
GZIP_LEVEL = 4  # ~2 ms per 700 KiB here, and nearly the size of level 9


def html_response(request: Request, html: str, status_code: int = 200) -> HTMLResponse:
    """The page, gzipped when it is large and the browser takes gzip (every browser does)."""
    body = html.encode()
    if len(body) < GZIP_FROM or "gzip" not in request.headers.get("accept-encoding", ""):
        return HTMLResponse(body, status_code=status_code)
    return HTMLResponse(gzip.compress(body, GZIP_LEVEL), status_code=status_code,
                        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
