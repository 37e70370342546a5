"""Live updates for the boards: one watcher per process, fanned out to every connected page (SSE).

Every change a board shows is journalled (intake, each lifecycle action, a diagnosis, an SLA
milestone), so the newest journal entry id is the board's version. One task reads it once a
``interval`` (an indexed primary-key maximum) in a worker thread, whatever number of boards are
connected, and wakes every subscriber when it moves; it also sees changes made by other processes
(the CLI, a second server) on the same database. The watcher runs only while someone listens.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from agent.models import JournalEntry

log = logging.getLogger("faultline.pages")


class BoardFeed:
    def __init__(self, session_factory: sessionmaker[Session], interval: float = 1.0) -> None:
        self.session_factory = session_factory
        self.interval = interval
        self.version = 0
        self._subscribers: set[asyncio.Queue[int]] = set()
        self._task: asyncio.Task | None = None

    def _read_version(self) -> int:
        with self.session_factory() as s:
            return s.scalar(select(func.max(JournalEntry.id))) or 0

    async def _watch(self) -> None:
        while self._subscribers:
            try:
                version = await asyncio.to_thread(self._read_version)
            except Exception:  # noqa: BLE001 - a database hiccup must not end every board's updates
                log.exception("board feed: reading the journal version failed; retrying")
                version = self.version
            if version != self.version:
                self.version = version
                for queue in list(self._subscribers):
                    queue.put_nowait(version)
            await asyncio.sleep(self.interval)
        self._task = None

    async def subscribe(self) -> AsyncIterator[int]:
        """Yields the new version each time the board changed (never the one current at subscribing)."""
        queue: asyncio.Queue[int] = asyncio.Queue()
        if not self._subscribers:
            self.version = await asyncio.to_thread(self._read_version)
        self._subscribers.add(queue)
        if self._task is None:
            self._task = asyncio.create_task(self._watch())
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.discard(queue)

    @property
    def listeners(self) -> int:
        return len(self._subscribers)
