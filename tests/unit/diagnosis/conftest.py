"""Fixtures of the diagnosis unit tests; the builders live in diag_builders.py."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diag_builders import Scene  # noqa: E402


@pytest.fixture
def scene() -> Scene:
    return Scene()
