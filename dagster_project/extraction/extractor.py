"""Turn a report's prose into facts: one per figure a vocabulary rule recognises."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from dagster_project.extraction.attribution import actors, furniture_spans
from dagster_project.extraction.numbers import NUMBER_PATTERN, parse_number, scale_value
from dagster_project.extraction.rules import ORDINALS, Guards, Rule, Vocabulary, load_vocabulary
from dagster_project.extraction.text import (
    MASK,
    Sentence,
    lower_keeping_offsets,
    mask_references,
    normalize_text,
    split_sentences,
)

EXTRACTOR_VERSION = "0.3.1"
TARGET_DOC_TYPES = frozenset({"directive", "plan"})
_CLOSED_PARENS = re.compile(r"\([^()]*\)")
_DIGIT = re.compile(r"\d")
_YEAR_WORD = re.compile(r"(?i:năm|giai đoạn|đến)\s*$")
_NUMBER = re.compile(rf"(?<![\d.,])(?:{NUMBER_PATTERN})(?![\d])")
_DONG_AFTER = re.compile(r"\s*(?:\w+\s)?đồng")  # money stated in đồng: "5 tỷ đồng"


@dataclass(frozen=True)
class DocumentContext:
    """What is known of a document before reading it (manifest, folder, title)."""

    province_code: str | None = None
    year: int | None = None
    period: str | None = None
    doc_type: str | None = None
    published: date | None = None  # decides which province names (63 or 34 units) the text uses


@dataclass(frozen=True, slots=True)
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


@dataclass(slots=True)
class _Sentence:
    text: str  # original
    masked: str  # masked and lower-cased, same length
    offset: int
    rules: list[Rule] = field(default_factory=list)  # those whose anchors the sentence holds
    actors: list[tuple[int, str | None]] | None = None  # (end, owner) of named actors, on demand
    contexts: dict[tuple[re.Pattern[str], int], bool] = field(default_factory=dict)  # rules share them


def extract_facts(
    text: str, context: DocumentContext | None = None, vocabulary: Vocabulary | None = None
) -> list[Fact]:
    """Extract every recognised figure. Spans index into `normalize_text(text)`."""
    return _extract(normalize_text(text), _Run(context or DocumentContext(), vocabulary))


@dataclass(frozen=True)
class Explanation:
    """Why one number of a document was or was not taken."""

    span_start: int
    span_end: int
    stated: str
    taken: bool
    reason: str


def explain(text: str, context: DocumentContext | None = None) -> list[Explanation]:
    """Every number in the document, and why it was or was not taken: the vocabulary's review tool."""
    text = normalize_text(text)
    run = _Run(context or DocumentContext(), None, trace=[])
    taken = {(f.span_start, f.span_end): f for f in _extract(text, run)}
    masked = mask_references(text)
    furniture = furniture_spans(text, run.vocabulary.guards.furniture)
    explanations = []
    for number in _NUMBER.finditer(text):
        span = number.span()
        fact = taken.get(span)
        if fact is not None:
            reason = f"{fact.metric_code} = {fact.value:g} ({fact.qualifier}, {fact.fact_kind}, " \
                     f"year {fact.year}, province {fact.province_code}) by rule {fact.rule_id}"
        elif masked[span[0]] == MASK:
            reason = "identifier, date or contact (masked)"
        elif _YEAR_WORD.search(text, max(0, span[0] - 12), span[0]):
            reason = "a year (dates the clause)"
        elif any(start <= span[0] < end for start, end in furniture):
            reason = "page furniture"
        else:
            notes = [note for start, end, note in run.trace if start <= span[0] < end]
            reason = "; ".join(dict.fromkeys(notes)) or "no rule matched"
        explanations.append(Explanation(*span, number.group(0), fact is not None, reason))
    return explanations


