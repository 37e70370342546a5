"""In-process (SQLite, no queue): a triage that loses the database is run again when it returns,
instead of staying without a diagnosis until a restart."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from agent.enums import JournalKind
from agent.inventory import import_inventory
from agent.models import Diagnosis, JournalEntry
from agent.services import build_services
from agent.tickets.service import Intake
from diagnosis.enums import Symptom, TicketKind
from tests.integration.work.conftest import DUTY
from tests.support.settings import settings_for

pytestmark = pytest.mark.asyncio(loop_scope="module")


class _LosesTheDatabase:
    """A session factory whose first ``fails`` sessions cannot reach the database."""

    def __init__(self, real, fails: int) -> None:
        self.real, self.fails, self.refused = real, fails, 0

    def __call__(self, *a, **kw):
        if self.refused < self.fails:
            self.refused += 1
            raise OperationalError("connect", {}, ConnectionRefusedError("the database is away"))
        return self.real(*a, **kw)


async def test_an_in_process_triage_that_lost_the_database_runs_again_when_it_returns(sqlite_template, tmp_path, lab):
    services = build_services(settings_for(sqlite_template.copy(tmp_path / "r.db"), triage_use_cli=False),
                              migrate=False, triage=True)
    try:
        with services.session_factory() as s:
            import_inventory(s, lab.inventory())
            ticket, _ = services.tickets.intake(s, Intake("RETRY-1", TicketKind.ASSIST_CHECK, Symptom.INTERRUPTION_OR_FLAP,
                                                          "CIR-EPL-0001", datetime.now(UTC)), DUTY)
            s.commit()
        triage = services.triage
        triage.db_retry_s = 0.05
        real = services.session_factory
        services.session_factory = loses = _LosesTheDatabase(real, fails=3)
        try:
            result = await triage._run_retrying(ticket.id, "arrival")
        finally:
            services.session_factory = real
        assert loses.refused == 3 and result.diagnosis_id is not None
        with real() as s:
            assert len(s.scalars(select(Diagnosis).where(Diagnosis.ticket_id == ticket.id)).all()) == 1
            kinds = s.scalars(select(JournalEntry.kind).where(JournalEntry.ticket_id == ticket.id)).all()
        assert JournalKind.TRIAGE_FAILED.value not in kinds
    finally:
        services.close()
