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
# Words that make the number after them an identifier or a date: "Nghị quyết số 18", "ngày 15";
# a bare "số" only when the number continues like a document number ("số 490/BC").
_DOCUMENT_WORDS = (
    "nghị quyết", "nghị định", "quyết định", "chỉ thị", "thông tư", "công văn", "kế hoạch",
    "báo cáo", "luật", "văn bản", "đề án", "chương trình",
)
_DATE_WORDS = ("ngày", "tháng", "sáng", "chiều", "tối", "trưa", "hôm", "đêm")
_NUMBER_WORD = "số"
_SLASH_AFTER = re.compile(r"\d+\s*[/-]")
_WORD_LED_NUMBER = re.compile(r"\d+(?:[/.-]\d{1,4}){0,2}\b")
_DIGIT_RUN = re.compile(r"\d+(?:[.,]\d+)*")  # a literal class first: scans faster than a lookbehind
_NON_SPACE = re.compile(r"\S")
_LINK_MARK = re.compile(r"@|://|www\.")  # in the word of an e-mail address or URL
_NON_BLANKS = re.compile(r"\S*")
_SPACES = re.compile(r"\t[ \t]*| [ \t]+")  # runs of blanks; a single space stays as it is
# Starts at the closing mark: a literal first character scans faster than a lookbehind.
_SENTENCE_END = re.compile(r"(?:[.!?…][\"”’)]*\s|\n)\s*")
_ABBREVIATIONS = ("TP.", "Tp.", "TX.", "ThS.", "TS.", "PGS.", "GS.", "St.")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def normalize_text(text: str) -> str:
    """NFC, unified line ends and spaces, so spans are stable across encodings."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    if "  " not in text and "\t" not in text:
        return text  # already clean: skip the regex pass
    return _SPACES.sub(" ", text)


def lower_keeping_offsets(text: str) -> str:
    """Lower-cased text of the same length, so spans found in it index the original.

    >>> lower_keeping_offsets("İ Sở") == "İ sở"  # "İ".lower() has two characters: kept as is
    True
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def mask_references(text: str) -> str:
    """Replace document numbers, dates, phone numbers and URLs with MASK, same length."""
    links = _links_with_digits(text) if "@" in text or "://" in text or "www." in text else []
    spans = list(links)
    covered = 0
    for run in _DIGIT_RUN.finditer(text):
        position = run.start()
        if position and text[position - 1] in ".,":
            continue  # the tail of a number ("v.5") was never its start
        if position < covered or (links and any(start <= position < end for start, end in links)):
            continue
        end = _identifier_end(text, position)
        if end is not None:
            spans.append((position, end))
            covered = end
    if not spans:
        return text
    pieces, done = [], 0
    for start, end in sorted(spans):
        pieces += (text[done:start], _NON_SPACE.sub(MASK, text[start:end]))
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _links_with_digits(text: str) -> list[tuple[int, int]]:
    """Spans of the words (runs of non-blanks) holding an e-mail address or URL with a digit."""
    spans: list[tuple[int, int]] = []
    for marker in _LINK_MARK.finditer(text):
        if spans and marker.start() < spans[-1][1]:
            continue
        start = marker.start()
        while start and not text[start - 1].isspace():
            start -= 1
        end = _NON_BLANKS.match(text, marker.start()).end()
        if _DIGIT_RUN.search(text, start, end):
            spans.append((start, end))
    return spans


def _identifier_end(text: str, position: int) -> int | None:
    """Where the identifier starting at this digit run ends, or None for a plain number."""
    if position and text[position - 1].isalnum():
        return None  # part of a word or code (A1, QĐ2)
    led = _DIGIT_LED.match(text, position)
    if led:
        return led.end()
    if position and text[position - 1].isspace() and _after_identifier_word(text, position):
        number = _WORD_LED_NUMBER.match(text, position)
        return number.end() if number else None
    return None


_LAST_WORDS = frozenset(w.rsplit(" ", 1)[-1] for w in (*_DOCUMENT_WORDS, *_DATE_WORDS, _NUMBER_WORD))


def _after_identifier_word(text: str, position: int) -> bool:
    words = text[max(0, position - 20): position].rstrip(" :").rsplit(None, 1)
    if not words or words[-1].lower() not in _LAST_WORDS:
        return False  # the common case, decided on the last word alone
    before = text[max(0, position - 40): position].lower().rstrip(" :")
    if _ends_with_word(before, _DATE_WORDS):
        return True
    if _ends_with_word(before, (_NUMBER_WORD,)):
        before = before[: -len(_NUMBER_WORD)].rstrip()
        return _ends_with_word(before, _DOCUMENT_WORDS) or bool(_SLASH_AFTER.match(text, position))
    return _ends_with_word(before, _DOCUMENT_WORDS)


def _ends_with_word(text: str, words: tuple[str, ...]) -> bool:
    for word in words:
        if text.endswith(word) and (len(text) == len(word) or not text[-len(word) - 1].isalnum()):
            return True
    return False


def split_sentences(text: str) -> list[Sentence]:
    """Sentence spans: split after . ! ? … before an upper-case start, and at line breaks."""
    sentences: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end(): match.end() + 1]
        is_newline = "\n" in match.group(0)
        end = match.start() if text[match.start()] == "\n" else match.start() + 1
        if not is_newline and (not following or not (following.isupper() or following.isdigit()
                                                      or following in "-–•(\"“")):
            continue
        if not is_newline and text.endswith(_ABBREVIATIONS, 0, end):
            continue
        _append(sentences, text, start, end)
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
