"""Shared test fixtures: where the real-device captures live, and which databases to run on."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

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
