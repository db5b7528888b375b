"""Reading long-form fact tables (.csv, .xlsx): facts with evidence spans, one error per bad row."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import openpyxl
import pytest

from dagster_project.extraction.text import normalize_text
from dagster_project.ingest import tables
from dagster_project.ingest.metadata import PERIODS
from dagster_project.ingest.tables import (
    TABLE_SUFFIXES,
    RowError,
    TableRead,
    UnreadableTable,
    parse_value,
    read_fact_table,
)

HEADER = "province,year,period,metric_code,value,unit,source"
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # cp1258 writes these as separate combining bytes


def cp1258(text: str) -> bytes:
    """Text as a Windows-1258 file holds it: precomposed vowels, tone marks as combining characters."""
    chars = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        chars.append(base + "".join(c for c in parts if c in TONE_MARKS))
    return "".join(chars).encode("cp1258")


def read_csv(body: str, header: str = HEADER, encoding: str = "utf-8") -> TableRead:
    return read_fact_table(f"{header}\n{body}".encode(encoding), ".csv")


def xlsx_bytes(rows: list[list[object]], formats: dict[str, str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_tuples(read: TableRead) -> list[tuple[object, ...]]:
    return [(f.province_code, f.year, f.period, f.metric_code, f.value, f.unit, f.source) for f in read.facts]


def assert_spans(read: TableRead) -> None:
    """Every fact's evidence is one whole line of the text, at its span."""
    lines = read.text.splitlines(keepends=True)
    assert read.text.endswith("\n") and all(line.endswith("\n") for line in lines)
    for fact in read.facts:
        assert read.text[fact.span_start:fact.span_end] == fact.evidence
        assert f"{fact.evidence}\n" in lines
        assert fact.span_start == 0 or read.text[fact.span_start - 1] == "\n"
        assert read.text[fact.span_end] == "\n"


def test_valid_csv_with_names_codes_and_number_styles() -> None:
    read = read_csv(
        "Tỉnh Lai Châu,2023,,par_index_score,\"85,78\",điểm,Bộ Nội vụ\n"
        "12,2023,year,par_index_rank,17,,\n"
        "ha noi,2024,H1,dossiers_received,\"13.514.258\",count,\n"
        "Đà Nẵng,2024,9m,online_dossier_rate_pct,85.78,%,portal\n"
        "79,2024,Q2,state_revenue_million_vnd,\"1.067,5\",tỷ đồng,\n"
        "TP. Hồ Chí Minh,2024,q3,public_investment_disbursed_million_vnd,2500,triệu đồng,\n"
    )
    assert read.errors == []
    assert as_tuples(read) == [
        ("12", 2023, "year", "par_index_score", 85.78, "points", "Bộ Nội vụ"),
        ("12", 2023, "year", "par_index_rank", 17.0, "rank", None),
        ("01", 2024, "H1", "dossiers_received", 13514258.0, "count", None),
        ("48", 2024, "9M", "online_dossier_rate_pct", 85.78, "pct", "portal"),
        ("79", 2024, "Q2", "state_revenue_million_vnd", 1067500.0, "million_vnd", None),
        ("79", 2024, "Q3", "public_investment_disbursed_million_vnd", 2500.0, "million_vnd", None),
    ]
    assert read.text.splitlines()[:3] == [
        "province | year | period | metric_code | value | unit | source",
        "Tỉnh Lai Châu | 2023 | | par_index_score | 85,78 | điểm | Bộ Nội vụ",
        "12 | 2023 | year | par_index_rank | 17",
    ]
    assert_spans(read)


