"""Read long-form fact tables (.csv, .xlsx): analyst-entered figures and official tables like the PAR INDEX.

A table has one figure per row, with the columns ``province, year, period, metric_code, value, unit,
source`` (header names case-insensitive, surrounding spaces ignored, inner spaces or hyphens read as
"_"). ``period``, ``unit`` and ``source`` may be absent or blank; other columns (a ``qualifier``, notes)
are kept in the rendered text but not interpreted.

Whole-file problems raise :class:`UnreadableTable`; a bad row gives one :class:`RowError` (the first
problem found) and no fact, and the other rows still load. Blank rows are skipped silently.

Rules, chosen to be predictable rather than clever:

* **CSV** is decoded as UTF-16 when it starts with a UTF-16 BOM, else UTF-8 (BOM optional), else
  cp1258 (the Vietnamese Windows code page). The delimiter is whichever of ``,`` ``;`` and tab occurs
  most often in the header line (``,`` on a tie). A data row with more cells than the header gives
  "too many cells", even if the extra cells are blank: usually an unquoted decimal comma ("85,78") in
  a comma-separated file, which shifts the cells after it.
* **XLSX**: the first worksheet only; cached formula results are used (``data_only``), so a formula
  never computed by Excel reads as a missing value. A numeric cell formatted as a percentage stores a
  fraction (85.78 % is 0.8578), so its value is multiplied by 100.
* **Numbers** (:func:`parse_value`): a numeric cell is used as it is. A string may carry Vietnamese or
  English separators; a single ``,`` is a decimal comma, ``.`` in groups of three after a non-zero
  lead is a thousands dot ("1.044" = 1044, as the report extractor reads it), and when both appear the
  last one is the decimal separator. So "1,044" is 1.044: for a count that gives "fractional count",
  which catches an English thousands comma instead of loading a wrong figure.
* **Units**: blank means the catalog unit of the metric. Otherwise the unit must be the catalog unit
  or a common spelling of it ("%", "điểm", "triệu đồng", ...); "tỷ đồng"/"tỉ đồng" are accepted for
  ``million_vnd`` metrics and the value is multiplied by 1000. Any other unit is a "unit mismatch".
* **Checks**: year 1990-2100; period one of the warehouse periods (blank = "year", case-insensitive,
  a few Vietnamese spellings such as "6 tháng" or "quý II"); no negative counts; a second row for the
  same province, year, period and metric is a "duplicate row". Values are not range-checked here.

The rendered ``text`` (header line, then one line per non-blank data row, cells joined by " | ") becomes
the document's text; each fact's span points at its row's line in it.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl

from dagster_project.extraction.extractor import generation_of
from dagster_project.ingest.limits import OverALimit, capped_rows, check_archive
from dagster_project.ingest.metadata import PERIODS
from dagster_project.ingest.provinces import fold, province_code
from dagster_project.settings import CATALOG_PATH

TABLE_SUFFIXES = frozenset({".csv", ".xlsx"})

_PERIOD_ALIASES = {fold(p): p for p in PERIODS} | {
    "nam": "year", "ca nam": "year", "6 thang": "H1", "6 thang dau nam": "H1", "9 thang": "9M",
    "quy i": "Q1", "quy 1": "Q1", "quy ii": "Q2", "quy 2": "Q2", "quy iii": "Q3", "quy 3": "Q3",
    "quy iv": "Q4", "quy 4": "Q4", "luy ke": "ytd",
}
# Spellings of catalog units, keyed by their folded form, with the factor that converts the value.
_UNIT_ALIASES: dict[str, tuple[str, float]] = {
    "count": ("count", 1.0),
    "pct": ("pct", 1.0), "percent": ("pct", 1.0), "%": ("pct", 1.0), "phan tram": ("pct", 1.0),
    "points": ("points", 1.0), "point": ("points", 1.0), "diem": ("points", 1.0),
    "rank": ("rank", 1.0), "hang": ("rank", 1.0), "xep hang": ("rank", 1.0),
    "million vnd": ("million_vnd", 1.0), "trieu dong": ("million_vnd", 1.0),
    "ty dong": ("million_vnd", 1000.0), "ti dong": ("million_vnd", 1000.0),  # billions of dong
}
_REQUIRED = ("province", "year", "metric_code", "value")
_OPTIONAL = ("period", "unit", "source")
_DELIMITERS = (",", ";", "\t")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

_INTEGER = re.compile(r"\d+")
_THOUSANDS_DOTS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")
_THOUSANDS_COMMAS = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")
_DECIMAL = re.compile(r"\d+[.,]\d+")
_YEAR = re.compile(r"\d{4}")
_BLANKS = re.compile(r"\s+")

Cell = str | int | float | date | time | None


@dataclass(frozen=True)
class TableFact:
    province_code: str
    year: int
    period: str
    metric_code: str
    value: float
    unit: str
    source: str | None
    evidence: str
    span_start: int
    span_end: int


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    detail: str


@dataclass(frozen=True)
class TableRead:
    text: str
    facts: list[TableFact]
    errors: list[RowError]


class UnreadableTable(Exception):
    """The whole file cannot be read as a fact table."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class _RowProblem(Exception):
    """The first problem found in a row; becomes a RowError."""

    def __init__(self, reason: str, detail: str):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class _Row:
    line: int
    cells: list[Cell]
    strict_width: bool = False  # CSV: more cells than the header means a split value


