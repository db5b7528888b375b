"""The cue vocabulary (vocabulary/cues.yaml): phrases naming what a figure measures, and frames."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from dagster_project.extraction.trie import fast_word_start, literal_trie
from dagster_project.settings import CATALOG_PATH

VOCABULARY_DIR = Path(__file__).parent / "vocabulary"
NONE = "none"  # in a frame: the family is unset, or the count has no noun


@dataclass(frozen=True, slots=True)
class CueInfo:
    """What one phrase says: a counted noun, a topic, aspects (family -> value)."""

    noun: str | None
    topic: str | None
    aspects: tuple[tuple[str, str], ...]
    has_digit: bool  # "mức độ 4": a number inside the phrase is not a figure


@dataclass(frozen=True, slots=True)
class Cue:
    start: int
    end: int
    info: CueInfo


@dataclass(frozen=True)
class Frame:
    """A unit, a topic, nouns and aspects that make a metric (or, with metric None, make nothing)."""

    metric: str | None
    units: frozenset[str]
    topics: frozenset[str]
    nouns: frozenset[str] | None  # for counts; None: any
    require: tuple[tuple[str, frozenset[str]], ...]  # family -> allowed values (NONE: unset)
    reduction: bool
    annual: bool
    why: str

    @property
    def takes_whole(self) -> bool:
        """Whether the whole of a fraction ("55/58 nhiệm vụ": 58) can be this frame's figure."""
        return any(family == "status" and "assigned" in allowed for family, allowed in self.require)

    def fits(self, aspects: dict[str, str]) -> bool:
        return all(aspects.get(family, NONE) in allowed for family, allowed in self.require)


@dataclass(frozen=True)
class Cues:
    finder: re.Pattern[str]
    infos: dict[str, CueInfo]
    frames: tuple[Frame, ...]
    inheritable: frozenset[str]
    clause_bound: frozenset[str]  # topics that name a part for their own clause only
    units: dict[str, str]  # metric code -> catalog unit
    by_topic_unit: dict[tuple[str, str], list[Frame]]  # the frames of a topic and unit, in order

    def scan(self, lowered: str) -> list[Cue]:
        """Every cue phrase of a lower-cased text, longest first at each position, not overlapping."""
        return [Cue(m.start(), m.end(), self.infos[m.group(0)]) for m in self.finder.finditer(lowered)]

    def frames_for(self, topic: str, unit: str) -> list[Frame]:
        return self.by_topic_unit.get((topic, unit), [])


def _phrases(text: str) -> list[str]:
    return [phrase.strip() for phrase in text.split("|") if phrase.strip()]


def _entries(text: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Phrases with the aspects they set: "dự toán thu = base:plan"."""
    entries = []
    for phrase in _phrases(text):
        words, _, setting = phrase.partition("=")
        aspects = tuple(tuple(item.strip().split(":")) for item in setting.split(",") if item.strip())
        entries.append((words.strip(), aspects))
    return entries


class _Builder:
    def __init__(self) -> None:
        self.nouns: dict[str, str] = {}
        self.topics: dict[str, str] = {}
        self.aspects: dict[str, dict[str, str]] = {}

    def add(self, phrase: str, noun: str | None = None, topic: str | None = None,
            aspects: tuple[tuple[str, str], ...] = ()) -> None:
        for table, value in ((self.nouns, noun), (self.topics, topic)):
            if value is not None:
                if table.get(phrase, value) != value:
                    raise ValueError(f"cue {phrase!r} is given two meanings: {table[phrase]!r}, {value!r}")
                table[phrase] = value
        for family, value in aspects:
            known = self.aspects.setdefault(phrase, {})
            if known.get(family, value) != value:
                raise ValueError(f"cue {phrase!r} sets {family} to {known[family]!r} and {value!r}")
            known[family] = value

    def infos(self) -> dict[str, CueInfo]:
        phrases = set(self.nouns) | set(self.topics) | set(self.aspects)
        return {
            phrase: CueInfo(self.nouns.get(phrase), self.topics.get(phrase),
                            tuple(sorted(self.aspects.get(phrase, {}).items())),
                            any(char.isdigit() for char in phrase))
            for phrase in phrases
        }


def _frame(raw: dict, units: dict[str, str]) -> Frame:
    metric = raw.get("metric")
    if metric is not None and metric not in units:
        raise ValueError(f"frame names an unknown metric code {metric!r}")
    as_set = lambda value: frozenset(value if isinstance(value, list) else [value])  # noqa: E731
    return Frame(
        metric=metric,
        units=as_set(raw["unit"]),
        topics=as_set(raw["topic"]),
        nouns=as_set(raw["noun"]) if "noun" in raw else None,
        require=tuple((family, as_set(values)) for family, values in raw.get("require", {}).items()),
        reduction=bool(raw.get("reduction", False)),
        annual=bool(raw.get("annual", False)),
        why=raw.get("why", ""),
    )


def load_catalog_units(path: Path = CATALOG_PATH) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {row["metric_code"]: row["unit"] for row in csv.DictReader(handle)}


@cache
def load_cues(path: Path = VOCABULARY_DIR / "cues.yaml", catalog: Path = CATALOG_PATH) -> Cues:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    builder = _Builder()
    for noun, entry in raw["nouns"].items():
        for phrase, aspects in _entries(entry["phrases"]):
            builder.add(phrase, noun=noun, topic=entry.get("topic"), aspects=aspects)
    inheritable, clause_bound = set(), set()
    for topic, entry in raw["topics"].items():
        if entry.get("inherit"):
            inheritable.add(topic)
        if entry.get("clause_bound"):
            clause_bound.add(topic)
        for phrase, aspects in _entries(entry.get("phrases") or ""):
            builder.add(phrase, topic=topic, aspects=aspects)
    for family, values in raw["aspects"].items():
        for value, text in values.items():
            for phrase, more in _entries(text):
                builder.add(phrase, aspects=((family, value), *more))
    units = load_catalog_units(catalog)
    frames = tuple(_frame(item, units) for item in raw["frames"])
    infos = builder.infos()
    # A literal first letter, not a look-behind, lets the regex engine skip ahead (trie.fast_word_start).
    finder = re.compile(fast_word_start(r"\b" + literal_trie(sorted(infos)) + r"(?![\w§])"))
    by_topic_unit: dict[tuple[str, str], list[Frame]] = {}
    for frame in frames:
        for topic in frame.topics:
            for unit in frame.units:
                by_topic_unit.setdefault((topic, unit), []).append(frame)
    return Cues(finder, infos, frames, frozenset(inheritable), frozenset(clause_bound), units, by_topic_unit)
