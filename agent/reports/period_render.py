"""The operation report and the quarterly report as one outline each (title, sections of rows, tables
and texts), rendered by the fault report's Markdown and PDF writers (agent/reports/render.py), Chinese
first."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from agent.reports.period import OPERATION, OPERATION_TEXTS, QUARTERLY_SECTIONS, dur, pct
from agent.reports.render import Block, Rows, Table, Text, markdown_of, pdf_of

NONE = "无 / none"
OPERATION_TEXT_LABELS = {"summary": "总体情况 / Summary", "analysis": "分析 / Analysis",
                         "suggestions": "建议 / Suggestions", "remarks": "备注 / Remarks"}
KPI_ORDER = ("faultHandlingTimeliness", "signTimeliness", "contactFeedbackTimeliness", "progressCompliance",
             "reportTimeliness")


def _local(iso: str | None, tz: str) -> str:
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def _db(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def _text(texts: dict[str, str], key: str) -> Text:
    return Text(texts.get(key) or "（待填写 / to be written）")


def _faults(faults: list[dict[str, Any]], tz: str) -> Block:
    if not faults:
        return Text(f"本期无故障 / no fault in the period ({NONE})")
    return Table(["故障单 / Ticket", "电路 / Circuit", "受理 / Arrival", "修复 / Restored", "故障历时 / Fault time",
                  "诊断 / Verdict", "原因 / Cause"],
                 [[f"{f['ticketId']} ({f['externalId']})", f["circuitId"], _local(f["arrival"], tz),
                   _local(f["restored"], tz), dur(f["faultSeconds"]), f["verdict"], f.get("cause") or "—"]
                  for f in faults])


def _causes(causes: list[dict[str, Any]]) -> Block:
    if not causes:
        return Text(NONE)
    return Table(["原因 / Cause", "次数 / Count", "故障历时 / Fault time"],
                 [[c["verdict"], str(c["count"]), dur(c["faultSeconds"])] for c in causes])


def _circuits(rows: list[dict[str, Any]]) -> Block:
    return Table(["电路 / Circuit", "业务 / Service", "故障 / Faults", "中断时长 / Outage", "可用率 / Availability"],
                 [[r["id"], f"{r['serviceType']} {r['rateMbps']:g}M", str(r["faults"]), dur(r["outageSeconds"]),
                   pct(r["availability"])] for r in rows])


def _sla(sla: dict[str, Any]) -> Block:
    return Table(["考核项 / KPI", "及时 / On time", "超时 / Late", "及时率 / Rate"],
                 [[sla[k]["labelZh"] + f" / {k}", str(sla[k]["onTime"]), str(sla[k]["late"]), pct(sla[k]["rate"], 1)]
                  for k in KPI_ORDER if k in sla])


def _optical(rows: list[dict[str, Any]]) -> Block:
    if not rows:
        return Text("无光功率数据 / no light-level readings")
    out = []
    for o in rows:
        rx = o["rx"]
        warn = "预警 / WARNING" if o["flagged"] else "正常 / ok"
        crossing = next((t["firstCrossing"] for t in o["trends"] if t["flagged"]), None)
        out.append([f"{o['device']} {o['port']}", o["circuitId"],
                    f"{_db(rx.get('min'))} / {_db(rx.get('avg'))} / {_db(rx.get('max'))}",
                    _db(rx.get("slopePerDay")), warn + (f" ({crossing[:10]})" if crossing else "")])
    return Table(["端口 / Port", "电路 / Circuit", "Rx 最小/平均/最大 dBm", "斜率 dB/天 / slope", "预警 / Early warning"], out)


def operation_outline(c: dict[str, Any], meta: dict[str, Any]) -> tuple[str, list[tuple[str, list[Block]]]]:
    tz, p, texts = c["timezone"], c["period"], c.get("texts", {})
    title = (f"运行分析报告：{c['customer']['name']}（{p['fromLocal']} 至 {p['toLocal']}） / "
             f"Operation report: {c['customer']['id']} ({p['fromLocal']} .. {p['toLocal']})")
    basics = Rows([("客户 / Customer", f"{c['customer']['name']} ({c['customer']['id']})"),
                   ("分公司 / Branch", c.get("branch") or "—"),
                   ("周期 / Period", f"{p['fromLocal']} .. {p['toLocal']} ({tz})"),
                   ("电路数 / Circuits", str(len(c["circuits"]))),
                   ("故障数 / Faults", str(c["faultTime"]["count"])),
                   ("故障总历时 / Total fault time", c["faultTime"]["text"]),
                   ("版本 / Version", f"{meta.get('version')} ({meta.get('state')})"),
                   ("截止 / Due", _local(meta.get("dueAt"), tz))])
    sections: list[tuple[str, list[Block]]] = [
        ("一、基本情况 / Overview", [basics, _text(texts, "summary")]),
        ("二、电路可用率 / Availability per circuit", [_circuits(c["circuits"])]),
        ("三、故障及原因 / Faults and causes", [_faults(c["faults"], tz), _causes(c["causes"])]),
        ("四、光功率趋势与预警 / Light levels and early warnings", [_optical(c["optical"])]),
        ("五、SLA 考核 / SLA compliance", [_sla(c["sla"])]),
        ("六、分析与建议 / Analysis and suggestions",
         [Text(OPERATION_TEXT_LABELS[k] + "：" + (texts.get(k) or "（待填写 / to be written）"))
          for k in OPERATION_TEXTS if k != "summary"]),
    ]
    return title, sections


def quarterly_outline(c: dict[str, Any], meta: dict[str, Any]) -> tuple[str, list[tuple[str, list[Block]]]]:
    tz, s, texts = c["timezone"], c["sections"], c.get("texts", {})
    title = (f"客户响应季报：{c['branch']} {c['year']} 年第 {c['quarter']} 季度 / "
             f"Quarterly report: {c['branch']} {c['year']} Q{c['quarter']}")
    blocks: dict[str, list[Block]] = {
        "responseSystem": [Rows([("分公司 / Branch", c["branch"]),
                                 ("值班人员 / Duty staff", "、".join(s["responseSystem"]["dutyStaff"]) or "—"),
                                 ("代维 / Contractors", "、".join(s["responseSystem"]["contractors"]) or "—"),
                                 ("版本 / Version", f"{meta.get('version')} ({meta.get('state')})"),
                                 ("截止 / Due", _local(meta.get("dueAt"), tz))])],
        "customers": [Table(["客户 / Customer", "电路 / Circuits", "业务 / Services", "等级 / Tier"],
                            [[f"{x['name']} ({x['id']})", str(x["circuits"]), ", ".join(x["services"]), x["tier"]]
                             for x in s["customers"]["customers"]])],
        "networkServices": [_circuits(s["networkServices"]["circuits"]), _causes(s["networkServices"]["causes"]),
                            _sla(s["networkServices"]["sla"])],
        "marketSupport": [],
        "mainWork": [Rows([(k, str(v)) for k, v in s["mainWork"].items()])],
        "typicalCases": [_faults(s["typicalCases"]["candidates"], tz)],
        "problems": [Table(["排名 / Rank", "重复故障 / Recurrence", "次数 / Count"],
                           [[str(p["rank"]), p["textZh"], str(p["occurrences"])] for p in s["problems"]["recurring"]])
                     if s["problems"]["recurring"] else Text("无重复故障 / no recurring fault")],
        "nextPlan": [],
    }
    sections = [(f"{zh} / {en}", [*blocks[key], _text(texts, key)]) for key, zh, en in QUARTERLY_SECTIONS]
    return title, sections


def outline(content: dict[str, Any], meta: dict[str, Any]) -> tuple[str, list[tuple[str, list[Block]]]]:
    return (operation_outline if content["kind"] == OPERATION else quarterly_outline)(content, meta)


def to_markdown(content: dict[str, Any], meta: dict[str, Any]) -> str:
    return markdown_of(*outline(content, meta))


def to_pdf(content: dict[str, Any], meta: dict[str, Any]) -> bytes:
    return pdf_of(*outline(content, meta))
