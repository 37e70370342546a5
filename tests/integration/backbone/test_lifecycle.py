"""Every lifecycle transition through the API, every forbidden one, and the journal each leaves."""
from __future__ import annotations

import pytest

from agent.tickets import ACTIONS


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
    act(as_role, tid, "confirm_restoration", method="noc_alarm_cleared", confirmedBy="网管夜班")
    assert act(as_role, tid, "close")["status"] == "closed"


def test_return_needs_a_clear_cause_rule_5(loaded, as_role, file_ticket):
    tid = file_ticket(kind="assist_check", symptom="interruption_or_flap")["id"]
    act(as_role, tid, "sign")
    assert _go(as_role, tid, "close", cause="ok").status_code == 409
    r = _go(as_role, tid, "close", cause="电路未验收")
    assert r.status_code == 409 and "not an acceptable cause" in r.json()["detail"]
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
