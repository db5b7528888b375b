"""Turn a report's prose into facts: every number of the text, decided from the cues around it.

Each number (and each rank written in words) is a candidate. Its unit is read right after it; what
it measures comes from the cue vocabulary (cues.yaml): the noun after it or the nearest topic
before it in its sentence (or, for a ranking, the index the text last named), and the aspects
around it. The guards (guards.yaml) then decide whether it is the province's level for a period:
its owner, a change, a target, a running total, a single month, its year, period and qualifier.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from dagster_project.extraction.attribution import actors, furniture_spans, in_generation, same_unit
from dagster_project.extraction.cues import NONE, Cue, Cues, Frame, load_cues
from dagster_project.extraction.figures import Figure, find_figures
from dagster_project.extraction.guards import Guards, load_guards
from dagster_project.extraction.tables import CELL_SEPARATOR, Cell, table_cells, table_rows
from dagster_project.extraction.text import (
    MASK,
    lower_keeping_offsets,
    mask_references,
    normalize_text,
    split_sentences,
)

EXTRACTOR_VERSION = "0.4.2"
TARGET_DOC_TYPES = frozenset({"directive", "plan"})
MERGER = date(2025, 7, 1)  # the 34 provinces from this day
PERIOD_ENDS = {"year": (12, 31), "H1": (6, 30), "9M": (9, 30), "Q1": (3, 31), "Q2": (6, 30),
               "Q3": (9, 30), "Q4": (12, 31), "ytd": (12, 31)}
PERIOD_START_MONTHS = {"Q2": 4, "Q3": 7, "Q4": 10}  # other periods start on 1 January
QUARTERS = {"i": "Q1", "1": "Q1", "ii": "Q2", "2": "Q2", "iii": "Q3", "3": "Q3", "iv": "Q4", "4": "Q4"}
_FUNCTION_WORDS = frozenset(
    ["và", "với", "trong", "so", "tăng", "giảm", "đạt", "là", "của", "chiếm", "trên", "được", "đã", "bằng",
     "thì", "nhưng", "hoặc", "còn", "gồm", "ở", "tại", "theo", "từ", "đến", "tới", "cho", "mỗi", "này", "đó",
     "nay", "hiện"]
)
_WORD = re.compile(r"\s*(\w+)")
_HEADING_NUMBER = re.compile(r"^\s*(?:phần\s+)?(?:[ivxlc]+|\d+|[a-đ])[.)]\s", re.IGNORECASE)
_OVERTAKEN = re.compile(r"\b(?:vượt|vượt qua|qua mặt|soán ngôi|thay thế)\s+(?:tỉnh\s+|thành phố\s+)?$")
_RESPECTIVELY = re.compile(r"\blần lượt\b")
_LINKED = re.compile(r"^[^,.;()]{0,40}?\b(?:là|thuộc về)\s+$")
_ABOUT_TOPIC = re.compile(r"\bvề\s+$")
_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?")
_CLOSED_PARENS = re.compile(r"\([^()]*\)")
_UP_TO = re.compile(r"\s*(?:%\s*)?trở lên")
_SEMICOLON = re.compile(";")
# Aspects the opening clause of a sentence gives its other clauses: the level ("Ở cấp huyện, …"),
# the action a list shares ("đã giảm 76 biên chế công chức, …; 1.136 người làm việc").
_SENTENCE_FAMILIES = ("level", "action", "status")
_ELLIPSIS_FAMILIES = frozenset({"service_level", "level"})
_HORIZON = frozenset({"đến", "tới", "hết"})
_RELATIVE = ("action", "in_force")  # "thuộc thẩm quyền giải quyết": which ones, not what was done
_ASSIGNED = ("status", "assigned")
_RECEIVED = ("status", "received")
_MADE_OF = re.compile(r"\s*(?:\([^()]*\)\s*)?(?:với|gồm|bao gồm)\s+")  # what a topic phrase holds
_SEGMENT_END = re.compile(r"[,;:(]")
_WHOLE_END = re.compile(r"[,;:(]|\b(?:đạt|là|chiếm|bằng)\b")
_PUNCTUATION = re.compile(r"[,;:()]")
_LIST_COMMA = re.compile(r",(?!\d)")  # not the decimal comma of "mức độ 1,2"
_DIGIT = re.compile(r"[0-9]")
_FIGURE_WORDS = ("thứ", "đầu", "cuối", "áp chót", "quán quân", "không có")  # ranks in words, a zero
_YEAR = re.compile(r"(?:19|20)\d\d")
_COMPARED_WITH_YEAR = re.compile(r"so với năm ((?:19|20)\d\d)")
_NUMBER_RUN = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR_AFTER = re.compile(r"\s*(?:\(\w+\)\s*)?(?:năm\s+)?((?:19|20)\d\d)\b")
_Named = tuple[str, str, int]  # a topic named in a sentence: the topic, the sentence, where its phrase ends
# Where what is said of a figure's noun ends: "6 đơn vị sự nghiệp | bằng cách sáp nhập".
_RIGHT_STOP = re.compile(r"[,;:()]|\b(?:bằng cách|do|vì|theo|trong đó|và|hoặc)\b")


@dataclass(frozen=True)
class DocumentContext:
    """What is known of a document before reading it (manifest, folder, title)."""

    province_code: str | None = None
    year: int | None = None
    period: str | None = None
    doc_type: str | None = None
    published: date | None = None  # decides which province names (63 or 34 units) the text uses
    national: bool = False  # about every province (a ranking): a figure needs a province named with it


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


@dataclass(frozen=True)
class Explanation:
    """Why one number of a document was or was not taken."""

    span_start: int
    span_end: int
    stated: str
    taken: bool
    reason: str
    fact: Fact | None = None  # the fact taken from it


@dataclass(frozen=True)
class Vocabulary:
    cues: Cues
    guards: Guards


@cache
def load_vocabulary() -> Vocabulary:
    return Vocabulary(load_cues(), load_guards())


def extract_facts(
    text: str, context: DocumentContext | None = None, vocabulary: Vocabulary | None = None
) -> list[Fact]:
    """Extract every recognised figure. Spans index into `normalize_text(text)`."""
    document = _Document(normalize_text(text), context or DocumentContext(), vocabulary or load_vocabulary())
    return document.facts()


def explain(text: str, context: DocumentContext | None = None) -> list[Explanation]:
    """Every figure of the document and why it was or was not taken: the vocabulary's review tool."""
    document = _Document(normalize_text(text), context or DocumentContext(), load_vocabulary(), trace=True)
    taken = {(fact.span_start, fact.span_end): fact for fact in document.facts()}
    explanations = []
    for span, (stated, reason) in sorted({**document.masked_numbers(), **document.seen}.items()):
        fact = taken.get(span)
        if fact is not None:
            reason = (f"{fact.metric_code} = {fact.value:g} ({fact.qualifier}, {fact.fact_kind}, year "
                      f"{fact.year}, {fact.period}, province {fact.province_code}) by {fact.rule_id}")
        explanations.append(Explanation(*span, stated, fact is not None, reason, fact))
    return explanations


