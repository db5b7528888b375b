"""Load the extraction vocabulary (YAML) and compile it into regular expressions."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from re import _constants as sre  # the parse tree of a regex, stable across 3.11-3.12
from re import _parser as sre_parser

import yaml

from dagster_project.extraction.attribution import ActorWords, Furniture, province_aliases
from dagster_project.extraction.numbers import MILLION_VND_SCALES, NUMBER_TAIL
from dagster_project.extraction.trie import at_match_start, fast_word_start, literal_trie
from dagster_project.settings import CATALOG_PATH

VOCABULARY_DIR = Path(__file__).parent / "vocabulary"

_SLOT = re.compile(r"\{(?P<kind>[no])(?::(?P<metric>[a-z0-9_]+))?\}")  # {N}, {O} lower-cased
# Ranks written as words: "đứng thứ hai", "xếp thứ ba", "dẫn đầu".
ORDINALS = {
    "nhất": 1, "đầu": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7,
    "tám": 8, "chín": 9, "mười": 10,
}
_MACRO = re.compile(r"\{([A-Z_]+)\}")
# An optional literal opening a pattern ("(?:tổng )?số"): it only widens the match, and dropping
# it lets the regex engine skip ahead to the first required literal.
_OPTIONAL_OPENING = re.compile(r"^\(\?:[^()\[\]{}\\?*+]*\)\?(?![?+])")
_SCALES = "|".join(sorted(MILLION_VND_SCALES, key=len, reverse=True))


@dataclass(frozen=True)
class Rule:
    rule_id: str
    anchors: tuple[str, ...]
    regex: re.Pattern[str]
    required: tuple[str, ...]  # literal strings every match contains, derived from the regex
    slots: dict[str, str]  # regex group suffix -> metric code
    context: re.Pattern[str] | None
    not_context: re.Pattern[str] | None
    context_chars: int
    exclude: re.Pattern[str] | None
    reject_before: re.Pattern[str] | None
    allows_change: bool


@dataclass(frozen=True)
class Guards:
    qualifiers: dict[str, str]  # word -> qualifier
    qualifier_pattern: str
    qualifier_before: re.Pattern[str]  # a qualifier ending the text before a figure
    change_before: re.Pattern[str]
    cumulative_before: re.Pattern[str]
    target_in_sentence: re.Pattern[str]
    target_exceptions: re.Pattern[str]
    target_near: re.Pattern[str]
    year_mention: re.Pattern[str]
    year_ignored_before: re.Pattern[str]
    restatement: re.Pattern[str]
    comparison: re.Pattern[str]
    furniture: Furniture
    actor_words: ActorWords
    plan_metrics: frozenset[str]
    result_before: re.Pattern[str]


@dataclass(frozen=True)
class Vocabulary:
    rules: tuple[Rule, ...]
    guards: Guards
    units: dict[str, str]  # metric code -> catalog unit
    number_slot: str
    anchor_finder: re.Pattern[str]  # the longest anchor word at every position where one starts
    anchor_rules: dict[str, frozenset[int]]  # anchor -> rules needing it or any anchor inside it

    anchored: dict[frozenset[str], tuple[Rule, ...]] = field(default_factory=dict, compare=False)

    def rules_for(self, text: str) -> list[Rule]:
        """The rules whose anchor words occur in the (lower-cased) text, in priority order.

        One scan finds every anchor: an anchor inside a longer one is implied by it.
        """
        found = frozenset(self.anchor_finder.findall(text))
        rules = self.anchored.get(found)
        if rules is None:
            if len(self.anchored) > 10_000:
                self.anchored.clear()  # bounded: sentences repeat few anchor combinations
            wanted = set().union(*(self.anchor_rules[anchor] for anchor in found))
            rules = self.anchored[found] = tuple(self.rules[index] for index in sorted(wanted))
        return [rule for rule in rules if _holds_all(text, rule.required)]


def _holds_all(text: str, literals: tuple[str, ...]) -> bool:
    for literal in literals:  # noqa: SIM110 - a loop is twice as fast as all() over a generator
        if literal not in text:
            return False
    return True


def _lower(pattern: str) -> re.Pattern[str]:
    """For text the extractor has lower-cased: a case-sensitive regex is faster.

    Patterns must not use upper-case escapes (\\W, \\S, \\D, \\B): lower-casing changes them.
    """
    if re.search(r"\\[WSDB]", pattern):
        raise ValueError(f"upper-case escape in a lower-cased pattern: {pattern}")
    return re.compile(fast_word_start(pattern.lower().replace("(?p<", "(?P<")))  # keep named groups


def _ci(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def load_catalog_units(path: Path = CATALOG_PATH) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {row["metric_code"]: row["unit"] for row in csv.DictReader(handle)}


def _load_guards(raw: dict) -> Guards:
    qualifiers = {word: kind for kind, words in raw["qualifiers"].items() for word in words}
    words = sorted(qualifiers, key=len, reverse=True)
    return Guards(
        qualifiers=qualifiers,
        qualifier_pattern="|".join(re.escape(w) for w in words),
        qualifier_before=_lower(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")\s+$"),
        change_before=_lower(raw["change_before"]),
        cumulative_before=_lower(raw["cumulative_before"]),
        target_in_sentence=_lower(raw["target_in_sentence"]),
        target_exceptions=_lower(raw["target_exceptions"]),
        target_near=_lower(raw["target_near"]),
        year_mention=_lower(raw["year_mention"]),
        year_ignored_before=_lower(raw["year_ignored_before"]),
        restatement=_lower(raw["restatement"]),
        comparison=_lower(raw["comparison"]),
        furniture=Furniture(
            heading=_ci(raw["furniture_heading"]),  # matched line by line
            line=tuple(_ci(pattern) for pattern in raw["furniture_line"]),
            footer=_ci(raw["furniture_footer"]),
        ),
        actor_words=ActorWords(
            local=_lower(raw["local_actor"]),
            local_name=re.compile(raw["local_name"]),  # capitals matter: matched as written
            province=_lower(raw["province_actor"]),
            others=tuple(_lower(pattern) for pattern in raw["other_actor"]),
        ),
        plan_metrics=frozenset(raw["plan_metrics"]),
        result_before=_lower(raw["result_before"]),
    )


def number_slot(qualifier_pattern: str, index: int, denominator: bool = False,
                qualified: bool = True) -> str:
    """Regex for one figure: optional qualifier word, the number, an optional scale word.

    The number starts with a digit and then looks behind it, so that a pattern opening with a
    figure still lets the regex engine jump from digit to digit. A figure may follow "/" only as
    a fraction's denominator ("60/78 nhiệm vụ").
    """
    not_after = r"[\w§.,]" if denominator else r"[\w§/.,]"
    qualifier = rf"(?:(?P<q{index}>{qualifier_pattern})\s+)?" if qualified else ""
    return (
        rf"{qualifier}(?P<n{index}>\d(?<!{not_after}\d)(?:{NUMBER_TAIL}))(?![\d§])(?![.,]\d)"
        rf"(?:\s(?P<s{index}>{_SCALES})(?!\w))?"
    )


def _compile_rule(raw: dict, macros: dict[str, str], guards: Guards, units: dict[str, str]) -> Rule:
    def expand(text: str) -> str:
        for _ in range(3):  # macros may use macros
            text = _MACRO.sub(lambda m: macros.get(m.group(1), m.group(0)), text)
        return text

    def optional(key: str) -> re.Pattern[str] | None:  # matched on lower-cased text too
        return re.compile(fast_word_start(expand(raw[key]).lower())) if raw.get(key) else None

    # Rules match lower-cased text: case-sensitive literals let the regex engine skip ahead.
    pattern = _OPTIONAL_OPENING.sub("", expand(raw["pattern"]).lower())
    slots: dict[str, str] = {}

    def slot(match: re.Match[str]) -> str:
        metric = match.group("metric") or raw["metric"]
        if metric not in units:
            raise ValueError(f"rule {raw['id']}: unknown metric code {metric!r}")
        index = str(len(slots))
        slots[index] = metric
        if match.group("kind") == "o":
            return rf"(?P<n{index}>{'|'.join(ORDINALS)})(?!\w)"
        before = match.string[: match.start()]
        denominator = re.search(r"/(?:\\s\?)?$", before) is not None
        # A figure opening the pattern has its qualifier before the match: read from the prefix.
        qualified = not at_match_start(before)
        return number_slot(guards.qualifier_pattern, int(index), denominator, qualified=qualified)

    regex = re.compile(fast_word_start(_SLOT.sub(slot, pattern)))
    if not slots:
        raise ValueError(f"rule {raw['id']}: pattern has no {{N}} or {{O}} figure")
    if not raw.get("anchors"):
        raise ValueError(f"rule {raw['id']}: no anchors (words the pattern needs)")
    return Rule(
        rule_id=raw["id"],
        anchors=tuple(anchor.lower() for anchor in raw["anchors"]),
        regex=regex,
        required=required_literals(regex),
        slots=slots,
        context=optional("context"),
        not_context=optional("not_context"),
        context_chars=int(raw.get("context_chars", 0)),
        exclude=optional("exclude"),
        reject_before=optional("reject_before"),
        allows_change=bool(raw.get("change", False)),
    )


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Literal strings (two characters or more) that every match of the pattern contains.

    Checking them with `in` is far cheaper than running the pattern over a sentence without them.

    >>> required_literals(re.compile(r"(?:tổng )?số (?:tthc|thủ tục)[^.]{0,9}(?:là|:) \\d+ tthc"))
    ('số t', ' tthc')
    """
    return tuple(dict.fromkeys(_required(sre_parser.parse(pattern.pattern))))


