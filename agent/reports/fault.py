"""Drafting the fault report (故障报告) from the record — pure: a ``FaultRecord`` in, the report's
content (a JSON-ready dict, Chinese first) out.

The facts (times, fault time, participants, loop points, evidence, timeliness) come from the record
and are not editable; the officer edits the texts (``EDITABLE``): the cause as reported, the
summary, the preventive actions and remarks. A fact the record lacks is said to be missing, never
left blank: "未记录 / not recorded" is what the reader must see.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agent.reports.record import RECURRENCE_WINDOW, FaultRecord
from agent.sla import ClockKind, ClockState, ClockView

SCHEMA = 1
EDITABLE = ("cause", "summary", "preventiveActions", "remarks")

# Rule 8's parties, in the report's order; a party the record has nobody for is listed as such.
PARTIES: tuple[tuple[str, str, str], ...] = (
    ("duty_staff", "值班人员", "duty staff"),
    ("contractor", "代维人员", "contractors"),
    ("cooperating_staff", "配合人员", "cooperating staff"),
    ("escalated_leader", "上报领导", "escalated leaders"),
    ("customer", "用户方人员", "customer-side people"),
)
# other roles the lifecycle records (they took part too: the province decided, CS confirmed)
OTHER_PARTIES = {
    "province_duty": ("省公司值班人员", "province duty staff"),
    "customer_service": ("客服", "customer service"),
    "noc": ("网管值班人员", "NOC"),
    "engineer": ("维护人员", "maintenance engineer"),
}
PARTY_NAMES = {party: (zh, en) for party, zh, en in PARTIES}
# a journal author who acted on the ticket but is on no participant row, by the journal's role
JOURNAL_ROLE_PARTY = {"duty_officer": "duty_staff", "engineer": "engineer", "province": "province_duty",
                      "noc": "noc", "admin": "duty_staff"}

# The duty rules whose timeliness the report states (DOMAIN.md numbering).
RULES: tuple[tuple[ClockKind, str, str, str], ...] = (
    (ClockKind.SIGN, "1", "故障单签收（10分钟内）", "sign the ticket (within 10 min)"),
    (ClockKind.CONTACT, "3", "派单后15分钟内反馈与用户联系结果", "contact result within 15 min of dispatch"),
    (ClockKind.PROGRESS, "4", "每30分钟追加处理进展", "progress every 30 min"),
    (ClockKind.ESCALATION_L1, "7", "120分钟未结束上报客响中心主任", "escalate to the center director at 120 min"),
    (ClockKind.ESCALATION_L2, "7", "180分钟未结束上报分管运维副总", "escalate to the deputy GM at 180 min"),
    (ClockKind.RESOLUTION, "-", "故障处理时限", "fault handling time limit"),
    (ClockKind.RESTORATION, "9", "客服与用户确认业务恢复", "restoration confirmed"),
    (ClockKind.REPORT, "10", "故障报告按时提交", "fault report on time"),
)

# Preventive actions (the procedure's rule 6: a fault from a controllable cause — a loose port, a
# degraded access fiber — must not recur): suggestions by words of the cause or the verdict.
PREVENTIVE: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("松动", "loose", "connector", "端口", "跳纤", "尾纤", "patch"),
     "端口、跳纤或尾纤松动属可控因素：对同机房同类端口、跳纤和尾纤做一次排查紧固，避免连续出现同样故障。",
     "A loose port or patch cord is controllable: inspect and secure the ports and patch cords of the same room."),
    (("劣化", "degraded", "衰耗", "attenuation", "bend", "弯折", "fiber_degraded", "light_low"),
     "接入光纤劣化属可控因素：测试该段光功率及衰耗，安排整治或更换光纤，纳入光功率预警监测。",
     ("A degraded access fiber is controllable: measure the segment's light and loss, repair or replace "
      "the fiber, and watch its Rx level with an early warning.")),
    (("断纤", "光缆中断", "挖断", "fiber cut", "fiber_cut", "施工", "construction"),
     "光缆中断：核查路由上的外力施工风险，必要时申请保护路由或双路由。",
     "Fiber cut: check the route for third-party works; consider a protected or diverse route."),
    (("电源", "power", "停电", "掉电"),
     "用户侧电源故障：建议客户经理提示用户加装UPS或检查供电。",
     "Customer-side power fault: the customer manager suggests a UPS or a check of the supply."),
    (("拥塞", "congest", "utilisation", "速率上限"),
     "带宽接近上限或出口拥塞：评估扩容或优化（运行分析报告中跟踪）。",
     "Near the rate limit or a congested egress: assess an upgrade or optimisation."),
)

NOT_RECORDED = "未记录 / not recorded"


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def _local(t: datetime | None, tz: ZoneInfo) -> str:
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if t is not None else NOT_RECORDED


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return NOT_RECORDED
    sign = "-" if seconds < 0 else ""
    s = round(abs(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{sign}{h}h{m:02d}m{sec:02d}s"


def draft(record: FaultRecord) -> dict[str, Any]:
    """The report's content from the record (schema ``SCHEMA``)."""
    t, c = record.ticket, record.circuit
    tz = ZoneInfo(record.timezone)
    customer = c.customer if c is not None else None
    suspensions = _suspensions(record)
    fault_seconds = record.clocks.fault_seconds if record.clocks is not None else None
    resolved = t.resolved_at
    wall = (resolved - t.created_at).total_seconds() if resolved is not None else None
    diagnosis = _diagnosis(record)
    loops = _loop_points(record)
    cause = t.resolution_cause or t.close_cause or ""
    return {
        "schema": SCHEMA,
        "titleZh": f"故障报告：电路 {t.circuit_id}",
        "titleEn": f"Fault report: circuit {t.circuit_id}",
        "ticket": {"id": t.id, "externalId": t.external_id, "kind": t.kind, "symptom": t.symptom,
                   "status": t.status, "reopenCount": t.reopen_count, "resolutionSeq": record.resolution_seq,
                   "tier": record.tier,
                   "description": t.description or ""},
        "circuit": ({"id": c.id, "known": True, "serviceType": c.service_type, "rateMbps": c.rate_mbps,
                     "leadOffice": c.lead_office, "cooperatingOffice": c.cooperating_office,
                     "segments": [{"index": s.index, "a": f"{s.a_port.device.name} {s.a_port.name}",
                                   "z": f"{s.z_port.device.name} {s.z_port.name}", "lengthKm": s.length_km}
                                  for s in c.segments]}
                    if c is not None else {"id": t.circuit_id, "known": False}),
        "customer": ({"id": customer.id, "name": customer.name, "contact": customer.contact}
                     if customer is not None else {"id": None, "name": NOT_RECORDED, "contact": None}),
        "times": {k: _iso(v) for k, v in (
            ("arrival", t.created_at), ("reported", t.reported_at), ("signed", t.signed_at),
            ("dispatched", t.dispatched_at), ("customerContacted", t.customer_contacted_at),
            ("restored", resolved), ("restorationConfirmed", t.restoration_confirmed_at),
            ("closed", t.closed_at))},
        "timesLocal": {k: _local(v, tz) for k, v in (
            ("arrival", t.created_at), ("signed", t.signed_at), ("dispatched", t.dispatched_at),
            ("customerContacted", t.customer_contacted_at), ("restored", resolved),
            ("restorationConfirmed", t.restoration_confirmed_at), ("closed", t.closed_at))},
        "timezone": record.timezone,
        "faultTime": {
            "seconds": None if fault_seconds is None else round(fault_seconds, 3),
            "text": _duration(fault_seconds),
            "wallSeconds": None if wall is None else round(wall, 3),
            "suspendedSeconds": round(sum(s["seconds"] or 0 for s in suspensions if s["approved"]), 3),
            "suspensions": suspensions,
            "basis": "故障历时 = 受理至修复，扣除经省公司批准的挂起时段 / arrival to repair, less the approved suspensions",
        },
        "cause": cause,
        "summary": diagnosis.get("summaryZh", "") if diagnosis else "",
        "diagnosis": diagnosis,
        "loopPoints": loops,
        "participants": _participants(record),
        "timeliness": _timeliness(record),
        "preventiveActions": _preventive(cause, diagnosis, record),
        "remarks": "",
        "draftedAt": record.now.isoformat(),
    }


