"""Text normalisation, sentence segmentation and masking of numbers that are never facts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MASK = "§"

# Numbers that are identifiers, dates or contacts, never figures. Each pattern is tried only where
# a run of digits starts, which keeps masking cheap on long documents.
_DIGIT_LED = re.compile(
    r"\d+(?:\s*,\s*\d+)*-[A-ZĐ]+/[A-ZĐ][\wĐđ-]*"   # 18-NQ/TW, "18, 19-NQ/TW"
    r"|\d+(?:/\d+)*/[A-ZĐ][\wĐđ/.-]*"               # 2476/QĐ-UBND, 29/2023/NĐ-CP
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b"             # 20/12/2023
    r"|\d{1,2}/\d{4}\b"                             # 12/2023
    r"|(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d\b"      # 2021-2025
    r"|\d{1,4}(?::\d{2,4})+\b"                      # 12:00:00, 9001:2008
    r"|(?:84|0)\d{2,4}[\s.]\d{3}[\s.]\d{3,4}\b"      # 02133 876 650
)
# Words that make the number after them an identifier or a date: "Nghị quyết số 18", "ngày 15".
_WORD_LED = re.compile(
    r"(?:\b(?:nghị quyết|nghị định|quyết định|chỉ thị|thông tư|công văn|kế hoạch|báo cáo|luật"
    r"|văn bản|đề án|chương trình)\s+(?:số\s+)?|\bsố\s*:?\s*(?=\d+\s*[/-])"
    r"|\b(?:ngày|tháng)\s+)$",
    re.IGNORECASE,
)
_WORD_LED_NUMBER = re.compile(r"\d+(?:[/.-]\d{1,4}){0,2}\b")
_RUN_START = re.compile(r"(?<!\d)\d")
_LINK = re.compile(r"\S*(?:@|://|www\.)\S*")  # e-mail addresses and URLs
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
    links = []
    if "@" in text or "://" in text or "www." in text:
        links = [link.span() for link in _LINK.finditer(text) if _RUN_START.search(link.group(0))]
    spans = list(links)
    for run in _RUN_START.finditer(text):
        position = run.start()
        if links and any(start <= position < end for start, end in links):
            continue
        end = _identifier_end(text, position)
        if end is not None:
            spans.append((position, end))
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for index in range(start, end):
            if not chars[index].isspace():
                chars[index] = MASK
    return "".join(chars)


def _identifier_end(text: str, position: int) -> int | None:
    """Where the identifier starting at this digit run ends, or None for a plain number."""
    if position and text[position - 1].isalnum():
        return None  # part of a word or code (A1, QĐ2)
    led = _DIGIT_LED.match(text, position)
    if led:
        return led.end()
    if _WORD_LED.search(text, max(0, position - 40), position):
        number = _WORD_LED_NUMBER.match(text, position)
        return number.end() if number else None
    return None


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
