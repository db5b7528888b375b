"""What a document is about: province, year and period from the manifest, the folder, or the text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dagster_project.extraction.attribution import province_names
from dagster_project.ingest.provinces import fold, province_code

PERIODS = frozenset({"year", "H1", "9M", "Q1", "Q2", "Q3", "Q4", "ytd"})
DOC_TYPES = frozenset({"report", "news", "directive", "plan", "table", "other"})
# A manifest province that says the document covers the whole country (a ranking of provinces).
NATIONAL = frozenset({"national", "toan quoc", "ca nuoc", "viet nam"})

_YEAR = re.compile(r"\bnăm (20\d\d|19\d\d)\b", re.IGNORECASE)
_FOLDER_YEAR = re.compile(r"(?:19|20)\d\d")
# The period a title or opening announces; checked in this order ("quý IV" before "quý I").
_PERIOD_CUES = (
    ("H1", re.compile(r"\b(?:6|sáu) tháng đầu năm\b", re.IGNORECASE)),
    ("9M", re.compile(r"\b(?:9|chín) tháng(?: đầu năm)?\b", re.IGNORECASE)),
    ("Q4", re.compile(r"\bquý (?:IV|4)\b", re.IGNORECASE)),
    ("Q3", re.compile(r"\bquý (?:III|3)\b", re.IGNORECASE)),
    ("Q2", re.compile(r"\bquý (?:II|2)\b", re.IGNORECASE)),
    ("Q1", re.compile(r"\bquý (?:I|1)\b", re.IGNORECASE)),
)
# Wording of a document about every province: a ranking, a national announcement.
_NATIONAL_SCOPE = re.compile(
    r"\b(?:63|34) tỉnh, thành(?: phố)?\b|\bcác tỉnh, thành phố\b|\bbảng xếp hạng\b", re.IGNORECASE
)
OPENING_CHARS = 2000  # where a report states what it is about
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_published(value: str | None) -> date | None:
    """A publication date as manifests give it: "2025-10-08", or only the month, "2025-10" (its 1st).

    >>> parse_published("2025-10"), parse_published("")
    (datetime.date(2025, 10, 1), None)
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    if month := _MONTH.fullmatch(value):
        return date(int(month.group(1)), int(month.group(2)), 1)
    return date.fromisoformat(value)  # ValueError for anything else


@dataclass(frozen=True)
class About:
    province_code: str | None
    national: bool  # no province of its own: each figure takes the province its clause names
    year: int | None
    period: str


def infer(meta: dict[str, str], relative: str, title: str | None, text: str) -> About:
    """Province, year and period: the manifest first, then the folder layout, then the text."""
    year, period = _year(meta, relative, title, text), _period(meta, title, text)
    if fold(meta.get("province", "")) in NATIONAL:
        return About(None, True, year, period)
    if meta.get("province"):
        return About(province_code(meta["province"]), False, year, period)
    folders = (province_code(part) for part in Path(relative).parts[:-1])
    if province := next((code for code in folders if code), None):
        return About(province, False, year, period)
    opening = text[:OPENING_CHARS]
    mentions = Counter(_provinces_named(opening))
    province = _dominant_province(title or "", mentions)
    national = province is None and (
        bool(_NATIONAL_SCOPE.search(title or "") or _NATIONAL_SCOPE.search(opening)) or len(mentions) > 1
    )
    return About(province, national, year, period)


def _dominant_province(title: str, mentions: Counter[str]) -> str | None:
    """The province the title and opening are about: named in the title, or most of the time.

    A ranking names many provinces without one dominating: it has none of its own.
    """
    in_title = Counter(_provinces_named(title))
    if len(in_title) == 1:
        return next(iter(in_title))
    if not mentions:
        return None
    (top, count), total = mentions.most_common(1)[0], sum(mentions.values())
    return top if count * 2 > total else None


def _provinces_named(source: str) -> list[str]:
    """Codes of the provinces the text names ("Lai Châu", "tỉnh Sơn La", "TP. Hồ Chí Minh"), in order."""
    codes = []
    for generation in (63, 34):
        names, aliases = province_names(generation)
        codes += [aliases[match.group(0)] for match in names.finditer(source)
                  if not (match.start() and source[match.start() - 1].isalnum())]
    return codes


def _year(meta: dict[str, str], relative: str, title: str | None, text: str) -> int | None:
    if meta.get("year", "").isdigit():
        return int(meta["year"])
    for part in Path(relative).parts[:-1]:
        if _FOLDER_YEAR.fullmatch(part):
            return int(part)
    for source in (title or "", text[:1000]):
        if match := _YEAR.search(source):
            return int(match.group(1))
    return None


def _period(meta: dict[str, str], title: str | None, text: str) -> str:
    if meta.get("period") in PERIODS:
        return meta["period"]
    for source in (title or "", text[:300]):
        for period, cue in _PERIOD_CUES:
            if cue.search(source):
                return period
    return "year"