class _Run:
    """One extraction: the document context, the vocabulary, and optionally a trace of rejections."""

    def __init__(
        self, context: DocumentContext, vocabulary: Vocabulary | None,
        trace: list[tuple[int, int, str]] | None = None,
    ) -> None:
        self.context = context
        self.vocabulary = vocabulary or load_vocabulary()
        self.guards = self.vocabulary.guards
        self.trace = trace
        self.masked_doc = ""
        self.lowered_doc = ""  # masked and lower-cased, same offsets
        generation = 34 if (context.year or 0) > 2025 else 63
        self.actors = actors(generation, self.guards.actor_words)

    def reject(self, sentence: _Sentence, start: int, end: int, reason: str) -> None:
        if self.trace is not None:
            self.trace.append((sentence.offset + start, sentence.offset + end, reason))


def _extract(text: str, run: _Run) -> list[Fact]:
    run.masked_doc = mask_references(text)
    run.lowered_doc = lower_keeping_offsets(run.masked_doc)
    furniture = furniture_spans(text, run.guards.furniture)
    facts: list[Fact] = []
    for span, rules in _sentences_with_rules(text, run):
        if any(start <= span.start < end for start, end in furniture):
            continue
        masked = run.lowered_doc[span.start:span.end]
        sentence = _Sentence(text[span.start:span.end], masked, span.start, rules)
        facts.extend(_sentence_facts(sentence, run))
    return facts


def _sentences_with_rules(text: str, run: _Run) -> Iterator[tuple[Sentence, list[Rule]]]:
    """Sentences holding a number, with the rules their anchor words call for."""
    for span in split_sentences(text):
        if not _DIGIT.search(run.masked_doc, span.start, span.end):
            continue  # masking removed every number: nothing to read here
        yield span, run.vocabulary.rules_for(run.lowered_doc[span.start:span.end])


def _sentence_facts(sentence: _Sentence, run: _Run) -> list[Fact]:
    claimed: dict[tuple[int, int], Fact] = {}
    for rule in sentence.rules:
        if run.trace is None and _context_missing(rule, sentence, run):
            continue  # cheaper than the pattern; when explaining, let the match say why instead
        for match in rule.regex.finditer(sentence.masked):
            if not _rule_applies(rule, match, sentence, run):
                continue
            for fact in _facts_of_match(rule, match, sentence, run):
                kept = claimed.setdefault((fact.span_start, fact.span_end), fact)
                if kept is not fact:
                    run.reject(sentence, fact.span_start - sentence.offset,
                               fact.span_end - sentence.offset,
                               f"{rule.rule_id}: lost to earlier rule {kept.rule_id}")
    return sorted(claimed.values(), key=lambda f: f.span_start)


def _rule_applies(rule: Rule, match: re.Match[str], sentence: _Sentence, run: _Run) -> bool:
    reason = _rule_rejection(rule, match, sentence, run)
    if reason:
        run.reject(sentence, match.start(), match.end(), f"{rule.rule_id}: {reason}")
    return reason is None


def _rule_rejection(rule: Rule, match: re.Match[str], sentence: _Sentence, run: _Run) -> str | None:
    if rule.exclude and rule.exclude.search(match.group(0)):
        return "excluded phrase in the match"
    clause = sentence.masked[: match.start()]
    if rule.reject_before and rule.reject_before.search(clause[clause.rfind(";") + 1:]):
        return "excluded phrase earlier in the clause"
    return _context_missing(rule, sentence, run)


def _context_missing(rule: Rule, sentence: _Sentence, run: _Run) -> str | None:
    if rule.not_context and _has_context(rule.not_context, 0, sentence, run):
        return "sentence is about something else"
    if rule.context is None or _has_context(rule.context, rule.context_chars, sentence, run):
        return None
    return "required context missing"


def _has_context(pattern: re.Pattern[str], chars: int, sentence: _Sentence, run: _Run) -> bool:
    """Whether the sentence, or the `chars` before it in its paragraph, holds the pattern."""
    key = (pattern, chars)
    if key not in sentence.contexts:
        around = sentence.masked
        if chars:
            paragraph = run.lowered_doc[max(0, sentence.offset - chars): sentence.offset]
            around = paragraph[paragraph.rfind("\n\n") + 1:] + " " + around  # not past a blank line
        sentence.contexts[key] = pattern.search(around) is not None
    return sentence.contexts[key]


