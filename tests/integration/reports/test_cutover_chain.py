"""The cutover approval chain (割接审批) on the API, each branch of the source's flow: no enterprise
customer affected (normal cutover), plan rejected, international refused (move the window),
international approved then customer refused, the full path to approval; every decision journalled;
only an approved window reaches triage (``approved_windows``)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from agent import cutovers
from tests.integration.reports.conftest import SPARE_PORT, T0

START, END = T0 + timedelta(days=2), T0 + timedelta(days=2, hours=4)


def _apply(api, reference: str, **over) -> dict:
    body = {"reference": reference, "branch": "城东分公司", "description": "汇聚机房板卡更换",
            "start": START.isoformat(), "end": END.isoformat(),
            "elements": [{"device": "agg-1", "port": "xgei-0/1/0/2"}], **over}
    r = api("duty_officer").post("/api/v1/cutovers/applications", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["nextStep"] == "assess_impact" and r.json()["cutover"]["state"] == "applied"
    return r.json()


def _step(api, role: str, cid: int, path: str, expect: int = 200, **body) -> dict:
    r = api(role).post(f"/api/v1/cutovers/{cid}/{path}", json=body)
    assert r.status_code == expect, r.text
    return r.json()


def _windows(services, circuit: str):
    with services.session_factory() as s:
        return cutovers.approved_windows(s, circuit, START - timedelta(hours=1), END)


def test_no_enterprise_customer_affected_is_a_normal_cutover(api, services):
    cid = _apply(api, "CO-NORMAL", elements=[{"device": "pex-1", "port": SPARE_PORT}])["cutover"]["id"]
    assert api("duty_officer").post(f"/api/v1/cutovers/{cid}/impact-assessment").status_code == 403
    out = _step(api, "province", cid, "impact-assessment")
    assert out["cutover"]["state"] == "approved" and out["cutover"]["affectsCustomers"] is False
    assert out["cutover"]["circuits"] == [] and out["nextStep"] is None
    assert [(d["step"], d["outcome"]) for d in out["decisions"]] == [("apply", "applied"), ("assess_impact", "not_affected")]


def test_affected_circuits_come_from_the_inventory(api, services):
    cid = _apply(api, "CO-AFFECTED")["cutover"]["id"]
    out = _step(api, "province", cid, "impact-assessment")
    # agg-1 xgei-0/1/0/2 carries both example circuits (segment 3 of each)
    assert out["cutover"]["circuits"] == ["CIR-EPL-0001", "CIR-INET-0002"]
    assert out["cutover"]["state"] == "plan_review" and out["nextStep"] == "review_plan"
    assert out["decisions"][-1]["data"]["customers"] == ["CUST-BANK", "CUST-LOGI"]
    # not yet approved: nothing is excused
    assert _windows(services, "CIR-EPL-0001") == ()
    # out of order: consent before the plan review
    r = api("duty_officer").post(f"/api/v1/cutovers/{cid}/customer-consent", json={
        "consented": True, "customerManager": "客户经理周", "customerPerson": "王经理"})
    assert r.status_code == 409 and r.json()["allowedActions"] == ["review_plan"]


def test_plan_rejected_ends_the_chain(api):
    cid = _apply(api, "CO-PLAN")["cutover"]["id"]
    _step(api, "province", cid, "impact-assessment")
    out = _step(api, "province", cid, "plan-review", approved=False, international=False, note="未列出客户通知时间")
    assert out["cutover"]["state"] == "plan_rejected" and out["nextStep"] is None
    assert api("province").post(f"/api/v1/cutovers/{cid}/approve").status_code == 409  # refused stays refused


def test_international_refusal_tells_the_branch_to_move_the_window(api, services):
    cid = _apply(api, "CO-INTL-NO")["cutover"]["id"]
    _step(api, "province", cid, "impact-assessment")
    out = _step(api, "province", cid, "plan-review", approved=True, international=True)
    assert out["cutover"]["state"] == "international_review" and out["cutover"]["international"] is True
    out = _step(api, "province", cid, "international-decision", approved=False, approver="集团国际客服部赵",
                note="与境外运营商维护窗口冲突")
    assert out["cutover"]["state"] == "window_refused" and out["nextStep"] is None
    assert "调整时间" in out["decisions"][-1]["text"]
    assert _windows(services, "CIR-EPL-0001") == ()


def test_customer_refusal_stops_the_cutover(api, services):
    cid = _apply(api, "CO-CUST-NO")["cutover"]["id"]
    _step(api, "province", cid, "impact-assessment")
    _step(api, "province", cid, "plan-review", approved=True, international=True)
    _step(api, "province", cid, "international-decision", approved=True, approver="集团国际客服部赵")
    out = _step(api, "duty_officer", cid, "customer-consent", consented=False, customerManager="客户经理周",
                customerPerson="王经理", note="月末结算，不同意中断")
    assert out["cutover"]["state"] == "customer_refused" and out["cutover"]["approved"] is False
    assert _windows(services, "CIR-EPL-0001") == ()
    again = api("duty_officer").post(f"/api/v1/cutovers/{cid}/customer-consent", json={
        "consented": True, "customerManager": "客户经理周", "customerPerson": "王经理"})
    assert again.status_code == 409  # the branch applies again instead


@pytest.mark.parametrize("international", [False, True])
def test_full_chain_to_approval_and_triage_sees_the_window(api, services, international):
    ref = f"CO-OK-{int(international)}"
    cid = _apply(api, ref)["cutover"]["id"]
    _step(api, "province", cid, "impact-assessment")
    out = _step(api, "province", cid, "plan-review", approved=True, international=international)
    if international:
        # the international decision is not skipped
        r = api("duty_officer").post(f"/api/v1/cutovers/{cid}/customer-consent", json={
            "consented": True, "customerManager": "客户经理周", "customerPerson": "王经理"})
        assert r.status_code == 409
        out = _step(api, "province", cid, "international-decision", approved=True, approver="集团国际客服部赵")
    assert out["nextStep"] == "customer_consent"
    out = _step(api, "duty_officer", cid, "customer-consent", consented=True, customerManager="客户经理周",
                customerPerson="王经理")
    assert out["cutover"]["state"] == "approved" and out["cutover"]["approved"] is True
    steps = [d["step"] for d in out["decisions"]]
    assert steps == ["apply", "assess_impact", "review_plan", *(["international_decision"] if international else []),
                     "customer_consent"]
    assert all(d["actor"] and d["text"] for d in out["decisions"])
    assert [w.reference for w in _windows(services, "CIR-EPL-0001")] == [ref]
    assert [w.reference for w in _windows(services, "CIR-INET-0002")] == [ref]
    # the chain as read back, and the legacy listing still lists it approved
    assert api("noc").get(f"/api/v1/cutovers/{cid}/chain").json()["decisions"] == out["decisions"]
    listed = {c["reference"]: c for c in api("noc").get("/api/v1/cutovers").json()}
    assert listed[ref]["approved"] is True


def test_unknown_elements_are_refused(api):
    r = api("duty_officer").post("/api/v1/cutovers/applications", json={
        "reference": "CO-BAD", "branch": "城东分公司", "start": START.isoformat(), "end": END.isoformat(),
        "elements": [{"device": "agg-1", "port": "xgei-9/9/9/9"}, {"device": "nope-1"}]})
    assert r.status_code == 422
    assert {e["loc"] for e in r.json()["errors"]} == {"body.elements.0", "body.elements.1"}


def test_legacy_registration_and_approval_still_work(api, services):
    r = api("duty_officer").post("/api/v1/cutovers", json={
        "reference": "CO-LEGACY", "circuits": ["CIR-EPL-0001"], "start": START.isoformat(), "end": END.isoformat()})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert _step(api, "province", cid, "approve")["approved"] is True
    chain = api("noc").get(f"/api/v1/cutovers/{cid}/chain").json()
    assert chain["cutover"]["state"] == "approved"
    assert [(d["step"], d["outcome"]) for d in chain["decisions"]] == [("apply", "applied"), ("approve", "approved")]
