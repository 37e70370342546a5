"""Jinja2 rendering of the pages: one environment per app, whole pages or one block (an HTMX fragment).

Times are shown in the settings' zone (Asia/Shanghai); numbers with their units.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

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

    env.filters.update(local=local, epoch_ms=epoch_ms, minutes=minutes)
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
    return HTMLResponse(html, status_code=status_code)
