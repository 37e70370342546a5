"""Two sweeping processes racing on one database: every due milestone fires exactly once (rule 7 and
the others), with one journal entry and one outbox row each, however the work was shared."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from agent.models import JournalEntry, Ticket
from agent.models.sla import OutboxRow, SlaFiredRow

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
TICKETS = 150


def test_rule7_escalation_fires_once_with_two_sweeping_processes(db_url, settings, factory, sla, clock, tmp_path):
    start = clock.now()
    with factory() as s:
        for i in range(TICKETS):
            t = Ticket(external_id=f"RACE-{i}", kind="interruption", symptom="down", circuit_id="C-R",
                       circuit_known=False, status="acknowledged", status_changed_at=start, reported_at=start,
                       created_at=start, updated_at=start)
            s.add(t)
            s.flush()
            sla.on_ticket_event(s, t, "created", start)
        s.commit()
    now = start + timedelta(minutes=125)  # unsigned: sign warning, sign breach, escalation level 1 are due
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen([sys.executable, str(HERE / "racer.py"), db_url, now.isoformat(), name, str(go), "20"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
        for name in ("agent-1", "agent-2")
    ]
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    claimed = [tuple(f) for r in results for f in r["fired"]]
    expected = {(tid, clock_, 0, m) for tid in range(1, TICKETS + 1)
                for clock_, m in (("sign", "warning"), ("sign", "breach"), ("escalation_l1", "escalation"))}
    assert Counter(claimed).most_common(1)[0][1] == 1, "a milestone was fired by both processes"
    with factory() as s:
        ids = list(s.scalars(select(Ticket.id).order_by(Ticket.id)))
        expected = {(ids[t - 1], c, q, m) for t, c, q, m in expected}
        assert set(claimed) == expected
        assert s.scalar(select(func.count()).select_from(SlaFiredRow)) == len(expected)
        entries = s.execute(select(JournalEntry.ticket_id, JournalEntry.kind, JournalEntry.data)
                            .where(JournalEntry.kind.like("sla_%"))).all()
        assert len(entries) == len(expected)
        assert {(t, d["clock"], d["seq"], d["milestone"]) for t, _, d in entries} == expected
        assert s.scalar(select(func.count()).select_from(OutboxRow)) == len(expected)
        workers = Counter(s.scalars(select(SlaFiredRow.fired_by)))
    # both processes took part (informative: the work split depends on scheduling)
    print(f"work split between the two sweepers: {dict(workers)}")
