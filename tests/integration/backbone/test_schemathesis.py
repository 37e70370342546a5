"""Property-based requests over every route of the OpenAPI document (schemathesis), as an admin and as
the NOC: no answer is a server error. A fixed, small, derandomised example budget here (the suite);
`make fuzz` runs a long one (FAULTLINE_FUZZ_EXAMPLES)."""
from __future__ import annotations

import os

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from agent.db import unit_of_work
from agent.inventory import import_inventory
from agent.services import build_services
from api.app import create_app
from tests.support.users import token_for

EXAMPLES = int(os.environ.get("FAULTLINE_FUZZ_EXAMPLES", "6"))


def test_no_route_answers_a_server_error(settings, clock, sample_inventory_text):
    """The app as served (triage, loops and circuit health running, over the example inventory whose
    devices do not answer: every device read ends at a short deadline)."""
    services = build_services(settings.model_copy(update={"triage_deadline_seconds": 2.0}), clock, migrate=False,
                              triage=True)
    with unit_of_work(services.session_factory) as s:
        import_inventory(s, sample_inventory_text)
    app = create_app(services)
    failures: list[str] = []
    checked = 0
    with TestClient(app):  # lifespan: the app is ready, as when served
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 25, [o.label for o in operations]
        for operation in operations:
            @given(case=operation.as_strategy())
            @hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case) -> None:
                nonlocal checked
                for role in ("admin", "noc"):  # every right, and read-only (403s are problems, not crashes)
                    response = case.call(headers={"Authorization": f"Bearer {token_for(role)}"})
                    checked += 1
                    if response.status_code >= 500:
                        failures.append(f"{role}: {case.method} {case.formatted_path} {case.query or ''} -> "
                                        f"{response.status_code}: {response.text[:300]}")

            run()
    services.close()
    assert checked >= 2 * len(operations)
    assert not failures, "\n".join(failures[:20])