def read_fact_table(raw: bytes, suffix: str) -> TableRead:
    """Read a .csv or .xlsx fact table; raises UnreadableTable for whole-file problems."""
    suffix = suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(raw)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(raw)
    else:
        raise UnreadableTable("unsupported format", f"extension {suffix or '(none)'} is not .csv or .xlsx")
    rows = [row for row in rows if any(_render(cell) for cell in row.cells)]
    if not rows:
        raise UnreadableTable("empty", "no rows")
    header, data = rows[0], rows[1:]
    columns = _columns(header.cells)
    if not data:
        raise UnreadableTable("empty", "a header but no data rows")
    return _read_rows(header, data, columns)


def _read_rows(header: _Row, data: list[_Row], columns: dict[str, int]) -> TableRead:
    width = max(columns.values()) + 1
    lines = [_line(header.cells)]
    offset = len(lines[0]) + 1
    facts: list[TableFact] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, int, str, str], int] = {}
    for row in data:
        line = _line(row.cells)
        lines.append(line)
        start, offset = offset, offset + len(line) + 1
        try:
            fact = _fact(row, columns, width, header.cells)
            key = (fact.province_code, fact.year, fact.period, fact.metric_code)
            if key in seen:
                raise _RowProblem(
                    "duplicate row", f"same province, year, period and metric as line {seen[key]}"
                )
        except _RowProblem as problem:
            errors.append(RowError(row.line, problem.reason, problem.detail))
            continue
        seen[key] = row.line
        facts.append(replace(fact, evidence=line, span_start=start, span_end=start + len(line)))
    return TableRead("".join(f"{line}\n" for line in lines), facts, errors)


def _columns(header: Sequence[Cell]) -> dict[str, int]:
    """Column positions by canonical name; the required ones must be there, each once."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = re.sub(r"[\s-]+", "_", _render(cell).casefold())
        if name in _REQUIRED + _OPTIONAL:
            if name in columns:
                raise UnreadableTable("duplicate columns", f"column {name!r} appears twice in the header")
            columns[name] = index
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        found = ", ".join(_render(cell) for cell in header if _render(cell)) or "(none)"
        raise UnreadableTable("missing columns", f"missing {', '.join(missing)}; header has {found}")
    return columns


def _fact(row: _Row, columns: dict[str, int], width: int, header: Sequence[Cell]) -> TableFact:
    """The row's fact, or the first problem in it."""
    cells = list(row.cells) + [None] * (width - len(row.cells))
    if row.strict_width and len(row.cells) > len(header):
        raise _RowProblem(
            "too many cells", f"{len(row.cells)} cells under a {len(header)}-column header (unquoted comma?)"
        )

    def cell(name: str) -> Cell:
        return cells[columns[name]] if name in columns else None

    year = _year(cell("year"))
    period = _period(cell("period"))
    province = _province(cell("province"), generation_of(year, period))
    metric, catalog_unit = _metric(cell("metric_code"))
    value = _value(cell("value"))
    value = _in_catalog_unit(value, cell("unit"), metric, catalog_unit)
    if catalog_unit == "count":
        _check_count(value)
    source = _render(cell("source")) or None
    return TableFact(province, year, period, metric, value, catalog_unit, source, "", 0, 0)  # span set later


