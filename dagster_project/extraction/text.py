"""Text normalisation, sentence segmentation and masking of numbers that are never facts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MASK = "§"

# Numbers inside these are identifiers, dates or contacts, never figures. Masking keeps offsets.
_MASKED = [
    r"https?://\S+|www\.\S+|\S+@\S+",
    # Document numbers: 2476/QĐ-UBND, 29/2023/NĐ-CP, 18-NQ/TW, "18, 19-NQ/TW".
    r"\b\d+(?:\s*,\s*\d+)*-[A-ZĐ]+/[A-ZĐ][\wĐđ-]*",
    r"\b\d+(?:/\d+)*/[A-ZĐ][\wĐđ/.-]*",
    r"(?i:\b(?:Nghị quyết|Nghị định|Quyết định|Chỉ thị|Thông tư|Công văn|Kế hoạch|Báo cáo|Luật"
    r"|Văn bản|Đề án|Chương trình)\s+(?:số\s+)?)\d+\b",
    r"(?i:\bsố\s*:?\s*)\d+(?=\s*[/-])",
    # Dates, months and periods: 20/12/2023, 12/2023, 2021-2025, 12:00:00, 9001:2008.
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b",
    r"\b\d{1,2}/\d{4}\b",
    r"(?i:\b(?:ngày|tháng)\s+)\d{1,2}(?:[/.-]\d{1,2})?(?:[/.-]\d{4})?\b",
    r"\b(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d\b",
    r"\b\d{1,4}(?::\d{2,4})+\b",
    # Phone numbers: 02133 876 650, 0213.3876.650, +84 ...
    r"(?:\+84|\b0)\d{2,4}[\s.]\d{3}[\s.]\d{3,4}\b",
]
_MASK_RE = re.compile("|".join(f"(?:{p})" for p in _MASKED))
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+|\n+")
_ABBREVIATIONS = ("TP.", "Tp.", "TX.", "ThS.", "TS.", "PGS.", "GS.", "St.")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def normalize_text(text: str) -> str:
    """NFC, unified line ends and spaces, so spans are stable across encodings."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return re.sub(r"[ \t]+", " ", text)


def mask_references(text: str) -> str:
    """Replace document numbers, dates, phone numbers and URLs with MASK, same length."""
    return _MASK_RE.sub(lambda m: re.sub(r"\S", MASK, m.group(0)), text)


def split_sentences(text: str) -> list[Sentence]:
    """Sentence spans: split after . ! ? … before an upper-case start, and at line breaks."""
    sentences: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end(): match.end() + 1]
        is_newline = "\n" in match.group(0)
        if not is_newline and (not following or not (following.isupper() or following in "-–•(\"“")):
            continue
        if not is_newline and text[:match.start()].endswith(_ABBREVIATIONS):
            continue
        _append(sentences, text, start, match.start())
        start = match.end()
    _append(sentences, text, start, len(text))
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(start, end))
