"""The duty board's rows from the SLA clock projection: the soonest deadlines first, and when more
tickets are open than the board draws, the cut keeps the most urgent ones (not any N of them)."""
from __future__ import annotations

from datetime import timedelta

from agent.enums import Role, Symptom, TicketKind
from agent.services import build_services
from agent.tickets import Actor, Intake
from api.pages.board_view import BoardFilters, board_page
from tests.support.settings import settings_for

OFFICER = Actor("officer", Role.DUTY_OFFICER)


def test_board_keeps_the_soonest_deadlines_when_it_cuts(db_url, clock):
    services = build_services(settings_for(db_url), clock, migrate=False)
    try:
        ids = []
        with services.session_factory() as s:
            for i in range(5):  # one a minute: the first filed is the first whose sign clock runs out
                t, _ = services.tickets.intake(s, Intake(f"BOARD-{i}", TicketKind.INTERRUPTION, Symptom.DOWN,
                                                         f"CIR-B-{i}", clock.now()), OFFICER)
                ids.append(t.id)
                clock.advance(timedelta(minutes=1))
            services.tickets.sign(s, services.tickets.get(s, ids[0]), OFFICER)  # its next deadline: progress, 30 min
            s.commit()
        with services.session_factory() as s:
            rows, total = board_page(s, services.sla, clock.now(), BoardFilters(), limit=3)
            assert total == 5 and [r.ticket_id for r in rows] == ids[1:4]
            assert [r.next_due_at for r in rows] == sorted(r.next_due_at for r in rows)
            everything, _ = board_page(s, services.sla, clock.now())
            assert [r.ticket_id for r in everything] == ids[1:] + ids[:1]  # the signed one last
            only, total = board_page(s, services.sla, clock.now(), BoardFilters(circuit="CIR-B-2"))
            assert total == 1 and [r.ticket_id for r in only] == [ids[2]]
            assert {c.kind for c in only[0].clocks} >= {"sign", "resolution"}
    finally:
        services.close()
