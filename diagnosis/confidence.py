"""The confidence of a diagnosis and its reasons (issue 10 item 5: every diagnosis carries one).

- high: every reading needed was read, and no two readings disagree;
- medium: some readings could not be had (`could_not_check`), or readings disagree away from the
  suspected segments or where another finding accounts for them (`Contradiction.explained_by`);
- low: readings disagree on a suspected segment (or the verdict is that they disagree), or the
  verdict is inconclusive because what decides it could not be read.
The lowest level any reason gives wins; every reason is kept.
"""
from __future__ import annotations

from diagnosis.context import Work
from diagnosis.enums import Confidence, Verdict
from diagnosis.result import ConfidenceReason
from diagnosis.wording import CONFIDENCE_WORDS

_ORDER = (Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW)
INCONCLUSIVE = frozenset({Verdict.INCONCLUSIVE_UNREACHABLE, Verdict.INCONCLUSIVE_READINGS_DISAGREE})


def assess_confidence(work: Work, verdict: Verdict, suspects: tuple[int, ...],
                      ) -> tuple[Confidence, tuple[ConfidenceReason, ...]]:
    level = Confidence.HIGH
    reasons: list[ConfidenceReason] = []

    def lower(to: Confidence, zh: str, en: str) -> None:
        nonlocal level
        level = max(level, to, key=_ORDER.index)
        reasons.append(ConfidenceReason(zh, en))

    for c in work.contradictions:
        decisive = c.explained_by is None and (verdict == Verdict.INCONCLUSIVE_READINGS_DISAGREE
                                               or c.segment is None or c.segment in suspects)
        lower(Confidence.LOW if decisive else Confidence.MEDIUM, f"读数矛盾：{c.text_zh}", f"readings disagree: {c.text_en}")
    if verdict == Verdict.INCONCLUSIVE_UNREACHABLE:
        lower(Confidence.LOW, "决定结论的读数未能读取", "what decides the verdict could not be read")
    if work.not_checked and verdict not in INCONCLUSIVE:
        n = len(work.not_checked)
        lower(Confidence.MEDIUM, f"{n} 项未能核查（见未能核查列表）", f"{n} reading(s) could not be had (see could not check)")
    if not reasons:
        reasons.append(ConfidenceReason("所需读数均已读取且相互一致", "every reading needed was read and they agree"))
    return level, tuple(reasons)


def confidence_sentence(level: Confidence, reasons: tuple[ConfidenceReason, ...]) -> tuple[str, str]:
    """The headline's short word on a confidence below high (the reasons themselves are in
    `confidence_reasons` and the journal text: the summary does not repeat the findings)."""
    if level == Confidence.HIGH:
        return "", ""
    word_zh, word_en = CONFIDENCE_WORDS[level]
    disagree = sum(1 for r in reasons if r.text_en.startswith("readings disagree"))
    zh, en = [], []
    if disagree:
        zh.append(f"{disagree} 处读数矛盾")
        en.append(f"{disagree} contradiction(s) between readings")
    zh += [r.text_zh for r in reasons if not r.text_en.startswith("readings disagree")]
    en += [r.text_en for r in reasons if not r.text_en.startswith("readings disagree")]
    return f"可信度{word_zh}：{'；'.join(zh)}。", f"Confidence {word_en}: {'; '.join(en)}."
