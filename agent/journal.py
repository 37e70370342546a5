"""The ticket journal (追加信息): the legal record, append-only. This module only ever inserts."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from agent.enums import JournalKind
from agent.models import JournalEntry

SYSTEM_AUTHOR = "faultline"
SYSTEM_ROLE = "system"


def append(
    session: Session,
    ticket_id: int,
    *,
    at: datetime,
    kind: JournalKind | str,
    text: str,
    author: str = SYSTEM_AUTHOR,
    role: str = SYSTEM_ROLE,
    data: dict[str, Any] | None = None,
) -> JournalEntry:
    """Append one entry; the caller's transaction commits it together with the change it records."""
    entry = JournalEntry(ticket_id=ticket_id, at=at, author=author, role=role, kind=kind, text=text, data=data)
    session.add(entry)
    return entry


def append_many(session: Session, entries: list[dict[str, Any]]) -> None:
    """Append system entries in one statement (the SLA sweep's many milestones); same columns as
    ``append`` (``ticket_id``, ``at``, ``kind``, ``text``, optional ``data``), author ``faultline``."""
    if entries:
        rows = [{"author": SYSTEM_AUTHOR, "role": SYSTEM_ROLE, "data": None, **e} for e in entries]
        session.execute(insert(JournalEntry.__table__), rows)
