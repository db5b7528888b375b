"""corrections.csv read on its own (dagster_project/ingest/corrections.py): each row resolved, or
malformed with the reason; what a row matches is decided in dbt (tests/test_analyst_tables.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dagster_project.ingest.corrections import read_corrections

METRICS = frozenset({"procedures_total", "dossiers_on_time_pct"})
HEADER = "action,document,metric_code,province,year,period,value,reason,author,date\n"


def write(folder: Path, rows: str, header: str = HEADER) -> Path:
    (folder / "corrections.csv").write_text(header + rows, encoding="utf-8")
    return folder


def test_no_file_no_corrections(tmp_path: Path) -> None:
    assert read_corrections(tmp_path, METRICS) == ([], [])


def test_a_row_is_resolved(tmp_path: Path) -> None:
    write(tmp_path, "set,bao_cao.txt,dossiers_on_time_pct,Tỉnh Lai Châu,2024,year,98.6,"
                    '"Theo phụ lục, 98,6%",An,2026-12-01\n')
    (correction,), errors = read_corrections(tmp_path, METRICS)
    assert errors == []
    assert (correction.line, correction.province_code, correction.year, correction.period,
            correction.value, correction.reason, correction.problem) == (
        2, "12", 2024, "year", 98.6, "Theo phụ lục, 98,6%", None)
    assert len(correction.correction_id) == 12


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("undo,a.txt,procedures_total,12,2024,year,,lý do", "action 'undo' is not one of reject, set, add"),
        ("reject,,procedures_total,12,2024,year,,lý do",
         "no document (a file name in the reports folder, or a document_id)"),
        ("reject,a.txt,tthc,12,2024,year,,lý do", "metric_code 'tthc' is not in the metric catalog"),
        ("reject,a.txt,procedures_total,Atlantis,2024,year,,lý do",
         "province 'Atlantis' is not a province name or code"),
        ("reject,a.txt,procedures_total,12,năm 2024,year,,lý do", "year 'năm 2024' is not a year"),
        ("reject,a.txt,procedures_total,12,2024,6 tháng,,lý do",
         "period '6 tháng' is not one of year, H1, 9M, Q1, Q2, Q3, Q4, ytd"),
        ("set,a.txt,procedures_total,12,2024,year,1.850.000,lý do",
         "value '1.850.000' is not a plain number (write 1850 or 98.6)"),
        ("add,a.txt,procedures_total,12,2024,year,,lý do",
         "value '' is not a plain number (write 1850 or 98.6)"),
        ("reject,a.txt,procedures_total,12,2024,year,5,lý do", "a reject takes no value"),
        ("reject,a.txt,procedures_total,12,2024,year,,", "no reason (it is the evidence of the correction)"),
    ],
)
def test_a_malformed_row_says_why_with_its_line(tmp_path: Path, row: str, problem: str) -> None:
    write(tmp_path, f"reject,b.txt,procedures_total,12,2024,year,,lý do\n{row},An,2026-12-01\n")
    (good, bad), errors = read_corrections(tmp_path, METRICS)
    assert good.problem is None and bad.problem == problem
    assert [(e.file_path, e.reason, e.detail) for e in errors] == [
        ("corrections.csv", "malformed correction", f"line 3: {problem}")]


def test_a_repeated_row_is_malformed_and_keeps_a_key_of_its_own(tmp_path: Path) -> None:
    row = "set,a.txt,procedures_total,Lai Châu,2024,year,{},lý do,An,2026-12-01\n"
    write(tmp_path, row.format(2046) + row.format(2000))
    (first, second), errors = read_corrections(tmp_path, METRICS)
    assert first.problem is None and second.problem == "the same correction as line 2"
    assert second.correction_id == f"{first.correction_id}-3"
    assert len(errors) == 1


def test_the_key_stays_when_the_value_or_reason_changes(tmp_path: Path) -> None:
    write(tmp_path, "set,a.txt,procedures_total,12,2024,year,2046,lý do,An,2026-12-01\n")
    (before,), _ = read_corrections(tmp_path, METRICS)
    write(tmp_path, "set,a.txt,procedures_total,Lai Châu,2024,year,2000,lý do khác,Bình,2026-12-02\n")
    (after,), _ = read_corrections(tmp_path, METRICS)
    assert before.correction_id == after.correction_id


def test_missing_columns_reject_the_file(tmp_path: Path) -> None:
    write(tmp_path, "reject,a.txt,procedures_total\n", header="action,document,metric_code\n")
    corrections, (error,) = read_corrections(tmp_path, METRICS)
    assert corrections == [] and error.reason == "unreadable corrections"
    assert error.detail.startswith("columns missing: province, year, period, value, reason, author, date")


def test_a_link_out_of_the_folder_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text(HEADER + "reject,a.txt,procedures_total,12,2024,year,,lý do,An,\n", encoding="utf-8")
    folder = tmp_path / "reports"
    folder.mkdir()
    os.symlink(outside, folder / "corrections.csv")
    corrections, (error,) = read_corrections(folder, METRICS)
    assert corrections == [] and error.reason == "outside the reports folder"
