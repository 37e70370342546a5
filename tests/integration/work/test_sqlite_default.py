"""SQLite stays one process: the queue is refused with the reason, and a region round-trips through
the inventory's export."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agent.inventory import export_inventory, import_inventory
from agent.services import build_services
from faultline.cli import app
from tests.integration.work.conftest import with_regions
from tests.support.settings import settings_for

runner = CliRunner()


def test_worker_and_serve_workers_refuse_sqlite_with_the_reason(sqlite_template, tmp_path):
    url = sqlite_template.copy(tmp_path / "f.db")
    worker = runner.invoke(app, ["worker", "--database-url", url])
    assert worker.exit_code == 2 and "needs PostgreSQL" in worker.output
    serve = runner.invoke(app, ["serve", "--workers", "0", "--database-url", url])
    assert serve.exit_code == 2 and "needs PostgreSQL" in serve.output


@pytest.mark.postgres
def test_a_bad_queue_name_is_refused(pg_template):
    url = pg_template.copy()
    try:
        result = runner.invoke(app, ["worker", "--queues", "triage,poll.East", "--database-url", url])
        assert result.exit_code == 2 and "bad region name 'East'" in result.output
    finally:
        pg_template.drop(url)


def test_site_regions_round_trip_through_import_and_export(sqlite_template, tmp_path, lab):
    services = build_services(settings_for(sqlite_template.copy(tmp_path / "r.db")), migrate=False)
    try:
        inv, _ = with_regions(lab.inventory())
        with services.session_factory() as s:
            import_inventory(s, inv)
            s.commit()
            out = export_inventory(s, include_secrets=False)
        assert {x["id"]: x["region"] for x in out["sites"]} == {x["id"]: x["region"] for x in inv["sites"]}
    finally:
        services.close()
