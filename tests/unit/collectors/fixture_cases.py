"""Where the capture tests find the real device captures, and parameter lists that never come out
empty: without ../shared/fixtures a parametrized test would be skipped as "empty parameter set" and
hide why (and pass unnoticed under CI=true). The sentinel case requests ``fixtures_dir``, which skips
with the path in the reason, or fails under CI=true."""
from __future__ import annotations

import pytest

from tests.support.needs import fixtures_root

__all__ = ["cases", "fixtures_root"]


def cases(found: list, width: int) -> list:
    """``found`` parameter tuples, or one sentinel case of ``width`` Nones when there are none."""
    if found:
        return found
    return [pytest.param(*([None] * width), id=f"fixtures-missing:{fixtures_root()}")]
