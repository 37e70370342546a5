"""A repeat fault reopens a recently resolved ticket once, also when several upstream tickets for the
circuit arrive at the same moment (MEF 124 reopen under concurrency, SQLite and PostgreSQL)."""
from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from agent.models import ExternalIdentifier, JournalEntry, Ticket

HEADERS = {"Authorization": "Bearer test-token-for-duty_officer-0123456789"}
POSTS = 10


def _body(n: int) -> dict:
    return {"externalId": f"UP-REPEAT-{n}", "ticketType": "interruption", "symptom": "down", "circuitId": "CIR-EPL-0001",
            "reportedDate": "2026-11-25T09:30:00+08:00", "description": "再次中断"}


def test_concurrent_repeat_faults_reopen_once(loaded, live_server, services, as_role, file_ticket):
    tid = file_ticket(external_id="UP-FIRST")["id"]
    for path, body in (("sign", {}), ("dispatch", {"specialty": "传输", "contractor": "代维A组"}),
                       ("resolve", {"cause": "接入段尾纤松动，已重新插紧"})):
        assert as_role("duty_officer").post(f"/api/v1/tickets/{tid}/{path}", json=body).status_code == 200

    async def burst():
        async with httpx.AsyncClient(base_url=live_server, timeout=60) as c:
            return await asyncio.gather(*[c.post("/api/v1/tickets", json=_body(n), headers=HEADERS) for n in range(POSTS)])

    responses = asyncio.run(burst())
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses if r.status_code >= 300]
    outcomes = sorted(r.json()["intakeOutcome"] for r in responses)
    # Exactly what posting them one by one gives: the first reopens, the rest find an open ticket
    # (not resolved) and are filed as new tickets.
    assert outcomes == ["created"] * (POSTS - 1) + ["reopened"], outcomes
    reopened = next(r.json() for r in responses if r.json()["intakeOutcome"] == "reopened")
    assert reopened["id"] == tid
    with services.session_factory() as s:
        ticket = s.get(Ticket, int(tid))
        assert ticket.reopen_count == 1 and ticket.status == "reopened"
        reopen_entries = s.scalar(select(func.count()).select_from(JournalEntry).where(
            JournalEntry.ticket_id == ticket.id, JournalEntry.kind == "reopen"))
        assert reopen_entries == 1
        assert s.scalar(select(func.count()).select_from(Ticket)) == POSTS
        ids_of_first = set(s.scalars(select(ExternalIdentifier.external_id).where(ExternalIdentifier.ticket_id == ticket.id)))
        assert len(ids_of_first) == 2 and "UP-FIRST" in ids_of_first
        assert s.scalar(select(func.count()).select_from(ExternalIdentifier)) == POSTS + 1


def test_concurrent_signs_of_one_ticket_sign_it_once(loaded, live_server, services, file_ticket):
    """Two duty officers pressing 签收 at once: one signs, the other is told it is already in progress."""
    tid = file_ticket(external_id="UP-SIGN-RACE")["id"]

    async def burst():
        async with httpx.AsyncClient(base_url=live_server, timeout=60) as c:
            return await asyncio.gather(*[c.post(f"/api/v1/tickets/{tid}/sign", json={}, headers=HEADERS)
                                          for _ in range(POSTS)])

    codes = sorted(r.status_code for r in asyncio.run(burst()))
    assert codes == [200] + [409] * (POSTS - 1), codes
    with services.session_factory() as s:
        signs = s.scalar(select(func.count()).select_from(JournalEntry).where(
            JournalEntry.ticket_id == int(tid), JournalEntry.kind == "sign"))
        assert signs == 1
