"""The guards (vocabulary/guards.yaml): whether a figure is the province's level for the period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from dagster_project.extraction.attribution import ActorWords, Furniture
from dagster_project.extraction.cues import VOCABULARY_DIR
from dagster_project.extraction.trie import fast_word_start


@dataclass(frozen=True)
class Guards:
    qualifiers: dict[str, str]  # word -> qualifier
    qualifier_before: re.Pattern[str]  # a qualifier word ending the text before a figure
    estimate_in_clause: re.Pattern[str]
    continuation: re.Pattern[str]
    change_word: re.Pattern[str]
    level_word: re.Pattern[str]
    reduction_word: re.Pattern[str]
    earlier_level: re.Pattern[str]
    later_level: re.Pattern[str]
    cumulative: re.Pattern[str]
    cumulative_reduction: re.Pattern[str]
    target_in_sentence: re.Pattern[str]
    target_exceptions: re.Pattern[str]
    target_near: re.Pattern[str]
    result_before: re.Pattern[str]
    year_mention: re.Pattern[str]
    year_ignored_before: re.Pattern[str]
    comparison_year: re.Pattern[str]
    parenthesis_year: re.Pattern[str]
    parenthesis_opening_year: re.Pattern[str]
    subset_after: re.Pattern[str]
    quarter_year: re.Pattern[str]
    same_period_year: re.Pattern[str]
    periods: tuple[tuple[str, re.Pattern[str]], ...]
    until_date: re.Pattern[str]
    single_month: re.Pattern[str]
    regional_before: re.Pattern[str]
    regional_opening: re.Pattern[str]
    regional_after: re.Pattern[str]
    national_after: re.Pattern[str]
    furniture: Furniture
    actor_words: ActorWords
    district_author: re.Pattern[str]
    plan_metrics: frozenset[str]
    stock_metrics: frozenset[str]
    large_amounts: frozenset[str]


def _lower(pattern: str) -> re.Pattern[str]:
    """For text the extractor has lower-cased (upper-case escapes would change meaning)."""
    if re.search(r"\\[WSDB]", pattern):
        raise ValueError(f"upper-case escape in a lower-cased pattern: {pattern}")
    return re.compile(fast_word_start(pattern.lower().replace("(?p<", "(?P<")))


def _ci(pattern: str) -> re.Pattern[str]:
    return re.compile(fast_word_start(pattern), re.IGNORECASE)


@cache
def load_guards(path: Path = VOCABULARY_DIR / "guards.yaml") -> Guards:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    qualifiers = {word: kind for kind, words in raw["qualifiers"].items() for word in words}
    words = "|".join(re.escape(w) for w in sorted(qualifiers, key=len, reverse=True))
    lowered = {key: _lower(raw[key]) for key in (
        "estimate_in_clause", "continuation", "change_word", "level_word", "reduction_word", "earlier_level",
        "later_level", "cumulative", "cumulative_reduction", "target_in_sentence", "target_exceptions",
        "target_near", "result_before", "year_mention", "year_ignored_before", "comparison_year",
        "parenthesis_year", "parenthesis_opening_year", "subset_after", "quarter_year", "same_period_year",
        "until_date", "single_month",
        "regional_before", "regional_opening", "regional_after", "national_after",
    )}
    return Guards(
        qualifiers=qualifiers,
        qualifier_before=_lower(r"(?<!\w)(" + words + r")\s+$"),
        periods=tuple((period, _lower(pattern)) for period, pattern in raw["periods"].items()),
        furniture=Furniture(
            heading=_ci(raw["furniture_heading"]),  # matched line by line
            line=tuple(_ci(pattern) for pattern in raw["furniture_line"]),
            footer=_ci(raw["furniture_footer"]),
        ),
        actor_words=ActorWords(
            local=_lower(raw["local_actor"]),
            local_name=re.compile(raw["local_name"]),  # capitals matter: matched as written
            province=_lower(raw["province_actor"]),
            others=_lower("|".join(f"(?:{pattern})" for pattern in raw["other_actor"])),
            others_opening=_lower(raw["other_actor_opening"]),
        ),
        district_author=_ci(raw["district_author"]),
        plan_metrics=frozenset(raw["plan_metrics"]),
        stock_metrics=frozenset(raw["stock_metrics"]),
        large_amounts=frozenset(raw["large_amounts"]),
        **lowered,
    )
