"""What a document is about: province, year and period from the manifest, the folder, or the text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dagster_project.extraction.attribution import province_names
from dagster_project.extraction.extractor import generation_of
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
# "tỉnh Gia Lai (cũ)": the unit before the merger, in a text of either generation.
_OLD_OR_NEW = re.compile(r"\s*(?:\((?P<paren>cũ|mới)\)|(?P<word>cũ)(?![\wÀ-ỹ]))", re.IGNORECASE)
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


def infer(
    meta: dict[str, str], relative: str, title: str | None, text: str, published: date | None = None
) -> About:
    """Province, year and period: the manifest first, then the folder layout, then the text.

    Names are read as the units in force when the document was written (`generation_of`): "Đồng
    Tháp" is 87 in a report on 2024 and 82 in one on 2025 published after the merger.
    """
    year, period = _year(meta, relative, title, text), _period(meta, title, text)
    generation = generation_of(year, period, published)
    if fold(meta.get("province", "")) in NATIONAL:
        return About(None, True, year, period)
    if meta.get("province"):
        return About(province_code(meta["province"], generation), False, year, period)
    folders = (province_code(part, generation) for part in Path(relative).parts[:-1])
    if province := next((code for code in folders if code), None):
        return About(province, False, year, period)
    opening = text[:OPENING_CHARS]
    mentions = Counter(_provinces_named(opening, generation))
    province = _dominant_province(title or "", mentions, generation)
    national = province is None and (
        bool(_NATIONAL_SCOPE.search(title or "") or _NATIONAL_SCOPE.search(opening)) or len(mentions) > 1
    )
    return About(province, national, year, period)


def _dominant_province(title: str, mentions: Counter[str], generation: int) -> str | None:
    """The province the title and opening are about: named in the title, or most of the time.

    A ranking names many provinces without one dominating: it has none of its own.
    """
    in_title = Counter(_provinces_named(title, generation))
    if len(in_title) == 1:
        return next(iter(in_title))
    if not mentions:
        return None
    (top, count), total = mentions.most_common(1)[0], sum(mentions.values())
    return top if count * 2 > total else None


def _provinces_named(source: str, generation: int) -> list[str]:
    """Codes of the provinces the text names ("Lai Châu", "tỉnh Sơn La", "TP. Hồ Chí Minh"), in order.

    A name is the unit of the document's generation; one only the other generation has ("Bình
    Định" after the merger) is that generation's unit.
    """
    own = _named(source, generation)
    other = _named(source, 34 if generation == 63 else 63)
    own += [(start, end, code) for start, end, code in other
            if not any(start < own_end and own_start < end for own_start, own_end, _ in own)]
    return [code for _, _, code in sorted(own)]


def _named(source: str, generation: int) -> list[tuple[int, int, str]]:
    """(start, end, code) of the names of one generation's units; "X (cũ)" is the 63-unit X."""
    names, aliases = province_names(generation)
    found = []
    for match in names.finditer(source):
        if match.start() and source[match.start() - 1].isalnum():
            continue  # the end of a longer word, not a name
        code = aliases[match.group(0)]
        if marked := _OLD_OR_NEW.match(source, match.end()):
            then = 34 if (marked.group("paren") or "").casefold() == "mới" else 63
            code = province_names(then)[1].get(match.group(0), code)
        found.append((match.start(), match.end(), code))
    return found


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
