"""The operation report (运行分析报告), the quarterly report (季报) and the assessment rates (考核) through
the API on a real database, over a hand-computed March 2026: two faults on CIR-EPL-0001 (one with an
approved suspension, one over the fault-time limit), one report submitted in time and one never."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.reports.conftest import T0

CIRCUIT, CUSTOMER, BRANCH = "CIR-EPL-0001", "CUST-BANK", "城东分公司"
MARCH_SECONDS = 31 * 86400
A_OUTAGE, B_OUTAGE = 70 * 60, 200 * 60  # ticket A: 100 min less a 30 min approved suspension; B: 200 min


def _ticket(duty, prov, clock, ext: str, at: datetime, steps) -> int:
    clock.set(at)
    r = duty.post("/api/v1/tickets", json={"externalId": ext, "ticketType": "interruption", "symptom": "down",
                                           "circuitId": CIRCUIT, "reportedDate": at.isoformat(), "observedImpact": "down"})
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    for minutes, path, who, body in steps:
        clock.set(at + timedelta(minutes=minutes))
        resp = (prov if who == "prov" else duty).post(f"/api/v1/tickets/{tid}/{path}", json=body)
        assert resp.status_code == 200, (path, resp.text)
    return int(tid)  # the API spells ids as strings (TMF621); the report's content keeps the number


@pytest.fixture
def march(api, clock):
    duty, prov = api("duty_officer"), api("province")
    cause = "接入机房ODF尾纤松动，重新插紧后恢复"
    a = _ticket(duty, prov, clock, "10069-OP-A", T0, [
        (2, "sign", "duty", {}), (3, "dispatch", "duty", {"specialty": "传输", "contractor": "代维张工"}),
        (10, "customer-contact", "duty", {"customerPerson": "王经理", "result": "用户侧正常"}),
        (20, "suspension", "duty", {"reason": "等待用户开放机房", "localFault": True, "customerConsent": True}),
        (30, "suspension/approve", "prov", {}), (60, "resume", "prov", {}),
        (80, "progress", "duty", {"text": "更换跳纤"}),
        (100, "resolve", "duty", {"cause": cause}),
        (105, "restoration", "duty", {"method": "customer_service", "confirmedBy": "客服刘"}),
        (106, "close", "duty", {"cause": cause})])
    clock.set(T0 + timedelta(hours=3))
    report = duty.get(f"/api/v1/tickets/{a}/fault-report").json()  # drafted at resolution
    assert duty.post(f"/api/v1/tickets/{a}/fault-report/submit",
                     json={"baseVersion": report["meta"]["latestVersion"]}).status_code == 200
    b_at = T0 + timedelta(days=4)  # Friday 6 March: past the 72 h repeat-fault window of A
    steps = [(2, "sign", "duty", {}), (3, "dispatch", "duty", {"specialty": "传输", "contractor": "代维张工"})]
    steps += [(m, "progress", "duty", {"text": f"排查 {m}"}) for m in range(25, 200, 25)]
    steps += [(200, "resolve", "duty", {"cause": "汇聚机房光缆被挖断，熔接后恢复"})]
    b = _ticket(duty, prov, clock, "10069-OP-B", b_at, steps)
    return a, b


def test_operation_report_of_a_month(api, clock, march):
    a, b = march
    duty = api("duty_officer")
    body = {"customerId": CUSTOMER, "from": "2026-03-01", "to": "2026-03-31"}
    clock.set(datetime(2026, 3, 20, 2, 0, tzinfo=UTC))
    early = duty.post("/api/v1/reports/operation", json=body)
    assert early.status_code == 409 and "drafted once it is over" in early.json()["detail"]
    clock.set(datetime(2026, 4, 2, 2, 0, tzinfo=UTC))  # Thursday 2 April, 10:00 local
    assert api("noc").post("/api/v1/reports/operation", json=body).status_code == 403
    r = duty.post("/api/v1/reports/operation", json=body)
    assert r.status_code == 201, r.text
    meta, c = r.json()["meta"], r.json()["content"]
    # due: 5 working days after Tue 31 March: 1, 2, 3 April, (Qingming 4-6), 7, 8 April; end of the 8th
    assert meta["dueAt"] == "2026-04-08T16:00:00+00:00" and meta["state"] == "draft" and meta["version"] == 1
    assert c["period"]["from"] == "2026-02-28T16:00:00+00:00" and c["period"]["seconds"] == MARCH_SECONDS
    circuit = next(x for x in c["circuits"] if x["id"] == CIRCUIT)
    assert circuit["faults"] == 2 and circuit["outageSeconds"] == A_OUTAGE + B_OUTAGE
    assert circuit["availability"] == pytest.approx(1 - (A_OUTAGE + B_OUTAGE) / MARCH_SECONDS)
    assert [f["ticketId"] for f in c["faults"]] == [a, b]
    assert c["faults"][0]["faultSeconds"] == A_OUTAGE and c["faults"][1]["faultSeconds"] == B_OUTAGE
    assert c["faultTime"] == {"count": 2, "seconds": A_OUTAGE + B_OUTAGE, "text": "4h30m00s"}
    assert c["causes"] == [{"verdict": "undiagnosed", "count": 2, "faultSeconds": A_OUTAGE + B_OUTAGE,
                            "tickets": [a, b]}]
    sla = c["sla"]
    assert (sla["faultHandlingTimeliness"]["onTime"], sla["faultHandlingTimeliness"]["late"]) == (1, 1)
    assert (sla["reportTimeliness"]["onTime"], sla["reportTimeliness"]["late"]) == (1, 1)
    assert c["optical"] and all(o["rx"]["n"] == 0 for o in c["optical"])  # no poll ran: said, not invented
    assert duty.post("/api/v1/reports/operation", json=body).json()["meta"]["reportId"] == meta["reportId"]

    rid = meta["reportId"]
    base = f"/api/v1/reports/operation/{rid}"
    wrong = duty.post(base + "/versions", json={"baseVersion": 1, "texts": {"circuits": "x"}})
    assert wrong.status_code == 422  # measured sections are not editable
    e = duty.post(base + "/versions", json={"baseVersion": 1, "texts": {"summary": "本月两次中断，均已修复。"}})
    assert e.status_code == 201 and e.json()["content"]["texts"]["summary"] == "本月两次中断，均已修复。"
    assert duty.post(base + "/versions", json={"baseVersion": 1, "texts": {"remarks": "x"}}).status_code == 409
    red = duty.post(base + "/redraft", json={"baseVersion": 2})
    assert red.status_code == 200 and red.json()["content"]["texts"]["summary"] == "本月两次中断，均已修复。"
    assert [v["origin"] for v in duty.get(base + "/versions").json()["reports"]] == ["drafted", "edited", "redrafted"]
    md = duty.get(base + ".md")
    assert md.status_code == 200 and md.text.startswith("# 运行分析报告：某银行分行")
    for s in ("99.395%", "4h30m00s", "本月两次中断", "故障处理及时率", "undiagnosed"):
        assert s in md.text, s
    sub = duty.post(base + "/submit", json={"baseVersion": 3})
    assert sub.status_code == 200 and sub.json()["meta"]["submittedLate"] is False
    assert duty.post(base + "/versions", json={"baseVersion": 3, "texts": {"remarks": "x"}}).status_code == 409
    listed = duty.get("/api/v1/reports/operation", params={"scope": CUSTOMER}).json()["reports"]
    assert [x["reportId"] for x in listed] == [rid]
    assert duty.get("/api/v1/reports/quarterly/" + str(rid)).status_code == 404  # another kind


def test_operation_report_pdf(api, clock, march):
    pdfium = pytest.importorskip("pypdfium2")
    duty = api("duty_officer")
    clock.set(datetime(2026, 4, 2, 2, 0, tzinfo=UTC))
    rid = duty.post("/api/v1/reports/operation", json={"customerId": CUSTOMER, "from": "2026-03-01",
                                                        "to": "2026-03-31"}).json()["meta"]["reportId"]
    pdf = duty.get(f"/api/v1/reports/operation/{rid}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    first = pdfium.PdfDocument(pdf.content)[0].get_textpage().get_text_range()
    assert "运行分析报告" in first and "某银行分行" in first and CIRCUIT in first


def test_quarterly_report_and_every_assessment_rate(api, clock, march):
    a, b = march
    duty = api("duty_officer")
    clock.set(datetime(2026, 4, 2, 2, 0, tzinfo=UTC))
    duty.post("/api/v1/reports/operation", json={"customerId": CUSTOMER, "from": "2026-03-01", "to": "2026-03-31"})
    op = duty.get("/api/v1/reports/operation").json()["reports"][0]
    assert duty.post(f"/api/v1/reports/operation/{op['reportId']}/submit", json={"baseVersion": 1}).status_code == 200

    assert duty.post("/api/v1/reports/quarterly", json={"branch": "无此分公司", "year": 2026, "quarter": 1}).status_code == 404
    r = duty.post("/api/v1/reports/quarterly", json={"branch": BRANCH, "year": 2026, "quarter": 1})
    assert r.status_code == 201, r.text
    meta, c = r.json()["meta"], r.json()["content"]
    assert meta["dueAt"] == "2026-04-15T16:00:00+00:00"  # 10 working days after 31 March (Qingming off)
    s = c["sections"]
    assert list(c["texts"]) == ["responseSystem", "customers", "networkServices", "marketSupport", "mainWork",
                                "typicalCases", "problems", "nextPlan"]
    assert {x["id"] for x in s["customers"]["customers"]} == {"CUST-BANK", "CUST-LOGI"}
    bank = next(x for x in s["customers"]["customers"] if x["id"] == CUSTOMER)
    assert bank["faults"] == 2 and bank["outageSeconds"] == A_OUTAGE + B_OUTAGE
    assert s["mainWork"]["ticketsReceived"] == 2 and s["mainWork"]["ticketsResolved"] == 2
    # March's operation report was submitted on 2 April: it is work of the second quarter
    assert s["mainWork"]["faultReportsSubmitted"] == 1 and s["mainWork"]["operationReportsSubmitted"] == 0
    assert [x["ticketId"] for x in s["typicalCases"]["candidates"]] == [b, a]  # the longest fault first
    assert "duty_officer-1" in s["responseSystem"]["dutyStaff"] and "代维张工" in s["responseSystem"]["contractors"]
    rid = meta["reportId"]
    base = f"/api/v1/reports/quarterly/{rid}"
    assert duty.post(base + "/versions", json={"baseVersion": 1, "texts": {"nextPlan": "二季度：ODF 全面整治",
                                                                           "marketSupport": "配合某银行新增两条专线"}}).status_code == 201
    md = duty.get(base + ".md").text
    assert md.startswith("# 客户响应季报：城东分公司 2026 年第 1 季度")
    for heading in ("一、客户响应体系的基本信息", "四、市场网络支撑项目情况", "八、下季度工作计划", "ODF 全面整治", "配合某银行"):
        assert heading in md, heading
    clock.set(datetime(2026, 4, 20, 2, 0, tzinfo=UTC))  # after the 15th: late
    sub = duty.post(base + "/submit", json={"baseVersion": 2})
    assert sub.status_code == 200 and sub.json()["meta"]["submittedLate"] is True

    params = {"from": "2026-03-01T00:00:00+08:00", "to": "2026-05-01T00:00:00+08:00"}
    rates = duty.get("/api/v1/reports/assessment", params=params)
    assert rates.status_code == 200, rates.text
    got = rates.json()
    assert got["from"] == "2026-02-28T16:00:00+00:00" and got["branches"] == [BRANCH]
    r = got["rates"]
    assert list(r) == ["resourceCheckTimeliness", "activationTimeliness", "faultHandlingTimeliness",
                       "reportsTimeliness", "activationCycleTime", "quarterlyReportTimeliness",
                       "responseWorkCompletion"]
    fh = r["faultHandlingTimeliness"]
    assert (fh["onTime"], fh["late"], fh["value"]) == (1, 1, 0.5)
    assert [(x["ref"], x["onTime"]) for x in fh["cases"]] == [(f"ticket:{a}", True), (f"ticket:{b}", False)]
    rep = r["reportsTimeliness"]
    # fault reports: A in time, B (over time: due end of Mon 9 March) never; operation in time; quarterly late
    assert {k: (p["onTime"], p["late"]) for k, p in rep["parts"].items()} == {
        "faultReport": (1, 1), "operationReport": (1, 0), "quarterlyReport": (0, 1)}
    assert rep["value"] == 0.5 and rep["total"] == 4
    late_b = next(x for x in rep["parts"]["faultReport"]["cases"] if not x["onTime"])
    assert late_b["ref"] == f"ticket:{b}" and late_b["decidedAt"] == "2026-03-09T16:00:00+00:00"
    assert r["quarterlyReportTimeliness"]["value"] == 0.0
    assert r["responseWorkCompletion"]["value"] is None and r["responseWorkCompletion"]["total"] == 0
    for key in ("resourceCheckTimeliness", "activationTimeliness", "activationCycleTime"):
        # from the circuit orders and resource checks (none in this period's data)
        assert r[key]["available"] is True and r[key]["total"] == 0 and r[key]["value"] is None
    other = duty.get("/api/v1/reports/assessment", params={**params, "branch": "城西分公司"}).json()["rates"]
    assert other["faultHandlingTimeliness"]["total"] == 0 and other["faultHandlingTimeliness"]["value"] is None
    assert duty.get("/api/v1/reports/assessment", params={"from": "2026-03-01T00:00:00",
                                                          "to": "2026-05-01T00:00:00+08:00"}).status_code == 422


def test_operation_report_light_levels_and_early_warnings(api, clock, services):
    """Rx of one port read daily through March, falling 0.1 dB a day, and its stored early warning."""
    from agent.db import unit_of_work
    from agent.models import OpticalSample, PortTrend

    port = ("cpe-bank", "GigabitEthernet0/0/1")
    march1 = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
    with unit_of_work(services.session_factory) as s:
        s.add_all(OpticalSample(device_name=port[0], port_name=port[1], at=march1 + timedelta(days=d),
                                rx_dbm=-10.0 - 0.1 * d, oper="up") for d in range(30))
        s.add(OpticalSample(device_name=port[0], port_name=port[1], at=datetime(2026, 4, 1, 4, tzinfo=UTC),
                            rx_dbm=-30.0, oper="up"))  # April: not in March's report
        s.add(PortTrend(device_name=port[0], port_name=port[1], metric="rx_dbm", slope_per_day=-0.1, level=-12.9,
                        points=30, since=march1, until=march1 + timedelta(days=29), restarted_at=None, crossings=[],
                        first_crossing=datetime(2026, 4, 20, tzinfo=UTC), flagged=True,
                        computed_at=datetime(2026, 3, 31, tzinfo=UTC)))
    clock.set(datetime(2026, 4, 2, 2, 0, tzinfo=UTC))
    body = api("duty_officer").post("/api/v1/reports/operation", json={
        "customerId": CUSTOMER, "from": "2026-03-01", "to": "2026-03-31"}).json()
    c = body["content"]
    row = next(o for o in c["optical"] if (o["device"], o["port"]) == port)
    rx = row["rx"]
    assert rx["n"] == 30 and rx["max"] == pytest.approx(-10.0) and rx["min"] == pytest.approx(-12.9)
    assert rx["avg"] == pytest.approx(-11.45) and rx["slopePerDay"] == pytest.approx(-0.1)
    assert row["flagged"] and row["trends"][0]["firstCrossing"] == "2026-04-20T00:00:00+00:00"
    assert [(o["device"], o["port"]) for o in c["earlyWarnings"]] == [port]
    others = [o for o in c["optical"] if (o["device"], o["port"]) != port]
    assert others and all(o["rx"]["n"] == 0 and not o["flagged"] for o in others)
    md = api("duty_officer").get(f"/api/v1/reports/operation/{body['meta']['reportId']}.md").text
    assert "预警 / WARNING (2026-04-20)" in md and "-12.90 / -11.45 / -10.00" in md
