"""401 and 403 on every route and action per role, problem documents on every error, /healthz, and the
catch-all 500 that tells the client nothing about the failure."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from agent.db import make_engine
from agent.enums import Role
from agent.policy import Permission, roles_for
from agent.tickets import ACTIONS
from api.app import create_app
from faultline.server import build_app

PROBLEM = "application/problem+json"
STAFF = {"duty_officer", "admin"}
WRITERS = {"duty_officer", "engineer", "province", "admin"}
ACTION_PATHS = {"sign": "sign", "dispatch": "dispatch", "contact": "customer-contact", "progress": "progress",
                "request_suspension": "suspension", "approve_suspension": "suspension/approve",
                "reject_suspension": "suspension/reject", "resume": "resume", "resolve": "resolve",
                "confirm_restoration": "restoration", "close": "close", "reopen": "reopen"}
ACTION_BODIES = {
    "sign": {}, "dispatch": {"specialty": "传输", "contractor": "代维A组"},
    "contact": {"customerPerson": "王经理", "result": "用户设备供电正常"}, "progress": {"text": "测试中"},
    "request_suspension": {"reason": "用户机房停电，待恢复", "localFault": True, "customerConsent": True},
    "approve_suspension": {}, "reject_suspension": {}, "resume": {}, "resolve": {"cause": "尾纤松动，已插紧"},
    "confirm_restoration": {"method": "customer_service", "confirmedBy": "客服小张"},
    "close": {"cause": "尾纤松动，已处理"}, "reopen": {"reason": "用户反映再次中断"},
}
TICKET = {"externalId": "UP-AUTH-1", "ticketType": "interruption", "symptom": "down", "circuitId": "CIR-EPL-0001",
          "reportedDate": "2026-11-25T08:55:00+08:00"}
CUTOVER = {"reference": "CUT-AUTH-1", "description": "割接测试", "circuits": ["CIR-EPL-0001"],
           "start": "2026-11-26T01:00:00+08:00", "end": "2026-11-26T05:00:00+08:00"}
CUTOVER_WRITERS = {"duty_officer", "province", "admin"}
RESOURCE_CHECK = {"customer": "某某银行", "aSite": "城东", "zSite": "省中心", "serviceType": "mpls_vpn", "rateMbps": 50}
ORDER = {"upstreamId": "DD-AUTH-1", "circuitId": "CIR-NEW-1", "customerId": "CUST-001", "customerName": "某某银行",
         "serviceType": "mpls_vpn", "rateMbps": 50, "officeRole": "lead"}
APPROVERS = {"province", "admin"}


def _headers(role: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer test-token-for-{role}-0123456789"} if role else {}


def post_routes(tid: str, inventory: str, cid: str = "{cutover_id}") -> list[tuple[str, dict | str, set[str]]]:
    """Every POST route of the API: path, a valid body, the roles that may use it."""
    lid = "{loop_test_id}" if tid.startswith("{") else "1"  # the role checks answer before the loop test is looked up
    rid = "{request_id}" if tid.startswith("{") else "1"
    routes = [("/api/v1/tickets", TICKET, STAFF),
              ("/api/v1/cutovers", CUTOVER, CUTOVER_WRITERS),
              (f"/api/v1/cutovers/{cid}/approve", {}, APPROVERS),
              (f"/api/v1/tickets/{tid}/triage", {}, WRITERS),
              (f"/api/v1/tickets/{tid}/loop-tests", {"device": "acc-1", "port": "GigabitEthernet0/0/1"}, WRITERS),
              (f"/api/v1/loop-tests/{lid}/cancel", {}, WRITERS),
              (f"/api/v1/loop-tests/{lid}/clear", {}, WRITERS),
              ("/api/v1/inventory:import", inventory, {"admin"}),
              (f"/api/v1/sla/tickets/{tid}/report", {"reference": "RPT-1"}, STAFF),
              # fault reports (issue 16)
              (f"/api/v1/tickets/{tid}/fault-report", {}, STAFF),
              (f"/api/v1/tickets/{tid}/fault-report/versions", {"baseVersion": 1, "remarks": "复核"}, STAFF),
              (f"/api/v1/tickets/{tid}/fault-report/redraft", {"baseVersion": 1}, STAFF),
              (f"/api/v1/tickets/{tid}/fault-report/submit", {"baseVersion": 1}, STAFF),
              # the cutover approval chain (issue 16)
              ("/api/v1/cutovers/applications", {**CUTOVER, "reference": "CUT-AUTH-2", "branch": "城东分公司"},
               CUTOVER_WRITERS),
              (f"/api/v1/cutovers/{cid}/impact-assessment", {}, APPROVERS),
              (f"/api/v1/cutovers/{cid}/plan-review", {"approved": True, "international": False}, APPROVERS),
              (f"/api/v1/cutovers/{cid}/international-decision", {"approved": True, "approver": "集团国际客服部"},
               APPROVERS),
              (f"/api/v1/cutovers/{cid}/customer-consent",
               {"consented": True, "customerManager": "客户经理周", "customerPerson": "王经理"}, STAFF),
              # network optimisation requests (issue 16)
              ("/api/v1/reports/optimisation/requests", {"key": "segment:a|z"}, STAFF | {"engineer"}),
              (f"/api/v1/reports/optimisation/requests/{rid}/progress", {"state": "done"}, STAFF | {"engineer"})]
    # period reports, key assurance (issue 16)
    pr = "{report_id}" if tid.startswith("{") else "1"
    ka = "{assurance_id}" if tid.startswith("{") else "1"
    routes += [("/api/v1/reports/operation", {"customerId": "CUST-BANK", "from": "2026-10-01", "to": "2026-10-31"}, STAFF),
               ("/api/v1/reports/quarterly", {"branch": "城东分公司", "year": 2026, "quarter": 3}, STAFF),
               ("/api/v1/reports/key-assurance", {"name": "重保", "start": "2026-11-26T00:00:00+08:00",
                                                  "end": "2026-11-27T00:00:00+08:00", "circuits": ["CIR-EPL-0001"]},
                STAFF | {"province"}),
               (f"/api/v1/reports/key-assurance/{ka}/cancel", {}, STAFF | {"province"})]
    for kind in ("operation", "quarterly"):
        routes += [(f"/api/v1/reports/{kind}/{pr}/versions", {"baseVersion": 1, "texts": {"remarks": "x"}}, STAFF),
                   (f"/api/v1/reports/{kind}/{pr}/redraft", {"baseVersion": 1}, STAFF),
                   (f"/api/v1/reports/{kind}/{pr}/submit", {"baseVersion": 1}, STAFF)]
    pid = "{problem_id}" if tid.startswith("{") else "1"  # service problems (the role check answers first)
    routes += [(f"/api/v1/problems/{pid}/{action}", body, {r.value for r in roles_for(permission)})
               for action, body, permission in (("acknowledge", {}, Permission.PROBLEM_ACKNOWLEDGE),
                                                ("progress", {"text": "抢修中"}, Permission.PROBLEM_PROGRESS),
                                                ("resolve", {"cause": "光缆中断，已熔接"}, Permission.PROBLEM_RESOLVE))]
    routes.append((f"/api/v1/tickets/{tid}/problem", {"unlink": True, "reason": "不同原因"},
                   {r.value for r in roles_for(Permission.PROBLEM_LINK)}))
    # resource checks and circuit orders (issue 15): the role check answers before the record is looked up
    chk, oid = ("{check_id}", "{order_id}") if tid.startswith("{") else ("1", "1")
    did, test = ("{request_id}", "{test_id}") if tid.startswith("{") else ("1", "1")
    step = "{step}" if tid.startswith("{") else "access_construction"
    roles = lambda p: {r.value for r in roles_for(p)}  # noqa: E731
    routes += [
        ("/api/v1/resource-checks", RESOURCE_CHECK, roles(Permission.CHECK_REQUEST)),
        (f"/api/v1/resource-checks/{chk}/distribution", {}, roles(Permission.CHECK_MANAGE)),
        (f"/api/v1/resource-checks/{chk}/answers", {"department": "mobile", "fits": True, "answer": "具备"},
         roles(Permission.CHECK_ANSWER)),
        (f"/api/v1/resource-checks/{chk}/measurement", {}, roles(Permission.CHECK_ANSWER)),
        (f"/api/v1/resource-checks/{chk}/feedback", {}, roles(Permission.CHECK_MANAGE)),
        ("/api/v1/orders", ORDER, roles(Permission.ORDER_INTAKE)),
        (f"/api/v1/orders/{oid}/steps/{step}", {}, roles(Permission.ORDER_STEP_CONSTRUCTION)),
        (f"/api/v1/orders/{oid}/delay-requests", {"cause": "customer", "reason": "客户原因",
                                                  "requestedDueAt": "2026-12-30T00:00:00+08:00"}, roles(Permission.DELAY_REQUEST)),
        (f"/api/v1/orders/{oid}/delay-requests/{did}/submission", {}, roles(Permission.DELAY_SUBMIT)),
        (f"/api/v1/orders/{oid}/delay-requests/{did}/decision", {"approve": True}, roles(Permission.DELAY_DECIDE)),
        (f"/api/v1/orders/{oid}/tests", {"scope": "local"}, roles(Permission.ORDER_TEST)),
        (f"/api/v1/orders/{oid}/tests/{test}/tester-signature", {"signer": "王工"}, roles(Permission.ORDER_TEST)),
        (f"/api/v1/orders/{oid}/tests/{test}/customer-signature", {"signer": "张伟"}, roles(Permission.ORDER_TEST_CUSTOMER_SIGN)),
        (f"/api/v1/orders/{oid}/completion", {}, roles(Permission.ORDER_STEP_OM)),
    ]
    routes += [(f"/api/v1/tickets/{tid}/{ACTION_PATHS[a]}", ACTION_BODIES[a], {r.value for r in ACTIONS[a].roles})
               for a in ACTIONS]
    return routes


@pytest.fixture
def api(loaded):
    app = create_app(loaded)
    with TestClient(app) as client:
        yield client, app


@pytest.fixture
def cutover_id(api) -> str:
    client, _ = api
    r = client.post("/api/v1/cutovers", json={**CUTOVER, "reference": "CUT-AUTH-0"}, headers=_headers("duty_officer"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.fixture
def ticket_id(api) -> str:
    client, _ = api
    r = client.post("/api/v1/tickets", json=TICKET, headers=_headers("duty_officer"))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _send(client, path, body, role):
    if isinstance(body, str):
        return client.post(path, content=body, headers=_headers(role))
    return client.post(path, json=body, headers=_headers(role))


def test_the_table_covers_every_post_route(api, ticket_id, sample_inventory_text):
    client, _ = api
    declared = {(path, m.upper()) for path, ops in client.get("/openapi.json").json()["paths"].items()
                if path.startswith("/api/") for m in ops if m != "get"}
    templates = {p for p, _, _ in post_routes("{ticket_id}", sample_inventory_text)}
    assert declared == {(p, "POST") for p in templates}
    assert {"/api/v1/cutovers", "/api/v1/cutovers/{cutover_id}/approve"} <= templates


def test_the_served_app_has_the_same_routes_as_the_tested_one(api, settings, clock):
    """What ``faultline serve`` builds (faultline.server.build_app) is what these tables check."""
    client, _ = api
    app = build_app(settings, clock, jobs=False)
    try:
        served = {(path, m) for path, ops in app.openapi()["paths"].items() for m in ops}
    finally:
        app.state.services.close()
    tested = {(path, m) for path, ops in client.get("/openapi.json").json()["paths"].items() for m in ops}
    assert served == tested


def test_roles_outside_each_action_get_403_problem(api, ticket_id, cutover_id, sample_inventory_text):
    client, _ = api
    checked = 0
    for path, body, allowed in post_routes(ticket_id, sample_inventory_text, cutover_id):
        for role in sorted(set(r.value for r in Role) - allowed):
            r = _send(client, path, body, role)
            assert r.status_code == 403, (path, role, r.text)
            assert r.headers["content-type"].startswith(PROBLEM) and r.json()["status"] == 403
            assert role in r.json()["detail"]
            checked += 1
        assert "noc" not in allowed, path  # NOC is read-only
    assert checked >= 17 + 12 + 2 + 3
    # nothing happened: the ticket is as filed, no import ran, the cutover is still unapproved and alone
    t = client.get(f"/api/v1/tickets/{ticket_id}", headers=_headers("noc")).json()
    assert t["status"] == "acknowledged" and [n["kind"] for n in t["note"]] == ["created"]
    cuts = client.get("/api/v1/cutovers", headers=_headers("noc")).json()
    assert [(c["reference"], c["approved"]) for c in cuts] == [("CUT-AUTH-0", False)]


@pytest.mark.parametrize("token", [None, "not-a-real-token-000000", "test-token-for-nobody-0123456789"])
def test_every_post_route_is_401_without_a_valid_token(api, ticket_id, cutover_id, sample_inventory_text, token):
    client, _ = api
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for path, body, _ in post_routes(ticket_id, sample_inventory_text, cutover_id):
        kw = {"content": body} if isinstance(body, str) else {"json": body}
        r = client.post(path, headers=headers, **kw)
        assert r.status_code == 401, (path, r.text)
        assert r.headers["www-authenticate"] == "Bearer" and r.headers["content-type"].startswith(PROBLEM)
    r = client.post("/api/v1/tickets", json=TICKET, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401


def test_every_get_route_is_open_to_every_role_and_closed_without_token(api, ticket_id):
    client, _ = api
    params = {"/api/v1/kpis": {"from": "2026-11-01T00:00:00+08:00", "to": "2026-12-01T00:00:00+08:00"}}
    gets = [path for path, ops in client.get("/openapi.json").json()["paths"].items()
            if path.startswith("/api/") and "get" in ops]
    assert len(gets) >= 10
    for template in gets:
        path = (template.replace("{ticket_id}", ticket_id).replace("{circuit_id}", "CIR-EPL-0001")
                .replace("{cutover_id}", "1").replace("{problem_id}", "1"))
        assert client.get(path, params=params.get(template)).status_code == 401, path
        for role in (r.value for r in Role):
            r = client.get(path, params=params.get(template), headers=_headers(role))
            assert r.status_code not in (401, 403), (path, role, r.status_code)


def test_404_and_409_are_problem_documents(api, ticket_id):
    client, _ = api
    r = client.get("/api/v1/tickets/999999", headers=_headers("noc"))
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["instance"] == "/api/v1/tickets/999999"
    r = client.post(f"/api/v1/tickets/{ticket_id}/resolve", json={"cause": "尾纤松动，已插紧"}, headers=_headers("duty_officer"))
    assert r.status_code == 409 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["currentState"] == "acknowledged" and r.json()["allowedActions"] == ["sign"]
    r = client.get("/no/such/route")
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)


# -- /healthz -------------------------------------------------------------------------------------
def test_healthz_is_503_problem_until_start_up_is_done(services):
    app = create_app(services)
    client = TestClient(app)  # not entered: the lifespan (start-up) has not run
    r = client.get("/healthz")
    assert r.status_code == 503 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["health"] == "starting"
    with TestClient(app) as started:
        r = started.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_healthz_is_503_problem_when_the_database_is_down(services):
    app = create_app(services)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        dead = make_engine("postgresql+psycopg://faultline:pw-not-leaked@127.0.0.1:9/none", connect_args={"connect_timeout": 2})
        services.session_factory = sessionmaker(dead)
        try:
            r = client.get("/healthz")
        finally:
            dead.dispose()
    assert r.status_code == 503 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["health"] == "database_unavailable"
    assert "pw-not-leaked" not in r.text and "127.0.0.1:9" not in r.text


# -- unexpected errors ----------------------------------------------------------------------------
def test_an_unexpected_error_is_a_bare_500_problem(services):
    app = create_app(services)

    @app.get("/boom")
    def boom():
        raise RuntimeError("connection to postgresql://admin:s3cr3t-pw@db/prod failed at line 42")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/boom")
    assert r.status_code == 500 and r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == 500 and body["title"] == "Internal server error" and body["instance"] == "/boom"
    for leak in ("s3cr3t-pw", "RuntimeError", "Traceback", "line 42", "postgresql"):
        assert leak not in r.text