def _suspensions(record: FaultRecord) -> list[dict[str, Any]]:
    """Every suspension request with its decision; the approved ones' held time (approval to resume)."""
    t = record.ticket
    out = []
    for s in record.suspensions:
        approved = s.decision == "approved"
        end = s.resumed_at or (t.resolved_at if approved else None)
        held = (end - s.decided_at).total_seconds() if approved and s.decided_at and end else None
        out.append({"requestedAt": _iso(s.requested_at), "requestedBy": s.requested_by, "reason": s.reason,
                    "decision": s.decision or "pending", "decidedBy": s.decided_by, "approved": approved,
                    "approvedAt": _iso(s.decided_at) if approved else None, "resumedAt": _iso(s.resumed_at),
                    "seconds": None if held is None else round(held, 3), "text": _duration(held) if approved else "-"})
    return out


def _diagnosis(record: FaultRecord) -> dict[str, Any] | None:
    """The last diagnosis (a loop localisation's supersedes triage's) with its evidence."""
    if not record.diagnoses:
        return None
    d = record.diagnoses[-1]
    data = d.data or {}
    zh, _, en = (d.summary or "").partition("\n")
    evidence = []
    for e in data.get("evidence") or []:
        if not isinstance(e, dict):
            continue
        where = " ".join(str(x) for x in (e.get("device"), e.get("port")) if x)
        evidence.append({"name": e.get("name") or e.get("kind") or "?", "value": e.get("value", e.get("signal")),
                         "unit": e.get("unit") or "", "assessment": e.get("assessment") or e.get("state") or "",
                         "where": where or (f"segment {e['segment']}" if e.get("segment") is not None else ""),
                         "segment": e.get("segment"), "method": e.get("method"), "raw": e.get("raw"),
                         "time": e.get("time") or e.get("at")})
    return {"id": d.id, "createdAt": _iso(d.created_at), "playbook": d.playbook, "verdict": d.verdict,
            "summaryZh": data.get("summary_zh") or zh, "summaryEn": data.get("summary_en") or en,
            "confidence": data.get("confidence"),
            "suspectedSegments": [{"index": s.get("index"), "reasonZh": s.get("reason_zh"), "reasonEn": s.get("reason_en")}
                                  for s in data.get("suspected_segments") or [] if isinstance(s, dict)],
            "evidence": evidence, "earlierDiagnoses": len(record.diagnoses) - 1}


