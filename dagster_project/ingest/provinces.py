"""Resolve province names as reports write them ("Tỉnh Lai Châu", "TP. HCM", "12") to codes.

Seven names are units both before the 2025 merger (63 provinces) and after it (34) under other
codes (Đồng Tháp 87, then 82): a name resolves in the generation of the document that writes it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

from dagster_project.settings import REFERENCE_DIR

GENERATIONS = (63, 34)  # pre-merger names win when no generation is given


def fold(name: str) -> str:
    """Case- and diacritic-insensitive key: "Hoà Bình" and "hoa binh" fold alike."""
    text = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"[\s._-]+", " ", text.casefold()).strip()


_PREFIXES = re.compile(r"^(?:tinh|thanh pho|tp)\s+")
# "Gia Lai (cũ)" is the unit before the merger, "Gia Lai (mới)" the one after, whatever the document.
_OLD_OR_NEW = re.compile(r"\s*(?:\((?P<paren>cu|moi)\)|\b(?P<word>cu|moi))$")


@cache
def _aliases(generation: int, reference_dir: Path = REFERENCE_DIR) -> dict[str, str]:
    """Folded names of one generation's units -> code; official names win over aliases."""
    aliases: dict[str, str] = {}
    with (reference_dir / f"provinces_{generation}.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            aliases[fold(row["name_vi"])] = row["province_code"]
            aliases[fold(row["name_ascii"])] = row["province_code"]
    alias_file = reference_dir / "province_aliases.csv"
    if alias_file.exists():
        with alias_file.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if int(row["generation"]) == generation:
                    aliases.setdefault(fold(row["alias"]), row["province_code"])
    return aliases


@cache
def _codes() -> frozenset[str]:
    return frozenset(code for generation in GENERATIONS for code in _aliases(generation).values())


def province_code(name: str | None, generation: int | None = None) -> str | None:
    """The 2-digit code of a province name or code, or None when unknown.

    >>> province_code("Tỉnh Lai Châu"), province_code("vinh long"), province_code("1")
    ('12', '86', '01')

    With a generation (63 or 34), a name is first that generation's unit; a name of the other one
    alone keeps its own code (Bình Định, gone in 2025, is 52 among the 63):

    >>> province_code("Đồng Tháp"), province_code("Đồng Tháp", 63), province_code("Đồng Tháp", 34)
    ('87', '87', '82')
    >>> province_code("Bình Định", 34), province_code("Gia Lai (cũ)", 34), province_code("82", 63)
    ('52', '64', '82')
    """
    if not name or not name.strip():
        return None
    text = name.strip()
    if text.isdigit():
        return text.zfill(2) if text.zfill(2) in _codes() else None
    key = fold(text)
    if marked := _OLD_OR_NEW.search(key):
        generation = 63 if "cu" in (marked.group("paren"), marked.group("word")) else 34
        key = key[: marked.start()]
    first = generation if generation in GENERATIONS else GENERATIONS[0]
    for each in sorted(GENERATIONS, key=lambda g: g != first):
        aliases = _aliases(each)
        if code := aliases.get(key) or aliases.get(_PREFIXES.sub("", key)):
            return code
    return None