def _required(sequence: sre_parser.SubPattern) -> list[str]:
    found: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 2:
            found.append("".join(run))
        run.clear()

    for op, value in sequence:
        if op is sre.LITERAL:
            run.append(chr(value))
        elif op is sre.AT:
            continue  # zero-width (\b, ^): the literals on either side stay adjacent
        else:
            flush()
            found.extend(_required_of(op, value))
    flush()
    return found


def _required_of(op: object, value: object) -> list[str]:
    """Literals required by one non-literal item: a group, a repeat at least once, a branch."""
    if op is sre.SUBPATTERN:
        return _required(value[3])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and value[0] >= 1:
        return _required(value[2])
    if op is sre.BRANCH:
        alternatives = [set(_required(branch)) for branch in value[1]]
        return sorted(set.intersection(*alternatives))
    return []  # character classes, lookarounds, optional parts: nothing certain


def _province_names() -> str:
    """{PROVNAME}: every province name with diacritics, before and after 2025, lower-cased."""
    names = {alias.lower() for generation in (63, 34) for alias in province_aliases(generation)}
    return "(?:" + literal_trie(sorted(names)) + ")"


@cache
def load_vocabulary(directory: Path = VOCABULARY_DIR, catalog: Path = CATALOG_PATH) -> Vocabulary:
    units = load_catalog_units(catalog)
    guards = _load_guards(yaml.safe_load((directory / "guards.yaml").read_text(encoding="utf-8")))
    raw = yaml.safe_load((directory / "rules.yaml").read_text(encoding="utf-8"))
    macros = {**raw["macros"], "PROVNAME": _province_names()}
    rules = tuple(_compile_rule(r, macros, guards, units) for r in raw["rules"])
    anchors: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        for anchor in rule.anchors:
            anchors.setdefault(anchor, []).append(index)
    implied = {
        anchor: frozenset(i for inner, indices in anchors.items() if inner in anchor for i in indices)
        for anchor in anchors
    }
    return Vocabulary(
        rules, guards, units, number_slot(guards.qualifier_pattern, 0),
        re.compile("(?=(" + literal_trie(sorted(anchors)) + "))"), implied,
    )
