"""SLA integration fixtures: a migrated database (SQLite file or PostgreSQL), an engine on a manual clock,
and tickets created directly (the lifecycle service is exercised in the API tests)."""
from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.db import make_engine, make_session_factory
from agent.settings import Settings, SlaSettings
from agent.sla import SlaEngine
from tests.support.net import random_loopback
from tests.support.settings import settings_for

# Monday 2026-03-02 09:00 Asia/Shanghai
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock_start() -> datetime:
    """The SLA tests' clock (tests/conftest.py `clock`) starts on a working Monday morning."""
    return T0


@pytest.fixture
def sla_settings() -> SlaSettings:
    return SlaSettings(webhooks={"*": ["http://127.0.0.1:9/hook"]})


@pytest.fixture
def settings(db_url, sla_settings) -> Settings:
    return settings_for(db_url, sla=sla_settings)


@pytest.fixture
def factory(settings):
    engine = make_engine(settings.database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def sla(settings, clock) -> SlaEngine:
    return SlaEngine(settings, clock, worker_id="test-a")


@pytest.fixture
def make_ticket(factory, sla, clock):
    """make_ticket(external_id) -> ticket id; arrival recorded at the clock's now."""
    from agent.models import Ticket

    def _make(external_id: str, circuit_id: str = "C-1") -> int:
        now = clock.now()
        with factory() as s:
            t = Ticket(external_id=external_id, kind="interruption", symptom="down", circuit_id=circuit_id,
                       circuit_known=False, status="acknowledged", status_changed_at=now, reported_at=now,
                       created_at=now, updated_at=now)
            s.add(t)
            s.flush()
            sla.on_ticket_event(s, t, "created", now)
            s.commit()
            return t.id

    return _make


@pytest.fixture
def event(factory, sla, clock):
    """event(ticket_id, "signed") records a lifecycle event at the clock's now, committed."""
    from agent.models import Ticket

    def _event(ticket_id: int, kind: str, **data) -> None:
        with factory() as s:
            sla.on_ticket_event(s, s.get(Ticket, ticket_id), kind, clock.now(), data or None)
            s.commit()

    return _event


class Receiver:
    """A webhook receiver that dedupes on Idempotency-Key, optionally failing the first delivery of each."""

    def __init__(self, host: str, port: int, fail_first: bool = False) -> None:
        self.posts: Counter[str] = Counter()
        self.processed: dict[str, dict] = {}
        self.fail_first = fail_first
        recv = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers["Idempotency-Key"]
                recv.posts[key] += 1
                if recv.fail_first and recv.posts[key] == 1:
                    self.send_response(503)  # recorded, but the answer says "try again"
                else:
                    recv.processed.setdefault(key, body)
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def webhook_receiver():
    """webhook_receiver(host, port, fail_first=False) -> a running Receiver (stopped at the end)."""
    started: list[Receiver] = []

    def _start(host: str, port: int, fail_first: bool = False) -> Receiver:
        r = Receiver(host, port, fail_first)
        started.append(r)
        return r

    yield _start
    for r in started:
        r.stop()


@pytest.fixture
def endpoint():
    """A loopback address and port nobody listens on yet (random 127.x.y.1 so parallel runs never meet)."""
    host = random_loopback()
    with socket.socket() as s:
        s.bind((host, 0))
        port = s.getsockname()[1]
    return host, port