def test_valid_xlsx_with_numeric_cells_and_strings() -> None:
    raw = xlsx_bytes([
        [" Province ", "YEAR", "Metric_Code", "Value", "Unit", "Source", "Ghi chú"],
        ["Lai Châu", 2023, "par_index_score", 85.78, None, "PAR INDEX 2023", "chính thức"],
        [12, 2023.0, "procedures_total", "1.044", "count", None, None],
        ["Vĩnh Long", 2024, "sipas_score_pct", 0.8453, None, None, None],
        ["01", 2024, "simplification_savings_million_vnd", 12.5, "tỉ đồng", None, None],
    ], formats={"D4": "0.00%"})
    read = read_fact_table(raw, ".xlsx")
    assert read.errors == []
    assert as_tuples(read) == [
        ("12", 2023, "year", "par_index_score", 85.78, "points", "PAR INDEX 2023"),
        ("12", 2023, "year", "procedures_total", 1044.0, "count", None),
        ("86", 2024, "year", "sipas_score_pct", 84.53, "pct", None),  # a %-formatted cell holds 0.8453
        ("01", 2024, "year", "simplification_savings_million_vnd", 12500.0, "million_vnd", None),
    ]
    assert read.text.splitlines() == [
        "Province | YEAR | Metric_Code | Value | Unit | Source | Ghi chú",
        "Lai Châu | 2023 | par_index_score | 85.78 | | PAR INDEX 2023 | chính thức",
        "12 | 2023 | procedures_total | 1.044 | count",
        "Vĩnh Long | 2024 | sipas_score_pct | 84.53",
        "01 | 2024 | simplification_savings_million_vnd | 12.5 | tỉ đồng",
    ]
    assert_spans(read)


@pytest.mark.parametrize(
    ("row", "reason", "named"),
    [
        ("Atlantis,2023,,par_index_rank,5,,", "unknown province", "Atlantis"),
        (",2023,,par_index_rank,5,,", "unknown province", "no province"),
        ("12,1899,,par_index_rank,5,,", "invalid year", "1899"),
        ("12,2023.5,,par_index_rank,5,,", "invalid year", "2023.5"),
        ("12,,,par_index_rank,5,,", "invalid year", "no year"),
        ("12,2023,H3,par_index_rank,5,,", "invalid period", "H3"),
        ("12,2023,,gdp_growth,5,,", "unknown metric code", "gdp_growth"),
        ("12,2023,,par_index_rank,,,", "missing value", "blank"),
        ("12,2023,,par_index_rank,12a,,", "non-numeric value", "12a"),
        ("12,2023,,par_index_rank,1.2.3,,", "non-numeric value", "1.2.3"),
        ("12,2023,,par_index_score,5,%,", "unit mismatch", "'%'"),
        ("12,2023,,procedures_total,5,tỷ đồng,", "unit mismatch", "tỷ đồng"),
        ("12,2023,,procedures_total,5,thủ tục,", "unit mismatch", "thủ tục"),
        ("12,2023,,procedures_total,-5,,", "negative count", "-5"),
        ("12,2023,,procedures_total,\"1,044\",,", "fractional count", "1.044"),
        ("12,2023,,par_index_score,85,78,,", "too many cells", "8 cells"),
    ],
)
def test_each_row_problem_gives_one_error_and_the_rest_loads(row: str, reason: str, named: str) -> None:
    read = read_csv(f"Lai Châu,2023,,par_index_score,80,,\n{row}\n12,2022,,par_index_score,70,,\n")
    assert read.errors == [RowError(3, reason, read.errors[0].detail)]
    assert named in read.errors[0].detail
    assert [(f.year, f.value) for f in read.facts] == [(2023, 80.0), (2022, 70.0)]
    assert len(read.text.splitlines()) == 4  # a bad row stays in the document text
    assert_spans(read)


def test_duplicate_row_is_an_error_for_the_later_one() -> None:
    read = read_csv(
        "12,2023,,par_index_rank,5,,\n"
        "Lai Châu,2023,year,par_index_rank,6,,\n"  # same key: the name resolves to 12, blank period = year
        "12,2023,H1,par_index_rank,7,,\n"
    )
    assert [(e.line, e.reason) for e in read.errors] == [(3, "duplicate row")]
    assert "line 2" in read.errors[0].detail
    assert [f.value for f in read.facts] == [5.0, 7.0]


def test_xlsx_row_errors_use_sheet_row_numbers() -> None:
    raw = xlsx_bytes([
        ["province", "year", "metric_code", "value"],
        ["Lai Châu", 2023, "par_index_rank", 3],
        [None, None, None, None],
        ["Lai Châu", date(2023, 1, 1), "par_index_rank", 3],
        ["Lai Châu", 2023, "par_index_score", True],
    ])
    read = read_fact_table(raw, ".xlsx")
    assert [(e.line, e.reason) for e in read.errors] == [(4, "invalid year"), (5, "non-numeric value")]
    assert len(read.facts) == 1


