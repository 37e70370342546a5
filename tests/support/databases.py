"""Scratch databases for tests: migrated once per session into a template, copied per test.

SQLite: the template is a migrated file; a test's database is a copy of it (a file copy, not an
Alembic run). PostgreSQL: the template is a migrated database; see ``PgTemplate`` for how a test
gets its empty copy. Every name is random: several engineers run suites at once on one machine.
"""
from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.needs import PG_ADMIN_URL


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def migrate(url: str) -> str:
    from agent.migrate import upgrade

    upgrade(url)
    return url


# --- SQLite ---------------------------------------------------------------------------------------
def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class SqliteTemplate:
    """A migrated SQLite file; ``copy(path)`` gives a test its own empty, migrated database."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "template.db"
        migrate(sqlite_url(self.path))  # the engine is disposed: WAL checkpointed, one self-contained file
        assert not Path(f"{self.path}-wal").exists(), "the template must be one file"

    def copy(self, path: Path) -> str:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path, path)
        return sqlite_url(path)


# --- PostgreSQL -----------------------------------------------------------------------------------
def pg_url(name: str, admin_url: str = PG_ADMIN_URL) -> str:
    """The SQLAlchemy (psycopg) URL of database ``name`` on the admin URL's server."""
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def _admin(admin_url: str = PG_ADMIN_URL):
    import psycopg

    return psycopg.connect(admin_url, autocommit=True, connect_timeout=5)


def create_pg_database(name: str, template: str | None = None, admin_url: str = PG_ADMIN_URL) -> str:
    with _admin(admin_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return pg_url(name, admin_url)


def drop_pg_database(name: str, admin_url: str = PG_ADMIN_URL) -> None:
    with _admin(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def pg_scratch(prefix: str = "faultline_t", template: str | None = None,
               admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """A throwaway PostgreSQL database (a copy of ``template`` if given), dropped on exit; its URL."""
    name = unique_name(prefix)
    url = create_pg_database(name, template, admin_url)
    try:
        yield url
    finally:
        drop_pg_database(name, admin_url)


def truncate_all(url: str) -> None:
    """Empty every table of the schema (identities restarted)."""
    from sqlalchemy import create_engine, text

    import agent.models  # noqa: F401 - registers every table
    from agent.db import Base

    engine = create_engine(url)
    tables = ", ".join(f'"{t}"' for t in Base.metadata.tables)
    try:
        with engine.begin() as conn:
            # TRUNCATE does not fire the journal's row-level UPDATE/DELETE triggers: test cleanup only.
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


class PgTemplate:
    """One migrated PostgreSQL database per session (random name), dropped by ``close``.

    ``copy()`` is a test's own empty database: ``CREATE DATABASE x TEMPLATE tmpl``, dropped by
    ``drop(url)``. The template is never connected to after its migration (PostgreSQL copies only
    an idle template).
    """

    def __init__(self, admin_url: str = PG_ADMIN_URL) -> None:
        self.admin_url = admin_url
        self.name = unique_name("faultline_tmpl")
        migrate(create_pg_database(self.name, admin_url=admin_url))

    def copy(self) -> str:
        return create_pg_database(unique_name("faultline_t"), self.name, self.admin_url)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        drop_pg_database(make_url(url).database, self.admin_url)

    def close(self) -> None:
        drop_pg_database(self.name, self.admin_url)
