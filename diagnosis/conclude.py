"""Turn a playbook's findings into the `Diagnosis`: the primary verdict by the playbook's priority,
the suspected segments, the summaries and the `could_not_check` list."""
from __future__ import annotations

from collections.abc import Sequence

from diagnosis.context import Work
from diagnosis.enums import Playbook, Verdict
from diagnosis.result import Diagnosis, Finding, LoopPoint, RecommendedAction, SuspectedSegment
from diagnosis.wording import VERDICT_TITLES

# findings that point at a segment strongly enough to list it as suspected even when they are not
# the primary verdict
SEGMENT_FAULTS = frozenset({
    Verdict.NO_LIGHT_FIBER_CUT, Verdict.FIBER_DEGRADED, Verdict.LOW_RX_MARGIN, Verdict.RX_OVERLOAD,
    Verdict.CRC_ERRORS, Verdict.DUPLEX_MISMATCH, Verdict.FLAPPING_PORT, Verdict.PORT_DOWN,
    Verdict.PORT_ADMIN_DOWN,
})
_MAX_LISTED_GAPS = 6


def primary_verdict(findings: Sequence[Finding], priority: Sequence[Verdict]) -> Verdict | None:
    present = {f.verdict for f in findings}
    return next((v for v in priority if v in present), None)


def ordered_findings(findings: Sequence[Finding], priority: Sequence[Verdict]) -> list[Finding]:
    """Findings by the playbook's priority, then path order (stable)."""
    rank = {v: i for i, v in enumerate(priority)}
    return sorted(findings, key=lambda f: (rank.get(f.verdict, len(rank)),
                                           f.segment if f.segment is not None else -1))


def suspected_segments(work: Work, verdict: Verdict, findings: Sequence[Finding]) -> tuple[SuspectedSegment, ...]:
    chosen: dict[int, SuspectedSegment] = {}
    for finding in findings:
        if finding.segment is None or finding.segment in chosen:
            continue
        if finding.verdict != verdict and finding.verdict not in SEGMENT_FAULTS:
            continue
        segment = work.segment(finding.segment)
        chosen[finding.segment] = SuspectedSegment(
            index=segment.index, a=segment.a.label, z=segment.z.label, site_kinds=segment.kinds,
            verdict=finding.verdict, reason_zh=finding.reason_zh, reason_en=finding.reason_en)
    return tuple(chosen.values())


def _summaries(work: Work, verdict: Verdict, findings: Sequence[Finding], lead_zh: str, lead_en: str) -> tuple[str, str]:
    title_zh, title_en = VERDICT_TITLES[verdict]
    main = [f for f in findings if f.verdict == verdict]
    other = [f for f in findings if f.verdict != verdict]
    zh = [f"电路 {work.path.circuit_id}：{title_zh}。"]
    en = [f"Circuit {work.path.circuit_id}: {title_en}."]
    if lead_zh:
        zh.append(lead_zh)
        en.append(lead_en)
    if main:
        zh.append("；".join(f.reason_zh for f in main) + "。")
        # no capitalising: reasons often start with a device name, which is case-sensitive
        en.append("; ".join(f.reason_en for f in main) + ".")
    if other:
        zh.append("另见：" + "；".join(f.reason_zh for f in other) + "。")
        en.append("Also: " + "; ".join(f.reason_en for f in other) + ".")
    gaps = work.not_checked
    if gaps:
        listed = gaps[:_MAX_LISTED_GAPS]
        more_zh = f"等{len(gaps)}项" if len(gaps) > len(listed) else ""
        more_en = f" and {len(gaps) - len(listed)} more" if len(gaps) > len(listed) else ""
        zh.append("未能核查：" + "；".join(g.text_zh for g in listed) + more_zh + "。")
        en.append("Could not check: " + "; ".join(g.text_en for g in listed) + more_en + ".")
    return "".join(zh), " ".join(en)


def assemble(work: Work, playbook: Playbook, verdict: Verdict, priority: Sequence[Verdict],
             actions: Sequence[RecommendedAction], loop_plan: tuple[LoopPoint, ...],
             lead_zh: str = "", lead_en: str = "") -> Diagnosis:
    findings = ordered_findings(work.findings, priority)
    summary_zh, summary_en = _summaries(work, verdict, findings, lead_zh, lead_en)
    return Diagnosis(
        circuit_id=work.path.circuit_id, ticket_id=work.ticket.ticket_id, playbook=playbook,
        verdict=verdict, summary_zh=summary_zh, summary_en=summary_en, made_at=work.ticket.now,
        window_start=work.window_start, window_end=work.window_end,
        suspected_segments=suspected_segments(work, verdict, findings), findings=tuple(findings),
        evidence=tuple(work.evidence), actions=tuple(dict.fromkeys(actions)), loop_plan=loop_plan,
        could_not_check=tuple(work.not_checked),
    )