def _loop_points(record: FaultRecord) -> list[dict[str, Any]]:
    """Every loop point the journal names (rule: 环测时追加打环点), one per loop test, with its result."""
    by_test: dict[Any, dict[str, Any]] = {}
    for j in record.journal:
        data = j.data or {}
        point = data.get("loop_point")
        if not j.kind.startswith("loop_") or not isinstance(point, dict) or j.kind == "loop_localised":
            continue
        key = data.get("loop_test_id") or (point.get("device"), point.get("port"), j.at)
        entry = by_test.setdefault(key, {"loopTestId": data.get("loop_test_id"), "device": point.get("device"),
                                         "port": point.get("port"), "mode": data.get("mode"),
                                         "segment": data.get("segment"), "requestedBy": j.author,
                                         "requestedAt": _iso(j.at), "states": [], "signal": None, "result": None})
        entry["states"].append(data.get("state") or j.kind.removeprefix("loop_"))
        if j.kind == "loop_result":
            result = data.get("result") or {}
            signal = result.get("signal")
            entry["signal"] = signal.get("signal") if isinstance(signal, dict) else signal
            entry["result"] = j.text
    tests = {lt.id: lt for lt in record.loop_tests}
    out = []
    for entry in by_test.values():
        lt = tests.get(entry["loopTestId"])
        if lt is not None:
            entry["finalState"] = lt.state
            entry["setAt"], entry["clearedAt"] = _iso(lt.set_at), _iso(lt.cleared_at)
            entry["authorisedBy"] = lt.authorised_by
        else:
            entry["finalState"] = entry["states"][-1] if entry["states"] else None
        entry["states"] = list(dict.fromkeys(entry["states"]))
        out.append(entry)
    conclusions = [loc.conclusion for loc in record.localisations if loc.conclusion]
    if conclusions:
        out.append({"conclusionZh": conclusions[-1].get("textZh"), "conclusionEn": conclusions[-1].get("textEn"),
                    "segment": conclusions[-1].get("segment"), "outcome": conclusions[-1].get("outcome")})
    return out