def _province(cell: Cell, generation: int) -> str:
    """A row's province, read as the units in force at the end of its period ("Gia Lai" of 2025: 52)."""
    text = _render(cell)
    code = province_code(text, generation)
    if code is None:
        detail = f"province {text!r} is not a known name or code" if text else "no province given"
        raise _RowProblem("unknown province", detail)
    return code


def _year(cell: Cell) -> int:
    year: int | None = None
    if isinstance(cell, float) and cell.is_integer():
        year = int(cell)
    elif isinstance(cell, int) and not isinstance(cell, bool):
        year = cell
    elif isinstance(cell, str) and _YEAR.fullmatch(cell.strip()):
        year = int(cell)
    if year is None or not 1990 <= year <= 2100:
        shown = _render(cell)
        detail = f"year {shown!r} is not a year 1990-2100" if shown else "no year given"
        raise _RowProblem("invalid year", detail)
    return year


def _period(cell: Cell) -> str:
    text = _render(cell)
    if not text:
        return "year"
    period = _PERIOD_ALIASES.get(fold(text))
    if period is None:
        raise _RowProblem("invalid period", f"period {text!r} is not one of {', '.join(sorted(PERIODS))}")
    return period


def _metric(cell: Cell) -> tuple[str, str]:
    code = _render(cell).casefold()
    unit = catalog_units().get(code)
    if unit is None:
        detail = f"metric code {code!r} is not in the metric catalog" if code else "no metric code given"
        raise _RowProblem("unknown metric code", detail)
    return code, unit


def _value(cell: Cell) -> float:
    if not _render(cell):
        raise _RowProblem("missing value", "the value cell is blank")
    value = parse_value(cell)
    if value is None:
        raise _RowProblem("non-numeric value", f"value {_render(cell)!r} is not a number")
    return value


def _in_catalog_unit(value: float, cell: Cell, metric: str, catalog_unit: str) -> float:
    """The value in the metric's catalog unit; a blank unit means the catalog unit."""
    text = _render(cell)
    if not text:
        return value
    unit, factor = _UNIT_ALIASES.get(fold(text), (None, 1.0))
    if unit != catalog_unit:
        detail = f"unit {text!r} does not fit {metric}, whose catalog unit is {catalog_unit}"
        raise _RowProblem("unit mismatch", detail)
    return round(value * factor, 6) if factor != 1.0 else value


def _check_count(value: float) -> None:
    if value < 0:
        raise _RowProblem("negative count", f"value {_number_text(value)} is negative for a count")
    if not value.is_integer():
        raise _RowProblem(
            "fractional count", f"value {_number_text(value)} is not a whole number (a thousands comma?)"
        )


@cache
def catalog_units(path: Path = CATALOG_PATH) -> dict[str, str]:
    """The catalog unit of every metric code.

    >>> catalog_units()["par_index_score"], catalog_units()["dossiers_received"]
    ('points', 'count')
    """
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["metric_code"].strip(): row["unit"].strip() for row in csv.DictReader(handle)}


def parse_value(cell: Cell) -> float | None:
    """A cell's number, or None when it is not one (see the module docstring for the rule).

    >>> [parse_value(s) for s in ("1.044", "13.514.258", "85,78", "85.78", "1044", "1.067,5")]
    [1044.0, 13514258.0, 85.78, 85.78, 1044.0, 1067.5]
    >>> [parse_value(s) for s in ("1,067.5", "13,514,258", "1,044", "0.500", "-3", "12a", "1.2.3")]
    [1067.5, 13514258.0, 1.044, 0.5, -3.0, None, None]
    >>> parse_value(85.78), parse_value(True), parse_value(float("nan"))
    (85.78, None, None)
    """
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell) if math.isfinite(cell) else None
    if not isinstance(cell, str):
        return None
    text = cell.strip().replace("\u2212", "-")
    sign = -1.0 if text.startswith("-") else 1.0
    digits = _english(text.removeprefix("-").removeprefix("+"))
    return None if digits is None else sign * float(digits)


