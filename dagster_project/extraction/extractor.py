"""Turn a report's prose into facts: one per figure a vocabulary rule recognises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from dagster_project.extraction.attribution import actors, furniture_spans
from dagster_project.extraction.numbers import parse_number, scale_value
from dagster_project.extraction.rules import Rule, Vocabulary, load_vocabulary
from dagster_project.extraction.text import mask_references, normalize_text, split_sentences

EXTRACTOR_VERSION = "0.1.0"
TARGET_DOC_TYPES = frozenset({"directive", "plan"})
_CLOSED_PARENS = re.compile(r"\([^()]*\)")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class DocumentContext:
    """What is known of a document before reading it (manifest, folder, title)."""

    province_code: str | None = None
    year: int | None = None
    period: str | None = None
    doc_type: str | None = None


@dataclass(frozen=True)
class Fact:
    metric_code: str
    value: float
    unit: str
    qualifier: str
    fact_kind: str
    province_code: str | None
    year: int | None
    period: str | None
    evidence: str
    span_start: int
    span_end: int
    rule_id: str
    confidence: float
    stated: str = field(compare=False)  # the figure as written, e.g. "90,79"


@dataclass
class _Sentence:
    text: str  # original
    masked: str  # masked and lower-cased, same length
    offset: int


def _lower(text: str) -> str:
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def extract_facts(
    text: str, context: DocumentContext | None = None, vocabulary: Vocabulary | None = None
) -> list[Fact]:
    """Extract every recognised figure. Spans index into `normalize_text(text)`."""
    context = context or DocumentContext()
    vocabulary = vocabulary or load_vocabulary()
    text = normalize_text(text)
    masked = mask_references(text)
    furniture = furniture_spans(text, vocabulary.guards.furniture)
    facts: list[Fact] = []
    for span in split_sentences(text):
        if not _DIGIT.search(masked, span.start, span.end):
            continue  # masking removed every number: nothing to read here
        if any(start <= span.start < end for start, end in furniture):
            continue
        sentence = _Sentence(text[span.start:span.end], _lower(masked[span.start:span.end]), span.start)
        facts.extend(_sentence_facts(sentence, context, vocabulary, masked))
    return facts


def _sentence_facts(
    sentence: _Sentence, context: DocumentContext, vocabulary: Vocabulary, masked_doc: str
) -> list[Fact]:
    claimed: dict[tuple[int, int], Fact] = {}
    for rule in vocabulary.rules_for(sentence.masked):
        for match in rule.regex.finditer(sentence.masked):
            if not _rule_applies(rule, match, sentence, masked_doc):
                continue
            for fact in _facts_of_match(rule, match, sentence, context, vocabulary):
                claimed.setdefault((fact.span_start, fact.span_end), fact)
    return sorted(claimed.values(), key=lambda f: f.span_start)


def _rule_applies(rule: Rule, match: re.Match[str], sentence: _Sentence, masked_doc: str) -> bool:
    if rule.exclude and rule.exclude.search(match.group(0)):
        return False
    clause = sentence.masked[: match.start()]
    if rule.reject_before and rule.reject_before.search(clause[clause.rfind(";") + 1:]):
        return False
    if rule.context is None:
        return True
    before = sentence.masked[: match.end()]
    if rule.context_chars:
        start = sentence.offset - rule.context_chars
        paragraph = masked_doc[max(0, start): sentence.offset]
        before = paragraph[paragraph.rfind("\n") + 1:] + " " + before
    return rule.context.search(before) is not None


def _facts_of_match(
    rule: Rule, match: re.Match[str], sentence: _Sentence, context: DocumentContext,
    vocabulary: Vocabulary,
) -> list[Fact]:
    facts = []
    for index, metric in rule.slots.items():
        if match.group(f"n{index}") is None:
            continue  # an alternative of the pattern that did not match
        prefix = sentence.masked[: _qualified_start(match, index, sentence, vocabulary)[1]]
        if not rule.allows_change and vocabulary.guards.change_before.search(prefix[-30:]):
            continue
        fact = _make_fact(rule, match, index, metric, sentence, context, vocabulary)
        if fact is not None:
            facts.append(fact)
    if len(facts) == 1 and len(set(rule.slots.values())) == 1:
        facts.extend(_restatements(facts[0], rule, match, sentence, context, vocabulary))
    return facts


def _make_fact(
    rule: Rule, match: re.Match[str], index: str, metric: str, sentence: _Sentence,
    context: DocumentContext, vocabulary: Vocabulary, year: int | None = None,
    confidence: float | None = None,
) -> Fact | None:
    guards = vocabulary.guards
    unit = vocabulary.units[metric]
    stated = match.group(f"n{index}")
    tail = sentence.masked[match.end(f"n{index}"): match.end(f"n{index}") + 30]
    value = scale_value(
        parse_number(stated), unit, match.group(f"s{index}"),
        in_dong=bool(re.match(r"\s*(?:\w+\s)?đồng", tail, re.IGNORECASE)),
    )
    if unit in ("count", "rank") and value != int(value):
        return None  # a count with a fraction is a misread, not a figure
    start, end = match.span(f"n{index}")
    qualifier_word, slot_start = _qualified_start(match, index, sentence, vocabulary)
    province = _owner(sentence.text[:slot_start], context, vocabulary)
    if province == "":
        return None  # a district's, department's or ministry's figure, not the province's
    return Fact(
        metric_code=metric,
        value=value,
        unit=unit,
        qualifier=guards.qualifiers.get(qualifier_word, "exact"),
        fact_kind=_fact_kind(sentence.masked[:slot_start], context, vocabulary),
        province_code=province,
        year=year or _attribute_year(sentence.masked[:start], context.year, vocabulary),
        period=context.period if year is None else "year",
        evidence=sentence.text,
        span_start=sentence.offset + start,
        span_end=sentence.offset + end,
        rule_id=rule.rule_id,
        confidence=confidence or (0.85 if rule.context else 0.9),
        stated=stated,
    )


def _qualified_start(
    match: re.Match[str], index: str, sentence: _Sentence, vocabulary: Vocabulary
) -> tuple[str, int]:
    """The figure's qualifier word ("hơn", "khoảng"…) and where the qualified figure starts."""
    word = _group(match, f"q{index}")
    if word:
        return word, match.start(f"q{index}")
    start = match.start(f"n{index}")
    if _group(match, f"q{index}") is None and f"q{index}" not in _group_names(match):
        before = vocabulary.guards.qualifier_before.search(sentence.masked, max(0, start - 20), start)
        if before:
            return before.group(1), before.start(1)
    return "", start


