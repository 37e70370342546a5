"""The enqueueing side (the API process, tests, benches): triages go to the ``triage`` queue instead of
this process's tasks. Deferring is synchronous (the intake calls it from the API's worker threads) on a
small psycopg pool of its own."""
from __future__ import annotations

import logging
import threading

from procrastinate import App, SyncPsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued

from agent.settings import Settings
from agent.work.queues import conninfo
from agent.work.tasks import TRIAGE_TASK, register_tasks, triage_lock

log = logging.getLogger("faultline.work")


class JobQueue:
    """Defers jobs; runs none. ``attach(services)`` routes the triage of new faults (and re-runs) here."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = register_tasks(App(connector=SyncPsycopgConnector(
            conninfo=conninfo(settings.database_url), min_size=1, max_size=4, kwargs={"connect_timeout": 5})),
            settings)
        self._open = False
        self._lock = threading.Lock()  # the intake defers from the API's worker threads

    def open(self) -> None:
        with self._lock:
            if not self._open:
                self.app.open()
                self._open = True

    def close(self) -> None:
        with self._lock:
            if self._open:
                self.app.close()
                self._open = False

    def defer_triage(self, ticket_id: int, reason: str = "arrival") -> int | None:
        """Queue the ticket's triage; None when one is pending already (its queueing lock), or when the
        database refused (the worker's triage recovery queues it once the database is back)."""
        self.open()
        try:
            return self.app.tasks[TRIAGE_TASK].configure(queueing_lock=triage_lock(ticket_id)).defer(
                ticket_id=ticket_id, reason=reason)
        except AlreadyEnqueued:
            log.info("triage of ticket %s already queued", ticket_id)
            return None
        except Exception:  # noqa: BLE001 - the ticket is committed; recovery queues its triage later
            log.exception("could not queue the triage of ticket %s; the triage recovery will", ticket_id)
            return None

    def attach(self, services) -> None:
        """This process enqueues its triages (its own triage part, if any, runs none)."""
        from agent.services import Lifecycle

        if services.triage is not None:
            services.triage.dispatch = self.defer_triage
        else:
            services.tickets.on_new_fault.append(self.defer_triage)

        async def start() -> None:
            import asyncio

            await asyncio.to_thread(self.open)

        async def stop() -> None:
            self.close()

        services.lifecycle.insert(0, Lifecycle("job queue", start, stop))
