"""Drafting the fault report from a hand-made record, without a database: fault time net of two
approved suspensions (the SLA engine's), the loop points of the journal, every rule-8 party (and
the ones with nobody recorded said so), timeliness margins, preventive actions, Markdown."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.models import (
    Circuit,
    Customer,
    JournalEntry,
    Participant,
    Suspension,
    Ticket,
)
from agent.reports.fault import draft
from agent.reports.record import FaultRecord
from agent.reports.render import to_markdown
from agent.sla.calendar import WorkingDayCalendar
from agent.sla.clocks import compute_clocks
from agent.sla.model import SlaEvent, SlaEventKind, SlaRules

T0 = datetime(2026, 12, 30, 1, 0, tzinfo=UTC)  # Wed 09:00 in Shanghai, before New Year 2027
K = SlaEventKind


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _record(*, journal=(), participants=(), now_minutes=400, resolved=300, earlier=0, cause="光纤劣化，更换尾纤"):
    ticket = Ticket(id=7, external_id="10069-7", kind="interruption", symptom="down", circuit_id="CIR-X",
                    status="resolved", created_at=m(0), reported_at=m(0), signed_at=m(4), dispatched_at=m(6),
                    customer_contacted_at=m(25), resolved_at=m(resolved), resolution_cause=cause, reopen_count=0,
                    description="")
    circuit = Circuit(id="CIR-X", customer_id="C1", service_type="ethernet_private_line", rate_mbps=50.0,
                      lead_office="城西分公司", cooperating_office=None)
    circuit.customer = Customer(id="C1", name="某医院", contact=None)
    susp = [Suspension(requested_at=m(40), requested_by="duty", reason="a", decision="approved", decided_at=m(45),
                       decided_by="prov", resumed_at=m(105)),
            Suspension(requested_at=m(110), requested_by="duty", reason="b", decision="rejected", decided_at=m(112),
                       decided_by="prov"),
            Suspension(requested_at=m(150), requested_by="duty", reason="c", decision="approved", decided_at=m(160),
                       decided_by="prov", resumed_at=m(200))]
    events = [SlaEvent(K.CREATED, m(0)), SlaEvent(K.SIGNED, m(4)), SlaEvent(K.DISPATCHED, m(6)),
              SlaEvent(K.CUSTOMER_CONTACTED, m(25)),
              SlaEvent(K.SUSPENSION_REQUESTED, m(40)), SlaEvent(K.SUSPENSION_APPROVED, m(45)), SlaEvent(K.RESUMED, m(105)),
              SlaEvent(K.SUSPENSION_REQUESTED, m(110)), SlaEvent(K.SUSPENSION_REJECTED, m(112)),
              SlaEvent(K.SUSPENSION_REQUESTED, m(150)), SlaEvent(K.SUSPENSION_APPROVED, m(160)), SlaEvent(K.RESUMED, m(200)),
              SlaEvent(K.RESOLVED, m(resolved))]
    tc = compute_clocks(events, SlaRules(), WorkingDayCalendar(schedules={}), m(now_minutes))
    return FaultRecord(ticket=ticket, circuit=circuit, journal=list(journal), suspensions=susp,
                       participants=list(participants), diagnoses=[], loop_tests=[], localisations=[],
                       clocks=tc, now=m(now_minutes), timezone="Asia/Shanghai", earlier_faults=earlier)


def test_fault_time_is_net_of_the_approved_suspensions_only():
    c = draft(_record())
    ft = c["faultTime"]
    # 300 min wall; approved 45->105 (60) and 160->200 (40); the rejected request paused nothing
    assert ft["wallSeconds"] == 300 * 60
    assert ft["seconds"] == 200 * 60 and ft["suspendedSeconds"] == 100 * 60
    assert [(s["decision"], s["seconds"]) for s in ft["suspensions"]] == [("approved", 3600), ("rejected", None),
                                                                         ("approved", 2400)]


def test_every_party_of_rule_8_is_listed_and_missing_ones_say_so():
    people = [Participant(name="张三", party_role="duty_staff", added_at=m(4)),
              Participant(name="代维A", party_role="contractor", organisation="传输", added_at=m(6))]
    journal = [JournalEntry(at=m(30), author="工程师王", role="engineer", kind="progress", text="x", data={}),
               JournalEntry(at=m(31), author="faultline", role="system", kind="sla_breach", text="y", data={})]
    rows = draft(_record(participants=people, journal=journal))["participants"]
    named = {(p["party"], p["name"]) for p in rows}
    assert ("duty_staff", "张三") in named and ("contractor", "代维A") in named
    assert ("engineer", "工程师王") in named  # acted in the journal: on the report too
    assert all(p["name"] != "faultline" for p in rows)
    missing = {p["party"] for p in rows if p["name"] is None}
    assert missing == {"cooperating_staff", "escalated_leader", "customer"}
    assert "无记录 / none recorded" in to_markdown(draft(_record(participants=people)), {"version": 1})


def test_loop_points_come_from_the_journal_one_per_loop_test():
    point = {"device": "acc-1", "port": "Gi0/1"}
    data = lambda state, **kw: {"loop_test_id": 3, "loop_point": point, "mode": "remote", "segment": 1,  # noqa: E731
                                "state": state, **kw}
    journal = [JournalEntry(at=m(60 + i), author="eng", role="engineer", kind=f"loop_{s}", text=s, data=data(s))
               for i, s in enumerate(["requested", "setting", "set", "measuring", "clearing", "cleared"])]
    journal.append(JournalEntry(at=m(70), author="eng", role="engineer", kind="loop_result", text="信号未返回",
                                data=data("cleared", result={"signal": {"signal": "not_returned"}})))
    loops = draft(_record(journal=journal))["loopPoints"]
    assert len(loops) == 1
    lp = loops[0]
    assert (lp["device"], lp["port"], lp["segment"], lp["signal"], lp["finalState"]) == (
        "acc-1", "Gi0/1", 1, "not_returned", "cleared")
    assert lp["states"] == ["requested", "setting", "set", "measuring", "clearing", "cleared"]


def test_timeliness_margins_of_each_rule():
    rules = {r["clock"]: r for r in draft(_record())["timeliness"]}
    assert (rules["sign"]["state"], rules["sign"]["marginSeconds"]) == ("met", 6 * 60)
    # contact: dispatched +6, due +21, contacted +25: 4 min late
    assert (rules["contact_feedback"]["state"], rules["contact_feedback"]["marginSeconds"]) == ("breached", -4 * 60)
    assert "超时" in rules["contact_feedback"]["text"] and "0h04m00s" in rules["contact_feedback"]["text"]
    # fault time 200 min over the 180 min limit: 20 min over
    assert (rules["resolution"]["state"], rules["resolution"]["marginSeconds"]) == ("breached", -20 * 60)
    assert rules["escalation_l1"]["escalated"] and rules["escalation_l2"]["escalated"]
    # over time: the report is due in 1 working day; resolved Wed 30 Dec 14:00 local -> end of Thu 31 Dec
    assert rules["report"]["dueAt"] == "2026-12-31T16:00:00+00:00"


def test_report_due_over_new_year_2027_from_the_draft():
    # fault time 150 min (< 180): 2 working days from Wed 30 Dec: Thu 31 (1); Fri 1 Jan 2027 is New
    # Year's Day by law though no schedule for 2027 is known; Mon 4 Jan (2) -> end of Mon 4 Jan
    rules = {r["clock"]: r for r in draft(_record(resolved=250))["timeliness"]}
    assert rules["report"]["dueAt"] == "2027-01-04T16:00:00+00:00"


@pytest.mark.parametrize("cause, words", [
    ("光纤劣化，更换尾纤", "劣化"),
    ("用户侧电源掉电", "电源"),
    ("原因已查明并处理完毕", "请值班人员填写"),
])
def test_preventive_actions_follow_the_cause(cause, words):
    assert words in draft(_record(cause=cause))["preventiveActions"]


def test_recurring_faults_on_the_circuit_ask_for_optimisation():
    assert "网络优化" in draft(_record(earlier=2))["preventiveActions"]