def _participants(record: FaultRecord) -> list[dict[str, Any]]:
    """Rule 8: everyone recorded, by party; each of the five parties present even when nobody was."""
    seen: set[tuple[str, str]] = set()
    people: list[dict[str, Any]] = []

    def add(name: str, party: str, organisation: str | None, contact: str | None, source: str) -> None:
        if (name, party) in seen:
            return
        seen.add((name, party))
        zh, en = PARTY_NAMES.get(party) or OTHER_PARTIES.get(party, (party, party))
        people.append({"name": name, "party": party, "partyZh": zh, "partyEn": en, "organisation": organisation,
                       "contact": contact, "source": source})

    for p in record.participants:
        add(p.name, p.party_role, p.organisation, p.contact, "participant")
    named = {p["name"] for p in people}
    for j in record.journal:
        if j.role != "system" and j.author not in named:
            add(j.author, JOURNAL_ROLE_PARTY.get(j.role, j.role), None, None, "journal")
            named.add(j.author)
    present = {p["party"] for p in people}
    for party, zh, en in PARTIES:
        if party not in present:
            people.append({"name": None, "party": party, "partyZh": zh, "partyEn": en, "organisation": None,
                           "contact": None, "source": "none recorded"})
    order = {p: i for i, (p, _, _) in enumerate(PARTIES)}
    return sorted(people, key=lambda p: (order.get(p["party"], len(order)), p["name"] is None))


def _clock_row(view: ClockView | None, kind: ClockKind, fault_seconds: float | None, limit: timedelta | None) -> dict:
    if view is None:
        return {"state": "not_started", "dueAt": None, "metAt": None, "marginSeconds": None}
    margin = None
    if kind is ClockKind.RESOLUTION and fault_seconds is not None and limit is not None:
        margin = limit.total_seconds() - fault_seconds  # fault time, suspensions excluded
    elif view.due_at is not None and view.met_at is not None:
        margin = (view.due_at - view.met_at).total_seconds()
    elif view.remaining_seconds is not None:
        margin = view.remaining_seconds
    return {"state": view.state.value, "dueAt": _iso(view.due_at), "metAt": _iso(view.met_at),
            "marginSeconds": None if margin is None else round(margin, 3)}


def _timeliness(record: FaultRecord) -> list[dict[str, Any]]:
    """Each duty rule: met / breached and by how much (positive margin: early; negative: late)."""
    tc = record.clocks
    out = []
    for kind, rule, zh, en in RULES:
        view = tc.clock(kind) if tc is not None else None
        row = {"clock": kind.value, "rule": rule, "nameZh": zh, "nameEn": en}
        row.update(_clock_row(view, kind, tc.fault_seconds if tc else None, record.fault_time_limit))
        if kind in (ClockKind.ESCALATION_L1, ClockKind.ESCALATION_L2) and view is not None:
            # escalation is not the officer's deadline: "breached" means the fault reached that level
            row["escalated"] = view.state is ClockState.BREACHED
        if kind is ClockKind.PROGRESS and tc is not None:
            kept = [o for o in tc.outcomes if o.clock is ClockKind.PROGRESS]
            row["onTime"] = sum(o.on_time for o in kept)
            row["missed"] = sum(not o.on_time for o in kept)
            row["state"] = "breached" if row["missed"] else ("met" if kept else row["state"])
        row["text"] = _verdict_text(row)
        out.append(row)
    return out


def _verdict_text(row: dict[str, Any]) -> str:
    if row.get("escalated") is not None:
        return "已上报 / escalated" if row["escalated"] else "未达上报时限 / not reached"
    if row["clock"] == ClockKind.PROGRESS.value and "onTime" in row:
        return f"按时 {row['onTime']} 次，超时 {row['missed']} 次 / {row['onTime']} on time, {row['missed']} missed"
    margin = row.get("marginSeconds")
    state = row["state"]
    if state == "met":
        return "按时 / met" + (f"，提前 {_duration(margin)} / {_duration(margin)} early" if margin is not None else "")
    if state == "breached":
        return "超时 / breached" + (f" {_duration(-margin)}" if margin is not None and margin < 0 else "")
    if state == "running":
        return "进行中 / running" + (f"，剩余 {_duration(margin)}" if margin is not None else "")
    if state == "paused":
        return "挂起中 / paused"
    return "未开始 / not started"


def _preventive(cause: str, diagnosis: dict[str, Any] | None, record: FaultRecord) -> str:
    text = " ".join([cause.lower(), (diagnosis or {}).get("verdict") or ""])
    lines = [f"{zh}\n{en}" for words, zh, en in PREVENTIVE if any(w in text for w in words)]
    if record.earlier_faults:
        days = RECURRENCE_WINDOW.days
        lines.append(f"本电路近{days}天内另有 {record.earlier_faults} 张故障单：提出网络优化需求。\n"
                     f"{record.earlier_faults} other ticket(s) on this circuit in the last {days} days: "
                     f"raise a network optimisation request.")
    if not lines:
        lines.append("请值班人员填写预防措施。\nTo be written by the duty officer.")
    return "\n\n".join(lines)
