"""One logging set-up: the configured level reaches faultline's loggers as well as uvicorn's."""
from __future__ import annotations

import logging

import pytest

from faultline.logs import configure, uvicorn_config


@pytest.fixture(autouse=True)
def _restore_logging():
    names = ("", "faultline", "faultline.triage", "uvicorn", "uvicorn.error", "alembic")
    saved = {n: logging.getLogger(n).level for n in names}
    yield
    for n, level in saved.items():
        logging.getLogger(n).setLevel(level)


def test_debug_reaches_faultline_loggers_not_only_uvicorn() -> None:
    configure("DEBUG")
    assert logging.getLogger("faultline.triage").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("faultline.sla.sweep").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("uvicorn.error").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("alembic").isEnabledFor(logging.DEBUG)


def test_info_keeps_library_machinery_quiet() -> None:
    configure("INFO")
    assert logging.getLogger("faultline.triage").isEnabledFor(logging.INFO)
    assert not logging.getLogger("alembic.runtime.plugins").isEnabledFor(logging.INFO)
    assert not logging.getLogger("faultline").isEnabledFor(logging.DEBUG)


def test_uvicorn_config_propagates_at_the_level() -> None:
    cfg = uvicorn_config(logging.DEBUG)
    assert cfg["loggers"]["uvicorn.error"] == {"level": "DEBUG", "handlers": [], "propagate": True}


def test_unknown_level_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown log level"):
        configure("LOUD")