@pytest.mark.parametrize(
    ("raw", "suffix", "reason", "named"),
    [
        (b"province,year,value\n12,2023,5\n", ".csv", "missing columns", "metric_code"),
        (b"tinh,nam,chi_tieu,gia_tri\n12,2023,a,5\n", ".csv", "missing columns", "province, year"),
        (b"province,year,metric_code,value,Value\n", ".csv", "duplicate columns", "value"),
        (b"", ".csv", "empty", "no rows"),
        (b" \n,,,\n", ".csv", "empty", "no rows"),
        (b"province,year,metric_code,value\n\n", ".csv", "empty", "no data rows"),
        (b"\x00\x01binary", ".csv", "undecodable", "NUL"),
        (b"province,year,metric_code,value\n12,2023\x81\x8a,a,1\n", ".csv", "undecodable", "cp1258"),
        (b"not a zip file", ".xlsx", "corrupt", "xlsx"),
        (b"PK\x03\x04 truncated", ".xlsx", "corrupt", "xlsx"),
        (b"province,year\n", ".xls", "unsupported format", ".xls"),
    ],
)
def test_whole_file_problems(raw: bytes, suffix: str, reason: str, named: str) -> None:
    with pytest.raises(UnreadableTable) as caught:
        read_fact_table(raw, suffix)
    assert caught.value.reason == reason
    assert named in caught.value.detail


