"""The fault report as Markdown and as PDF, Chinese first (each heading and label: 中文 / English).

Both renderings walk one outline (``outline``): a title, then sections of key/value rows, tables
and paragraphs, so the PDF says exactly what the Markdown says.

PDF: fpdf2 (pure Python, embeds a subset of a TrueType font). Chinese needs a CJK font: the
``FAULTLINE_REPORT_FONT`` path, else what fontconfig names for ``:lang=zh-cn`` (Debian:
fonts-wqy-zenhei or fonts-noto-cjk). Without one the PDF is refused with that said, never
written with missing glyphs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from agent.reports.errors import ReportUnavailable

NR = "未记录 / not recorded"


@dataclass(frozen=True)
class Rows:
    """Label/value pairs."""
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Text:
    text: str


Block = Rows | Table | Text


def _v(value: Any) -> str:
    if value is None or value == "":
        return NR
    return str(value)


def outline(content: dict[str, Any], meta: dict[str, Any]) -> tuple[str, list[tuple[str, list[Block]]]]:
    """(title, [(section heading, blocks)]) of one report version."""
    c = content
    t, circ, cust, times = c["ticket"], c["circuit"], c["customer"], c.get("timesLocal", {})
    tz = c.get("timezone", "")
    ft = c["faultTime"]
    sections: list[tuple[str, list[Block]]] = []
    basics = [("电路编号 / Circuit", circ["id"]),
              ("客户 / Customer", _v(cust.get("name"))),
              ("故障单 / Ticket", f"{t['id']}（上游 / upstream {t['externalId']}）"),
              ("类型 / Kind", f"{t['kind']} / {t['symptom']}")]
    if circ.get("known"):
        basics += [("业务类型 / Service", f"{circ['serviceType']} {circ['rateMbps']:g} Mbps"),
                   ("主调局 / Lead office", _v(circ.get("leadOffice"))),
                   ("被调局 / Cooperating office", _v(circ.get("cooperatingOffice")))]
    else:
        basics.append(("资源 / Inventory", "电路不在资源库中 / circuit not in the inventory"))
    sections.append(("一、基本信息 / Basic information", [Rows([(k, _v(v)) for k, v in basics])]))
    labels = [("arrival", "受理 / Arrival"), ("signed", "签收 / Signed"), ("dispatched", "派单 / Dispatched"),
              ("customerContacted", "联系用户 / Customer contacted"), ("restored", "修复 / Restored"),
              ("restorationConfirmed", "确认恢复 / Restoration confirmed"), ("closed", "返单 / Returned")]
    sections.append((f"二、处理时间 / Times ({tz})", [Rows([(label, _v(times.get(k))) for k, label in labels])]))
    local = lambda iso: _local(iso, tz)  # noqa: E731
    susp = [[local(s["requestedAt"]), s["decision"], _v(s.get("decidedBy")), local(s.get("approvedAt")),
             local(s.get("resumedAt")), s["text"], s["reason"]] for s in ft["suspensions"]]
    blocks: list[Block] = [Rows([("故障历时 / Fault time", ft["text"]),
                                 ("其中扣除挂起 / Approved suspensions", _dur(ft["suspendedSeconds"])),
                                 ("计算依据 / Basis", ft["basis"])])]
    if susp:
        blocks.append(Table(["申请 / Requested", "决定 / Decision", "审批人 / By", "挂起 / Held from",
                             "解挂 / Resumed", "时长 / Held", "原因 / Reason"], susp))
    sections.append(("三、故障历时 / Fault time", blocks))
    sections.append(("四、故障原因 / Cause", [Text(_v(c.get("cause")))]))
    sections.append(("五、诊断与环测 / Diagnosis and loop points", _diagnosis_blocks(c)))
    people = [[p["partyZh"] + " / " + p["partyEn"], p["name"] or "无记录 / none recorded", _v(p.get("organisation")),
               _v(p.get("contact"))] for p in c["participants"]]
    sections.append(("六、参与人员（规则8）/ Participants (rule 8)",
                     [Table(["类别 / Party", "姓名 / Name", "单位 / Organisation", "联系方式 / Contact"], people)]))
    rules = [[r["rule"], f"{r['nameZh']} / {r['nameEn']}", r["text"]] for r in c["timeliness"]]
    sections.append(("七、时限执行情况 / Timeliness of the duty rules",
                     [Table(["规则 / Rule", "要求 / Requirement", "执行 / Outcome"], rules)]))
    sections.append(("八、预防措施 / Preventive actions", [Text(_v(c.get("preventiveActions")))]))
    if c.get("remarks"):
        sections.append(("九、备注 / Remarks", [Text(c["remarks"])]))
    state = "已提交 / submitted" if meta.get("state") == "submitted" else "草稿 / draft"
    sections.append(("版本 / Version", [Rows([
        ("版本 / Version", str(meta.get("version"))), ("状态 / State", state),
        ("编写 / Written by", _v(meta.get("author"))), ("时间 / At", _v(meta.get("createdAt"))),
        ("提交 / Submitted", _v(meta.get("submittedAt")))])]))
    return f"{c['titleZh']} / {c['titleEn']}", sections


def _local(iso: str | None, tz: str) -> str:
    if not iso:
        return NR
    at = datetime.fromisoformat(iso)
    return at.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M:%S") if tz else iso


def _dur(seconds: float | None) -> str:
    from agent.reports.fault import _duration

    return _duration(seconds)


def _diagnosis_blocks(c: dict[str, Any]) -> list[Block]:
    d = c.get("diagnosis")
    blocks: list[Block] = []
    if d is None:
        blocks.append(Text("无诊断记录 / no diagnosis recorded"))
    else:
        blocks.append(Rows([("结论 / Verdict", f"{d['verdict']}（{d['playbook']}）"),
                            ("诊断 / Diagnosis", f"{_v(d.get('summaryZh'))}\n{d.get('summaryEn') or ''}".strip()),
                            ("疑似段落 / Suspected segments",
                             "；".join(f"#{s['index']} {s.get('reasonZh') or ''}" for s in d["suspectedSegments"]) or "无 / none")]))
        if d["evidence"]:
            blocks.append(Table(["证据 / Evidence", "值 / Value", "判断 / Assessment", "位置 / Where", "来源 / Source"],
                                [[e["name"], f"{_v(e['value'])} {e['unit']}".strip(), _v(e["assessment"]), _v(e["where"]),
                                  _v(e.get("method"))] for e in _worst_first(d["evidence"])[:40]]))
    points = [p for p in c["loopPoints"] if "device" in p]
    if points:
        blocks.append(Table(["打环点 / Loop point", "方式 / Mode", "段 / Segment", "结果 / Signal", "状态 / State", "人员 / By"],
                            [[f"{p['device']} {p['port']}", _v(p.get("mode")), _v(p.get("segment")), _v(p.get("signal")),
                              _v(p.get("finalState")), _v(p.get("requestedBy"))] for p in points]))
    else:
        blocks.append(Text("未做环测 / no loop test recorded"))
    for p in c["loopPoints"]:
        if "conclusionZh" in p:
            blocks.append(Text(f"环测结论 / Loop localisation: {_v(p['conclusionZh'])}\n{p.get('conclusionEn') or ''}".strip()))
    return blocks


def _worst_first(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The readings that decided something first (stable among equals), the in-range ones after."""
    return sorted(evidence, key=lambda e: str(e.get("assessment")).lower() in ("ok", "normal", "pass"))


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def to_markdown(content: dict[str, Any], meta: dict[str, Any]) -> str:
    return markdown_of(*outline(content, meta))