def _english(text: str) -> str | None:
    """The number in Python's notation, or None."""
    if _INTEGER.fullmatch(text):
        return text
    if "." in text and "," in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        whole, _, fraction = text.rpartition(decimal)
        grouped = _THOUSANDS_DOTS if decimal == "," else _THOUSANDS_COMMAS
        if (grouped.fullmatch(whole) or _INTEGER.fullmatch(whole)) and _INTEGER.fullmatch(fraction):
            return f"{re.sub('[.,]', '', whole)}.{fraction}"
        return None
    if _THOUSANDS_DOTS.fullmatch(text) or (_THOUSANDS_COMMAS.fullmatch(text) and text.count(",") > 1):
        return re.sub("[.,]", "", text)
    if _DECIMAL.fullmatch(text):
        return text.replace(",", ".")
    return None


# ---- reading the files into rows of cells ----


def _csv_rows(raw: bytes) -> list[_Row]:
    text = _decode(raw)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[_Row] = []
    previous_end = 0
    try:
        for cells in capped_rows(reader):
            # A row starts after the previous one ends: a quoted cell may span lines.
            rows.append(_Row(previous_end + 1, list(cells), strict_width=True))
            previous_end = reader.line_num
    except csv.Error as error:
        raise UnreadableTable("corrupt", f"CSV line {reader.line_num}: {error}") from error
    return rows


def _decode(raw: bytes) -> str:
    if raw.startswith(_UTF16_BOMS):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableTable("undecodable", f"bad UTF-16: {error}") from error
    if b"\x00" in raw[:4096]:
        raise UnreadableTable("undecodable", "binary content (NUL bytes) in a .csv file")
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableTable("undecodable", "not UTF-8, UTF-16 or cp1258 text")


def _delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(_DELIMITERS, key=header.count)  # max keeps the first on a tie: ","


def _xlsx_rows(raw: bytes) -> list[_Row]:
    check_archive(raw)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as error:  # BadZipFile, KeyError, XML errors...: openpyxl has no single type
        raise UnreadableTable("corrupt", f"not a readable .xlsx workbook: {error}") from error
    try:
        if not workbook.worksheets:
            raise UnreadableTable("empty", "the workbook has no worksheet")
        return list(_sheet_rows(workbook.worksheets[0]))
    except (UnreadableTable, OverALimit, MemoryError):
        raise
    except Exception as error:  # read-only sheets parse lazily, so damage can surface here
        raise UnreadableTable("corrupt", f"unreadable worksheet: {error}") from error
    finally:
        workbook.close()


def _sheet_rows(sheet: Any) -> Iterator[_Row]:
    sheet.reset_dimensions()  # some writers store a wrong sheet size; read what is there
    line = 0
    for cells in capped_rows(sheet.iter_rows()):
        line = next((c.row for c in cells if getattr(c, "row", None)), line + 1)
        yield _Row(line, [_xlsx_value(c) for c in cells])


def _xlsx_value(cell: Any) -> Cell:
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return round(value * 100, 10)  # Excel stores 85.78 % as 0.8578
    return value


# ---- rendering ----


def _render(cell: Cell) -> str:
    """A cell as one line of normalised text: what the document text shows."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return str(cell).upper()
    if isinstance(cell, int | float):
        return _number_text(float(cell)) if isinstance(cell, float) else str(cell)
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ") if cell.time() != time() else cell.date().isoformat()
    if isinstance(cell, date | time):
        return cell.isoformat()
    # NFC: cp1258 files write tone marks as combining characters, UTF-8 ones mostly precomposed.
    text = unicodedata.normalize("NFC", str(cell)).replace("\u200b", "").replace("\ufeff", "")
    return _BLANKS.sub(" ", text).strip()


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _line(cells: Sequence[Cell]) -> str:
    """Cells joined by " | ", trailing blank cells dropped; single spaces only, so normalisation keeps it."""
    rendered = [_render(cell) for cell in cells]
    while rendered and not rendered[-1]:
        rendered.pop()
    return re.sub(" {2,}", " ", " | ".join(rendered)).strip()
