"""Fixtures of every tier; each delegates to tests/support (which test modules import directly)."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import pytest_asyncio

# Only light modules at import time (unit tests load this file too); the lab and the server on use.
from tests.support import databases, needs, waiting


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked netsnmp / chromium / postgres / fixtures: skip with the reason when the machine
    lacks it, fail under CI=true (tests/support/needs.py)."""
    needs.require_marked(item)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The folder of real device captures (../shared/fixtures, or $FAULTLINE_FIXTURES)."""
    needs.require(needs.Need.FIXTURES)
    return needs.fixtures_root()


# --- databases: migrated once per session, copied (SQLite) or emptied (PostgreSQL) per test -------
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> databases.SqliteTemplate:
    return databases.SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def pg_template():
    needs.require(needs.Need.POSTGRES)
    template = databases.PgTemplate()
    yield template
    template.close()


@pytest.fixture(scope="session")
def pg_database(pg_template) -> str:
    """This session's PostgreSQL database (a copy of the template), emptied before each test using it.

    Emptying (TRUNCATE, ~0.2 s) beats a fresh copy per test (CREATE DATABASE .. TEMPLATE ~0.4 s plus
    DROP .. WITH (FORCE) 0.2-2 s, as the server's checkpoints allow) on this machine.
    """
    url = pg_template.copy()
    yield url
    pg_template.drop(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A migrated, empty database: a copy of the session's SQLite template, or the session's
    PostgreSQL database emptied."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_template").copy(tmp_path / "faultline.db")
    url = request.getfixturevalue("pg_database")
    databases.truncate_all(url)
    return url


@pytest.fixture
def fresh_db(request, tmp_path):
    """``fresh_db(like=None)``: another migrated, empty database on the backend of ``like`` (SQLite when
    None): a copy of the session template, dropped at the end of the test."""
    copies: list[tuple[databases.PgTemplate, str]] = []
    serial = iter(range(1, 1000))

    def make(like: str | None = None) -> str:
        if like is None or like.startswith("sqlite"):
            return request.getfixturevalue("sqlite_template").copy(tmp_path / f"fresh-{next(serial)}.db")
        template = request.getfixturevalue("pg_template")
        copies.append((template, template.copy()))
        return copies[-1][1]

    yield make
    for template, url in copies:
        template.drop(url)


# --- clocks ---------------------------------------------------------------------------------------
@pytest.fixture
def clock_start() -> datetime:
    """Where ``clock`` starts; a folder's conftest overrides it when its rules need another day."""
    return datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(clock_start):
    from agent.clock import ManualClock

    return ManualClock(clock_start)


# --- the lab and the agent ------------------------------------------------------------------------
@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def lab():
    """The default lab topology on a random 127.x.y.0/24 block and random ports, one per test module.
    Tests using it run on the module's loop: mark them ``pytest.mark.asyncio(loop_scope="module")``."""
    from tests.support.lab import started_lab

    async with started_lab() as started:
        yield started


@pytest.fixture
def until():
    """``await until(check, timeout, what)``: polls a condition instead of sleeping for a fixed time."""
    return waiting.until


@pytest.fixture
def helpers():
    """The support functions tests reach through a fixture (they may import tests.support as well)."""
    from tests.support.server import agent_on
    from tests.support.settings import settings_for

    return SimpleNamespace(agent_on=agent_on, until=waiting.until, settings_for=settings_for)