@dataclass
class _Sentence:
    start: int  # in the document
    text: str  # as written
    lowered: str  # masked and lower-cased, same offsets
    cues: list[Cue]
    cell: Cell | None = None  # a table cell read as a sentence: the value stands at `start + its offset`
    evidence: str | None = None  # what the fact quotes, when not the sentence itself (a table row)
    found: dict[re.Pattern[str], list[re.Match[str]]] = field(default_factory=dict)  # matches, by pattern

    def __post_init__(self) -> None:
        has_parentheses = "(" in self.lowered
        self.parentheses = ([m.span() for m in _CLOSED_PARENS.finditer(self.lowered)]
                            if has_parentheses else [])
        # ";" ends a clause, but not inside parentheses ("(cấp tỉnh 285.403 hồ sơ; cấp huyện …)")
        self.clause_breaks = [m.start() for m in _SEMICOLON.finditer(self.lowered)
                              if not self.in_parentheses(m.start())]

    @property
    def wholes(self) -> list[tuple[int, int]]:
        """Spans that name the whole a share is of: from "trên tổng số" to the end of its segment."""
        if "wholes" not in self.__dict__:
            self.__dict__["wholes"] = [(cue.start, _whole_end(self.lowered, cue.end)) for cue in self.cues
                                       if ("base", "whole") in cue.info.aspects]
        return self.__dict__["wholes"]

    def inside_a_cue(self, position: int) -> bool:
        at = bisect_right(self.starts, position) - 1
        return at >= 0 and self.cues[at].start < position < self.cues[at].end

    def in_parentheses(self, position: int) -> bool:
        return any(start < position < end for start, end in self.parentheses)

    @property
    def starts(self) -> list[int]:
        if "starts" not in self.__dict__:
            self.__dict__["starts"] = [cue.start for cue in self.cues]
        return self.__dict__["starts"]

    @property
    def ends(self) -> list[int]:  # increasing too: cues do not overlap
        if "ends" not in self.__dict__:
            self.__dict__["ends"] = [cue.end for cue in self.cues]
        return self.__dict__["ends"]

    def within(self, start: int, end: int) -> list[Cue]:
        """The cues that lie between two offsets, in order."""
        return self.cues[bisect_left(self.starts, start): bisect_right(self.ends, end)]

    def starting_in(self, start: int, end: int) -> list[Cue]:
        return self.cues[bisect_left(self.starts, start): bisect_left(self.starts, end)]

    def matches(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        if pattern not in self.found:
            self.found[pattern] = list(pattern.finditer(self.lowered))
        return self.found[pattern]

    def last_match(self, pattern: re.Pattern[str], start: int, end: int) -> re.Match[str] | None:
        """The last match of a pattern that starts in [start, end) and ends by `end`."""
        found = None
        for match in self.matches(pattern):
            if match.start() >= end:
                break
            if match.start() >= start and match.end() <= end:
                found = match
        return found


@dataclass(frozen=True)
class _Place:
    """Where a figure stands in its sentence: its clause, and the figures on either side."""

    clause_start: int
    clause_end: int
    prev_end: int  # end of the figure before it in its clause, else the clause start
    next_start: int  # start of the figure after it in its clause, else the clause end


@dataclass(frozen=True)
class _Topic:
    name: str
    cue: Cue | None  # the phrase that named it in this sentence, if any
    year: int | None  # the year stated with an inherited topic ("Chỉ số SIPAS 2023")
    how: str  # noun, about, before, inherited


@dataclass(frozen=True)
class _When:
    year: int | None
    period: str | None
    same_period: bool = False


class _Recent:
    """The topics that the last sentence naming any named, last first. Sentences without a figure
    are scanned only when a figure needs their topic (a ranking that names its index once)."""

    def __init__(self, cues: Cues) -> None:
        self.cues = cues
        self.named: list[_Named] = []
        self.pending: list[str] = []  # lower-cased sentences read since, not yet scanned

    def skip(self, lowered: str) -> None:
        self.pending.append(lowered)

    def saw(self, sentence: _Sentence) -> None:
        named = [(cue.info.topic, sentence.lowered, cue.end) for cue in sentence.cues if cue.info.topic]
        if named:
            self.named, self.pending = named[::-1], []

    def topics(self) -> list[_Named]:
        while self.pending:
            lowered = self.pending.pop()
            named = [(cue.info.topic, lowered, cue.end) for cue in self.cues.scan(lowered) if cue.info.topic]
            if named:
                self.named, self.pending = named[::-1], []
        return self.named


class _Rejected(Exception):
    """A figure that is not one of the province's facts, and why."""


class _Document:
    def __init__(self, text: str, context: DocumentContext, vocabulary: Vocabulary, trace: bool = False):
        self.text = text
        self.context = context
        self.cues = vocabulary.cues
        self.guards = vocabulary.guards
        self.trace = trace
        self.seen: dict[tuple[int, int], tuple[str, str]] = {}  # figure span -> (stated, reason)
        self.masked = mask_references(text)
        self.lowered = lower_keeping_offsets(self.masked)
        self.generation = generation_of(context.year, context.period, context.published)
        self.actors = {gen: actors(gen, self.guards.actor_words) for gen in (63, 34)}
        self.mention_cache: dict[tuple[int, int], list[tuple[int, int, str | None]]] = {}
        self.default_owner = "" if self._district_author() else in_generation(context.province_code,
                                                                              self.generation)

    def masked_numbers(self) -> dict[tuple[int, int], tuple[str, str]]:
        """Numbers the masking hid (document numbers, dates, phones): shown, never read."""
        return {run.span(): (run.group(), "identifier, date or contact (masked)")
                for run in _NUMBER_RUN.finditer(self.text) if self.masked[run.start()] == MASK}

    # ---------------------------------------------------------------- the document

    def facts(self) -> list[Fact]:
        furniture = furniture_spans(self.text, self.guards.furniture)
        furniture_starts = [start for start, _ in furniture]
        recent = _Recent(self.cues)
        section_period: str | None = None
        found: list[tuple[int, Fact]] = []
        rows = table_rows(self.text) if CELL_SEPARATOR in self.text else []
        cells: dict[int, list[Cell]] = {}  # row start -> its cells, read when the row comes
        for cell in table_cells(self.text, rows):
            cells.setdefault(cell.row_start, []).append(cell)
        row_starts = {start for start, _ in rows}
        for number, span in enumerate(split_sentences(self.text)):
            at = bisect_right(furniture_starts, span.start) - 1
            if at >= 0 and span.start < furniture[at][1]:
                continue
            if span.start in row_starts:
                found += [(number, fact) for cell in cells.get(span.start, [])
                          for fact in self._cell_facts(cell, recent, section_period)]
                continue
            lowered = self.lowered[span.start:span.end]
            if self._is_heading(span.start, span.end):
                section_period = self._period_named(lowered) or section_period
            figures = find_figures(lowered) if _may_hold_a_figure(lowered) else []
            if not any(map(_may_be_a_fact, figures)) and not self.trace:
                recent.skip(lowered)
                continue
            sentence = _Sentence(span.start, self.text[span.start:span.end], lowered, self.cues.scan(lowered))
            found += [(number, fact)
                      for fact in self._sentence_facts(sentence, figures, recent, section_period)]
            recent.saw(sentence)
        return self._settle(found)

    def _cell_facts(self, cell: Cell, recent: _Recent, section_period: str | None) -> list[Fact]:
        """A table cell, read as the sentence its row and column make (tables.py)."""
        lowered = lower_keeping_offsets(cell.text)
        sentence = _Sentence(cell.start - cell.value_start, cell.text, lowered, self.cues.scan(lowered),
                             cell=cell, evidence=self.text[cell.row_start:cell.row_end])
        figures = [figure for figure in find_figures(lowered) if figure.start == cell.value_start]
        return self._sentence_facts(sentence, figures, recent, section_period)

    def _district_author(self) -> bool:
        """A report of a district's People's Committee ("UBND HUYỆN YÊN LẠC"): its figures are the
        district's."""
        for line in self.text[:400].splitlines()[:3]:
            match = self.guards.district_author.match(line)
            if match and not self.actors[self.generation].provinces.match(match.group("name").title()):
                return True
        return False

    def _is_heading(self, start: int, end: int) -> bool:
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", end)
        line = self.text[line_start: len(self.text) if line_end < 0 else line_end]
        return len(line) < 120 and bool(_HEADING_NUMBER.match(line)) and not line.rstrip().endswith(".")

    def _period_named(self, lowered: str) -> str | None:
        """The period a section heading names: "Phần I. KẾT QUẢ QUÝ IV/2023", "II. KẾT QUẢ NĂM 2023"."""
        if quarter := self.guards.quarter_year.search(lowered):
            return QUARTERS[quarter.group("quarter")]
        for period, pattern in self.guards.periods:
            if pattern.search(lowered):
                return period
        return "year" if re.search(r"\bnăm (?:19|20)\d\d\b", lowered) else None

    # ---------------------------------------------------------------- a sentence

    def _sentence_facts(
        self, sentence: _Sentence, figures: list[Figure], recent: _Recent, section_period: str | None
    ) -> list[Fact]:
        numbered = [(cue.start, cue.end) for cue in sentence.cues if cue.info.has_digit]  # "mức độ 4"
        figures = [
            figure for figure in figures
            if not any(start <= figure.start and figure.end <= end for start, end in numbered)
        ]
        facts = []
        decided: dict[int, str] = {}  # noun cue start -> the topic of the figure it counts
        for figure, place in zip(figures, _places(sentence, figures), strict=True):
            try:
                facts.append(self._decide(sentence, figure, place, figures, recent, section_period, decided))
                self._note(sentence, figure, "taken")
            except _Rejected as rejection:
                self._note(sentence, figure, str(rejection))
        return facts

    def _note(self, sentence: _Sentence, figure: Figure, reason: str) -> None:
        if self.trace:
            self.seen[(sentence.start + figure.start, sentence.start + figure.end)] = (
                sentence.text[figure.start:figure.end], reason)

    # ---------------------------------------------------------------- a figure

    def _decide(
        self, sentence: _Sentence, figure: Figure, place: _Place, figures: list[Figure],
        recent: _Recent, section_period: str | None, decided: dict[int, str],
    ) -> Fact:
        if figure.unit == "other":
            raise _Rejected("not a catalog quantity (a ratio, a duration, a rank change or another unit)")
        noun = self._noun(sentence, figure)
        if figure.unit == "count" and _YEAR.fullmatch(figure.stated) and (
                noun == NONE or sentence.lowered.endswith("năm ", 0, figure.start)):
            raise _Rejected("a year (dates the clause)")
        if figure.unit == "count" and noun == "?":
            raise _Rejected("counts something outside the catalog")
        topic, frame = self._topic_and_frame(sentence, figure, noun, place, figures, recent, decided)
        if frame.metric is None:
            raise _Rejected(f"{topic.name}: {frame.why}")
        if figure.numerator_of is not None and not frame.takes_whole:
            raise _Rejected("the whole of a fraction (\"07/24 ứng dụng\"), not what was done")
        self._check_rank(sentence, figure, place)
        self._check_level(sentence, figure, place, frame)
        if self.context.national and not self._names_a_province(sentence):
            raise _Rejected("no province: a national document names none for this figure")
        when = self._when(sentence, figure, place, frame, topic, section_period)
        province = self._owner(sentence, figure, place, when, figures)
        kind = self._kind(sentence, figure, place, frame, when)
        value = self._value(figure, frame, when)
        return Fact(
            metric_code=frame.metric,
            value=value,
            unit=self.cues.units[frame.metric],
            qualifier=self._qualifier(sentence, figure, place, frame),
            fact_kind=kind,
            province_code=province,
            year=when.year,
            period=when.period,
            evidence=sentence.evidence or sentence.text,
            span_start=sentence.start + figure.start,
            span_end=sentence.start + figure.end,
            rule_id=f"{frame.metric}:{topic.name}:{topic.how}",
            confidence=0.75 if topic.how == "inherited" else 0.9,
            stated=sentence.text[figure.start:figure.end],
        )

    def _noun(self, sentence: _Sentence, figure: Figure) -> str:
        """What a count counts: a noun cue right after it, NONE when nothing is, "?" for another word."""
        position = figure.unit_end
        rest = sentence.lowered[position: position + 2]
        position += len(rest) - len(rest.lstrip())
        for cue in sentence.starting_in(position, position + 1):
            if cue.info.noun:
                return cue.info.noun
            if any(family in _ELLIPSIS_FAMILIES for family, _ in cue.info.aspects):
                return NONE  # "335 một phần và 1.067 toàn trình": the noun left out
        word = _WORD.match(sentence.lowered, figure.unit_end)
        if word is None or word.start(1) != position or word.group(1) in _FUNCTION_WORDS:
            return NONE
        return "?"

    def _topic_and_frame(
        self, sentence: _Sentence, figure: Figure, noun: str, place: _Place, figures: list[Figure],
        recent: _Recent, decided: dict[int, str],
    ) -> tuple[_Topic, Frame]:
        """What the figure measures: the first topic, in order of precedence, with a frame that fits
        its unit, noun and aspects. A noun that names its topic ("hồ sơ") or the nearest topic before
        it settles the matter, fitting or not; a topic the figure only may belong to does not."""
        failure, noun_failed = None, False
        for topic, settles in self._topics(sentence, figure, noun, place, figures, recent, decided):
            if noun_failed and topic.how != "after":
                break  # past its noun, only a topic after it that counts the noun may claim it
            if settles:
                self._decided(sentence, figure, noun, topic, decided)
            if not self._frames(topic.name, figure, noun):
                if topic.how == "noun":
                    break  # the noun says what is counted: no other topic may claim the figure
                failure = failure or f"its topic ({topic.name}) has no catalog metric in this unit"
                continue
            aspects = self._aspects(sentence, figure, place, topic)
            frame = next((f for f in self._frames(topic.name, figure, noun) if f.fits(aspects)), None)
            if frame is not None:
                self._decided(sentence, figure, noun, topic, decided)
                return topic, frame
            shown = ", ".join(f"{family} {value}" for family, value in sorted(aspects.items())) or "none"
            failure = f"{topic.name}: no catalog metric has these aspects ({shown})"
            if settles and topic.how == "noun":
                noun_failed = True  # "1.055 TTHC được cung cấp DVCTT toàn trình": the services count them
            elif settles:
                break
        raise _Rejected(failure or "no topic: nothing in the sentence or before it says what the figure"
                                   " measures")

    def _decided(
        self, sentence: _Sentence, figure: Figure, noun: str, topic: _Topic, decided: dict[int, str]
    ) -> None:
        """Its noun counts what this topic counts, taken or not: "2.268 thủ tục (cấp tỉnh 1.833, …)"."""
        if noun not in (NONE, "?"):
            decided.update({cue.start: topic.name for cue in sentence.starting_in(figure.unit_end,
                            figure.unit_end + 2) if cue.info.noun == noun})

    def _topics(
        self, sentence: _Sentence, figure: Figure, noun: str, place: _Place, figures: list[Figure],
        recent: _Recent, decided: dict[int, str],
    ) -> Iterator[tuple[_Topic, bool]]:
        """Candidate topics, best first, each with whether it settles the figure: the nearest topic
        before it in its clause if it counts this noun ("cung ứng dịch vụ công trực tuyến cho 2.268
        thủ tục"), the noun's topic, "về <topic>" after it, a topic right after its noun, the topics
        before it, nearest first; for a ranking, the topic the text last named."""
        before = [_Topic(decided.get(cue.start, cue.info.topic), cue, None, "before")
                  for cue in reversed(sentence.within(0, figure.start))
                  if cue.info.topic and not self._glosses(sentence, cue, figure)
                  and not (cue.info.topic in self.cues.clause_bound and cue.start < place.clause_start)]
        counting = None  # the nearest topic before it in its clause, if it counts this noun
        if before and before[0].cue.start >= place.clause_start and noun != NONE and any(
                frame.nouns and noun in frame.nouns for frame in self._frames(before[0].name, figure, noun)):
            counting = before[0]
        # it settles the figure when no comma stands between them ("dịch vụ công mức độ 1,2 gồm
        # 2.268 thủ tục"), not in a list ("phê duyệt phương án đơn giản hóa 48 TTHC, công bố mới 61 TTHC"),
        # where a noun naming its own topic comes first ("tinh giản, … 452 người làm việc hưởng lương")
        listed = counting is not None and _LIST_COMMA.search(sentence.lowered, counting.cue.end, figure.start)
        if counting is not None and not listed:
            yield counting, True
        noun_cue = next((cue for cue in sentence.starting_in(figure.unit_end, figure.unit_end + 2)
                         if cue.info.topic and not _is_base(cue)), None)  # "đạt 55,2% kế hoạch": its base
        if noun_cue is not None:
            yield _Topic(noun_cue.info.topic, noun_cue, None, "noun"), not listed
        if listed:
            yield counting, False
        for cue in sentence.starting_in(figure.end, place.next_start):
            if cue.info.topic and _ABOUT_TOPIC.search(sentence.lowered, max(0, cue.start - 6), cue.start):
                yield _Topic(cue.info.topic, cue, None, "about"), True
                break
        right = self._right_topic(sentence, figure, place, noun_cue.end if noun_cue else figure.unit_end + 1)
        if right is not None and (noun_cue is None or self._counts(right.name, figure, noun)):
            yield right, True  # "55 hệ thống thông tin kết nối qua nền tảng LGSP", "1.055 TTHC … DVCTT"
        for topic in before:
            yield topic, True
        if not before:
            inherited = self._inherited(sentence, figure, noun, place, figures, recent)
            if inherited is not None:
                yield inherited, True

    @staticmethod
    def _glosses(sentence: _Sentence, cue: Cue, figure: Figure) -> bool:
        """A topic phrase in parentheses right after another restates it: "vốn đầu tư công (chi đầu
        tư phát triển) … là 5.244.857 triệu đồng" is public investment."""
        for start, end in sentence.parentheses:
            if start < cue.start < end and not start < figure.start < end:
                return any(c.info.topic and c.end <= start and not sentence.lowered[c.end:start].strip()
                           for c in sentence.within(max(0, start - 80), start))
        return False

    def _right_topic(self, sentence: _Sentence, figure: Figure, place: _Place, start: int) -> _Topic | None:
        """A topic after the figure's noun, past figures joined by "và" ("41 công chức và 230 viên
        chức được tuyển dụng"), up to the clause's punctuation."""
        stop = _PUNCTUATION.search(sentence.lowered, figure.unit_end, place.clause_end)
        while stop and sentence.inside_a_cue(stop.start()):  # "hệ thống thông tin, cơ sở dữ liệu"
            stop = _PUNCTUATION.search(sentence.lowered, stop.end(), place.clause_end)
        end = stop.start() if stop else place.clause_end
        cue = next((c for c in sentence.starting_in(start, end) if c.info.topic), None)
        return _Topic(cue.info.topic, cue, None, "after") if cue else None

    def _inherited(
        self, sentence: _Sentence, figure: Figure, noun: str, place: _Place, figures: list[Figure],
        recent: _Recent,
    ) -> _Topic | None:
        """A ranking names the index once: the topic the last topical sentence named, if it is one that
        carries over and takes every figure of the clause."""
        clause = [f for f in figures if place.clause_start <= f.start < place.clause_end
                  and f.unit in ("rank", "pct", "points", "bare")]
        later = [(cue.info.topic, sentence.lowered, cue.end)
                 for cue in sentence.starting_in(figure.end, len(sentence.lowered)) if cue.info.topic]
        for name, text, end in [*later[:1], *recent.topics()]:
            if name not in self.cues.inheritable or not self._frames(name, figure, noun):
                continue
            if all(self.cues.frames_for(name, f.unit) for f in clause):
                return _Topic(name, None, _year_after(text, end), "inherited")
        return None

    def _counts(self, topic: str, figure: Figure, noun: str) -> bool:
        """Whether a topic has a frame that counts this noun ("dịch vụ công trực tuyến" counts TTHC)."""
        return any(frame.nouns and noun in frame.nouns for frame in self._frames(topic, figure, noun))

    def _frames(self, topic: str, figure: Figure, noun: str) -> list[Frame]:
        return [frame for frame in self.cues.frames_for(topic, figure.unit)
                if figure.unit != "count" or frame.nouns is None or noun in frame.nouns]

    def _aspects(self, sentence: _Sentence, figure: Figure, place: _Place, topic: _Topic) -> dict[str, str]:
        """One value per family: right after the figure (to the next comma), else between the figure
        before it and it, else earlier in the clause back to its topic, else set by the topic phrase
        (when no figure stands between the phrase and this one)."""
        stop = _RIGHT_STOP.search(sentence.lowered, figure.unit_end, place.next_start)
        right_end = stop.start() if stop else place.next_start
        agent_at = None
        while stop and (sentence.inside_a_cue(stop.start())
                        or self._agent(sentence, stop)):  # inside a phrase, or "do <who> giao"
            if agent_at is None and not sentence.inside_a_cue(stop.start()):
                agent_at = stop.start()
            stop = _RIGHT_STOP.search(sentence.lowered, stop.end(), place.next_start)
            right_end = stop.start() if stop else place.next_start
        floor = place.clause_start
        first = place.prev_end == place.clause_start  # no figure before it in its clause
        if (first and topic.cue is not None and floor <= topic.cue.start and topic.cue.end <= figure.start
                and _MADE_OF.fullmatch(sentence.lowered, topic.cue.end, figure.start)):
            floor = topic.cue.start  # "đã hoàn thành kế hoạch CCHC với 32 nhiệm vụ": not the tasks'
        # The figure's own noun first; other topic phrases after the plain aspects ("17 nhiệm vụ [Chính
        # phủ giao] hoàn thành nhưng trễ hạn": the relative clause does not say what became of them).
        right = sorted(sentence.starting_in(figure.unit_end, right_end),
                       key=lambda c: 0 if c.start <= figure.unit_end + 1 else 2 if c.info.topic else 1)
        near = sentence.within(self._near_start(sentence, figure, place, floor), figure.start)[::-1]
        far = sentence.within(floor, min(place.prev_end, figure.start))[::-1]
        own = [topic.cue] if topic.cue is not None and topic.cue.start >= place.clause_start else []
        wholes = [(start, end) for start, end in sentence.wholes if not start <= figure.start < end]
        if figure.unit == "pct" and sentence.lowered.startswith("tổng số", figure.unit_end + 1):
            wholes.append((figure.unit_end, right_end))  # "chiếm 71,3% tổng số hồ sơ tiếp nhận"
        if wholes:  # "… trên tổng số 352.118 hồ sơ tiếp nhận, đạt 60,9%": what the share is of
            right, near, far = ([cue for cue in cues if not any(start <= cue.start < end
                                                                 for start, end in wholes)]
                                for cues in (right, near, far))
        # "bãi bỏ 33 TTHC thuộc thẩm quyền giải quyết …", "hoàn thành 41 nhiệm vụ do Chính phủ giao": the
        # relative clause says which ones; the verb before the figure says what became of them
        relative = [cue for cue in right if _RELATIVE in cue.info.aspects
                    or (agent_at is not None and cue.start > agent_at and _ASSIGNED in cue.info.aspects)]
        told = {family for cue in near for family, value in cue.info.aspects
                if (family, value) != _RECEIVED}  # "nhận được 96 nhiệm vụ do … giao" are assigned
        if any(family in told for cue in relative for family, _ in cue.info.aspects if family != "base"):
            right = [cue for cue in right if cue not in relative]
            near = [*near, *relative]
        if figure.denominator is not None:
            right, near = near, right  # "hoàn thành đúng hạn 71/94 nhiệm vụ được … giao": 71 is done on time
        opening = min(sentence.clause_breaks[0] if sentence.clause_breaks else figure.start, figure.start)
        if floor > place.clause_start:  # what the words before the topic phrase say is the topic's
            opening = min(opening, place.clause_start)
        found: dict[str, str] = {}
        for cue in [*right, *near, *far, *own]:
            for family, value in cue.info.aspects:
                found.setdefault(family, value)
        if found.get("level") == "all_levels":  # "Tại cấp xã, quý I toàn tỉnh nhận 264.610 hồ sơ"
            found["level"] = _specific_level(sentence, place.clause_start, figure.start) or "all_levels"
        for family in _SENTENCE_FAMILIES:  # "Ở cấp huyện, … nhận 340.060 hồ sơ; … quá hạn 5.685 hồ sơ"
            if family not in found and not (family == "level" and "sums" in found):
                earlier = [v for c in sentence.within(0, opening) if not sentence.in_parentheses(c.start)
                           for f, v in c.info.aspects if f == family]
                if earlier:
                    found[family] = earlier[-1]
                    if family == "level" and earlier[-1] == "all_levels":
                        found[family] = _specific_level(sentence, 0, opening) or "all_levels"
        portal = [v for c in sentence.starting_in(figure.unit_end, place.next_start)
                  for f, v in c.info.aspects if f == "portal"]
        if portal:  # "…, được tích hợp, cung cấp trên Cổng Dịch vụ công quốc gia"
            found.setdefault("portal", portal[0])
        if figure.numerator_of is not None:
            found["status"] = "assigned"  # "55/58 nhiệm vụ": 58 is the whole
        return found

    def _near_start(self, sentence: _Sentence, figure: Figure, place: _Place, floor: int) -> int:
        """Where the words that lead to the figure start: after the figure before it, past the words
        that still describe that one ("139 TTHC cấp xã, tổng cộng 2.097 TTHC"), unless the figure
        goes on about the same ones ("… hồ sơ đúng hạn, chiếm 98,8%")."""
        start = max(place.prev_end, floor)
        if place.prev_end > place.clause_start:
            comma = sentence.lowered.find(",", start, figure.start)
            if comma >= 0 and not self.guards.continuation.match(sentence.lowered, comma + 1):
                return comma + 1
        return start

    @staticmethod
    def _agent(sentence: _Sentence, stop: re.Match[str]) -> bool:
        """"118 nhiệm vụ do Chính phủ, Thủ tướng Chính phủ giao": "do" names who assigned them."""
        return stop.group(0) == "do" and any(
            cue.info.topic for cue in sentence.starting_in(stop.end() + 1, stop.end() + 2))

    # ---------------------------------------------------------------- guards

    def _check_rank(self, sentence: _Sentence, figure: Figure, place: _Place) -> None:
        if figure.unit != "rank":
            return
        if figure.rank_of is not None and figure.rank_of not in (63, 34):
            raise _Rejected("a regional or group rank (out of fewer provinces)")
        after = sentence.lowered[figure.end: place.clause_end]
        if self.guards.national_after.match(after) or figure.rank_of in (63, 34):
            return
        before = sentence.lowered[place.clause_start: figure.start]
        if (self.guards.regional_after.match(after) or self.guards.regional_before.search(before)
                or self.guards.regional_opening.match(sentence.lowered)):
            raise _Rejected("a regional or group rank")

    def _check_level(self, sentence: _Sentence, figure: Figure, place: _Place, frame: Frame) -> None:
        """Changes, running totals and single months are not the period's level."""
        guards = self.guards
        near = sentence.lowered[place.prev_end: figure.start]
        changes = list(guards.change_word.finditer(near))
        if (changes and not guards.level_word.search(near, changes[-1].end())
                and not (frame.reduction and guards.reduction_word.fullmatch(changes[-1].group(0)))):
            raise _Rejected("a change, not a level")
        if sentence.last_match(guards.cumulative, place.clause_start, figure.start):
            raise _Rejected("a running total since an earlier year, not the period's figure")
        if frame.reduction and sentence.last_match(guards.cumulative_reduction, place.clause_start,
                                                   figure.start):
            raise _Rejected("a reduction to date with no start: a running total")
        if frame.reduction and self._since_an_earlier_year(sentence, figure, place):
            raise _Rejected("a reduction since an earlier year (\"so với năm 2015\"): a running total")
        if sentence.last_match(guards.single_month, 0, figure.start):
            raise _Rejected("a single month's figure: no reporting period fits it")
        stop = _SEGMENT_END.search(sentence.lowered, figure.unit_end)
        subset_end = stop.start() if stop else len(sentence.lowered)
        if guards.subset_after.search(sentence.lowered, figure.unit_end, subset_end):
            raise _Rejected("a part: a field's or a department's figure (\"trong lĩnh vực …\", \"của Sở …\")")

    def _when(
        self, sentence: _Sentence, figure: Figure, place: _Place, frame: Frame, topic: _Topic,
        section_period: str | None,
    ) -> _When:
        year, same_period, explicit = self._year(sentence, figure, place, frame, topic)
        if (frame.annual and self._earlier_level(sentence, figure, place)
                and not self._stated_year(sentence, figure)):
            year = self._comparison_year(sentence, figure, year)
        elif self._earlier_level(sentence, figure, place) and not self._stated_year(sentence, figure):
            raise _Rejected("an earlier level of unstated date")
        quarter = self.guards.quarter_year.search(sentence.lowered, place.clause_start, figure.start)
        if frame.metric in self.guards.plan_metrics:
            return _When(year, "year")
        if quarter and not explicit:  # "quý IV/2024 chỉ đạt 51,2%"
            return _When(int(quarter.group("year")), QUARTERS[quarter.group("quarter")])
        if year != self.context.year:
            return _When(year, self.context.period if same_period else "year", same_period)
        return _When(year, self._period(sentence, figure, place, section_period, frame.metric))

    def _year(
        self, sentence: _Sentence, figure: Figure, place: _Place, frame: Frame, topic: _Topic
    ) -> tuple[int | None, bool, bool]:
        """The figure's year, whether it is the same period of that year ("cùng kỳ năm 2024"), and
        whether a parenthesis states it for this figure alone ("so với năm 2017 (45/63)")."""
        guards, lowered = self.guards, sentence.lowered
        opened = lowered.rfind("(", place.clause_start, figure.start)
        if opened >= 0 and lowered.find(")", opened, figure.start) < 0:
            base = guards.comparison_year.search(lowered, place.clause_start, opened + 1)
            if base:
                return int(base.group("year") or base.group("same")), base.group("same") is not None, True
            opening = guards.parenthesis_opening_year.match(lowered, opened)
            if opening:  # "(cùng kỳ năm 2023 là 38,5%)": the same period of that year
                return int(opening.group("year")), "cùng kỳ" in opening.group(0), True
        if stated := self._stated_year(sentence, figure):
            return stated, False, True
        flat = _CLOSED_PARENS.sub(lambda m: " " * len(m.group(0)), lowered[: figure.start])
        future = frame.metric in guards.plan_metrics or bool(guards.target_in_sentence.search(flat))
        for mention in reversed(list(guards.year_mention.finditer(flat))):
            ignored = guards.year_ignored_before.search(flat, max(0, mention.start() - 20), mention.start())
            if ignored and not (future and ignored.group(0).strip() in _HORIZON):
                continue  # "so với năm 2022"; but a target's "đến năm 2025" is its year
            year = int(mention.group("year"))
            if future or self.context.year is None or year <= self.context.year:
                same = guards.same_period_year.search(flat, max(0, mention.start() - 12), mention.end())
                return year, same is not None, False
        return topic.year or self.context.year, False, False

    def _stated_year(self, sentence: _Sentence, figure: Figure) -> int | None:
        """"90,30% (2021)", "từ 41,27% năm 2023 lên 69,42% năm 2024": the year right after the figure."""
        rest = sentence.lowered[figure.unit_end:].lstrip()
        match = self.guards.parenthesis_year.match(rest)
        return int(match.group("year") or match.group("after")) if match else None

    def _earlier_level(self, sentence: _Sentence, figure: Figure, place: _Place) -> bool:
        """"từ 87,61% xuống 86,78%": the first figure is the earlier level."""
        before = sentence.lowered[place.prev_end: figure.start]
        after = sentence.lowered[figure.end: place.clause_end]
        return bool(self.guards.earlier_level.search(before) and self.guards.later_level.match(after))

    def _since_an_earlier_year(self, sentence: _Sentence, figure: Figure, place: _Place) -> bool:
        """"So với năm 2015, … đã giảm 112 đơn vị": a cut against a year before the last one."""
        if self.context.year is None:
            return False
        return any(int(match.group(1)) < self.context.year - 1
                   for match in _COMPARED_WITH_YEAR.finditer(sentence.lowered, place.clause_start,
                                                             figure.start))

    def _comparison_year(self, sentence: _Sentence, figure: Figure, year: int | None) -> int | None:
        for match in _COMPARED_WITH_YEAR.finditer(sentence.lowered):
            if year is not None and int(match.group(1)) < year:
                return int(match.group(1))
        return None if year is None else year - 1

    def _period(
        self, sentence: _Sentence, figure: Figure, place: _Place, section_period: str | None,
        metric: str,
    ) -> str | None:
        guards = self.guards
        best: tuple[int, str] | None = None
        for period, pattern in guards.periods:
            match = sentence.last_match(pattern, 0, figure.start)
            if match and (best is None or match.start() > best[0]):
                best = (match.start(), period)
        until = self._until_date(sentence, figure, metric in guards.stock_metrics)
        if until is not None and (best is None or until[0] > best[0]):
            best = until
        if best is not None:
            return best[1]
        return section_period or self.context.period

    def _until_date(self, sentence: _Sentence, figure: Figure, stock: bool) -> tuple[int, str] | None:
        """"đến ngày 30/11/2023": year to date, unless the day ends the document's period; a stock
        counted on a day of the document's period is the document's ("đến ngày 15/6, tỉnh có
        1.796 TTHC" in a half-year report)."""
        for match in self.guards.until_date.finditer(sentence.lowered, 0, figure.start):
            if match.group("month"):  # "đến hết tháng 9": its last day (digits masked as dates)
                month_text = sentence.text[match.start("month"): match.end("month")]
                year_text = match.group("year") and sentence.text[match.start("year"): match.end("year")]
                if not month_text.isdigit():
                    continue
                day, month, year = 31, int(month_text), year_text
            elif written := _DATE.match(sentence.text, match.end()):
                day, month, year = int(written.group(1)), int(written.group(2)), written.group(3)
            else:
                continue
            end = period_end(self.context.year, self.context.period, self.context.published)
            if end is None or not (1 <= month <= 12 and 1 <= day <= 31):
                return match.start(), "ytd"
            last_day = 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
            stated = date(int(year) if year else end.year, month, min(day, last_day))
            start = period_start(self.context.year, self.context.period)
            if stock and start is not None and start <= stated <= end:
                return match.start(), self.context.period or "year"
            return match.start(), ("ytd" if stated < end else self.context.period or "year")
        return None

    def _owner(
        self, sentence: _Sentence, figure: Figure, place: _Place, when: _When, figures: list[Figure]
    ) -> str:
        """The province the figure belongs to, in the units in force at the end of its period (a
        text written before the merger names the 63 units whatever period it speaks of)."""
        generation = (63 if self.generation == 63
                      else generation_of(when.year, when.period, self.context.published))
        mentions = self._mentions(sentence, generation)
        if (respective := _respective_owner(sentence, figure, figures, mentions)) is not None:
            return respective
        owner = self._default_owner(generation)
        for start, end, named in mentions:
            if named == "" and start < place.clause_start and not self._is_local(sentence, start, end):
                continue  # "cả nước", "khu vực …" in an earlier clause compare, they do not own
            if figure.unit == "rank" and named == "" and not self._is_local(sentence, start, end):
                continue  # "thứ hạng trong cả nước", "thuộc nhóm cao": the rank's scope, not its owner
            if _OVERTAKEN.search(sentence.lowered, max(0, start - 12), start):
                continue  # "Hải Phòng vượt Quảng Ninh lên dẫn đầu": the one overtaken owns nothing here
            if end <= figure.start:
                owner = named
            elif figure.unit == "rank" and _LINKED.match(sentence.lowered[figure.end:start]) and named:
                owner = named  # "Xếp thứ hai là Hải Phòng"
                break
        if owner == "":
            raise _Rejected("not the province's own figure (a district, department, region or the nation)")
        if owner is None and self.context.national:
            raise _Rejected("no province: a national document names none for this figure")
        return owner

    def _names_a_province(self, sentence: _Sentence) -> bool:
        return self.actors[self.generation].provinces.search(sentence.text) is not None

    def _mentions(self, sentence: _Sentence, generation: int) -> list[tuple[int, int, str | None]]:
        key = (sentence.start, generation)
        if key not in self.mention_cache:
            self.mention_cache[key] = self.actors[generation].mentions(
                sentence.text, sentence.lowered, self._default_owner(generation))
        return self.mention_cache[key]

    def _is_local(self, sentence: _Sentence, start: int, end: int) -> bool:
        """A named district or department ("huyện Mộc Châu") rather than a scope word ("cả nước")."""
        return self.guards.actor_words.local.match(sentence.lowered, start) is not None

    def _default_owner(self, generation: int) -> str | None:
        owner = self.default_owner
        if owner and generation != self.generation:
            return same_unit(owner, generation)
        return owner

    def _kind(self, sentence: _Sentence, figure: Figure, place: _Place, frame: Frame, when: _When) -> str:
        """A target or plan ("phấn đấu", "đảm bảo 100%") rather than a result."""
        guards = self.guards
        prefix = sentence.lowered[: figure.start]
        if guards.target_near.search(prefix[-60:]):
            return "target"
        if guards.target_in_sentence.search(prefix) and guards.target_in_sentence.search(
                guards.target_exceptions.sub(" ", prefix)):
            return "target"
        if sentence.cell is not None and sentence.cell.plan and frame.metric not in guards.plan_metrics:
            return "target"  # a table's "Kế hoạch" column
        in_plan = self.context.doc_type in TARGET_DOC_TYPES and frame.metric not in guards.plan_metrics
        if in_plan and not guards.result_before.search(prefix):
            current = when.year is None or self.context.year is None or when.year >= self.context.year
            return "target" if current else "actual"
        return "actual"

    def _qualifier(self, sentence: _Sentence, figure: Figure, place: _Place, frame: Frame) -> str:
        guards, lowered = self.guards, sentence.lowered
        word = guards.qualifier_before.search(lowered, max(0, figure.start - 20), figure.start)
        if word:
            return guards.qualifiers[word.group(1)]
        if lowered[max(0, figure.start - 4): figure.start].strip() == "từ" and _UP_TO.match(
                lowered, figure.unit_end):
            return "more_than"
        if (frame.metric not in guards.plan_metrics
                and self._estimated(lowered, place.clause_start, figure.start)):
            return "about"
        return "exact"

    def _estimated(self, lowered: str, clause_start: int, position: int) -> bool:
        """An estimate ("ước đạt") earlier in the figure's comma segment, or in the segments before it
        that its own segment continues ("…, bằng 59,9% dự toán")."""
        guards = self.guards
        end = position
        while end > clause_start:
            comma = _last_list_comma(lowered, clause_start, end)
            start = clause_start if comma < 0 else comma + 1
            if guards.estimate_in_clause.search(lowered, start, end):
                return True
            if comma < 0 or not guards.continuation.match(lowered, start):
                return False
            end = comma
        return False

    def _value(self, figure: Figure, frame: Frame, when: _When) -> float:
        if figure.last or figure.penultimate:
            provinces = 34 if (when.year or 0) >= 2025 else 63
            return float(provinces - (1 if figure.penultimate else 0))
        unit = self.cues.units[frame.metric]
        if unit in ("count", "rank") and figure.value != int(figure.value):
            raise _Rejected("a count with a fraction")
        if unit == "rank" and not 1 <= figure.value <= 63:
            raise _Rejected("not a rank among the provinces")
        if figure.unit == "points" and figure.max_points is not None and figure.max_points < 50:
            raise _Rejected("points out of a component's maximum, not the index")
        if figure.comma_decimal is not None and frame.metric not in self.guards.large_amounts:
            return figure.comma_decimal
        return figure.value

    # ---------------------------------------------------------------- the document's facts together

    def _settle(self, found: list[tuple[int, Fact]]) -> list[Fact]:
        """One fact per figure stated: a rounded restatement gives way to the exact figure, a second
        figure for the same metric in one sentence (another base, a breakdown) to the first."""
        kept: list[tuple[int, Fact]] = []
        for number, fact in found:
            clash = next((other for other in kept if _same_cell(other[1], fact)), None)
            if clash is None:
                kept.append((number, fact))
                continue
            other_number, other = clash
            if other.value == fact.value:
                self._drop(fact, "the same figure again")
            elif _rounds(fact, other):
                self._drop(fact, f"a rounded restatement of {other.stated}")
            elif _rounds(other, fact):
                kept.remove(clash)
                kept.append((number, fact))
                self._drop(other, f"a rounded restatement of {fact.stated}")
            elif other_number == number:
                self._drop(fact, f"a second {fact.metric_code} in the sentence (another base or a part)")
            else:
                kept.append((number, fact))
        return sorted((fact for _, fact in kept), key=lambda f: f.span_start)

    def _drop(self, fact: Fact, reason: str) -> None:
        if self.trace:
            self.seen[(fact.span_start, fact.span_end)] = (fact.stated, reason)


def _last_list_comma(lowered: str, start: int, end: int) -> int:
    """The last comma between two offsets that is not a decimal comma ("59,9%"), or -1."""
    found = -1
    for match in _LIST_COMMA.finditer(lowered, start, end):
        found = match.start()
    return found


def _specific_level(sentence: _Sentence, start: int, end: int) -> str | None:
    """A named level beside "toàn tỉnh" in the same clause: the clause is about that level."""
    return next((value for cue in sentence.within(start, end) if not sentence.in_parentheses(cue.start)
                 for family, value in cue.info.aspects if family == "level" and value != "all_levels"), None)


def _may_be_a_fact(figure: Figure) -> bool:
    """Not a year or another unit: worth reading the cues around it."""
    return figure.unit != "other" and not (figure.unit == "count" and _YEAR.fullmatch(figure.stated))


def _places(sentence: _Sentence, figures: list[Figure]) -> list[_Place]:
    """Each figure's clause and the figures on either side of it in that clause (years and other
    units do not count: "Dự toán thu năm 2020 … là 16.800 tỷ đồng")."""
    neighbours = [figure for figure in figures if _may_be_a_fact(figure)]
    length = len(sentence.lowered)
    places = []
    for figure in figures:
        clause_start = max((b + 1 for b in sentence.clause_breaks if b < figure.start), default=0)
        clause_end = min((b for b in sentence.clause_breaks if b >= figure.end), default=length)
        previous = max((f.end for f in neighbours if clause_start < f.end <= figure.start),
                       default=clause_start)
        following = min((f.start for f in neighbours if f.start >= figure.unit_end), default=length + 1)
        places.append(_Place(clause_start, clause_end, previous,
                             following if following < clause_end else clause_end))
    return places


def _year_after(lowered: str, position: int) -> int | None:
    """The year written right after a topic phrase: "Chỉ số SIPAS 2023", "PAR INDEX năm 2024"."""
    match = _YEAR_AFTER.match(lowered, position)
    return int(match.group(1)) if match else None


def _same_cell(one: Fact, other: Fact) -> bool:
    return (one.metric_code, one.province_code, one.year, one.period, one.fact_kind) == (
        other.metric_code, other.province_code, other.year, other.period, other.fact_kind)


def _rounds(rounded: Fact, exact: Fact) -> bool:
    """"hơn 1,48 triệu" beside "1.482.906": a qualified figure within 5 % of an exact one."""
    return (rounded.qualifier != "exact" and exact.qualifier == "exact"
            and abs(rounded.value - exact.value) <= 0.05 * abs(exact.value))


def period_end(year: int | None, period: str | None, published: date | None = None) -> date | None:
    """The last day of a period; a year-to-date one ends when it was published, if that is earlier."""
    if year is None:
        return None
    month, day = PERIOD_ENDS.get(period or "year", (12, 31))
    end = date(year, month, day)
    if period == "ytd" and published is not None and published < end:
        return published
    return end


def _respective_owner(
    sentence: _Sentence, figure: Figure, figures: list[Figure], mentions: list[tuple[int, int, str | None]]
) -> str | None:
    """"A (90,81%) và B (90,40%) lần lượt đứng thứ ba và thứ tư": the figures after "lần lượt"
    belong, in order, to the provinces named before it, when there are as many of each."""
    respectively = _RESPECTIVELY.search(sentence.lowered, 0, figure.start)
    if respectively is None:
        return None
    opening, closing = max(sentence.lowered.rfind(";", 0, respectively.start()), 0), respectively.start()
    named = [name for start, end, name in mentions if name and opening <= start and end <= closing]
    stop = sentence.lowered.find(";", respectively.end())
    listed = [other for other in figures if other.unit == figure.unit and respectively.end() <= other.start
              and (stop < 0 or other.start < stop)]
    if len(named) < 2 or len(named) != len(listed):
        return None
    return named[listed.index(figure)]


def period_start(year: int | None, period: str | None) -> date | None:
    """The first day of a period: 1 January but for a quarter."""
    if year is None:
        return None
    return date(year, PERIOD_START_MONTHS.get(period or "year", 1), 1)


def _whole_end(text: str, start: int) -> int:
    """Where the whole named at `start` ends: at its segment's end or at the verb that gives the share."""
    stop = _WHOLE_END.search(text, start)
    return stop.start() if stop else len(text)


def _is_base(cue: Cue) -> bool:
    return any(family == "base" for family, _ in cue.info.aspects)


def _may_hold_a_figure(lowered: str) -> bool:
    """A number, a rank in words or a zero: two cheap scans instead of one slow alternation."""
    return _DIGIT.search(lowered) is not None or any(word in lowered for word in _FIGURE_WORDS)


def generation_of(year: int | None, period: str | None, published: date | None = None) -> int:
    """63 provinces before 1 July 2025, 34 from then: by the end of the period, or by the publication
    when earlier (a 2025 plan published in February names the units before the merger)."""
    end = period_end(year, period, published)
    if end is not None and published is not None:
        end = min(end, published)
    return 34 if end is not None and end >= MERGER else 63
