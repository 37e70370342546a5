"""Every lifecycle transition through the API, every forbidden one, and the journal each leaves."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from agent.enums import Role
from agent.enums import TicketStatus as S
from agent.models import JournalEntry
from agent.tickets import ACTIONS, allowed_actions


def _go(as_role, tid, action, role="duty_officer", **body):
    paths = {"sign": "sign", "dispatch": "dispatch", "contact": "customer-contact", "progress": "progress",
             "request_suspension": "suspension", "approve_suspension": "suspension/approve",
             "reject_suspension": "suspension/reject", "resume": "resume", "resolve": "resolve",
             "confirm_restoration": "restoration", "close": "close", "reopen": "reopen"}
    return as_role(role).post(f"/api/v1/tickets/{tid}/{paths[action]}", json=body)


BODIES = {
    "sign": {}, "dispatch": {"specialty": "传输", "contractor": "代维A组"},
    "contact": {"customerPerson": "王经理", "result": "用户确认设备供电正常"},
    "progress": {"text": "接入机房测试中"},
    "request_suspension": {"reason": "用户机房装修，需停电", "localFault": True, "customerConsent": True},
    "approve_suspension": {}, "reject_suspension": {}, "resume": {},
    "resolve": {"cause": "接入段尾纤松动，已重新插紧"},
    "confirm_restoration": {"method": "customer_service", "confirmedBy": "客服小张"},
    "close": {"cause": "接入段尾纤松动，已处理"},
    "reopen": {"reason": "用户反映再次中断"},
}
ROLE_FOR = {a: ("province" if a in ("approve_suspension", "reject_suspension") else "duty_officer") for a in ACTIONS}


def act(as_role, tid, action, expect=200, role=None, **override):
    r = _go(as_role, tid, action, role or ROLE_FOR[action], **{**BODIES[action], **override})
    assert r.status_code == expect, r.text
    return r.json()


def test_full_happy_path_with_suspension_and_journal(loaded, as_role, file_ticket, clock):
    t = file_ticket()
    tid = t["id"]
    assert t["status"] == "acknowledged" and t["intakeOutcome"] == "created"
    assert act(as_role, tid, "sign")["status"] == "inProgress"
    d = act(as_role, tid, "dispatch")
    assert d["dispatch"]["specialty"] == "传输" and d["dispatch"]["contractor"] == "代维A组"
    act(as_role, tid, "contact", role="engineer")
    act(as_role, tid, "progress", role="engineer")
    s = act(as_role, tid, "request_suspension")
    assert s["status"] == "inProgress" and s["suspensions"][0]["decision"] is None
    assert act(as_role, tid, "approve_suspension")["status"] == "held"
    assert act(as_role, tid, "resume")["status"] == "inProgress"
    assert act(as_role, tid, "resolve")["status"] == "resolved"
    act(as_role, tid, "confirm_restoration")
    closed = act(as_role, tid, "close")
    assert closed["status"] == "closed" and closed["closeCause"].startswith("接入段")

    full = as_role("noc").get(f"/api/v1/tickets/{tid}").json()
    kinds = [n["kind"] for n in full["note"]]
    assert kinds == ["created", "sign", "dispatch", "contact", "progress", "request_suspension",
                     "approve_suspension", "resume", "resolve", "confirm_restoration", "close"]
    assert [n["author"] for n in full["note"]][1] == "duty_officer-user"
    roles = {(p["name"], p["role"]) for p in full["relatedParty"]}
    assert {("duty_officer-user", "duty_staff"), ("代维A组", "contractor"), ("王经理", "customer"),
            ("province-user", "province_duty"), ("客服小张", "customer_service")} <= roles


@pytest.mark.parametrize("action", [a for a in ACTIONS if a != "sign"])
def test_actions_refused_on_a_fresh_ticket_say_state_and_allowed(loaded, as_role, file_ticket, action):
    tid = file_ticket()["id"]
    r = _go(as_role, tid, action, ROLE_FOR[action], **BODIES[action])
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["currentState"] == "acknowledged"
    assert "acknowledged" in body["detail"]
    if ROLE_FOR[action] == "duty_officer":
        assert body["allowedActions"] == ["sign"]


def test_close_refused_until_restoration_confirmed_rule_9(loaded, as_role, file_ticket):
    tid = file_ticket()["id"]
    for a in ("sign", "dispatch", "resolve"):
        act(as_role, tid, a)
    r = _go(as_role, tid, "close", **BODIES["close"])
    assert r.status_code == 409 and "rule 9" in r.json()["detail"]
    act(as_role, tid, "confirm_restoration", method="noc_alarm_cleared", confirmedBy="网管", customerUnreachable=True)
    assert act(as_role, tid, "close")["status"] == "closed"


def test_return_needs_a_clear_cause_rule_5(loaded, as_role, file_ticket):
    tid = file_ticket(kind="assist_check", symptom="interruption_or_flap")["id"]
    act(as_role, tid, "sign")
    r = _go(as_role, tid, "close", cause="ok")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == "body.cause"
    r = _go(as_role, tid, "close", cause="电路未验收")
    assert r.status_code == 422 and "not an acceptable cause" in r.json()["errors"][0]["msg"]
    assert act(as_role, tid, "close", cause="查询告警无历史告警，申请返单")["status"] == "closed"


def test_interruption_cannot_be_returned_without_repair(loaded, as_role, file_ticket):
    tid = file_ticket(kind="interruption")["id"]
    act(as_role, tid, "sign")
    assert _go(as_role, tid, "close", **BODIES["close"]).status_code == 409


def test_local_fault_suspension_needs_customer_consent_rule_6(loaded, as_role, file_ticket):
    tid = file_ticket()["id"]
    act(as_role, tid, "sign")
    r = _go(as_role, tid, "request_suspension", reason="客户端设备故障待厂家", localFault=True, customerConsent=False)
    assert r.status_code == 409 and "consent" in r.json()["detail"]
    act(as_role, tid, "request_suspension")
    assert _go(as_role, tid, "request_suspension", **BODIES["request_suspension"]).status_code == 409  # already pending
    rejected = act(as_role, tid, "reject_suspension")
    assert rejected["status"] == "inProgress" and rejected["suspensions"][0]["decision"] == "rejected"
    assert _go(as_role, tid, "approve_suspension", "province").status_code == 409  # nothing pending now


def test_only_province_approves_suspension(loaded, as_role, file_ticket):
    tid = file_ticket()["id"]
    act(as_role, tid, "sign")
    act(as_role, tid, "request_suspension")
    for role in ("duty_officer", "engineer", "admin", "noc"):
        assert _go(as_role, tid, "approve_suspension", role).status_code == 403
    assert act(as_role, tid, "approve_suspension")["status"] == "held"


def test_reopen_after_close_and_repeat_fault_reopens(loaded, as_role, file_ticket, clock):
    tid = file_ticket()["id"]
    for a in ("sign", "dispatch", "resolve", "confirm_restoration", "close"):
        act(as_role, tid, a)
    again = file_ticket(external_id="UP-2")  # same circuit, within the reopen window
    assert again["id"] == tid and again["intakeOutcome"] == "reopened" and again["status"] == "reopened"
    assert {e["id"] for e in again["externalIdentifier"]} == {"UP-1", "UP-2"}
    assert again["reopenCount"] == 1 and again["restorationConfirmation"] is None
    act(as_role, tid, "resolve")
    assert _go(as_role, tid, "close", **BODIES["close"]).status_code == 409  # restoration again required
    act(as_role, tid, "confirm_restoration")
    act(as_role, tid, "close")
    clock.advance(hours=80)
    later = file_ticket(external_id="UP-3")
    assert later["id"] != tid and later["intakeOutcome"] == "created"
    assert act(as_role, tid, "reopen")["status"] == "reopened"


def test_unknown_circuit_ticket_is_kept_with_a_clear_entry(loaded, as_role, file_ticket):
    t = file_ticket(circuit="CIR-DOES-NOT-EXIST")
    assert t["relatedEntity"][0]["known"] is False
    notes = as_role("noc").get(f"/api/v1/tickets/{t['id']}").json()["note"]
    assert notes[1]["kind"] == "unknown_circuit" and "CIR-DOES-NOT-EXIST" in notes[1]["text"]


def test_unknown_ticket_is_404_problem(loaded, as_role):
    r = as_role("noc").get("/api/v1/tickets/999999")
    assert r.status_code == 404 and r.json()["title"] == "Not found"


def test_list_filters_and_pagination(loaded, as_role, file_ticket):
    ids = [file_ticket(external_id=f"UP-L{i}", circuit=c)["id"]
           for i, c in enumerate(["CIR-EPL-0001", "CIR-INET-0002", "CIR-INET-0002"])]
    act(as_role, ids[2], "sign")
    page = as_role("noc").get("/api/v1/tickets", params={"circuit": "CIR-INET-0002"}).json()
    assert page["total"] == 2
    assert {t["relatedEntity"][0]["id"] for t in page["items"]} == {"CIR-INET-0002"}
    signed = as_role("noc").get("/api/v1/tickets", params={"status": "inProgress"}).json()
    assert [t["id"] for t in signed["items"]] == [ids[2]]
    first = as_role("noc").get("/api/v1/tickets", params={"limit": 1, "offset": 0}).json()
    second = as_role("noc").get("/api/v1/tickets", params={"limit": 1, "offset": 1}).json()
    assert first["items"][0]["id"] != second["items"][0]["id"]


# -- every state x every action not allowed there ------------------------------------------------
ROUTE_TO = {  # how to bring a fresh interruption ticket into each state (pending: a request awaits the province)
    "acknowledged": [], "inProgress": ["sign"], "pending_suspension": ["sign", "request_suspension"],
    "held": ["sign", "request_suspension", "approve_suspension"],
    "resolved": ["sign", "dispatch", "resolve"], "resolved_confirmed": ["sign", "dispatch", "resolve", "confirm_restoration"],
    "closed": ["sign", "dispatch", "resolve", "confirm_restoration", "close"],
    "reopened": ["sign", "dispatch", "resolve", "confirm_restoration", "close", "reopen"],
}


def _journal_count(services, tid) -> int:
    with services.session_factory() as s:
        return s.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.ticket_id == int(tid)))


def _allowed(services, tid, role: str) -> list[str]:
    with services.session_factory() as s:
        return allowed_actions(services.tickets.get(s, int(tid)), Role(role))


@pytest.mark.parametrize("state", list(ROUTE_TO))
def test_every_action_not_allowed_in_a_state_is_409_with_state_and_allowed(loaded, as_role, file_ticket, state):
    tid = file_ticket()["id"]
    for a in ROUTE_TO[state]:
        act(as_role, tid, a)
    status = as_role("noc").get(f"/api/v1/tickets/{tid}").json()["status"]
    refused = [a for a in ACTIONS if S(status) not in ACTIONS[a].from_states]
    assert refused, state
    entries = _journal_count(loaded, tid)
    for action in refused:
        role = ROLE_FOR[action]
        r = _go(as_role, tid, action, role, **BODIES[action])
        assert r.status_code == 409, (state, action, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        body = r.json()
        assert body["currentState"] == status, (state, action)
        assert body["allowedActions"] == _allowed(loaded, tid, role), (state, action)
        assert f"'{action}' is not allowed while the ticket is {status}" in body["detail"]
    after = as_role("noc").get(f"/api/v1/tickets/{tid}").json()
    assert after["status"] == status and _journal_count(loaded, tid) == entries  # refusals change nothing


def test_reopen_from_resolved(loaded, as_role, file_ticket):
    tid = file_ticket()["id"]
    for a in ROUTE_TO["resolved"]:
        act(as_role, tid, a)
    t = act(as_role, tid, "reopen", role="province")
    assert t["status"] == "reopened" and t["reopenCount"] == 1 and t["resolutionCause"] is None
    journal = as_role("noc").get(f"/api/v1/tickets/{tid}/journal").json()
    assert journal[-1]["kind"] == "reopen" and journal[-1]["data"]["from"] == "resolved"


def test_work_goes_on_while_held_and_province_resumes(loaded, as_role, file_ticket):
    tid = file_ticket()["id"]
    for a in ROUTE_TO["held"]:
        act(as_role, tid, a)
    assert act(as_role, tid, "dispatch")["status"] == "held"
    assert act(as_role, tid, "contact", role="engineer")["status"] == "held"
    assert act(as_role, tid, "progress", role="province", text="省公司跟踪：等待用户机房恢复供电")["status"] == "held"
    resumed = act(as_role, tid, "resume", role="province")
    assert resumed["status"] == "inProgress" and resumed["suspensions"][0]["resumedAt"] is not None
    kinds = [j["kind"] for j in as_role("noc").get(f"/api/v1/tickets/{tid}/journal").json()]
    assert kinds[-4:] == ["dispatch", "contact", "progress", "resume"]


def test_assist_check_returned_from_reopened(loaded, as_role, file_ticket):
    tid = file_ticket(kind="assist_check", symptom="interruption_or_flap")["id"]
    act(as_role, tid, "sign")
    act(as_role, tid, "close", cause="查询告警无历史告警，申请返单")
    assert act(as_role, tid, "reopen")["status"] == "reopened"
    closed = act(as_role, tid, "close", cause="复查仍无历史告警，用户侧设备重启后恢复")
    assert closed["status"] == "closed" and closed["reopenCount"] == 1


# -- bad input is 422 with field errors, not a state conflict ------------------------------------
@pytest.mark.parametrize("action, body, field", [
    ("resolve", {"cause": "  ok "}, "cause"),
    ("resolve", {"cause": "电路未验收，无法处理"}, "cause"),
    ("close", {"cause": "   "}, "cause"),
    ("request_suspension", {"reason": "等", "localFault": False}, "reason"),
    ("dispatch", {"specialty": "传输", "contractor": "   "}, "contractor"),
    ("progress", {"text": "   "}, "text"),
    ("reopen", {"reason": "no"}, "reason"),
])
def test_blank_or_unclear_values_are_422_field_errors(loaded, as_role, file_ticket, action, body, field):
    tid = file_ticket(kind="assist_check", symptom="interruption_or_flap")["id"]
    act(as_role, tid, "sign")
    if action == "reopen":
        act(as_role, tid, "close", cause="查询告警无历史告警，申请返单")
    before = _journal_count(loaded, tid)
    r = _go(as_role, tid, action, ROLE_FOR[action], **body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert [e["loc"] for e in errors] == [f"body.{field}"] and errors[0]["msg"]
    assert "currentState" not in r.json() and _journal_count(loaded, tid) == before


def test_dispatch_with_both_blank_lists_both_fields(loaded, as_role, file_ticket):
    tid = file_ticket()["id"]
    act(as_role, tid, "sign")
    r = _go(as_role, tid, "dispatch", specialty=" ", contractor=" ")
    assert r.status_code == 422 and {e["loc"] for e in r.json()["errors"]} == {"body.specialty", "body.contractor"}


# -- rule 9: the NOC's alarm-cleared confirmation only at night or when the customer is unreachable --
SHANGHAI_NOON = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai (tickets arrive at 17:00 the day before)
SHANGHAI_2330 = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)  # 23:30
SHANGHAI_0745 = datetime(2026, 11, 25, 23, 45, tzinfo=UTC)  # 07:45 the next morning
SHANGHAI_0800 = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 08:00: day again


def _resolved(as_role, file_ticket):
    tid = file_ticket()["id"]
    for a in ROUTE_TO["resolved"]:
        act(as_role, tid, a)
    return tid


NOC_CHECK = {"method": "noc_alarm_cleared", "confirmedBy": "网管值班"}


@pytest.mark.parametrize("at", [SHANGHAI_NOON, SHANGHAI_0800])
def test_noc_confirmation_by_day_is_refused(loaded, as_role, file_ticket, clock, at):
    tid = _resolved(as_role, file_ticket)
    clock.set(at)
    r = _go(as_role, tid, "confirm_restoration", **NOC_CHECK)
    assert r.status_code == 422, r.text
    err = r.json()["errors"][0]
    assert err["loc"] == "body.method" and "night" in err["msg"] and "customerUnreachable" in err["msg"]
    assert as_role("noc").get(f"/api/v1/tickets/{tid}").json()["restorationConfirmation"] is None


@pytest.mark.parametrize("at, unreachable, basis", [
    (SHANGHAI_2330, False, "night"), (SHANGHAI_0745, False, "night"), (SHANGHAI_NOON, True, "customer_unreachable")])
def test_noc_confirmation_at_night_or_customer_unreachable(loaded, as_role, file_ticket, clock, at, unreachable, basis):
    tid = _resolved(as_role, file_ticket)
    clock.set(at)
    t = act(as_role, tid, "confirm_restoration", customerUnreachable=unreachable, **NOC_CHECK)
    assert t["restorationConfirmation"]["method"] == "noc_alarm_cleared"
    entry = as_role("noc").get(f"/api/v1/tickets/{tid}/journal").json()[-1]
    assert entry["kind"] == "confirm_restoration" and entry["data"]["basis"] == basis
    assert entry["data"]["customer_unreachable"] is unreachable
    assert act(as_role, tid, "close")["status"] == "closed"


def test_customer_service_confirmation_records_its_basis(loaded, as_role, file_ticket):
    tid = _resolved(as_role, file_ticket)
    act(as_role, tid, "confirm_restoration")
    entry = as_role("noc").get(f"/api/v1/tickets/{tid}/journal").json()[-1]
    assert entry["data"]["basis"] == "customer_service" and entry["data"]["method"] == "customer_service"


# -- rule 8: everyone involved is recorded ---------------------------------------------------------
def test_reporter_and_cooperating_staff_are_participants(loaded, as_role, file_ticket):
    tid = file_ticket()["id"]
    act(as_role, tid, "sign")
    act(as_role, tid, "progress", role="engineer", text="被调局配合测试", participants=[
        {"name": "李工", "organisation": "被调局传输"}, {"name": "赵主任", "role": "escalated_leader"}])
    act(as_role, tid, "progress", role="engineer", text="再次配合", participants=[{"name": "李工", "organisation": "被调局传输"}])
    body = as_role("noc").get(f"/api/v1/tickets/{tid}").json()
    parties = [(p["name"], p["role"], p["organisation"]) for p in body["relatedParty"]]
    assert ("王经理 13800000001", "reporter", None) in parties
    assert ("李工", "cooperating_staff", "被调局传输") in parties and ("赵主任", "escalated_leader", None) in parties
    assert parties.count(("李工", "cooperating_staff", "被调局传输")) == 1  # once per (name, role)
    progress = [j for j in body["note"] if j["kind"] == "progress"]
    assert progress[0]["data"]["participants"][0]["name"] == "李工"


def test_list_filter_by_kind(loaded, as_role, file_ticket):
    a = file_ticket(external_id="UP-K1", kind="assist_check", symptom="latency_or_errors")["id"]
    b = file_ticket(external_id="UP-K2", circuit="CIR-INET-0002", kind="interruption")["id"]
    assist = as_role("noc").get("/api/v1/tickets", params={"kind": "assist_check"}).json()
    interruption = as_role("noc").get("/api/v1/tickets", params={"kind": "interruption"}).json()
    assert [t["id"] for t in assist["items"]] == [a] and assist["total"] == 1
    assert [t["id"] for t in interruption["items"]] == [b]
    assert as_role("noc").get("/api/v1/tickets", params={"kind": "other"}).status_code == 422


STATUS_OF = {"acknowledged": S.ACKNOWLEDGED, "inProgress": S.IN_PROGRESS, "pending_suspension": S.IN_PROGRESS,
             "held": S.HELD, "resolved": S.RESOLVED, "resolved_confirmed": S.RESOLVED, "closed": S.CLOSED,
             "reopened": S.REOPENED}


@pytest.mark.parametrize("state", list(ROUTE_TO))
def test_allowed_actions_tell_the_truth(loaded, as_role, file_ticket, state):
    """Of the actions the state admits, those in allowedActions work and the others (refused by their own
    rule: contact before dispatch, close before restoration is confirmed, no pending request...) are
    409s that are not listed."""
    actions = [a for a in ACTIONS if STATUS_OF[state] in ACTIONS[a].from_states]
    for n, action in enumerate(actions):
        # a circuit of its own per ticket: a repeat fault on one circuit would reopen instead
        tid = file_ticket(external_id=f"UP-{state}-{n}", circuit=f"CIR-T-{state}-{n}")["id"]
        for a in ROUTE_TO[state]:
            act(as_role, tid, a)
        allowed = _allowed(loaded, tid, ROLE_FOR[action])
        r = _go(as_role, tid, action, ROLE_FOR[action], **BODIES[action])
        assert (r.status_code == 200) == (action in allowed), (state, action, allowed, r.text)
        if action not in allowed:
            assert r.status_code == 409 and r.json()["allowedActions"] == allowed