def _facts_of_match(rule: Rule, match: re.Match[str], sentence: _Sentence, run: _Run) -> list[Fact]:
    facts = []
    for index, metric in rule.slots.items():
        if match.group(f"n{index}") is None:
            continue  # an alternative of the pattern that did not match
        prefix = sentence.masked[: _qualified_start(match, index, sentence, run.guards)[1]]
        if not rule.allows_change and run.guards.change_before.search(prefix[-30:]):
            run.reject(sentence, *match.span(f"n{index}"), f"{rule.rule_id}: a change, not a level")
            continue
        if run.guards.cumulative_before.search(prefix, prefix.rfind(";") + 1):
            run.reject(sentence, *match.span(f"n{index}"), f"{rule.rule_id}: a running total since"
                       " an earlier year, not the period's figure")
            continue
        fact = _make_fact(rule, match, index, metric, sentence, run)
        if fact is not None:
            facts.append(fact)
    if len(facts) == 1 and len(set(rule.slots.values())) == 1:
        facts.extend(_restatements(facts[0], rule, match, sentence, run))
    return facts


def _make_fact(
    rule: Rule, match: re.Match[str], index: str, metric: str, sentence: _Sentence, run: _Run,
    year: int | None = None, confidence: float | None = None,
) -> Fact | None:
    unit = run.vocabulary.units[metric]
    stated = match.group(f"n{index}")
    start, end = match.span(f"n{index}")
    value = scale_value(
        ORDINALS.get(stated) or parse_number(stated), unit, _group(match, f"s{index}"),
        in_dong=_DONG_AFTER.match(sentence.masked, end, end + 30) is not None,
    )
    if unit in ("count", "rank") and value != int(value):
        run.reject(sentence, start, end, f"{rule.rule_id}: a count with a fraction")
        return None
    qualifier_word, slot_start = _qualified_start(match, index, sentence, run.guards)
    province = _owner(sentence, slot_start, run)
    if province == "":
        run.reject(sentence, start, end, f"{rule.rule_id}: not the province's own figure")
        return None
    is_target = _states_target(sentence.masked[:slot_start], run)
    is_plan = metric in run.guards.plan_metrics
    in_target_document = run.context.doc_type in TARGET_DOC_TYPES
    future = is_target or is_plan or in_target_document
    year = year or _attribute_year(sentence.masked[:start], run, allow_future=future)
    if not is_target and in_target_document and not is_plan:
        reported = run.guards.result_before.search(sentence.masked[:slot_start])
        is_current = year is None or run.context.year is None or year >= run.context.year
        is_target = is_current and not reported
    return Fact(
        metric_code=metric,
        value=value,
        unit=unit,
        qualifier=run.guards.qualifiers.get(qualifier_word, "exact"),
        fact_kind="target" if is_target else "actual",
        province_code=province,
        year=year,
        # The document's period ("6 tháng đầu năm") unless the clause names another year.
        period=run.context.period if year in (None, run.context.year) else "year",
        evidence=sentence.text,
        span_start=sentence.offset + start,
        span_end=sentence.offset + end,
        rule_id=rule.rule_id,
        confidence=confidence or (0.85 if rule.context else 0.9),
        stated=stated,
    )


def _qualified_start(
    match: re.Match[str], index: str, sentence: _Sentence, guards: Guards
) -> tuple[str, int]:
    """The figure's qualifier word ("hơn", "khoảng"…) and where the qualified figure starts."""
    word = _group(match, f"q{index}")
    if word:
        return word, match.start(f"q{index}")
    start = match.start(f"n{index}")
    if f"q{index}" not in match.re.groupindex:  # a figure opening the pattern
        before = guards.qualifier_before.search(sentence.masked, max(0, start - 20), start)
        if before:
            return before.group(1), before.start(1)
    return "", start


