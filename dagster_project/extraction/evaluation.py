"""Precision, recall and F1 of the extractor against hand-labelled gold facts (`make eval`).

Every set scored here is a development set (tuned on): the rules are developed against it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from dagster_project.extraction.extractor import EXTRACTOR_VERSION, DocumentContext, Fact, extract_facts
from dagster_project.ingest.metadata import NATIONAL, parse_published
from dagster_project.ingest.provinces import fold, province_code
from dagster_project.settings import CATALOG_PATH, REFERENCE_DIR

STATUS = "development (tuned on)"
MERGER = date(2025, 7, 1)  # the 34-unit provinces are in force from this day
# Last day of each period, as dbt's period_end_date macro has it (ytd: the year's end).
PERIOD_END = {"Q1": (3, 31), "H1": (6, 30), "Q2": (6, 30), "9M": (9, 30), "Q3": (9, 30)}


@dataclass(frozen=True)
class Key:
    """What must agree for a fact to count as found."""

    source: str
    metric: str
    value: float
    year: int | None
    province: str | None  # a code in the project's own gold sets, a folded name in the shared sets
    qualifier: str
    fact_kind: str
    period: str | None = None  # labelled only in the shared sets

    def describe(self) -> str:
        kind = "" if self.fact_kind == "actual" else f", {self.fact_kind}"
        when = f"{self.year} {self.period}" if self.period else f"{self.year}"
        return f"{self.metric} = {self.value:g} ({self.qualifier}{kind}), {self.province}, {when}"


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.true_positives, "fp": self.false_positives,
                "fn": self.false_negatives}


@dataclass
class Evaluation:
    name: str
    documents: int
    by_table: dict[str, Score]
    missed: list[Key]
    spurious: list[Key]
    evidence: dict[Key, str]  # gold evidence of a missed key, the fact's of a spurious one

    @property
    def overall(self) -> Score:
        total = Score()
        for score in self.by_table.values():
            total.true_positives += score.true_positives
            total.false_positives += score.false_positives
            total.false_negatives += score.false_negatives
        return total

    @property
    def gold_labels(self) -> int:
        return self.overall.true_positives + self.overall.false_negatives

    def as_dict(self) -> dict:
        return {"name": self.name, "status": STATUS, "documents": self.documents,
                "gold_labels": self.gold_labels, "overall": self.overall.as_dict(),
                "by_table": {table: score.as_dict() for table, score in self.by_table.items()}}


def fact_tables(catalog: Path = CATALOG_PATH) -> dict[str, str]:
    with catalog.open(encoding="utf-8") as handle:
        return {row["metric_code"]: row["fact_table"] for row in csv.DictReader(handle)}


def gold_key(source: str, item: dict, context: DocumentContext) -> Key:
    return Key(
        source=source,
        metric=item["metric"],
        value=round(float(item["value"]), 6),
        year=item.get("year", context.year),
        province=item.get("province_code", context.province_code),
        qualifier=item.get("qualifier", "exact"),
        fact_kind=item.get("fact_kind", "actual"),
    )


def fact_key(source: str, fact: Fact) -> Key:
    return Key(source, fact.metric_code, round(fact.value, 6), fact.year, fact.province_code,
               fact.qualifier, fact.fact_kind)


def compare(name: str, documents: int, predicted: Mapping[Key, str], gold: Mapping[Key, str]) -> Evaluation:
    """Score predicted against gold keys; each maps to its evidence (a key counts once)."""
    tables = fact_tables()
    by_table: dict[str, Score] = defaultdict(Score)
    for key in predicted.keys() & gold.keys():
        by_table[tables[key.metric]].true_positives += 1
    spurious = sorted(predicted.keys() - gold.keys(), key=repr)
    missed = sorted(gold.keys() - predicted.keys(), key=repr)
    for key in spurious:
        by_table[tables[key.metric]].false_positives += 1
    for key in missed:
        by_table[tables[key.metric]].false_negatives += 1
    evidence = {key: predicted[key] for key in spurious} | {key: gold[key] for key in missed}
    return Evaluation(name, documents, dict(sorted(by_table.items())), missed, spurious, evidence)


def evaluate_reports(reports_dir: Path, gold_path: Path) -> Evaluation:
    """The bundled reports, read with the same metadata the pipeline gives them."""
    from dagster_project.ingest.documents import scan_reports

    gold_items = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    predicted: dict[Key, str] = {}
    gold: dict[Key, str] = {}
    documents = scan_reports(reports_dir).documents
    for doc in documents:
        context = DocumentContext(doc.province_code, doc.year, doc.period, doc.doc_type, doc.published)
        for fact in extract_facts(doc.text, context):
            predicted.setdefault(fact_key(doc.file_path, fact), fact.evidence)
        for item in gold_items.get(doc.file_path, []):
            gold.setdefault(gold_key(doc.file_path, item, context), "")  # the gold file has no evidence
    return compare(f"reports ({reports_dir})", len(documents), predicted, gold)


def evaluate_passages(path: Path) -> Evaluation:
    """Labelled passages: each entry has a context, a text and its facts."""
    predicted: dict[Key, str] = {}
    gold: dict[Key, str] = {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in entries:
        context = DocumentContext(**entry["context"])
        for fact in extract_facts(entry["text"], context):
            predicted.setdefault(fact_key(entry["id"], fact), fact.evidence)
        for item in entry["facts"]:
            gold.setdefault(gold_key(entry["id"], item, context), entry["text"])
    return compare(f"passages ({path})", len(entries), predicted, gold)


# --- Shared document sets (manifest.csv, docs/<doc_id>.txt, gold.jsonl) ----------------------------


@dataclass(frozen=True)
class SharedDocument:
    doc_id: str
    text: str
    context: DocumentContext


@dataclass(frozen=True)
class SharedSet:
    name: str
    documents: list[SharedDocument]
    labels: list[dict]  # gold.jsonl rows with a metric; rows with metric_code null only say "nothing here"


def load_shared_set(folder: Path) -> SharedSet:
    with (folder / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    documents = [
        SharedDocument(row["doc_id"], (folder / "docs" / f"{row['doc_id']}.txt").read_text("utf-8-sig"),
                       manifest_context(row))
        for row in rows
    ]
    with (folder / "gold.jsonl").open(encoding="utf-8") as handle:
        labels = [json.loads(line) for line in handle if line.strip()]
    unknown = {label["doc_id"] for label in labels} - {row["doc_id"] for row in rows}
    if unknown:  # a label no document can produce would silently lower recall
        raise ValueError(f"{folder}/gold.jsonl labels documents missing from the manifest: {sorted(unknown)}")
    return SharedSet(str(folder), documents, [label for label in labels if label["metric_code"] is not None])


def manifest_context(row: dict[str, str]) -> DocumentContext:
    national = fold(row["province"]) in NATIONAL
    code = None if national else province_code(row["province"])
    if not national and code is None:
        raise ValueError(f"manifest row {row['doc_id']}: unknown province {row['province']!r}")
    return DocumentContext(code, int(row["year"]), row["period"], row.get("doc_type") or None,
                           manifest_published(row), national)


def manifest_published(row: dict[str, str]) -> date | None:
    """As the pipeline reads it: a date it cannot parse (a bare year) is left out, with a note."""
    try:
        return parse_published(row.get("published"))
    except ValueError:
        print(f"note: manifest row {row['doc_id']}: published {row['published']!r} is not YYYY-MM-DD"
              " or YYYY-MM; read without it", file=sys.stderr)
        return None


def resolution_date(year: int, period: str | None, published: date | None) -> date:
    """The day whose province units name a fact, as int_facts_province_resolved.sql decides it."""
    end = date(year, *PERIOD_END.get(period, (12, 31)))
    # a ytd report ends on its unstated reporting date: its publication bounds it
    if period == "ytd" and published is not None and published < end:
        return published
    return end


@cache
def province_names(generation: int) -> dict[str, str]:
    with (REFERENCE_DIR / f"provinces_{generation}.csv").open(encoding="utf-8") as handle:
        return {row["province_code"]: row["name_vi"] for row in csv.DictReader(handle)}


def province_name(code: str, on: date) -> str | None:
    """The name of the unit with this code in force on that day; a code the merger ended keeps its 63 name."""
    if on >= MERGER and code in province_names(34):
        return province_names(34)[code]
    return province_names(63).get(code)


def shared_fact_key(doc_id: str, fact: Fact, published: date | None) -> Key:
    name = None
    if fact.province_code is not None and fact.year is not None:
        name = province_name(fact.province_code, resolution_date(fact.year, fact.period, published))
    return Key(doc_id, fact.metric_code, round(fact.value, 6), fact.year, fold(name) if name else None,
               fact.qualifier, fact.fact_kind, fact.period)


def shared_gold_key(label: dict) -> Key:
    return Key(label["doc_id"], label["metric_code"], round(float(label["value"]), 6), label["year"],
               fold(label["province"]), label.get("qualifier") or "exact", "actual", label["period"])


def score_shared_set(shared: SharedSet, facts: Mapping[str, Iterable[Fact]]) -> Evaluation:
    """Only actual facts count: targets are never what an analyst records."""
    predicted: dict[Key, str] = {}
    for document in shared.documents:
        for fact in facts.get(document.doc_id, ()):
            if fact.fact_kind == "actual":
                key = shared_fact_key(document.doc_id, fact, document.context.published)
                predicted.setdefault(key, fact.evidence)
    gold: dict[Key, str] = {}
    for label in shared.labels:
        gold.setdefault(shared_gold_key(label), label.get("evidence") or "")
    return compare(f"shared set ({shared.name})", len(shared.documents), predicted, gold)


def evaluate_shared_set(folder: Path) -> Evaluation:
    shared = load_shared_set(folder)
    facts = {doc.doc_id: extract_facts(doc.text, doc.context) for doc in shared.documents}
    return score_shared_set(shared, facts)


# --- Output -----------------------------------------------------------------------------------------


def report(evaluation: Evaluation, verbose: bool = False) -> str:
    lines = [f"{evaluation.name}: {evaluation.documents} documents, {evaluation.gold_labels} gold labels;"
             f" {STATUS}",
             f"  {'fact table':<18}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>5}{'FN':>5}"]
    for table, score in [*evaluation.by_table.items(), ("overall", evaluation.overall)]:
        lines.append(
            f"  {table:<18}{score.precision:>7.3f}{score.recall:>7.3f}{score.f1:>7.3f}"
            f"{score.true_positives:>6}{score.false_positives:>5}{score.false_negatives:>5}"
        )
    if verbose:
        lines += [_listed("missed", key, evaluation) for key in evaluation.missed]
        lines += [_listed("spurious", key, evaluation) for key in evaluation.spurious]
    return "\n".join(lines)


def _listed(label: str, key: Key, evaluation: Evaluation) -> str:
    evidence = " ".join(evaluation.evidence[key].split()) or "(no evidence in the gold file)"
    return f"  {label:<9}{key.source}: {key.describe()}\n{'':<13}« {evidence} »"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=Path, help="a reports folder, scored against --gold")
    parser.add_argument("--gold", type=Path, help="the YAML gold facts of --reports")
    parser.add_argument("--passages", type=Path, nargs="*", default=[], help="YAML labelled passages")
    parser.add_argument("--sets", type=Path, nargs="*", default=[],
                        help="shared document sets (manifest.csv, docs/, gold.jsonl); absent ones skipped")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missed and spurious facts")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    if (args.reports is None) != (args.gold is None):
        parser.error("--reports and --gold go together")
    evaluations = []
    if args.reports:
        evaluations.append(evaluate_reports(args.reports, args.gold))
    evaluations += [evaluate_passages(path) for path in args.passages]
    for evaluation in evaluations:
        print(report(evaluation, args.verbose))
    for folder in args.sets:
        if not (folder / "manifest.csv").is_file():  # ../shared exists only beside the main checkout
            print(f"skipped shared set {folder}: no manifest.csv there")
            continue
        evaluations.append(evaluate_shared_set(folder))
        print(report(evaluations[-1], args.verbose))
    if args.json:
        figures = {"extractor_version": EXTRACTOR_VERSION, "sets": [e.as_dict() for e in evaluations]}
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