def markdown_of(title: str, sections: list[tuple[str, list[Block]]]) -> str:
    out = [f"# {title}", ""]
    for heading, blocks in sections:
        out += [f"## {heading}", ""]
        for b in blocks:
            if isinstance(b, Rows):
                out += ["| 项目 / Item | 内容 / Value |", "|---|---|"]
                out += [f"| {_md_cell(k)} | {_md_cell(v)} |" for k, v in b.rows]
            elif isinstance(b, Table):
                out += ["| " + " | ".join(_md_cell(h) for h in b.header) + " |", "|" + "---|" * len(b.header)]
                out += ["| " + " | ".join(_md_cell(x) for x in r) + " |" for r in b.rows]
            else:
                out += b.text.split("\n")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# --- PDF ---------------------------------------------------------------------------------------
def cjk_font() -> Path:
    """A font with Chinese glyphs: FAULTLINE_REPORT_FONT, else fontconfig's choice for zh-cn."""
    configured = os.environ.get("FAULTLINE_REPORT_FONT")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ReportUnavailable(f"FAULTLINE_REPORT_FONT={configured} is not a file")
        return path
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True,
                               timeout=10, check=False).stdout.strip()
        if found and Path(found).suffix.lower() in (".ttf", ".ttc", ".otf") and _has_cjk(Path(found)):
            return Path(found)
    raise ReportUnavailable("no font with Chinese glyphs for the PDF: install fonts-wqy-zenhei or fonts-noto-cjk, "
                            "or set FAULTLINE_REPORT_FONT to a .ttf/.ttc/.otf file")


def _has_cjk(path: Path) -> bool:
    """fontconfig answers with its best match even when no installed font covers the language."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(path), fontNumber=0, lazy=True)
        return ord("故") in font.getBestCmap()
    except Exception:  # noqa: BLE001 - an unreadable font file is no font for the report
        return False


def to_pdf(content: dict[str, Any], meta: dict[str, Any]) -> bytes:
    return pdf_of(*outline(content, meta))


def pdf_of(title: str, sections: list[tuple[str, list[Block]]]) -> bytes:
    from fpdf import FPDF, FontFace
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("faultline")
    pdf.add_font("cjk", "", str(cjk_font()))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=15)
    pdf.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    for heading, blocks in sections:
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(0, 7, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("cjk", size=9)
        for b in blocks:
            if isinstance(b, Text):
                pdf.multi_cell(0, 5, b.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            else:
                header, rows, widths = _table_shape(b)
                # one CJK face, no bold variant: headings are set apart by their shading
                with pdf.table(col_widths=widths, text_align="LEFT", line_height=5,
                               first_row_as_headings=header is not None,
                               headings_style=FontFace(emphasis="", fill_color=(225, 225, 225))) as table:
                    for r in ([header] if header else []) + rows:
                        cells = table.row()
                        for x in r:
                            cells.cell(x)
            pdf.ln(2)
    return bytes(pdf.output())


def _table_shape(b: Rows | Table) -> tuple[list[str] | None, list[list[str]], tuple[int, ...]]:
    if isinstance(b, Rows):
        return None, [[k, v] for k, v in b.rows], (35, 65)
    n = len(b.header)
    widths = {2: (30, 70), 3: (10, 45, 45), 4: (25, 25, 25, 25), 5: (26, 16, 16, 26, 16),
              6: (30, 12, 8, 14, 14, 22), 7: (16, 10, 12, 16, 16, 10, 20)}.get(n, tuple([1] * n))
    return b.header, b.rows, widths
