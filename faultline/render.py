"""Readable terminal output of a diagnosis for the duty officer (rich), from the API's diagnosis JSON
(docs/diagnosis-json.md)."""
from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

ASSESS_STYLE = {"fault": "bold red", "warn": "yellow", "ok": "green", "unknown": "dim"}


def diagnosis_panel(d: dict[str, Any], ticket: dict[str, Any] | None = None) -> Panel:
    parts: list[Any] = []
    head = Text()
    head.append(f"{d.get('verdict')}", style="bold magenta")
    head.append(f"   playbook {d.get('playbook')}   circuit {d.get('circuitId')}", style="dim")
    if d.get("durationMs") is not None:
        head.append(f"   {d['durationMs']:.0f} ms", style="dim")
    parts += [head, Text(d.get("summaryZh", ""), style="bold"), Text(d.get("summaryEn", ""))]

    if d.get("suspectedSegments"):
        t = Table(title="Suspected segments / 疑似故障段", title_justify="left", expand=True)
        for col in ("#", "A → Z", "reason"):
            t.add_column(col)
        for s in d["suspectedSegments"]:
            t.add_row(str(s["index"]), f"{s['a']} → {s['z']}", f"{s['reasonZh']}\n{s['reasonEn']}")
        parts.append(t)

    ev = [e for e in d.get("evidence", []) if e.get("assessment") in ("fault", "warn")] or d.get("evidence", [])[:8]
    if ev:
        t = Table(title="Evidence / 证据", title_justify="left", expand=True)
        for col in ("item", "where", "value", "limit", "source"):
            t.add_column(col, overflow="fold")
        for e in ev[:14]:
            where = f"seg {e['segment']} " if e.get("segment") is not None else ""
            where += f"{e.get('device') or ''} {e.get('port') or ''}".strip()
            src = e["sources"][0] if e.get("sources") else {}
            value = f"{e['value']} {e.get('unit', '')}".strip()
            limit = f"{e['limit']} ({e.get('threshold', '')})" if e.get("limit") is not None else e.get("threshold", "")
            t.add_row(Text(e["name"], style=ASSESS_STYLE.get(e.get("assessment"), "")), where, value, limit,
                      f"{src.get('method', '')} {src.get('reference', '')}"[:60])
        parts.append(t)

    if d.get("actions"):
        parts.append(Text("Recommended actions / 建议处理", style="bold underline"))
        for i, a in enumerate(d["actions"], 1):
            parts.append(Text(f"{i}. {a['textZh']}\n   {a['textEn']}"))
    if d.get("loopPlan"):
        parts.append(Text("Next loop points / 下一步打环点", style="bold underline"))
        for p in d["loopPlan"][:5]:
            parts.append(Text(f"{p['order']}. {p['device']} {p['port']} ({p['siteKind']}) — {p['reasonZh']}"))
    if d.get("couldNotCheck"):
        parts.append(Text("Could not check / 未能检查", style="bold yellow"))
        for n in d["couldNotCheck"]:
            parts.append(Text(f"- {n['textZh']} / {n['textEn']}", style="yellow"))
    title = f"Ticket {ticket['id']} · {ticket['externalIdentifier'][0]['id']}" if ticket else "Diagnosis"
    return Panel(Group(*parts), title=title, border_style="cyan")
