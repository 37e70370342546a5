"""Readable text of a diagnosis for the journal (追加信息): Chinese, English, or both.

The text lists the verdict and its confidence, the summary, suspected segments, the readings that
disagree, the evidence that is not ok (with value, limit, source and time; ok items are counted),
the actions, the loop plan and what could not be checked. A journal entry stays readable: at most
`_PER_GROUP` items of one evidence name on one port and `_MAX_EVIDENCE_LINES` in all are written,
the rest counted; the full list is in `to_dict()` (issue 10 item 7: no 50 KB flapping text).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis.enums import Assessment, Playbook
from diagnosis.errors import InvalidInput
from diagnosis.verdicts import VERDICT_TITLES
from diagnosis.wording import CONFIDENCE_WORDS

if TYPE_CHECKING:
    from diagnosis.result import Diagnosis, EvidenceItem

_PLAYBOOK = {
    Playbook.ASSIST_ALARMS: ("协查类：中断或瞬断，查告警", "assist-check: interruption or flapping, alarms"),
    Playbook.ASSIST_QUALITY: ("协查类：时延大或有误码，查线路状态", "assist-check: latency or bit errors, line state"),
    Playbook.INTERRUPTION: ("中断类", "interruption"),
}
_ASSESS = {
    Assessment.FAULT: ("故障", "FAULT"), Assessment.WARN: ("注意", "warn"),
    Assessment.UNKNOWN: ("未知", "unknown"), Assessment.OK: ("正常", "ok"),
}
_ALWAYS_SHOWN = {"alarms_in_window"}
_HIDDEN = {"readings_disagree"}  # written under their own heading, from `contradictions`
_PER_GROUP = 3
_MAX_EVIDENCE_LINES = 40
_MAX_GAP_LINES = 20
_HEADINGS = {
    "zh": ("诊断", "结论", "可疑段落", "证据", "建议", "下一步环测点", "未能核查", "另有 {n} 项证据正常",
           "可信度", "读数矛盾", "另有 {n} 项{what}（完整列表见结构化数据）", "另有 {n} 项"),
    "en": ("Diagnosis", "Verdict", "Suspected segments", "Evidence", "Recommended actions",
           "Next loop points", "Could not check", "{n} more evidence items ok", "Confidence",
           "Readings that disagree", "{n} more {what} (full list in the structured data)", "{n} more"),
}


def _value(item: EvidenceItem) -> str:
    value = item.value
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value} {item.unit}".strip() if item.unit not in ("", "fraction") else str(value)


def _evidence_line(item: EvidenceItem, lang: str) -> str:
    zh = lang == "zh"
    where = " ".join(p for p in (item.device, item.port) if p)
    seg = f" #{item.segment}" if item.segment is not None else ""
    parts = [f"[{_ASSESS[item.assessment][0 if zh else 1]}] {item.name} = {_value(item)}"]
    if item.threshold:
        parts.append(f"({item.threshold})")
    if where:
        parts.append(f"@ {where}{seg}")
    if item.sources:
        source = item.sources[0]
        ref = f" {source.reference}" if source.reference else ""
        parts.append(f"[{source.method.value}{ref}, {source.time:%Y-%m-%d %H:%M:%S}]")
        if source.raw:
            parts.append(f"raw: {source.raw.strip()[:120]!r}")
    note = item.note_zh if zh else item.note_en
    if note:
        parts.append(f"— {note}")
    return "  " + " ".join(parts)


def _block(d: Diagnosis, lang: str) -> list[str]:
    zh = lang == "zh"
    h = _HEADINGS[lang]
    title = VERDICT_TITLES[d.verdict][0 if zh else 1]
    ticket = f" · {'工单' if zh else 'ticket'} {d.ticket_id}" if d.ticket_id else ""
    reasons = "; ".join(r.text_zh if zh else r.text_en for r in d.confidence_reasons[:_PER_GROUP])
    if len(d.confidence_reasons) > _PER_GROUP:
        reasons += "; " + h[11].format(n=len(d.confidence_reasons) - _PER_GROUP)
    lines = [f"【{h[0]}】{d.circuit_id}{ticket} · {_PLAYBOOK[d.playbook][0 if zh else 1]} · "
             f"{d.made_at:%Y-%m-%d %H:%M} UTC",
             f"{h[1]}: {d.verdict.value} — {title}",
             f"{h[8]}: {CONFIDENCE_WORDS[d.confidence][0 if zh else 1]} — {reasons}",
             d.summary_zh if zh else d.summary_en]
    if d.suspected_segments:
        lines.append(f"{h[2]}:")
        lines += [f"  #{s.index} {s.a} → {s.z}: {s.reason_zh if zh else s.reason_en}" for s in d.suspected_segments]
    if d.contradictions:
        lines.append(f"{h[9]}:")
        lines += [f"  - {c.text_zh if zh else c.text_en} → {c.check_zh if zh else c.check_en}" for c in d.contradictions]
    relevant = [e for e in d.evidence if e.name not in _HIDDEN]
    shown = [e for e in relevant if e.assessment != Assessment.OK or e.name in _ALWAYS_SHOWN]
    if shown or relevant:
        lines.append(f"{h[3]}:")
        lines += _evidence_lines(shown, lang)
        if len(relevant) > len(shown):
            lines.append("  " + h[7].format(n=len(relevant) - len(shown)))
    if d.actions:
        lines.append(f"{h[4]}:")
        lines += [f"  {i}. {a.text_zh if zh else a.text_en}" for i, a in enumerate(d.actions, 1)]
    if d.loop_plan:
        lines.append(f"{h[5]}:")
        lines += [f"  {p.order}. {p.device} {p.port} ({p.site_kind.value}, #{p.segment}): "
                  f"{p.reason_zh if zh else p.reason_en}" for p in d.loop_plan]
    if d.could_not_check:
        lines.append(f"{h[6]}:")
        lines += [f"  - {g.text_zh if zh else g.text_en}" for g in d.could_not_check[:_MAX_GAP_LINES]]
        if len(d.could_not_check) > _MAX_GAP_LINES:
            lines.append("  " + h[11].format(n=len(d.could_not_check) - _MAX_GAP_LINES))
    return lines


def _evidence_lines(items: list[EvidenceItem], lang: str) -> list[str]:
    """At most `_PER_GROUP` lines per (name, device, port) and `_MAX_EVIDENCE_LINES` in all; what is
    left out is counted per group, so the text still says how many alarms a port raised."""
    groups: dict[tuple[str, str | None, str | None], list[EvidenceItem]] = {}
    for item in items:
        groups.setdefault((item.name, item.device, item.port), []).append(item)
    lines: list[str] = []
    left_out = 0
    more = _HEADINGS[lang][10]
    for (name, device, port), group in groups.items():
        for item in group[:_PER_GROUP]:
            if len(lines) < _MAX_EVIDENCE_LINES:
                lines.append(_evidence_line(item, lang))
            else:
                left_out += 1
        if len(group) > _PER_GROUP:
            where = " ".join(p for p in (device, port) if p)
            lines.append("  … " + more.format(n=len(group) - _PER_GROUP, what=f"{name} @ {where}".strip(" @")))
    if left_out:
        lines.append("  … " + more.format(n=left_out, what="证据" if lang == "zh" else "evidence items"))
    return lines


def render_text(diagnosis: Diagnosis, language: str = "both") -> str:
    if language not in ("zh", "en", "both"):
        raise InvalidInput(f"language must be zh, en or both, not {language!r}")
    langs = ("zh", "en") if language == "both" else (language,)
    return "\n\n".join("\n".join(_block(diagnosis, lang)) for lang in langs)