def _group(match: re.Match[str], name: str) -> str | None:
    try:
        return match.group(name)
    except IndexError:
        return None


def _group_names(match: re.Match[str]) -> dict[str, int]:
    return match.re.groupindex


def _owner(prefix: str, context: DocumentContext, vocabulary: Vocabulary) -> str | None:
    guards = vocabulary.guards
    generation = 34 if (context.year or 0) > 2025 else 63
    return actors(generation, guards.local_actor, guards.province_actor).owner(
        prefix, context.province_code
    )


def _fact_kind(prefix: str, context: DocumentContext, vocabulary: Vocabulary) -> str:
    guards = vocabulary.guards
    if guards.target_near.search(prefix[-40:]):
        return "target"
    if guards.target_in_sentence.search(guards.target_exceptions.sub(" ", prefix)):
        return "target"
    return "target" if context.doc_type in TARGET_DOC_TYPES else "actual"


def _attribute_year(prefix: str, document_year: int | None, vocabulary: Vocabulary) -> int | None:
    """The year the clause names before the figure, else the document's year."""
    guards = vocabulary.guards
    opened = prefix.rfind("(")
    if opened > prefix.rfind(")"):
        inside = list(guards.year_mention.finditer(prefix[opened:]))
        if inside:
            return int(inside[-1].group("year"))
    flat = _CLOSED_PARENS.sub(lambda m: " " * len(m.group(0)), prefix) if "(" in prefix else prefix
    for mention in reversed(list(guards.year_mention.finditer(flat))):
        year = int(mention.group("year"))
        if guards.year_ignored_before.search(flat[: mention.start()]):
            continue
        if document_year is None or year <= document_year:
            return year
    return document_year


def _restatements(
    fact: Fact, rule: Rule, match: re.Match[str], sentence: _Sentence, context: DocumentContext,
    vocabulary: Vocabulary,
) -> list[Fact]:
    """Figures for another year right after a fact: "(năm 2023 là 31 TTHC)"."""
    guards = vocabulary.guards
    rest = sentence.masked[match.end():]
    clause_end = len(rest) if ";" not in rest else rest.index(";")
    figure_end = match.end("s0") if _group(match, "s0") else match.end("n0")
    unit_tail = re.escape(sentence.masked[figure_end: match.end()].strip())
    found = []
    for opener, anchored in ((guards.restatement, True), (guards.comparison, False)):
        pattern = _restatement_pattern(opener.pattern, vocabulary.number_slot, unit_tail)
        hit = pattern.match(rest) if anchored else pattern.search(rest, 0, clause_end)
        if hit is None:
            continue
        shifted = _Sentence(sentence.text, sentence.masked, sentence.offset)
        restated = _make_fact(
            rule, _Shifted(hit, match.end()), "0", fact.metric_code, shifted, context,
            vocabulary, year=int(hit.group("year")), confidence=0.8,
        )
        if restated is not None:
            found.append(restated)
    return found


@lru_cache(maxsize=1024)
def _restatement_pattern(opener: str, slot: str, unit_tail: str) -> re.Pattern[str]:
    return re.compile(opener + slot + r"\s?" + unit_tail, re.IGNORECASE)


class _Shifted:
    """A match on a suffix of the sentence, seen with sentence-relative offsets."""

    def __init__(self, match: re.Match[str], shift: int) -> None:
        self._match, self._shift = match, shift

    @property
    def re(self) -> re.Pattern[str]:
        return self._match.re

    def group(self, name: str) -> str | None:
        return self._match.group(name)

    def start(self, name: str) -> int:
        return self._match.start(name) + self._shift

    def end(self, name: str | int = 0) -> int:
        return self._match.end(name) + self._shift

    def span(self, name: str) -> tuple[int, int]:
        return self.start(name), self.end(name)
