"""The figures of a sentence: every number with the unit written after it, and ranks in words.

A figure is a candidate fact; what it measures is decided later from the cues around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from dagster_project.extraction.numbers import MILLION_VND_SCALES, parse_number
from dagster_project.extraction.text import MASK

# A number as reports write it: "1.234.567", "85,78", "87.40", "5,500", "07".
# A digit first, then the look-behind: the regex engine jumps from digit to digit.
_NUMBER = re.compile(
    r"\d(?<![\w.,/§-]\d)(?:\d{0,2}(?:\.\d{3})+(?:,\d+)?|\d*(?:[.,]\d+)?)(?![\d§])(?!\s?[-–]\s?\d)"
)
# Numbers that count weeks, rounds or clauses, not quantities: "tuần 02", "đợt 3", "lần thứ 6".
_ORDINAL_NOUNS = frozenset({"tuần", "đợt", "kỳ", "khóa", "lần", "phiên", "điều", "khoản", "mục", "bước",
                            "đoạn", "nhánh", "phím", "lần thứ", "năm thứ"})


def _word_before(text: str, position: int) -> str:
    """The word right before a position ("tuần" in "tuần 02", "lần thứ" in "lần thứ 6")."""
    space = text.rfind(" ", max(0, position - 12), position - 1)
    word = text[space + 1: position].strip().lstrip("(")
    if word == "thứ":
        return text[max(0, position - 13): position].split()[-2:][0] + " thứ"
    return word
_ENGLISH_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_BILLIONS = frozenset({"tỷ", "tỉ", "nghìn tỷ", "ngàn tỷ", "nghìn tỉ", "ngàn tỉ"})  # money without "đồng"
_SCALES = "|".join(sorted(MILLION_VND_SCALES, key=len, reverse=True))
# What follows a number: its unit. Matched on masked, lower-cased text right after the number.
_AFTER = re.compile(
    r"(?P<pct>\s?(?:%|phần trăm))"
    r"|(?P<pp>\s?điểm\s?(?:%|phần trăm))"  # percentage points: a change
    r"|\s?/\s?(?P<den>\d+(?:[.,]\d+)?)(?P<den_points>\s?điểm)?"
    r"|\s(?P<points>điểm)(?!\s?cầu)"
    rf"|\s(?P<scale>{_SCALES})(?!\w)(?P<currency>\s?(?:đồng|vnđ|vnd|đ)(?!\w))?(?P<foreign>\s?(?:usd|đô la))?"
    r"|\s?(?P<currency_only>đồng|vnđ|vnd)(?!\w)"
    r"|\s(?P<other>bậc|hạng|lần|tháng|ngày|năm(?! (?:19|20)\d\d)|tuần|giờ|phút|km|ha|m2|tấn|usd|đô la|"
    r"°c|kwh|mw|lượt(?! cơ quan)|tuổi|"
    r"giây|héc ta|hécta)(?!\w)"
)
# Words right before a number that make it a rank: "thứ 12", "hạng 5", "vị trí 19", "vị trí số 1".
_RANK_WORDS = frozenset({"thứ", "hạng", "trí", "vị thứ", "trí thứ", "trí số", "xếp số", "đứng số", "hạng số"})
# ("top 10" is among the first ten, not the tenth)
_NOT_RANK_THỨ = frozenset({"lần", "năm", "ngày", "tuần", "quý", "kỳ", "khóa", "đợt", "phiên"})
# Ranks in words: "thứ hai", "dẫn đầu", "cuối bảng", "áp chót".
ORDINALS = {"nhất": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
            "chín": 9, "mười": 10}
_ORDINAL = re.compile(
    r"thứ (?P<ordinal>" + "|".join(ORDINALS) + r")(?!\w)(?! liên tiếp)(?![,\s]*(?:ngày )?[\d§])"
    r"|(?P<first>dẫn đầu|đứng đầu|giữ ngôi đầu|quán quân)(?!\w)"
    r"|(?P<last>(?:đứng|xếp|ở vị trí|vị trí) cuối cùng|đứng cuối|cuối bảng|xếp cuối|thấp nhất cả nước"
    r"|thấp nhất toàn quốc)(?!\w)"
    r"|(?P<penultimate>áp chót)(?!\w)"
)
# Words before "thứ hai" that make it another ordinal: "lần thứ 6", "cao thứ ba", "Thứ Năm" (a weekday).
_NOT_A_RANK_BEFORE = re.compile(
    r"\b(?:lần|năm|ngày|tuần|quý|kỳ|khóa|đợt|phiên|bước|cao|thấp|lớn|nhiều|nhanh|mạnh|nhỏ|người) $"
)
_RANK_WORDS_HINT = re.compile(r"thứ|đầu|cuối|thấp nhất|áp chót|quán quân")  # cheap test before _ORDINAL
# "nhóm 10 địa phương dẫn đầu", "nhóm cuối bảng": a group, not a rank.
_GROUP_BEFORE = re.compile(r"(?:nhóm|tốp|top)(?: (?:\d+|các|những))?(?: [^\s,.;:]+){0,3} $")
_ZERO = re.compile(r"\bkhông có (?=[^\s,.;:]+)")
_EARLIER = re.compile(r"\btừ(?: vị trí(?: thứ)?| mức| hạng| thứ)?\s*$")
_LATER = re.compile(r"[^;,.\d]{0,12}?\b(?:lên|xuống|xuống còn)(?: vị trí| thứ| hạng| mức)?\s*")


@dataclass(slots=True)
class Figure:
    """A number (or a rank in words) of a sentence; offsets are within the sentence."""

    start: int
    end: int
    stated: str
    value: float
    unit: str  # pct, points, money, count, bare, rank, other
    unit_end: int  # where what follows the figure's unit starts (its noun, if any)
    scale: str | None = None
    decimals: bool = False  # written with a fraction: never a count
    denominator: float | None = None  # "55/58": 58 for the numerator 55
    numerator_of: float | None = None  # "55/58": 55 for the denominator 58
    max_points: float | None = None  # "8,24/10 điểm": 10
    rank_of: float | None = None  # "15/63": 63
    in_words: bool = False  # "thứ hai", "dẫn đầu"
    penultimate: bool = False
    last: bool = False
    comma_decimal: float | None = None  # "1,893 tỷ đồng": the value if the comma is the decimal mark


def find_figures(lowered: str) -> list[Figure]:
    """Every figure of a masked, lower-cased sentence, in order."""
    figures = [figure for match in _NUMBER.finditer(lowered)
               if _word_before(lowered, match.start()) not in _ORDINAL_NOUNS
               for figure in _number_figures(lowered, match)]
    if _RANK_WORDS_HINT.search(lowered):
        figures += _ranks_in_words(lowered)
    if "không có" in lowered:
        figures += _zeros(lowered)
    return _later_levels(lowered, sorted(figures, key=lambda f: f.start))


def _later_levels(text: str, figures: list[Figure]) -> list[Figure]:
    """"từ vị trí 15 lên 13": the later level is of the same unit as the earlier one."""
    for index in range(1, len(figures)):
        earlier, later = figures[index - 1], figures[index]
        if (later.unit in ("count", "bare") and earlier.unit in ("rank", "pct", "points")
                and _EARLIER.search(text, max(0, earlier.start - 20), earlier.start)
                and _LATER.fullmatch(text, earlier.unit_end, later.start)):
            figures[index] = replace(later, unit=earlier.unit)
    return figures


def _number_figures(text: str, match: re.Match[str]) -> list[Figure]:
    start, end, stated = match.start(), match.end(), match.group(0)
    after = _AFTER.match(text, end)
    decimals = "," in stated or ("." in stated and not re.fullmatch(r"\d{1,3}(?:\.\d{3})+", stated))
    if after is None:
        if text.startswith(MASK, end):
            return []  # a number glued to an identifier
        return [_plain(text, start, end, stated, "bare" if decimals else "count", end, decimals)]
    if after.group("pct"):
        return [Figure(start, end, stated, parse_number(stated), "pct", after.end(), decimals=decimals)]
    if after.group("den"):
        return _fraction(text, start, end, stated, after)
    if after.group("points"):
        return [Figure(start, end, stated, parse_number(stated), "points", after.end(), decimals=decimals)]
    if after.group("scale"):
        return [_scaled(start, end, stated, after)]
    if after.group("currency_only"):
        value = parse_number(stated) / 1e6
        return [Figure(start, end, stated, value, "money", after.end(), decimals=decimals)]
    return [Figure(start, end, stated, parse_number(stated), "other", after.end())]


def _rank_word_before(text: str, start: int) -> bool:
    words = [word.strip("(\"“-–,") for word in text[max(0, start - 16): start].split()]
    if not words or text[start - 1: start] != " ":
        return False
    last, previous = words[-1], words[-2] if len(words) > 1 else ""
    if last == "thứ":
        return previous not in _NOT_RANK_THỨ
    return last in _RANK_WORDS or f"{previous} {last}" in _RANK_WORDS


def _plain(text: str, start: int, end: int, stated: str, unit: str, unit_end: int, decimals: bool) -> Figure:
    if _rank_word_before(text, start):
        unit = "rank"
    value = _english_thousands(stated) if unit == "count" else parse_number(stated)
    return Figure(start, end, stated, value, unit, unit_end, decimals=decimals)


def _english_thousands(stated: str) -> float:
    """"5,500" in a count or an amount of money is five thousand five hundred, not 5.5."""
    if _ENGLISH_THOUSANDS.fullmatch(stated):
        return float(stated.replace(",", ""))
    return parse_number(stated)


def _scaled(start: int, end: int, stated: str, after: re.Match[str]) -> Figure:
    scale = after.group("scale")
    if after.group("foreign"):
        return Figure(start, end, stated, parse_number(stated), "other", after.end())
    is_money = bool(after.group("currency")) or scale in _BILLIONS
    value = _english_thousands(stated) if len(stated.split(",")[-1]) == 3 else parse_number(stated)
    if is_money:
        million = MILLION_VND_SCALES[scale]
        decimal = parse_number(stated)  # "5,264 tỷ": 5 264 tỷ or 5.264 tỷ, as the metric decides
        return Figure(start, end, stated, round(value * million, 6), "money", after.end(), scale=scale,
                      decimals=True, comma_decimal=round(decimal * million, 6) if value != decimal else None)
    multiplier = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6}.get(scale, 1.0)
    return Figure(start, end, stated, round(value * multiplier, 6), "count", after.end(), scale=scale)


def _fraction(text: str, start: int, end: int, stated: str, after: re.Match[str]) -> list[Figure]:
    """"15/63" (a rank), "55/58 nhiệm vụ" (a part and its whole), "8,24/10 điểm" (points of a maximum)."""
    numerator, denominator = parse_number(stated), parse_number(after.group("den"))
    den_start = after.start("den")
    if after.group("den_points"):
        return [Figure(start, end, stated, numerator, "points", after.end(), max_points=denominator)]
    if _rank_word_before(text, start) or _bare_rank(text, start, after.end()):
        return [Figure(start, end, stated, numerator, "rank", after.end(), rank_of=denominator)]
    den_end = after.end("den")
    return [
        Figure(start, end, stated, numerator, "count", den_end, denominator=denominator),
        Figure(den_start, den_end, after.group("den"), denominator, "count", den_end, numerator_of=numerator),
    ]


def _bare_rank(text: str, start: int, end: int) -> bool:
    """"(45/63)", "Hà Nam (38/63)": a national rank standing alone in parentheses."""
    out_of = text[text.rfind("/", start, end) + 1: end].strip()
    return text[start - 1: start] == "(" and text[end: end + 1] == ")" and out_of in ("63", "34")


def _ranks_in_words(text: str) -> list[Figure]:
    figures = []
    for match in _ORDINAL.finditer(text):
        if match.start() and text[match.start() - 1].isalnum():
            continue  # inside a word
        before = text[max(0, match.start() - 12): match.start()]
        if _NOT_A_RANK_BEFORE.search(before) and match.lastgroup not in ("last", "penultimate"):
            continue
        if _GROUP_BEFORE.search(text, max(0, match.start() - 40), match.start()):
            continue
        start, end = match.span(match.lastgroup)
        word = match.group(match.lastgroup)
        value = ORDINALS.get(word, 1.0)
        figures.append(Figure(start, end, word, float(value), "rank", end, in_words=True,
                              last=match.lastgroup == "last", penultimate=match.lastgroup == "penultimate"))
    return figures


def _zeros(text: str) -> list[Figure]:
    """"không có nhiệm vụ quá hạn": a count of zero."""
    return [Figure(m.start(), m.end() - 1, "không có", 0.0, "count", m.end() - 1)
            for m in _ZERO.finditer(text)]
