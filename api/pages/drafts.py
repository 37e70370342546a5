"""Drafted notes for the officer to edit: a progress entry (追加进展) from the latest diagnosis, and the
deciding evidence of a diagnosis put first. Pure functions over the stored diagnosis (its to_dict form).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# The deciding evidence is what the rules found faulty, then what they warned about; the rest is folded.
_RANK = {"fault": 0, "warn": 1}
DECIDING_MAX = 5


def deciding_evidence(diagnosis: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the 3-5 items that decide the verdict, the rest): faulty items first, then warnings, in the
    order the diagnosis gave them; a diagnosis with no faulty or warning item decides on its first three."""
    items = list(diagnosis.get("evidence") or [])
    ranked = sorted((e for e in items if e.get("assessment") in _RANK), key=lambda e: _RANK[e["assessment"]])
    deciding = ranked[:DECIDING_MAX] or items[:3]
    chosen = {id(e) for e in deciding}
    return deciding, [e for e in items if id(e) not in chosen]


def evidence_words(item: dict[str, Any], lang: str = "zh") -> str:
    """'Rx power -40.0 dBm at PE-1 xgei-0/1/0/1 (limit -14.6: sensitivity)' in the page's language."""
    where = " ".join(x for x in (item.get("device"), item.get("port")) if x)
    value = item.get("value")
    text = f"{item['name']} {value if value is not None else '—'} {item.get('unit') or ''}".rstrip()
    if where:
        text += f" {'于' if lang == 'zh' else 'at'} {where}"
    if item.get("limit") is not None:
        text += f" ({'限值' if lang == 'zh' else 'limit'} {item['limit']}" + (
            f": {item['threshold']}" if item.get("threshold") else "") + ")"
    note = item.get("note_zh" if lang == "zh" else "note_en")
    return f"{text} — {note}" if note else text


def progress_draft(diagnosis: dict[str, Any] | None, lang: str = "zh", zone: str = "Asia/Shanghai") -> str:
    """A progress note from the latest evidence, e.g. '最新检测：段2 仍见 rx_power -40.0 dBm 于 ...'."""
    if not diagnosis:
        return ""
    deciding, _ = deciding_evidence(diagnosis)
    lead = "最新检测" if lang == "zh" else "Latest check"
    summary = diagnosis.get("summary_zh" if lang == "zh" else "summary_en") or ""
    made = diagnosis.get("made_at") or diagnosis.get("createdAt")
    if isinstance(made, str):
        made = datetime.fromisoformat(made)
    when = f" {made.astimezone(ZoneInfo(zone)):%m-%d %H:%M}" if isinstance(made, datetime) else ""
    lines = [f"{lead}{when}: {summary}".strip()]
    lines += [f"- {evidence_words(e, lang)}" for e in deciding if e.get("assessment") in _RANK]
    return "\n".join(lines)
