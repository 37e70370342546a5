"""The queues and what runs on each; queue names, periodic schedules, the queue's database address."""
from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy.engine import make_url

TRIAGE = "triage"  # a ticket's triage; stalled-job recovery and the triage recovery sweep
LOOPS = "loops"  # reserved for loop tests (they still run in the API process: docs/workers.md)
NOTIFY = "notify"  # the SLA sweep and its webhook outbox
REPORTS = "reports"  # the readings roll-up with retention, the early warning
ALL_QUEUES = (TRIAGE, LOOPS, NOTIFY, REPORTS)

_REGION = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def poll_queue(region: str) -> str:
    """The steady-state poll of a region's devices (a collector near them serves it)."""
    return f"poll.{_checked(region)}"


def collect_queue(region: str) -> str:
    """On-demand reads of a region's devices (reserved: triage still reads from the triage workers)."""
    return f"collect.{_checked(region)}"


def regions_of(queues: Iterable[str]) -> set[str]:
    """The regions whose devices the given queues read (``poll.east`` -> ``east``)."""
    out = set()
    for q in queues:
        kind, _, region = q.partition(".")
        if kind in ("poll", "collect") and region:
            out.add(_checked(region))
    return out


def check_queues(queues: Iterable[str]) -> list[str]:
    """The queue names given on the command line, each known or a region's; a ValueError says which is not."""
    out = []
    for q in queues:
        if q not in ALL_QUEUES and not regions_of([q]):
            raise ValueError(f"unknown queue {q!r}: one of {', '.join(ALL_QUEUES)}, poll.<region>, collect.<region>")
        out.append(q)
    return out


def _checked(region: str) -> str:
    if not _REGION.match(region):
        raise ValueError(f"bad region name {region!r}: lower-case letters, digits, '-' and '_'")
    return region


def cron_every(seconds: float) -> str:
    """A procrastinate cron (6th field: seconds) firing every ``seconds``, rounded to one that divides
    the minute or the hour evenly (cron counts from the top of the minute/hour, not from start)."""
    s = max(1, round(seconds))
    if s < 60:
        step = next(d for d in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) if d >= s)
        return f"* * * * * */{step}"
    m = max(1, round(s / 60))
    if m < 60:
        step = next(d for d in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) if d >= m)
        return f"*/{step} * * * *"
    h = max(1, round(m / 60))
    step = next((d for d in (1, 2, 3, 4, 6, 8, 12) if d >= h), 24)
    return "0 0 * * *" if step == 24 else f"0 */{step} * * *"


def conninfo(database_url: str) -> str:
    """The libpq address of a SQLAlchemy PostgreSQL URL (procrastinate talks psycopg directly)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("the job queue needs PostgreSQL (job_queue='queue'); SQLite runs jobs in-process")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
