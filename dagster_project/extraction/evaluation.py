"""Precision, recall and F1 of the extractor against hand-labelled gold facts (`make eval`)."""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from dagster_project.extraction.extractor import DocumentContext, Fact, extract_facts
from dagster_project.extraction.rules import CATALOG_PATH


@dataclass(frozen=True)
class Key:
    """What must agree for a fact to count as found: metric, value, year, province, kind."""

    source: str
    metric: str
    value: float
    year: int | None
    province_code: str | None
    qualifier: str
    fact_kind: str


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


@dataclass
class Evaluation:
    name: str
    by_table: dict[str, Score]
    missed: list[Key]
    spurious: list[Key]

    @property
    def overall(self) -> Score:
        total = Score()
        for score in self.by_table.values():
            total.true_positives += score.true_positives
            total.false_positives += score.false_positives
            total.false_negatives += score.false_negatives
        return total


def fact_tables(catalog: Path = CATALOG_PATH) -> dict[str, str]:
    with catalog.open(encoding="utf-8") as handle:
        return {row["metric_code"]: row["fact_table"] for row in csv.DictReader(handle)}


def gold_key(source: str, item: dict, context: DocumentContext) -> Key:
    return Key(
        source=source,
        metric=item["metric"],
        value=round(float(item["value"]), 6),
        year=item.get("year", context.year),
        province_code=item.get("province_code", context.province_code),
        qualifier=item.get("qualifier", "exact"),
        fact_kind=item.get("fact_kind", "actual"),
    )


def fact_key(source: str, fact: Fact) -> Key:
    return Key(source, fact.metric_code, round(fact.value, 6), fact.year, fact.province_code,
               fact.qualifier, fact.fact_kind)


def compare(name: str, predicted: set[Key], gold: set[Key]) -> Evaluation:
    tables = fact_tables()
    by_table: dict[str, Score] = defaultdict(Score)
    for key in predicted & gold:
        by_table[tables[key.metric]].true_positives += 1
    spurious = sorted(predicted - gold, key=repr)
    missed = sorted(gold - predicted, key=repr)
    for key in spurious:
        by_table[tables[key.metric]].false_positives += 1
    for key in missed:
        by_table[tables[key.metric]].false_negatives += 1
    return Evaluation(name, dict(sorted(by_table.items())), missed, spurious)


def evaluate_reports(reports_dir: Path, gold_path: Path) -> Evaluation:
    """The bundled reports, read with the same metadata the pipeline gives them."""
    from dagster_project.ingest.documents import scan_reports

    gold_items = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    predicted: set[Key] = set()
    gold: set[Key] = set()
    for doc in scan_reports(reports_dir).documents:
        context = DocumentContext(doc.province_code, doc.year, doc.period, doc.doc_type)
        predicted |= {fact_key(doc.file_path, f) for f in extract_facts(doc.text, context)}
        gold |= {gold_key(doc.file_path, item, context) for item in gold_items.get(doc.file_path, [])}
    return compare(f"reports ({reports_dir.name})", predicted, gold)


def evaluate_passages(path: Path) -> Evaluation:
    """Labelled passages: each entry has a context, a text and its facts."""
    predicted: set[Key] = set()
    gold: set[Key] = set()
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        context = DocumentContext(**entry["context"])
        predicted |= {fact_key(entry["id"], f) for f in extract_facts(entry["text"], context)}
        gold |= {gold_key(entry["id"], item, context) for item in entry["facts"]}
    return compare(f"passages ({path.name})", predicted, gold)


def report(evaluation: Evaluation, verbose: bool = False) -> str:
    header = f"  {'fact table':<18}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>5}{'FN':>5}"
    lines = [evaluation.name, header]
    rows = [*evaluation.by_table.items(), ("overall", evaluation.overall)]
    for table, score in rows:
        lines.append(
            f"  {table:<18}{score.precision:>7.3f}{score.recall:>7.3f}{score.f1:>7.3f}"
            f"{score.true_positives:>6}{score.false_positives:>5}{score.false_negatives:>5}"
        )
    if verbose:
        lines += [f"  missed   {k}" for k in evaluation.missed]
        lines += [f"  spurious {k}" for k in evaluation.spurious]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=Path, required=True)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--passages", type=Path, nargs="+", required=True)
    parser.add_argument("-v", "--verbose", action="store_true", help="list missed and spurious facts")
    args = parser.parse_args(argv)
    print(report(evaluate_reports(args.reports, args.gold), args.verbose))
    for passages in args.passages:
        print(report(evaluate_passages(passages), args.verbose))


if __name__ == "__main__":
    main()
