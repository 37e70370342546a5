"""The duty board's rows and every page's clock chips as HTML, written in Python.

A board draws 1,000+ rows of 4-6 chips each: through Jinja that was ~160 ms of CPU per page (one
``Markup`` escape and one attribute lookup per value, ~500,000 template calls). Here a row is one
f-string, only the texts that come from outside (ticket and circuit ids, customer names, symptoms) are
escaped, and a customer or circuit seen before is not escaped again. The markup is the same on every
page (templates call ``chip_html``), kept small: a chip is a ``span`` styled from its ``data-state``
(no class), its deadline is in epoch seconds and its amber instant in seconds before it, the time
left is a ``time`` element, and the phone layout's column labels come from the table's CSS variables
instead of one attribute per cell.

A live chip (running or breached, not yet met) carries its deadline; the page's one ticker
(console.js) writes the time left and the tone each second. The time written here is the time left
now, so the page reads right before the script runs.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

from markupsafe import Markup

from api.pages.board_view import BoardClock, BoardRow

CLOCK_KINDS = ("sign", "contact_feedback", "progress", "escalation_l1", "escalation_l2", "resolution",
               "restoration", "report")


def left(seconds: float | None) -> str:
    """'9:59', '-0:42', '1:59:58'."""
    if seconds is None:
        return "—"
    sign, s = ("-" if seconds < 0 else ""), abs(int(seconds))
    return f"{sign}{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{sign}{s // 60}:{s % 60:02d}"


class ChipWriter:
    """The words of one page's language, looked up once, and the chip markup."""

    def __init__(self, t: Callable[[str], str]) -> None:
        self.words = {k: escape(t(f"clock.{k}")) for k in CLOCK_KINDS}
        self.met, self.breached, self.paused, self.left_word = (escape(t(k)) for k in ("met", "breached", "paused", "left"))

    def chip(self, c: BoardClock, now: datetime) -> str:
        word = self.words.get(c.kind) or escape(c.kind)
        kind = escape(c.kind, quote=True)
        if c.state in ("running", "breached") and c.due_at is not None and c.met_at is None:
            due = int(c.due_at.timestamp())
            # amber: seconds before the deadline (the server's instant, short to write)
            amber = f' data-amber="{due - int(c.amber_at.timestamp())}"' if c.amber_at is not None else ""
            return (f'<span data-clock="{kind}" data-state="{c.state}" data-due="{due}"{amber}><b>{word}</b> '
                    f'<time>{left((c.due_at - now).total_seconds())}</time></span>')
        if c.state == "paused":
            return (f'<span data-clock="{kind}" data-state="paused"><b>{word}</b> {self.paused} · '
                    f'{self.left_word} {left(c.remaining_seconds)}</span>')
        state = "met" if c.state == "met" else escape(c.state, quote=True)
        return f'<span data-clock="{kind}" data-state="{state}"><b>{word}</b> {self.met if state == "met" else self.breached}</span>'

    def chips(self, clocks: Iterable[BoardClock], now: datetime) -> Markup:
        return Markup("".join(self.chip(c, now) for c in clocks))


def board_rows_html(rows: list[BoardRow], t: Callable[[str], str], now: datetime, zone: ZoneInfo) -> Markup:
    """Every row of the board's table (the chips included), in one string."""
    writer = ChipWriter(t)
    status_words: dict[str, str] = {}
    kind_words: dict[str, str] = {}
    seen: dict[str | None, str] = {}
    circuits: dict[str, tuple[str, str]] = {}
    problem_word = escape(t("problem"))

    def text(value: str | None) -> str:
        out = seen.get(value)
        if out is None:
            out = seen[value] = "—" if not value else escape(value)
        return out

    parts = []
    for r in rows:
        circuit = circuits.get(r.circuit_id)
        if circuit is None:
            circuit = circuits[r.circuit_id] = (quote(r.circuit_id, safe=""), escape(r.circuit_id))
        status = status_words.get(r.status)
        if status is None:
            status = status_words[r.status] = escape(t(f"status.{r.status}"))
        kind = kind_words.get(r.kind)
        if kind is None:
            kind = kind_words[r.kind] = escape(t(f"kind.{r.kind}"))
        due = r.next_due_at.astimezone(zone).strftime("%H:%M:%S") if r.next_due_at else "—"
        problem = f' data-problem="{r.problem_id}"' if r.problem_id else ""
        # the key-assurance periods (重保) covering the circuit: a mark of their own on the row
        names = escape(", ".join(r.assurance)) if r.assurance else ""
        assurance = (f'<div class="sub assurance" data-assurance="{names}" title="重保 / key assurance">重保 · {names}</div>'
                     if r.assurance else "")
        badge = f' <a class="pb" href="/problems/{r.problem_id}">{problem_word} #{r.problem_id}</a>' if r.problem_id else ""
        parts.append(
            f'<tr class="ticket-row" data-ticket="{r.ticket_id}"{problem}><td><a href="/tickets/{r.ticket_id}">#{r.ticket_id}</a>{badge}'
            f'<div class="sub">{text(r.external_id)} · {kind} · {text(r.symptom)}</div></td>'
            f'<td><a href="/circuits/{circuit[0]}">{circuit[1]}</a><div class="sub">{text(r.customer)}</div>{assurance}</td>'
            f'<td><span class="status" data-status="{r.status}">{status}</span></td><td>{due}</td>'
            f'<td><div class="chips">{"".join(writer.chip(c, now) for c in r.clocks)}</div></td></tr>\n')
    return Markup("".join(parts))