def _group(match: re.Match[str], name: str) -> str | None:
    return match.group(name) if name in match.re.groupindex else None  # optional groups


def _owner(sentence: _Sentence, position: int, run: _Run) -> str | None:
    """The province the sentence names before the figure; "" for a district or department."""
    if sentence.actors is None:
        lowered = lower_keeping_offsets(sentence.text)
        sentence.actors = run.actors.mentions(sentence.text, lowered, run.context.province_code)
    return run.actors.owner(sentence.actors, position, run.context.province_code)


def _states_target(prefix: str, run: _Run) -> bool:
    """A target or plan ("phấn đấu", "đảm bảo 100%") rather than a result.

    In a directive or plan document, figures about the document's year or later are targets
    too, while the results of earlier years that it recalls are not (see _make_fact).
    """
    guards = run.guards
    if guards.target_near.search(prefix[-60:]):
        return True
    if not guards.target_in_sentence.search(prefix):
        return False  # the common case: no cue at all, no need to discount "vượt mục tiêu"
    return bool(guards.target_in_sentence.search(guards.target_exceptions.sub(" ", prefix)))


def _attribute_year(prefix: str, run: _Run, allow_future: bool = False) -> int | None:
    """The year the clause names before the figure, else the document's year.

    A later year than the document's is a horizon ("đến năm 2025"), not the figure's year,
    except for targets and plan figures (`allow_future`).
    """
    guards, document_year = run.guards, run.context.year
    opened = prefix.rfind("(")
    if opened > prefix.rfind(")"):
        inside = list(guards.year_mention.finditer(prefix[opened:]))
        if inside:
            return int(inside[-1].group("year"))
    flat = _CLOSED_PARENS.sub(lambda m: " " * len(m.group(0)), prefix) if "(" in prefix else prefix
    for mention in reversed(list(guards.year_mention.finditer(flat))):
        year = int(mention.group("year"))
        if guards.year_ignored_before.search(flat, max(0, mention.start() - 40), mention.start()):
            continue
        if allow_future or document_year is None or year <= document_year:
            return year
    return document_year


def _restatements(
    fact: Fact, rule: Rule, match: re.Match[str], sentence: _Sentence, run: _Run
) -> list[Fact]:
    """Figures for another year right after a fact: "(năm 2023 là 31 TTHC)"."""
    rest_start = match.end()
    if "(" not in sentence.masked[rest_start:] and "cùng kỳ" not in sentence.masked[rest_start:]:
        return []  # no parenthesis and no "cùng kỳ": nothing restated
    clause_end = sentence.masked.find(";", rest_start)
    clause_end = len(sentence.masked) if clause_end < 0 else clause_end
    figure_end = match.end("s0") if _group(match, "s0") else match.end("n0")
    # The restated figure repeats the first word of the unit: "24 TTHC (năm 2023 là 31 TTHC)".
    tail = [word for word in sentence.masked[figure_end: match.end()].split() if word[0] != "/"]
    unit_tail = re.escape(tail[0]) if tail else ""
    found = []
    for opener, anchored in ((run.guards.restatement, True), (run.guards.comparison, False)):
        pattern = _restatement_pattern(opener.pattern, run.vocabulary.number_slot, unit_tail)
        if anchored:
            hit = pattern.match(sentence.masked, rest_start)
        else:
            hit = pattern.search(sentence.masked, rest_start, clause_end)
        if hit is None:
            continue
        restated = _make_fact(
            rule, hit, "0", fact.metric_code, sentence, run,
            year=int(_group(hit, "year") or _group(hit, "prior")), confidence=0.8,
        )
        if restated is not None:
            found.append(restated)
    return found


@lru_cache(maxsize=1024)
def _restatement_pattern(opener: str, slot: str, unit_tail: str) -> re.Pattern[str]:
    return re.compile(opener + slot + r"\s?" + unit_tail)  # all parts lower-case
