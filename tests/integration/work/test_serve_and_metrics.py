"""The serving process on the queue (``serve --workers N``: a worker inside its loop) and ``/metrics``;
SQLite keeps everything in-process and never touches a queue."""
from __future__ import annotations

import re

import httpx
import pytest

from tests.support.server import agent_on
from tests.support.users import auth
from tests.support.waiting import until

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _value(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            got = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
            if all(got.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return None


@pytest.mark.postgres
async def test_serve_with_an_embedded_worker_triages_through_the_queue_and_counts_it(pg_url, lab):
    async with agent_on(pg_url, lab=lab, job_queue="queue", worker_concurrency=2, triage_use_cli=False,
                        worker_heartbeat_seconds=0.5) as api:
        assert api.agent.services.scheduler is None  # no APScheduler: the periodic work is the queue's
        await api.import_inventory(lab)
        ticket = await api.file("CIR-EPL-0001")
        diagnoses = await until(lambda: api.diagnoses(ticket["id"]), 60, "the diagnosis")
        assert len(diagnoses) == 1
        http: httpx.AsyncClient = api.http
        text = (await http.get("/metrics", headers=auth("noc"))).text
        assert _value(text, "faultline_jobs_total", task="triage", queue="triage", outcome="succeeded") == 1.0
        assert _value(text, "faultline_job_duration_seconds_count", task="triage", queue="triage") == 1.0
        assert _value(text, "faultline_tickets_open", state="acknowledged") == 1.0
        assert _value(text, "faultline_loops_active") == 0.0
        assert "faultline_queue_jobs" in text  # the queue's depth gauges are there (PostgreSQL)


async def test_metrics_on_sqlite_in_process_and_behind_the_policy(sqlite_template, tmp_path):
    url = sqlite_template.copy(tmp_path / "m.db")
    async with agent_on(url) as api:
        assert api.agent.services.scheduler is not None  # SQLite: the one-process scheduler, as before
        http: httpx.AsyncClient = api.http
        assert (await http.get("/metrics")).status_code == 401
        denied = await http.get("/metrics", headers=auth("duty_officer"))
        assert denied.status_code == 403 and denied.headers["content-type"].startswith("application/problem+json")
        ok = await http.get("/metrics", headers=auth("noc"))
        assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")
        assert "faultline_sla_breaches" in ok.text and "faultline_queue_jobs" not in ok.text
