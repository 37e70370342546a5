"""Workers on PostgreSQL: a database of the test's own, the lab's inventory in it with two regions,
and a process side that files tickets into the queue (``queued``)."""
from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from agent.enums import Role
from agent.inventory import import_inventory
from agent.services import Services, build_services
from agent.tickets.service import Actor, Intake
from agent.work.queue import JobQueue
from diagnosis.enums import Symptom, TicketKind
from tests.support.settings import settings_for

DUTY = Actor("duty_officer-user", Role.DUTY_OFFICER)


def with_regions(inventory: dict) -> tuple[dict, dict[str, str]]:
    """The lab's inventory with its sites split over regions "east" and "west" (alternating by site
    id order); returns it and each device's region."""
    inv = copy.deepcopy(inventory)
    regions = {}
    for i, site in enumerate(sorted(inv["sites"], key=lambda s: s["id"])):
        site["region"] = "east" if i % 2 == 0 else "west"
        regions[site["id"]] = site["region"]
    return inv, {d["name"]: regions[d["site"]] for d in inv["devices"]}


@dataclass
class Queued:
    """The enqueueing side: intake here defers each triage to the ``triage`` queue."""

    url: str
    services: Services
    queue: JobQueue
    device_regions: dict[str, str]
    circuits: list[str]

    def file(self, n: int, tag: str) -> list[int]:
        ids = []
        now = datetime.now(UTC)
        for i in range(n):
            circuit = self.circuits[i % len(self.circuits)]
            with self.services.session_factory() as s:
                ticket, _ = self.services.tickets.receive(s, Intake(
                    f"{tag}-{i}", TicketKind.ASSIST_CHECK, Symptom.INTERRUPTION_OR_FLAP, circuit, now), DUTY)
                ids.append(ticket.id)
        return ids


@pytest.fixture
def pg_url(pg_template) -> Iterator[str]:
    url = pg_template.copy()
    yield url
    pg_template.drop(url)


@pytest.fixture
def queued(pg_url, lab) -> Iterator[Queued]:
    inv, device_regions = with_regions(lab.inventory())
    services = build_services(settings_for(pg_url, job_queue="queue"), migrate=False)
    with services.session_factory() as s:
        import_inventory(s, inv)
        s.commit()
    queue = JobQueue(services.settings)
    queue.attach(services)
    try:
        yield Queued(pg_url, services, queue, device_regions, [c["id"] for c in inv["circuits"]])
    finally:
        queue.close()
        services.close()
