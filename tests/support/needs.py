"""What a test needs from the machine, and the one rule for a need that is not met.

A test declares a need with its marker (``@pytest.mark.netsnmp``, ``chromium``, ``postgres``,
``fixtures``; tests/conftest.py checks the markers before the test runs) or calls ``require(Need.X)``
where the need only shows inside a fixture. Locally a missing need skips the test with the reason and
the way to meet it; under CI=true it fails: CI installs everything, so nothing may skip there.
"""
from __future__ import annotations

import functools
import os
import shutil
from enum import StrEnum
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REPO = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("FAULTLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


class Need(StrEnum):
    NETSNMP = "netsnmp"
    CHROMIUM = "chromium"
    POSTGRES = "postgres"
    FIXTURES = "fixtures"


def fixtures_root() -> Path:
    """The real device captures: ../shared/fixtures beside the checkout, or $FAULTLINE_FIXTURES."""
    return Path(os.environ.get("FAULTLINE_FIXTURES", REPO.parent / "shared" / "fixtures"))


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def chromium_path() -> str | None:
    explicit = os.environ.get("FAULTLINE_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def _netsnmp() -> str | None:
    tools = ("snmpbulkwalk", "snmpwalk", "snmpset", "snmptrap")
    absent = [t for t in tools if shutil.which(t) is None]
    return f"net-snmp tools not installed ({', '.join(absent)}): `apt-get install snmp`" if absent else None


def _chromium() -> str | None:
    """The browser tests drive Debian's Chromium with playwright (its own browser download is not used)."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None if chromium_path() else ("Chromium not installed: `apt-get install chromium` "
                                         "(or set FAULTLINE_CHROMIUM to a Chrome/Chromium binary)")


def _postgres() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"; the text says which
        return f"PostgreSQL not reachable at {PG_ADMIN_URL} (FAULTLINE_TEST_PG overrides): {exc}"


def _fixtures() -> str | None:
    root = fixtures_root()
    return None if root.is_dir() else f"fixtures folder {root} not found (set FAULTLINE_FIXTURES to run these tests)"


_NAMES = frozenset(n.value for n in Need)
_CHECKS = {Need.NETSNMP: _netsnmp, Need.CHROMIUM: _chromium, Need.POSTGRES: _postgres, Need.FIXTURES: _fixtures}


@functools.cache
def missing(need: Need) -> str | None:
    """Why ``need`` is not met on this machine (checked once per session), or None when it is."""
    return _CHECKS[need]()


def require(need: Need | str) -> None:
    """Skip the calling test when ``need`` is not met; under CI=true fail instead."""
    reason = missing(Need(need))
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: every test must run, none may skip)", pytrace=False)
    pytest.skip(reason)


def require_marked(item: pytest.Item) -> None:
    """``require`` each need the test's markers name (a marker of the test, its class, module or param)."""
    for mark in item.iter_markers():
        if mark.name in _NAMES:
            require(mark.name)
