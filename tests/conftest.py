"""Shared test fixtures: where the real-device captures live, and which databases to run on."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import pytest_asyncio

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _fixtures_root() -> Path:
    return Path(os.environ.get("FAULTLINE_FIXTURES", REPO.parent / "shared" / "fixtures"))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The folder of real device captures (../shared/fixtures, or $FAULTLINE_FIXTURES).

    Absent in a user's bare clone: the tests that need it skip with the reason. Under CI=true a
    missing folder is a failure, never a skip.
    """
    root = _fixtures_root()
    if not root.is_dir():
        if IN_CI:
            pytest.fail(f"fixtures folder {root} is missing and CI=true: the capture tests must run")
        pytest.skip(f"fixtures folder {root} not found (set FAULTLINE_FIXTURES to run these tests)")
    return root


# --- databases -------------------------------------------------------------------------------
PG_ADMIN_URL = os.environ.get("FAULTLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"


@pytest.fixture(scope="session")
def pg_database() -> str:
    """A fresh PostgreSQL database for this test session (dropped at the end); its SQLAlchemy URL.

    Locally without PostgreSQL the tests skip with the reason; under CI=true they fail instead.
    """
    import uuid

    import psycopg

    reason = _pg_reachable()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)")
        pytest.skip(reason)
    name = f"faultline_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    from agent.migrate import upgrade

    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    upgrade(url)
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    import agent.models  # noqa: F401
    from agent.db import Base

    engine = create_engine(url)
    tables = ", ".join(f'"{t}"' for t in Base.metadata.tables)
    with engine.begin() as conn:
        # TRUNCATE does not fire the journal's row-level UPDATE/DELETE triggers: test cleanup only.
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A migrated, empty database: a SQLite file per test, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        from agent.migrate import upgrade

        url = f"sqlite:///{tmp_path / 'faultline.db'}"
        upgrade(url)
        return url
    url = request.getfixturevalue("pg_database")
    _truncate_pg(url)
    return url


# --- the lab ---------------------------------------------------------------------------------
@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def lab():
    """The default lab topology on a random 127.x.y.0/24 block and random ports, one per test module
    (tests of several engineers run at once on this machine). Tests using it run on the module's loop:
    mark them ``pytest.mark.asyncio(loop_scope="module")``."""
    import random

    from lab import DEFAULT_TOPOLOGY, Lab

    for _ in range(5):  # another run may hold the random block: try a few
        candidate = Lab.load(DEFAULT_TOPOLOGY, address_block=f"127.{random.randint(100, 250)}.{random.randint(1, 254)}",
                             snmp_port=random.randint(20000, 40000), ssh_port=random.randint(40001, 60000))
        try:
            await candidate.start()
        except Exception:  # noqa: BLE001 - address in use: another block
            continue
        try:
            yield candidate
        finally:
            await candidate.stop()
        return
    pytest.fail("could not start the lab on any random loopback block")


async def _until(check, timeout: float = 30.0, what: str = "condition"):
    """Wait for ``check()`` (sync or async) to return something truthy, up to a deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last = None
    while loop.time() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} not reached within {timeout:.0f} s (last: {last!r})")


@pytest.fixture
def until():
    """``await until(check, timeout, what)``: polls a condition instead of sleeping for a fixed time."""
    return _until
