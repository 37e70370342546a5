"""One logging set-up for every logger of the process: faultline's own (``faultline.*``), the
libraries', uvicorn's. ``FAULTLINE_LOG_LEVEL`` (settings ``log_level``) sets them all alike."""
from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Chatty at INFO about their own machinery (Alembic's plugin set-up and migration context, asyncssh's
# every connection, pysnmp's engine): kept at WARNING unless DEBUG is asked for.
QUIET_BELOW_DEBUG = ("alembic", "asyncssh", "paramiko", "netmiko", "pysnmp", "apscheduler", "httpx")


def configure(level: str | int = "INFO") -> int:
    """Configure the root logger and align the named ones; returns the numeric level."""
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    logging.basicConfig(level=numeric, format=FORMAT, force=True)
    for name in ("faultline", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).setLevel(numeric)
    for name in QUIET_BELOW_DEBUG:
        logging.getLogger(name).setLevel(numeric if numeric <= logging.DEBUG else max(numeric, logging.WARNING))
    return numeric


def uvicorn_config(level: int) -> dict:
    """uvicorn's own dictConfig, with its loggers at ``level`` and propagating to ours (one format)."""
    return {"version": 1, "disable_existing_loggers": False,
            "loggers": {name: {"level": logging.getLevelName(level), "handlers": [], "propagate": True}
                        for name in ("uvicorn", "uvicorn.error", "uvicorn.access")}}
