"""The yardstick of `make bench`: the work of a refresh done by a plain script, to measure it against.

No Dagster, no dbt, no Great Expectations. It reads every report file of a folder with the
project's reader (`parse_bytes`: .txt, .html, .docx, .pdf, fact tables), takes each document's
province, year and period as the refresh does (the manifest row, else the folder, else the text:
`ingest.metadata.infer`), runs the extractor (`extract_facts`) on every core (one worker per core,
CCHC_WORKERS as for the refresh), and pivots the facts into DuckDB: a table `facts`, then one wide
table per fact table of the metric catalog (`wide_<fact_table>`: a row per province × year ×
period, a column per metric, the most confident actual figure).

What the refresh does beyond it (hashing and caching by content, one document per content,
confined readers, conflicts between documents, dbt's models and tests, the blocking checks, the
findings, publication) is what the full refresh's time over the yardstick's pays for.

    .venv/bin/python bench/yardstick.py REPORTS OUT.duckdb [--workers N]

OUT.duckdb is replaced. One JSON line on stdout: seconds (in all and by step), files, documents,
facts, rows of each wide table.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pandas

from dagster_project.extraction import DocumentContext, extract_facts, load_vocabulary
from dagster_project.ingest.documents import SKIPPED_NAMES, Parsed, parse_bytes
from dagster_project.ingest.metadata import DOC_TYPES, infer, parse_published
from dagster_project.ingest.readers import READABLE_SUFFIXES
from dagster_project.ingest.tables import TABLE_SUFFIXES
from dagster_project.parallel import worker_count
from dagster_project.settings import CATALOG_PATH

COLUMNS = {  # the facts table
    "file": "varchar", "province_code": "varchar", "year": "integer", "period": "varchar",
    "metric_code": "varchar", "value": "double", "unit": "varchar", "qualifier": "varchar",
    "fact_kind": "varchar", "confidence": "double", "span_start": "integer",
}
Row = tuple  # one fact, in the order of COLUMNS

_manifest: dict[str, dict[str, str]] = {}  # file → its manifest row; set before the workers fork


def report_files(reports: Path) -> list[tuple[str, str]]:
    """(path, path relative to `reports`) of every visible file but the manifest and readmes."""
    found = []
    for root, dirs, files in os.walk(reports):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower() not in SKIPPED_NAMES:
                path = os.path.join(root, name)
                found.append((path, Path(path).relative_to(reports).as_posix()))
    return found


def read_manifest(reports: Path) -> dict[str, dict[str, str]]:
    path = reports / "manifest.csv"
    if not path.is_file():
        return {}
    rows = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""))
    return {row["file"].strip(): {key: (value or "").strip() for key, value in row.items() if key}
            for row in rows if (row.get("file") or "").strip()}


def facts_of_file(file: tuple[str, str]) -> tuple[list[Row], str | None]:
    """The facts of one report file, or why it gave none (a reason, as the refresh records it)."""
    path, relative = file
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in READABLE_SUFFIXES and suffix not in TABLE_SUFFIXES:
        return [], "unsupported format"
    with open(path, "rb") as handle:
        parsed = parse_bytes(handle.read(), suffix)
    if not isinstance(parsed, Parsed):
        return [], parsed.reason
    if parsed.is_table:  # figures a fact table states: exact and actual, as the refresh loads them
        return [(relative, fact.province_code, fact.year, fact.period, fact.metric_code, fact.value,
                 fact.unit, "exact", "actual", 1.0, fact.span_start) for fact in parsed.table_facts], None
    meta = _manifest.get(relative, {})
    title = meta.get("title") or parsed.title or next(
        (line.strip()[:300] for line in parsed.text.splitlines() if line.strip()), None)
    try:
        published = parse_published(meta.get("published")) or parsed.published
    except ValueError:
        published = parsed.published
    about = infer(meta, relative, title, parsed.text, published)
    if about.year is None:
        return [], "no period"
    doc_type = meta.get("doc_type") if meta.get("doc_type") in DOC_TYPES else "other"
    context = DocumentContext(about.province_code, about.year, about.period, doc_type, published,
                              about.national)
    return [(relative, fact.province_code, fact.year, fact.period, fact.metric_code, fact.value,
             fact.unit, fact.qualifier, fact.fact_kind, fact.confidence, fact.span_start)
            for fact in extract_facts(parsed.text, context)], None


def fact_tables(catalog: Path = CATALOG_PATH) -> dict[str, list[str]]:
    """The metric codes of each fact table of the catalog, in its order."""
    tables: dict[str, list[str]] = {}
    with catalog.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            tables.setdefault(row["fact_table"], []).append(row["metric_code"])
    return tables


def pivot_sql(table: str, metrics: list[str]) -> str:
    """One wide table: a row per province × year × period, the most confident actual figure of each
    metric (conditional aggregation)."""
    columns = ",\n  ".join(f"arg_max(value, confidence) filter (where metric_code = '{metric}')"
                           f' as "{metric}"' for metric in metrics)
    listed = ", ".join(f"'{metric}'" for metric in metrics)
    return (
        f'create table "wide_{table}" as\nselect province_code, year, period,\n  {columns}\nfrom facts\n'
        f"where fact_kind = 'actual' and metric_code in ({listed})\n"
        "  and province_code is not null and year is not null and period is not null\n"
        "group by province_code, year, period\norder by province_code, year, period"
    )


def read_and_extract(files: list[tuple[str, str]], workers: int) -> list[tuple[list[Row], str | None]]:
    """facts_of_file() of each file, in order, over `workers` forked processes (they share the
    vocabulary and the manifest loaded before)."""
    if workers < 2:
        return [facts_of_file(file) for file in files]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(facts_of_file, files, chunksize=max(1, len(files) // (workers * 16)))


def run(reports: Path, out: Path, workers: int | None = None) -> dict:
    global _manifest
    started = time.perf_counter()
    workers = workers or worker_count()
    load_vocabulary()  # once, before the workers fork: they share it
    _manifest = read_manifest(reports)
    files = report_files(reports)
    results = read_and_extract(files, workers)
    rows = [row for facts, _ in results for row in facts]
    skipped = Counter(reason for _, reason in results if reason)
    extracted = time.perf_counter()

    out.unlink(missing_ok=True)
    Path(f"{out}.wal").unlink(missing_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame = pandas.DataFrame.from_records(rows, columns=list(COLUMNS))  # noqa: F841 (read by DuckDB by name)
    with duckdb.connect(str(out)) as con:
        con.execute(f"create table facts ({', '.join(f'{name} {kind}' for name, kind in COLUMNS.items())})")
        con.execute("insert into facts select * from frame")
        loaded = time.perf_counter()
        wide = {}
        for table, metrics in fact_tables().items():
            con.execute(pivot_sql(table, metrics))
            wide[f"wide_{table}"] = con.execute(f'select count(*) from "wide_{table}"').fetchone()[0]
    finished = time.perf_counter()
    return {
        "seconds": round(finished - started, 3),
        "steps": {"read_and_extract": round(extracted - started, 3), "load": round(loaded - extracted, 3),
                  "pivot": round(finished - loaded, 3)},
        "workers": workers,
        "files": len(files),
        "documents": len(files) - sum(skipped.values()),
        "skipped": dict(skipped),
        "facts": len(rows),
        "wide_tables": wide,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reports", type=Path, help="the reports folder")
    parser.add_argument("out", type=Path, help="the DuckDB file to write (replaced)")
    parser.add_argument("--workers", type=int,
                        help="worker processes (default: CCHC_WORKERS, else one per core)")
    args = parser.parse_args(argv)
    if not args.reports.is_dir():
        parser.error(f"{args.reports} is not a folder")
    print(json.dumps(run(args.reports, args.out, args.workers)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
