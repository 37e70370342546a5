"""``faultline worker`` processes for a test (real processes on the test's PostgreSQL database), and
the queue side of a test: ticket intake that enqueues, the queue's rows read back."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Heartbeats and stalled-worker detection a test can wait for (production: 10 s and 30 s).
FAST_WORKER_ENV = {
    "FAULTLINE_WORKER_HEARTBEAT_SECONDS": "0.5",
    "FAULTLINE_WORKER_STALLED_SECONDS": "3",
    "FAULTLINE_WORKER_STALLED_CHECK_SECONDS": "1",
    "FAULTLINE_TRIAGE_RECOVERY_SECONDS": "2",
    "FAULTLINE_TRAP_PORT": "0",
    "FAULTLINE_POLL_INTERVAL_SECONDS": "0",
    "FAULTLINE_TRIAGE_DEADLINE_SECONDS": "15",
    "FAULTLINE_DEVICE_READ_FRESH_SECONDS": "0",
    "FAULTLINE_TRIAGE_USE_CLI": "false",  # SNMP only: the CLI's logins cost seconds per device
    "FAULTLINE_LOG_LEVEL": "INFO",
}


class WorkerProcess:
    def __init__(self, proc: subprocess.Popen, name: str, log: Path) -> None:
        self.proc, self.name, self.log = proc, name, log

    def kill(self) -> None:
        """kill -9: no clean-up of any kind, as a crashed host."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def spawn_worker(db_url: str, folder: Path, name: str, queues: Sequence[str] = ("triage", "notify"),
                 concurrency: int = 4, **env: str) -> WorkerProcess:
    """A ``faultline worker`` process (its output in ``folder/<name>.log``)."""
    log = folder / f"{name}.log"
    environment = {**os.environ, **FAST_WORKER_ENV, "FAULTLINE_DATABASE_URL": db_url, **env}
    cmd = [sys.executable, "-c", "from faultline.cli import app; app()", "worker", "--queues", ",".join(queues),
           "--concurrency", str(concurrency), "--name", name]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=environment, cwd=folder)
    return WorkerProcess(proc, name, log)


@contextmanager
def workers(db_url: str, folder: Path, names: Sequence[str], **kw: Any) -> Iterator[list[WorkerProcess]]:
    started = [spawn_worker(db_url, folder, n, **kw) for n in names]
    try:
        yield started
    finally:
        for w in started:
            w.stop()


def registered_workers(db_url: str) -> int:
    """How many workers are registered (with a heartbeat) in the database."""
    return query(db_url, "SELECT count(*) FROM procrastinate_workers")[0][0]


def query(db_url: str, sql: str, params: dict | None = None) -> list[tuple]:
    import psycopg

    from agent.work.queues import conninfo

    with psycopg.connect(conninfo(db_url), autocommit=True) as conn:
        return list(conn.execute(sql, params or {}).fetchall())
