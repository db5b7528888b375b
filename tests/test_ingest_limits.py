"""Limits no file can pass: what an archive inflates to, PDF pages, table rows, seconds per file."""

from __future__ import annotations

import io
import signal
import sys
import time
from pathlib import Path

import openpyxl
from pypdf import PdfWriter

from dagster_project.ingest import documents
from dagster_project.ingest.documents import Rejected, parse_bytes, scan_reports
from dagster_project.ingest.limits import OVER_A_LIMIT, time_limit
from dagster_project.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))  # bench is not a package
from hostile import docx_bomb  # noqa: E402

REPORT = "Báo cáo kết quả cải cách hành chính năm 2024 của tỉnh Điện Biên.\nToàn tỉnh có 1.700 TTHC."


def workbook(rows: int) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["province", "year", "metric_code", "value"])
    for row in range(rows):
        sheet.append(["Lai Châu", 2024 - row % 10, "par_index_score", 85.78])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def over_a_limit(result: object) -> str:
    assert isinstance(result, Rejected) and result.reason == OVER_A_LIMIT, result
    return result.detail


def test_an_archive_that_inflates_past_the_limit_is_not_unpacked(monkeypatch) -> None:
    bomb = docx_bomb(8, REPORT)
    assert len(bomb) < 100_000  # small on disk, as a bomb is
    monkeypatch.setenv("CCHC_MAX_INFLATED_MB", "4")
    assert "(CCHC_MAX_INFLATED_MB)" in over_a_limit(parse_bytes(bomb, ".docx"))
    monkeypatch.setenv("CCHC_MAX_INFLATED_MB", "16")
    assert "1.700 TTHC" in parse_bytes(bomb, ".docx").text


def test_a_workbook_over_the_row_limit_is_rejected(monkeypatch) -> None:
    monkeypatch.setenv("CCHC_MAX_TABLE_ROWS", "20")
    assert "(CCHC_MAX_TABLE_ROWS)" in over_a_limit(parse_bytes(workbook(30), ".xlsx"))
    assert len(parse_bytes(workbook(10), ".xlsx").table_facts) == 10
    csv = ("province,year,metric_code,value\n" + "Lai Châu,2023,par_index_score,85.78\n" * 30).encode()
    assert "(CCHC_MAX_TABLE_ROWS)" in over_a_limit(parse_bytes(csv, ".csv"))


def test_a_pdf_over_the_page_limit_is_rejected_before_its_pages_are_read(monkeypatch) -> None:
    monkeypatch.setenv("CCHC_MAX_PDF_PAGES", "10")
    assert over_a_limit(parse_bytes(pdf(30), ".pdf")) == "30 pages > 10 (CCHC_MAX_PDF_PAGES)"
    assert parse_bytes(pdf(5), ".pdf").reason == "no text layer"  # under the limit: read as usual


def test_a_file_that_reads_too_long_is_stopped(monkeypatch) -> None:
    monkeypatch.setenv("CCHC_MAX_SECONDS_PER_FILE", "0.2")
    monkeypatch.setattr(documents, "read_text", lambda raw, suffix: time.sleep(5))
    started = time.monotonic()
    detail = over_a_limit(parse_bytes(REPORT.encode(), ".txt"))
    assert time.monotonic() - started < 2
    assert detail == "reading took more than 0.2 s (CCHC_MAX_SECONDS_PER_FILE)"


def test_an_alarm_set_around_the_time_limit_keeps_running() -> None:
    previous = signal.signal(signal.SIGALRM, lambda *_: None)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        with time_limit():
            pass
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < remaining <= 30
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_bomb_in_the_folder_is_recorded_and_the_rest_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CCHC_MAX_INFLATED_MB", "4")
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "bomb.docx").write_bytes(docx_bomb(8, REPORT))
    scan = scan_reports(tmp_path)
    assert [d.file_path for d in scan.documents] == ["a.txt"]
    assert [(e.file_path, e.reason) for e in scan.errors] == [("bomb.docx", OVER_A_LIMIT)]


def greedy_reader(raw: bytes, suffix: str) -> None:
    hoard = [bytearray(16 * 1024 * 1024) for _ in range(64)]  # a gigabyte, a piece at a time
    raise AssertionError(f"the reader took {len(hoard)} pieces")


def test_a_reader_over_its_memory_is_stopped_and_the_rest_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CCHC_MAX_READER_MB", "128")
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "greedy.docx").write_bytes(b"PK")
    real = documents.read_text

    def read(raw: bytes, suffix: str) -> object:
        return greedy_reader(raw, suffix) if suffix == ".docx" else real(raw, suffix)

    monkeypatch.setattr(documents, "read_text", read)
    scan = scan_reports(tmp_path)
    assert [d.file_path for d in scan.documents] == ["a.txt"]
    assert [(e.file_path, e.reason, e.detail) for e in scan.errors] == [
        ("greedy.docx", OVER_A_LIMIT, "reading took more memory than CCHC_MAX_READER_MB allows")]
