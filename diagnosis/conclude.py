"""Turn a playbook's findings into the `Diagnosis`: the primary verdict by the playbook's priority,
the suspected segments, the summaries, the `could_not_check` list and the confidence.

The summaries are the headline a duty officer reads: each verdict's reasons are listed up to
`_MAX_LISTED_REASONS`, the rest counted (a flapping port with hundreds of alarms must not give a
50 KB text; every finding stays in `findings`, issue 10 item 7)."""
from __future__ import annotations

from collections.abc import Sequence

from diagnosis.confidence import assess_confidence, confidence_sentence
from diagnosis.context import Work
from diagnosis.enums import Playbook, Verdict
from diagnosis.result import Diagnosis, Finding, LoopPoint, RecommendedAction, SuspectedSegment
from diagnosis.verdicts import SEGMENT_FAULTS, VERDICT_TITLES

__all__ = ["SEGMENT_FAULTS", "assemble", "ordered_findings", "primary_verdict", "suspected_segments"]

_MAX_LISTED_GAPS = 6
_MAX_LISTED_REASONS = 5


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


def _listed(findings: Sequence[Finding]) -> tuple[str, str]:
    """Reasons joined, the same reason once, at most `_MAX_LISTED_REASONS` of them, the rest counted."""
    zh = list(dict.fromkeys(f.reason_zh for f in findings))
    en = list(dict.fromkeys(f.reason_en for f in findings))
    more = len(en) - _MAX_LISTED_REASONS
    text_zh = "；".join(zh[:_MAX_LISTED_REASONS]) + (f"；另有 {more} 项（完整列表见结构化数据）" if more > 0 else "")
    text_en = "; ".join(en[:_MAX_LISTED_REASONS]) + (f"; and {more} more (full list in the structured data)"
                                                      if more > 0 else "")
    return text_zh, text_en


def _summaries(work: Work, verdict: Verdict, findings: Sequence[Finding], lead_zh: str, lead_en: str,
               confidence: tuple[str, str]) -> tuple[str, str]:
    title_zh, title_en = VERDICT_TITLES[verdict]
    main = [f for f in findings if f.verdict == verdict]
    other = [f for f in findings if f.verdict != verdict]
    zh = [f"电路 {work.path.circuit_id}：{title_zh}。"]
    en = [f"Circuit {work.path.circuit_id}: {title_en}."]
    if lead_zh:
        zh.append(lead_zh)
        en.append(lead_en)
    if main:
        main_zh, main_en = _listed(main)
        zh.append(main_zh + "。")
        # no capitalising: reasons often start with a device name, which is case-sensitive
        en.append(main_en + ".")
    if other:
        other_zh, other_en = _listed(other)
        zh.append("另见：" + other_zh + "。")
        en.append("Also: " + other_en + ".")
    if confidence[1]:
        zh.append(confidence[0])
        en.append(confidence[1])
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
    suspects = suspected_segments(work, verdict, findings)
    level, reasons = assess_confidence(work, verdict, tuple(s.index for s in suspects))
    summary_zh, summary_en = _summaries(work, verdict, findings, lead_zh, lead_en,
                                        confidence_sentence(level, reasons))
    return Diagnosis(
        circuit_id=work.path.circuit_id, ticket_id=work.ticket.ticket_id, playbook=playbook,
        verdict=verdict, summary_zh=summary_zh, summary_en=summary_en, made_at=work.ticket.now,
        window_start=work.window_start, window_end=work.window_end,
        suspected_segments=suspects, findings=tuple(findings),
        evidence=tuple(work.evidence), actions=tuple(dict.fromkeys(actions)), loop_plan=loop_plan,
        could_not_check=tuple(work.not_checked), confidence=level, confidence_reasons=reasons,
        contradictions=tuple(work.contradictions),
    )
