"""The duty board (home): open tickets by next deadline, live countdowns, new tickets without reload."""
from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from agent.enums import TicketStatus
from agent.tickets import OPEN
from api.deps import PageUserDep, ServicesDep
from api.pages.board_view import BoardFilters, board_page, board_problems
from api.pages.chips import board_rows_html
from api.pages.i18n import LANG_COOKIE, pick_language, translator
from api.pages.render import render

router = APIRouter(include_in_schema=False)

# An event stream ends after this long and the browser reconnects at once (EventSource does): a
# server stopping never waits on a board left open for longer.
STREAM_SECONDS = 55.0
HEARTBEAT_SECONDS = 15.0


def _filters(status: str | None, circuit: str | None, customer: str | None, overdue: str | None) -> BoardFilters:
    return BoardFilters(status=status if status in {s.value for s in OPEN} else None,
                        circuit=(circuit or "").strip()[:64] or None, customer=(customer or "").strip()[:200] or None,
                        overdue=overdue in ("1", "on", "true"))


Text = Annotated[str | None, Query(max_length=200)]


def _board(request: Request, services, user, block: str | None, status, circuit, customer, overdue):
    filters = _filters(status, circuit, customer, overdue)
    now = services.clock.now()
    with services.session_factory() as s:
        rows, total = board_page(s, services.sla, now, filters) if block != "problems" else ([], 0)
        problems = board_problems(s) if block != "rows" else []
    lang = pick_language(request.cookies.get(LANG_COOKIE), None)
    html = board_rows_html(rows, translator(lang), now, ZoneInfo(services.settings.timezone)) if block != "problems" else ""
    return render(request, "board.html", block=block, user=user, rows=rows, total=total, rows_html=html, filters=filters,
                  problems=problems, states=[s.value for s in TicketStatus if s in OPEN], query=request.url.query)


@router.get("/")
def board(request: Request, services: ServicesDep, user: PageUserDep, status: Text = None, circuit: Text = None,
          customer: Text = None, overdue: Text = None):
    return _board(request, services, user, None, status, circuit, customer, overdue)


@router.get("/board/rows")
def board_fragment(request: Request, services: ServicesDep, user: PageUserDep, status: Text = None,
                   circuit: Text = None, customer: Text = None, overdue: Text = None):
    """The board's rows alone (the HTMX swap when the feed says the board changed)."""
    return _board(request, services, user, "rows", status, circuit, customer, overdue)


@router.get("/board/problems")
def board_problems_fragment(request: Request, services: ServicesDep, user: PageUserDep):
    """The board's service problems alone (swapped in when the feed says the board changed)."""
    return _board(request, services, user, "problems", None, None, None, None)


@router.get("/events")
async def events(request: Request, user: PageUserDep) -> StreamingResponse:
    """Server-sent events: ``board`` with the new version each time a ticket changed."""
    feed = request.app.state.board_feed

    async def stream():
        yield f"retry: 1000\nevent: hello\ndata: {feed.version}\n\n"
        updates = feed.subscribe().__aiter__()
        loop = asyncio.get_running_loop()
        end = loop.time() + STREAM_SECONDS
        pending = asyncio.ensure_future(updates.__anext__())
        try:
            while loop.time() < end:
                done, _ = await asyncio.wait({pending}, timeout=min(HEARTBEAT_SECONDS, end - loop.time()))
                if await request.is_disconnected():
                    break
                if done:
                    yield f"event: board\ndata: {pending.result()}\n\n"
                    pending = asyncio.ensure_future(updates.__anext__())
                else:
                    yield ": keep-alive\n\n"
        finally:
            pending.cancel()
            await asyncio.gather(pending, return_exceptions=True)  # the subscription's own finally runs
            await updates.aclose()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
