"""Resolve province names as reports write them ("Tỉnh Lai Châu", "TP. HCM", "12") to codes."""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

from dagster_project.settings import REFERENCE_DIR


def fold(name: str) -> str:
    """Case- and diacritic-insensitive key: "Hoà Bình" and "hoa binh" fold alike."""
    text = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"[\s._-]+", " ", text.casefold()).strip()


_PREFIXES = re.compile(r"^(?:tinh|thanh pho|tp)\s+")


@cache
def _aliases(reference_dir: Path = REFERENCE_DIR) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for file in ("provinces_34.csv", "provinces_63.csv"):  # pre-merger names win on a clash
        with (reference_dir / file).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                aliases[fold(row["name_vi"])] = row["province_code"]
                aliases[fold(row["name_ascii"])] = row["province_code"]
    alias_file = reference_dir / "province_aliases.csv"
    if alias_file.exists():
        with alias_file.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                aliases.setdefault(fold(row["alias"]), row["province_code"])
    return aliases


def province_code(name: str | None) -> str | None:
    """The 2-digit code of a province name or code, or None when unknown.

    >>> province_code("Tỉnh Lai Châu"), province_code("vinh long"), province_code("1")
    ('12', '86', '01')
    """
    if not name or not name.strip():
        return None
    text = name.strip()
    codes = set(_aliases().values())
    if text.isdigit():
        return text.zfill(2) if text.zfill(2) in codes else None
    key = fold(text)
    return _aliases().get(key) or _aliases().get(_PREFIXES.sub("", key))