def test_truncated_real_xlsx_is_corrupt() -> None:
    raw = xlsx_bytes([["province", "year", "metric_code", "value"], ["12", 2023, "par_index_rank", 1]])
    with pytest.raises(UnreadableTable) as caught:
        read_fact_table(raw[: len(raw) // 2], ".xlsx")
    assert caught.value.reason == "corrupt"


def test_xlsx_header_only_is_empty() -> None:
    with pytest.raises(UnreadableTable, match="empty"):
        read_fact_table(xlsx_bytes([["province", "year", "metric_code", "value"]]), ".xlsx")


@pytest.mark.parametrize("encoding", ["cp1258", "utf-8-sig", "utf-16", "utf-8"])
def test_encodings(encoding: str) -> None:
    body = "province,year,metric_code,value,source\nĐiện Biên,2023,par_index_rank,9,Sở Nội vụ\n"
    read = read_fact_table(cp1258(body) if encoding == "cp1258" else body.encode(encoding), ".csv")
    assert as_tuples(read) == [("11", 2023, "year", "par_index_rank", 9.0, "rank", "Sở Nội vụ")]
    assert read.facts[0].evidence == "Điện Biên | 2023 | par_index_rank | 9 | Sở Nội vụ"  # NFC in all


def test_cp1258_decomposed_tones_are_composed() -> None:
    raw = cp1258("province,year,metric_code,value\nTỉnh Lai Châu,2023,par_index_rank,4\n")
    assert b"Ti\xd2nh" in raw  # "ỉ" is "i" then a combining hook: a real legacy byte sequence
    read = read_fact_table(raw, ".csv")
    assert read.facts[0].province_code == "12"
    assert read.facts[0].evidence == "Tỉnh Lai Châu | 2023 | par_index_rank | 4"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_csv_with_decimal_commas(delimiter: str) -> None:
    rows = [HEADER.split(","), ["Lai Châu", "2023", "", "par_index_score", "85,78", "", ""],
            ["12", "2023", "", "procedures_total", "1.044", "", ""]]
    raw = "\n".join(delimiter.join(row) for row in rows).encode()
    read = read_fact_table(raw, ".csv")
    assert read.errors == []
    assert [f.value for f in read.facts] == [85.78, 1044.0]
    assert read.facts[0].evidence == "Lai Châu | 2023 | | par_index_score | 85,78"


def test_blank_rows_are_skipped_silently_and_lines_counted() -> None:
    body = f"\n{HEADER}\n\n12,2023,,par_index_rank,5,,\n,,,,,,\n   \n12,2023,,nope,5,,\n\n"
    read = read_fact_table(body.encode(), ".csv")
    assert [(e.line, e.reason) for e in read.errors] == [(7, "unknown metric code")]
    assert len(read.facts) == 1
    assert read.text.count("\n") == 3  # header and the two data rows; blank rows leave no line
    assert_spans(read)


def test_xlsx_blank_rows_and_leading_gap() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for column, name in enumerate(["province", "year", "metric_code", "value"], start=1):
        sheet.cell(row=3, column=column, value=name)
    sheet.append(["12", 2023, "par_index_rank", 1])  # row 4
    sheet.cell(row=7, column=1, value="12")
    sheet.cell(row=7, column=2, value=2023)
    sheet.cell(row=7, column=3, value="bad_code")
    sheet.cell(row=7, column=4, value=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = read_fact_table(buffer.getvalue(), ".xlsx")
    assert [(e.line, e.reason) for e in read.errors] == [(7, "unknown metric code")]
    assert [f.value for f in read.facts] == [1.0]


def test_only_first_sheet_is_read() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["province", "year", "metric_code", "value"])
    workbook.active.append(["12", 2023, "par_index_rank", 1])
    workbook.create_sheet("other").append(["12", 2023, "par_index_rank", 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [f.value for f in read_fact_table(buffer.getvalue(), ".xlsx").facts] == [1.0]


def test_quoted_multiline_cell_keeps_text_one_line_per_row() -> None:
    read = read_csv(
        '12,2023,,par_index_rank,5,,"Bộ Nội vụ\ncông bố"\n'
        '12,2023,,nope,1,,"hai\ndòng"\n'
        "12,2023,,nope,1,,\n"
    )
    assert read.facts[0].source == "Bộ Nội vụ công bố"
    assert read.facts[0].evidence.endswith("| Bộ Nội vụ công bố")
    assert [e.line for e in read.errors] == [4, 6]  # where each row starts, after the 2-line rows
    assert len(read.text.splitlines()) == 4


def test_text_is_stable_under_document_normalisation() -> None:
    read = read_csv("12 ,  2023,\u00a0,par_index_rank,5,,  Sở   Nội vụ\n12,2024,,par_index_rank,\t6\t,,\n")
    assert normalize_text(read.text) == read.text
    assert read.facts[0].source == "Sở Nội vụ"
    assert_spans(read)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1044", 1044.0), ("1.044", 1044.0), ("13.514.258", 13514258.0), ("85,78", 85.78),
        ("85.78", 85.78), ("1.067,5", 1067.5), ("1,067.5", 1067.5), ("13,514,258", 13514258.0),
        ("1,044", 1.044), ("0.500", 0.5), ("-3", -3.0), ("\u22123", -3.0), (" 7 ", 7.0), ("+2", 2.0),
        ("12a", None), ("1.2.3", None), ("1,2,3", None), ("1.2,3,4", None), ("", None), ("1 044", None),
        (",5", None), ("5,", None), ("nan", None), (12, 12.0), (0.25, 0.25), (False, None),
    ],
)
def test_parse_value_rule(text: object, value: float | None) -> None:
    assert parse_value(text) == value


def test_periods_match_the_document_periods() -> None:
    assert set(tables._PERIOD_ALIASES.values()) == PERIODS


@pytest.mark.parametrize(("period", "expected"), [("Quý II", "Q2"), ("6 tháng", "H1"), ("YTD", "ytd")])
def test_period_spellings(period: str, expected: str) -> None:
    assert read_csv(f"12,2023,{period},par_index_rank,1,,\n").facts[0].period == expected


def test_catalog_units_cover_every_unit_alias_target() -> None:
    assert {unit for unit, _ in tables._UNIT_ALIASES.values()} >= set(tables.catalog_units().values())


def test_suffixes() -> None:
    assert frozenset({".csv", ".xlsx"}) == TABLE_SUFFIXES
    assert read_fact_table(f"{HEADER}\n12,2023,,par_index_rank,1,,\n".encode(), ".CSV").facts
