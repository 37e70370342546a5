"""Readable text of a diagnosis for the journal (追加信息)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diagnosis.result import Diagnosis


def render_text(diagnosis: Diagnosis, language: str = "both") -> str:
    return diagnosis.summary_zh if language == "zh" else diagnosis.summary_en
