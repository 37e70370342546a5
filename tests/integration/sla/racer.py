"""A sweeping agent process for the race test: waits for the start signal, sweeps until nothing is due.

Usage: python racer.py DATABASE_URL NOW_ISO WORKER_ID START_FILE BATCH
Prints one JSON line: {"worker": ..., "fired": [[ticket, clock, seq, milestone], ...]}.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from agent.clock import ManualClock
from agent.db import make_engine, make_session_factory
from agent.models.sla import SlaClockRow
from agent.settings import Settings, SlaSettings
from agent.sla import SlaEngine


def main() -> None:
    url, now_iso, worker, start_file, batch = sys.argv[1:6]
    now = datetime.fromisoformat(now_iso)
    settings = Settings(database_url=url, sla=SlaSettings(webhooks={"*": ["http://127.0.0.1:9/hook"]}))
    engine = make_engine(url)
    factory = make_session_factory(engine)
    sla = SlaEngine(settings, ManualClock(now), worker_id=worker)
    deadline = time.monotonic() + 60
    while not Path(start_file).exists():  # start line: both processes begin together
        if time.monotonic() > deadline:
            raise SystemExit("no start signal")
        time.sleep(0.005)
    fired = []
    while time.monotonic() < deadline:
        fired += [[f.ticket_id, f.clock.value, f.seq, f.milestone.value] for f in sla.sweep(factory, now, int(batch))]
        with factory() as s:
            if not s.scalar(select(func.count()).select_from(SlaClockRow).where(SlaClockRow.next_due_at < now)):
                break
    engine.dispose()
    print(json.dumps({"worker": worker, "fired": fired}))


if __name__ == "__main__":
    main()
