"""Tables inside documents: rows of cells joined by " | " (the readers write .docx and .html tables so).

Each value cell of a row becomes a short sentence the extractor reads like prose, made of the row's
label, what its column's header says (a plan or a result, a year, an index) and the value with its
unit: "Thu ngân sách nhà nước (tỷ đồng) | 16.430 | 18.406,2" under "Chỉ tiêu | Kế hoạch năm 2021 |
Kết quả năm 2021" reads as "Thu ngân sách nhà nước kế hoạch năm 2021: 16.430 tỷ đồng" and "… kết quả
năm 2021: 18.406,2 tỷ đồng". A ranking table ("Tỉnh | Điểm | Xếp hạng") reads as "Quảng Ninh đạt
91,04 điểm", "Quảng Ninh xếp thứ 1". The fact keeps the row as its evidence and the cell as its span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

CELL_SEPARATOR = " | "
_NUMBER = re.compile(r"^[<>≥≤~]?\s*\d[\d.,]*\s*%?$")
_EMPTY = re.compile(r"^[-–—x/]*$")
_ROW_NUMBER_HEADER = re.compile(r"(?i)^(?:stt|tt|số tt|số thứ tự)$")
_UNIT_HEADER = re.compile(r"(?i)^(?:đơn vị(?: tính)?|đvt)$")
_UNIT_IN_LABEL = re.compile(
    r"\s*\((?P<unit>%|tỷ đồng|tỉ đồng|triệu đồng|nghìn tỷ đồng|điểm|[^()]{1,20})\)\s*$")
_PLAN_HEADER = re.compile(r"(?i)\b(?:kế hoạch|chỉ tiêu|mục tiêu|dự toán|kh)\b")
_RESULT_HEADER = re.compile(r"(?i)\b(?:kết quả|thực hiện|ước thực hiện|ước đạt|đạt được|số liệu|giá trị)\b")
_RANK_HEADER = re.compile(r"(?i)\b(?:xếp hạng|thứ hạng|hạng|thứ tự|vị trí)\b")
_SCORE_HEADER = re.compile(r"(?i)\b(?:điểm|chỉ số|tỷ lệ|kết quả|%)")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# "Số đơn vị sự nghiệp công lập | 1.214": a count of what the label names, its noun after the value
_COUNT_LABEL = re.compile(r"(?i)^(?:tổng )?số (?P<noun>\w.*)$")


@dataclass(frozen=True)
class Cell:
    """A value cell read as a sentence: the text to read, where the value stands in it and in the
    document, and the row it came from (the evidence)."""

    text: str
    value_start: int  # in `text`
    value_end: int
    start: int  # of the value in the document
    end: int
    row_start: int  # of the row in the document
    row_end: int
    plan: bool  # under a plan or target column ("Kế hoạch năm 2021")


@dataclass(frozen=True)
class _Column:
    header: str
    plan: bool
    rank: bool
    score: bool


def table_rows(text: str) -> list[tuple[int, int]]:
    """Spans of the lines that are rows of a table: two or more consecutive lines with cells."""
    rows, block, offset = [], [], 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if CELL_SEPARATOR in line or _is_rule(line):
            block.append((start, start + len(line)))
            continue
        if len(block) >= 2:
            rows += block
        block = []
    if len(block) >= 2:
        rows += block
    return rows


def table_cells(text: str, rows: list[tuple[int, int]]) -> Iterator[Cell]:
    """Every value cell of the tables whose rows are given, as a sentence to read."""
    for table in _tables(rows):
        table = [(start, end) for start, end in table if not _is_rule(text[start:end])]
        if not table:
            continue
        cells = [_split(text, start, end) for start, end in table]
        header = cells[0] if _is_header(cells[0]) else None
        columns = _columns([cell for cell, _ in header]) if header else None
        body = (cells[1:], table[1:]) if header else (cells, table)
        for row, (start, end) in zip(*body, strict=True):
            yield from _row_cells(row, start, end, columns)


def _tables(rows: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    table: list[tuple[int, int]] = []
    for row in rows:
        if table and row[0] != table[-1][1] + 1:
            yield table
            table = []
        table.append(row)
    if table:
        yield table


def _split(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """The cells of a row with the document offset of each, stripped."""
    cells, position = [], start
    line = text[start:end]
    for raw in line.split(CELL_SEPARATOR):
        stripped = raw.strip().strip("|").strip()  # a Markdown row opens and closes with "|"
        cells.append((stripped, position + (raw.find(stripped) if stripped else 0)))
        position += len(raw) + len(CELL_SEPARATOR)
    if not line.lstrip().startswith("|") and line.rstrip().endswith(" |"):
        cells.append(("", end))  # "1 | Số TTHC | TTHC | 37 |": an empty last cell, not Markdown
    return cells


def _is_rule(line: str) -> bool:
    """A Markdown table's rule under its header: "|---|:---:|"."""
    return "|" in line and "-" in line and not line.strip(" |-:")


