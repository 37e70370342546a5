"""Database plumbing: declarative base with stable constraint names, engines and sessions.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy timeout so that the API
and the scheduler can write from one process; PostgreSQL is used through psycopg 3.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime}


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class _ResultRowsHidden(logging.Filter):
    """At DEBUG the engine logs every result row; device rows hold credentials, so the values go."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "Row %r" in str(record.msg):
            record.args = ("(values hidden)",)
        return True


def _hide_secrets_in_logs(engine: Engine) -> Engine:
    logger = getattr(engine.logger, "logger", engine.logger)  # echo=True wraps it in an InstanceLogger
    if not any(isinstance(f, _ResultRowsHidden) for f in logger.filters):
        logger.addFilter(_ResultRowsHidden())
    return engine


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and the pragmas above.

    Statement parameters and result rows are never shown, neither in the ``sqlalchemy.engine`` log
    (echo, INFO/DEBUG) nor in error messages: they carry device credentials.
    """
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        if parsed.database and parsed.database != ":memory:" and "poolclass" not in kwargs:
            _pool_for_api_threads(kwargs)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return _hide_secrets_in_logs(engine)
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        _pool_for_api_threads(kwargs)
    return _hide_secrets_in_logs(create_engine(url, **kwargs))


def _pool_for_api_threads(kwargs: dict) -> None:
    """Room for every API worker thread (anyio's default limit is 40) plus the agent's own jobs: a request
    that finds the pool empty waits, and with the pool's default 15 a burst of intakes held them all."""
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 40)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back on any exception."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
