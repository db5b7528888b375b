"""corrections.csv: the figures analysts reject, set or add, kept beside the reports.

One row per correction, columns `action` (reject, set, add), `document` (a file name relative to
the reports folder, or a document_id), `metric_code`, `province`, `year`, `period`, `value` (for
set and add), `reason`, `author`, `date`. A row is checked here for what it says on its own; what
it matches is decided in dbt (int_corrections_matched), and every row, applied or not, is a row of
fct_corrections. A malformed row is also an ingest_errors row naming its line.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from dagster_project.ingest.documents import CORRECTIONS_NAME, IngestError, OutsideFolder, read_csv_rows
from dagster_project.ingest.provinces import province_code

ACTIONS = ("reject", "set", "add")
PERIODS = ("year", "H1", "9M", "Q1", "Q2", "Q3", "Q4", "ytd")
COLUMNS = ("action", "document", "metric_code", "province", "year", "period", "value", "reason", "author",
           "date")
# A plain number, "." for decimals, no thousands separator: "1.850" would be ambiguous.
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class Correction:
    """A row of corrections.csv, as written, with what it resolves to and what is wrong with it."""

    correction_id: str  # stable while the row's key (action, document, cell) stays
    line: int
    action: str
    document: str
    metric_code: str
    province: str
    province_code: str | None
    year: int | None
    period: str
    value: float | None
    reason: str
    author: str
    date: str
    problem: str | None  # why the row is malformed, or None


def read_corrections(
    reports_dir: Path, metric_codes: frozenset[str]
) -> tuple[list[Correction], list[IngestError]]:
    """The rows of corrections.csv (none if there is no such file) and an error per malformed row."""
    try:
        rows = read_csv_rows(reports_dir, CORRECTIONS_NAME)
    except OutsideFolder as error:
        return [], [IngestError(CORRECTIONS_NAME, "ingest", "outside the reports folder", str(error))]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return [], [IngestError(CORRECTIONS_NAME, "ingest", "unreadable corrections", str(error))]
    if rows is None:
        return [], []
    missing = [column for column in COLUMNS if rows and column not in rows[0]]
    if missing:
        detail = f"columns missing: {', '.join(missing)} (expected {', '.join(COLUMNS)})"
        return [], [IngestError(CORRECTIONS_NAME, "ingest", "unreadable corrections", detail)]
    corrections = _without_duplicates(
        [_correction(number, row, metric_codes) for number, row in enumerate(rows, start=2)]
    )
    errors = [IngestError(CORRECTIONS_NAME, "ingest", "malformed correction", f"line {c.line}: {c.problem}")
              for c in corrections if c.problem]
    return corrections, errors


def _correction(line: int, row: dict[str, str | None], metric_codes: frozenset[str]) -> Correction:
    text = {column: (row.get(column) or "").strip() for column in COLUMNS}
    code = province_code(text["province"])
    year = int(text["year"]) if text["year"].isdigit() else None
    value = float(text["value"]) if _PLAIN_NUMBER.fullmatch(text["value"]) else None
    problem = _problem(text, code, year, value, metric_codes)
    key = "|".join([text["action"], text["document"], text["metric_code"], code or text["province"],
                    text["year"], text["period"]])
    return Correction(
        correction_id=hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], line=line,
        action=text["action"], document=text["document"], metric_code=text["metric_code"],
        province=text["province"], province_code=code, year=year, period=text["period"], value=value,
        reason=text["reason"], author=text["author"], date=text["date"], problem=problem,
    )


def _problem(
    text: dict[str, str], code: str | None, year: int | None, value: float | None,
    metric_codes: frozenset[str],
) -> str | None:
    """What makes the row unusable, the first thing found, or None."""
    if text["action"] not in ACTIONS:
        return f"action {text['action']!r} is not one of {', '.join(ACTIONS)}"
    if not text["document"]:
        return "no document (a file name in the reports folder, or a document_id)"
    if text["metric_code"] not in metric_codes:
        return f"metric_code {text['metric_code']!r} is not in the metric catalog"
    if code is None:
        return f"province {text['province']!r} is not a province name or code"
    if year is None:
        return f"year {text['year']!r} is not a year"
    if text["period"] not in PERIODS:
        return f"period {text['period']!r} is not one of {', '.join(PERIODS)}"
    if text["action"] != "reject" and value is None:
        return f"value {text['value']!r} is not a plain number (write 1850 or 98.6)"
    if text["action"] == "reject" and text["value"]:
        return "a reject takes no value"
    if not text["reason"]:
        return "no reason (it is the evidence of the correction)"
    return None


def _without_duplicates(corrections: list[Correction]) -> list[Correction]:
    """A second row with the same key as an earlier one is malformed: which would hold is unclear."""
    first_line: dict[str, int] = {}
    kept = []
    for correction in corrections:
        earlier = first_line.setdefault(correction.correction_id, correction.line)
        if earlier != correction.line:
            correction = Correction(**{
                **correction.__dict__, "correction_id": f"{correction.correction_id}-{correction.line}",
                "problem": correction.problem or f"the same correction as line {earlier}"})
        kept.append(correction)
    return kept