def _is_header(cells: list[tuple[str, int]]) -> bool:
    return not any(_NUMBER.match(cell) for cell, _ in cells[1:]) and not _NUMBER.match(cells[0][0])


def _columns(header: list[str]) -> list[_Column]:
    return [
        _Column(cell, bool(_PLAN_HEADER.search(cell)) and not _RESULT_HEADER.search(cell),
                bool(_RANK_HEADER.search(cell)), bool(_SCORE_HEADER.search(cell)))
        for cell in header
    ]


def _row_cells(
    row: list[tuple[str, int]], start: int, end: int, columns: list[_Column] | None
) -> Iterator[Cell]:
    if columns is not None and len(columns) != len(row):
        return  # merged or missing cells: which header a value belongs to is unknown
    label_at = next((i for i, (cell, _) in enumerate(row) if cell and not _NUMBER.match(cell)
                     and not (columns and _ROW_NUMBER_HEADER.match(columns[i].header))), None)
    if label_at is None:
        return
    label, unit = _label_and_unit(row, label_at, columns)
    for index, (cell, position) in enumerate(row):
        if index == label_at or not _NUMBER.match(cell) or _EMPTY.match(cell):
            continue
        column = columns[index] if columns else None
        if column and (_ROW_NUMBER_HEADER.match(column.header) or _UNIT_HEADER.match(column.header)):
            continue
        yield _cell(label, unit, cell, position, start, end, column)


def _label_and_unit(
    row: list[tuple[str, int]], label_at: int, columns: list[_Column] | None
) -> tuple[str, str]:
    label = row[label_at][0]
    unit = next((row[i][0] for i, column in enumerate(columns or [])
                 if _UNIT_HEADER.match(column.header)), "")
    stated = _UNIT_IN_LABEL.search(label)
    if stated:
        label, unit = label[: stated.start()], unit or stated.group("unit")
    return label.rstrip(" :"), unit.strip()


def _cell(
    label: str, unit: str, value: str, position: int, row_start: int, row_end: int, column: _Column | None
) -> Cell:
    """The sentence a cell reads as: "<label> <what its column says>: <value><unit>"."""
    number = value.lstrip("<>≥≤~ ").rstrip("% ")
    number_at = position + value.find(number)
    unit = "%" if value.endswith("%") else unit
    if column and column.rank:
        prefix = f"{label} xếp thứ "
        suffix = ""
    elif column and column.score and not column.plan and _is_name(label):
        prefix = f"{label} {column.header} đạt "
        suffix = _unit_text(unit or ("%" if "%" in column.header else "điểm"))
    else:
        context = f" {column.header.lower()}" if column and (column.plan or _YEAR.search(column.header)
                                                              or _RESULT_HEADER.search(column.header)) else ""
        prefix = f"{label}{context}: "
        counted = _COUNT_LABEL.match(label)
        suffix = _unit_text(unit) or (f" {counted.group('noun')}" if counted and value == number else "")
    text = f"{prefix}{number}{suffix}."
    return Cell(text, len(prefix), len(prefix) + len(number), number_at, number_at + len(number),
                row_start, row_end, bool(column and column.plan))


def _unit_text(unit: str) -> str:
    if not unit:
        return ""
    return "%" if unit == "%" else f" {unit.lower()}"


def _is_name(label: str) -> bool:
    """A row labelled by a name (a province) rather than an indicator: a short capitalised label."""
    return len(label) <= 40 and label[:1].isupper() and not any(word in label.lower() for word in (
        "số ", "tỷ lệ", "tổng", "thu ", "chỉ số"))
