"""Whose figure is it: page furniture to skip, and the province (or district) a clause names."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dagster_project.extraction.trie import literal_trie
from dagster_project.settings import REFERENCE_DIR

LONG_PARAGRAPH = 300  # characters: a line this long is article text, not a list item
_ACRONYM = re.compile(r"[A-Z]{3}")
_CLAUSE_MARK = re.compile(r"[,;:]")


@dataclass(frozen=True)
class Furniture:
    heading: re.Pattern[str]
    line: tuple[re.Pattern[str], ...]  # any of them
    footer: re.Pattern[str]


def furniture_spans(text: str, furniture: Furniture) -> list[tuple[int, int]]:
    """Character spans of related-news lists, dated list items and footer lines."""
    spans: list[tuple[int, int]] = []
    in_list = False
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if furniture.heading.match(line):
            in_list = True
        elif len(line) >= LONG_PARAGRAPH:
            in_list = False
        if in_list or furniture.footer.match(line) or any(p.search(line) for p in furniture.line):
            spans.append((start, start + len(line)))
    return spans


@dataclass(frozen=True)
class ActorWords:
    """Words naming actors (vocabulary guards); all but `local_name` match lower-cased text."""

    local: re.Pattern[str]  # "huyện", "sở" … before a district's or department's name
    local_name: re.Pattern[str]  # the capitalised name after it, matched on the text as written
    province: re.Pattern[str]  # words handing the clause back to the province ("toàn tỉnh")
    others: re.Pattern[str]  # the nation and its averages, regions, ministries, the province's centre
    others_opening: re.Pattern[str]  # the same, where a clause opens ("cả nước", "khu vực", "dự án")


@dataclass(frozen=True)
class Actors:
    """The named actors of a sentence: provinces, and districts, departments or ministries."""

    provinces: re.Pattern[str]
    codes: dict[str, str]  # alias -> code
    municipalities: frozenset[str]  # codes of centrally-run cities: "thành phố X" is the province
    words: ActorWords

    def mentions(
        self, sentence: str, lowered: str, document_province: str | None
    ) -> list[tuple[int, int, str | None]]:
        """(start, end, owner) of every actor the sentence names, in order; "" marks another actor.

        `lowered` is the sentence lower-cased with the same offsets.
        """
        local = self._local_spans(sentence, lowered)
        found = [
            (m.start(), m.end(), self.codes[m.group(0)]) for m in self.provinces.finditer(sentence)
            if not (m.start() and sentence[m.start() - 1].isalnum())  # a whole name, not a suffix
            and not any(start <= m.start() < end for start, end in local)  # "thành phố Lai Châu"
        ]
        found += [(start, end, "") for start, end in local]
        found += [(m.start(), m.end(), document_province) for m in self.words.province.finditer(lowered)]
        found += [(m.start(), m.end(), "") for m in self.words.others.finditer(lowered)]
        openings = [0, *(m.end() for m in _CLAUSE_MARK.finditer(lowered))]
        found += [(m.start(), m.end(), "") for at in openings
                  if (m := self.words.others_opening.match(lowered, at))]
        return sorted(found, key=lambda mention: (mention[0], mention[1]))

    def _local_spans(self, sentence: str, lowered: str) -> list[tuple[int, int]]:
        """Named districts and departments; "thành phố Lai Châu" is a city, "thành phố Hà Nội" is not."""
        spans: list[tuple[int, int]] = []
        for word in self.words.local.finditer(lowered):
            if spans and word.start() < spans[-1][1]:
                continue  # inside the name just read ("huyện Phong Thổ Sở …")
            name = self.words.local_name.match(sentence, word.end())
            if name and self._is_local(word.group(0), name.group("name")):
                spans.append((word.start(), name.end()))
        return spans

    def _is_local(self, word: str, name: str) -> bool:
        province = self.provinces.match(name)
        if province is None:
            return True
        is_city = word.startswith(("thành phố", "tp"))
        return is_city and self.codes[province.group(0)] not in self.municipalities


@cache
def province_aliases(generation: int, reference_dir: Path = REFERENCE_DIR) -> dict[str, str]:
    """Province names as written in prose (with diacritics, capitalised) -> code."""
    official = set(province_name_of(generation, reference_dir).values())
    aliases: dict[str, str] = {}
    with (reference_dir / "province_aliases.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["alias"]
            # Names as prose writes them: with diacritics ("Gia Lai" has none), or an acronym ("TP.HCM").
            as_written = not name.isascii() or name in official or _ACRONYM.search(name)
            if int(row["generation"]) == generation and as_written:
                aliases[name] = row["province_code"]
    return aliases


@cache
def municipalities(generation: int, reference_dir: Path = REFERENCE_DIR) -> frozenset[str]:
    with (reference_dir / f"provinces_{generation}.csv").open(encoding="utf-8") as handle:
        return frozenset(
            row["province_code"] for row in csv.DictReader(handle) if row["unit_type"] == "municipality"
        )


@cache
def province_names(generation: int) -> tuple[re.Pattern[str], dict[str, str]]:
    """A regex of every province name of a generation (63 or 34), and name -> code."""
    codes = province_aliases(generation)
    return re.compile("(?:" + literal_trie(sorted(codes)) + r")(?![\wÀ-ỹ])"), codes


def actors(generation: int, words: ActorWords) -> Actors:
    names, codes = province_names(generation)
    return Actors(names, codes, municipalities(generation), words)


@cache
def province_name_of(generation: int, reference_dir: Path = REFERENCE_DIR) -> dict[str, str]:
    """code -> official name of the units of a generation."""
    with (reference_dir / f"provinces_{generation}.csv").open(encoding="utf-8") as handle:
        return {row["province_code"]: row["name_vi"] for row in csv.DictReader(handle)}


def same_unit(code: str | None, generation: int) -> str | None:
    """The code, in `generation`, of the unit a code of the other generation names.

    A 34-unit seen before the merger is its namesake among the 63 ("Gia Lai" 52 -> 64), else the
    unit whose code it kept (Phú Thọ 25 -> 25); a 63-unit after the merger is the unit it joined.
    """
    if code is None or code == "":
        return code
    if generation == 63:
        name = province_name_of(34).get(code)
        by_name = {name_vi: c for c, name_vi in province_name_of(63).items()}
        return by_name.get(name, code) if name else code
    return merged_into().get(code, code)


@cache
def merged_into(reference_dir: Path = REFERENCE_DIR) -> dict[str, str]:
    """63-unit code -> the 34-unit code it became part of on 1 July 2025."""
    with (reference_dir / "province_merger_2025.csv").open(encoding="utf-8") as handle:
        return {row["old_province_code"]: row["new_province_code"] for row in csv.DictReader(handle)}


def in_generation(code: str | None, generation: int) -> str | None:
    """A document's province code in its own generation: a 63-unit code given for a text written
    after the merger is the unit it joined ("Gia Lai" 64 -> 52); codes of that generation stay."""
    if not code or generation == 63 or code in province_name_of(34):
        return code
    return merged_into().get(code, code)
