"""Reading a reports folder: formats, metadata, every bad input recorded, identity and change."""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from pypdf import PdfWriter

from dagster_project.ingest.documents import Scan, scan_in_batches, scan_reports
from dagster_project.ingest.provinces import province_code
from dagster_project.state import IngestState, VersionsRecorder

REPORT = "Báo cáo kết quả cải cách hành chính năm 2024 của tỉnh Điện Biên.\nToàn tỉnh có 1.700 TTHC."
OTHER = "Báo cáo cải cách hành chính năm 2024 của tỉnh Sơn La.\nToàn tỉnh có 1.650 TTHC."
TABLE = "province,year,metric_code,value\nLai Châu,2023,par_index_score,85.78\n"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def folder_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def blank_pdf(password: str | None = None) -> bytes:
    """A one-page PDF without a text layer, encrypted when a password is given."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_manifest_gives_province_and_period(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", REPORT)
    write(tmp_path, "manifest.csv", "file,province,year,period,doc_type\na.txt,Tỉnh Sơn La,2023,H1,report\n")
    (document,) = scan_reports(tmp_path).documents
    assert (document.province_code, document.year, document.period, document.doc_type) == (
        "14", 2023, "H1", "report"
    )
    assert len(document.sha256) == 64 and document.document_id == document.sha256[:16]


def test_without_manifest_metadata_comes_from_the_text(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", REPORT)
    (document,) = scan_reports(tmp_path).documents
    assert (document.province_code, document.year, document.period) == ("11", 2024, "year")


def test_folder_layout_gives_province_and_year(tmp_path: Path) -> None:
    write(tmp_path, "Lai Châu/2023/bao-cao.txt", "Kết quả cải cách hành chính.\nToàn tỉnh có 1.700 TTHC.")
    (document,) = scan_reports(tmp_path).documents
    assert (document.province_code, document.year) == ("12", 2023)


@pytest.mark.parametrize(
    ("title", "period"),
    [
        ("Báo cáo kết quả CCHC 6 tháng đầu năm 2024 của tỉnh Sơn La", "H1"),
        ("Báo cáo CCHC 9 tháng năm 2024 của tỉnh Sơn La", "9M"),
        ("Báo cáo CCHC quý III năm 2024 của tỉnh Sơn La", "Q3"),
        ("Báo cáo CCHC quý I năm 2024 của tỉnh Sơn La", "Q1"),
        ("Báo cáo kết quả CCHC năm 2024 của tỉnh Sơn La", "year"),
    ],
)
def test_period_comes_from_the_title(tmp_path: Path, title: str, period: str) -> None:
    write(tmp_path, "r.txt", f"{title}\nToàn tỉnh có 1.650 TTHC.")
    (document,) = scan_reports(tmp_path).documents
    assert (document.province_code, document.year, document.period) == ("14", 2024, period)


def test_a_ranking_of_provinces_has_no_province_of_its_own(tmp_path: Path) -> None:
    write(tmp_path, "xep-hang.txt", "Công bố Chỉ số CCHC năm 2023 của 63 tỉnh, thành phố.\n"
          "Tỉnh Quảng Ninh dẫn đầu với 91,2 điểm, tỉnh Hải Phòng đứng thứ hai.")
    (document,) = scan_reports(tmp_path).documents
    assert (document.province_code, document.year) == (None, 2023)


def test_formats_are_read_into_text(tmp_path: Path) -> None:
    write(tmp_path, "a.docx", docx_bytes("Báo cáo CCHC năm 2024 tỉnh Sơn La.", "Toàn tỉnh có 1.650 TTHC."))
    write(tmp_path, "b.md", "# Báo cáo CCHC năm 2024 tỉnh Điện Biên\n\nToàn tỉnh có 1.700 TTHC.\n")
    write(tmp_path, "c.csv", TABLE)
    scan = scan_reports(tmp_path)
    documents = {d.file_path: d for d in scan.documents}
    assert "1.650 TTHC" in documents["a.docx"].text
    assert documents["b.md"].province_code == "11"
    table = documents["c.csv"]
    assert (table.doc_type, table.province_code, table.year) == ("table", "12", 2023)
    (fact,) = table.table_facts
    assert (fact.metric_code, fact.value) == ("par_index_score", 85.78)
    assert table.text[fact.span_start:fact.span_end] == fact.evidence
    assert scan.errors == []


def xlsx_with_bad_rows() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["province", "year", "metric_code", "value"])
    sheet.append(["Lai Châu", 2023, "par_index_score", 85.78])
    sheet.append(["Lai Châu", 2023, "no_such_metric", 1])
    sheet.append(["Lai Châu", 2023, "sipas_score_pct", "cao"])
    sheet.append(["Atlantis", 2023, "par_index_score", 80])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_every_bad_input_is_recorded_and_the_rest_goes_on(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    write(reports, "good.txt", REPORT)
    write(reports, "empty.txt", "  \n")
    write(reports, "binary.txt", b"\x00\x01\x02\x03\xff\xfe\x00\x00" * 64)
    write(reports, "truncated.docx", docx_bytes("Báo cáo năm 2024")[:300])
    write(reports, "corrupt.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    write(reports, "locked.pdf", blank_pdf(password="secret"))
    write(reports, "scanned.pdf", blank_pdf())
    ole_header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted Office file is an OLE container
    write(reports, "locked.docx", ole_header + "EncryptionInfo".encode("utf-16-le") * 40)
    write(reports, "huge.txt", REPORT + " " * 40_000)
    write(reports, "photo.jpg", b"\xff\xd8\xff\xe0")
    write(reports, "undated.txt", "Một bài viết không có năm.")
    write(reports, "figures.xlsx", xlsx_with_bad_rows())
    write(reports, "manifest.csv", "file,province\nmissing.txt,Lai Châu\nother.txt,Atlantis\n")
    write(reports, "other.txt", OTHER)
    before = folder_digest(reports)
    scan = scan_reports(reports, max_bytes=30_000)
    reasons = {(error.file_path, error.reason) for error in scan.errors}
    assert reasons == {
        ("missing.txt", "missing file"),
        ("other.txt", "unknown province"),
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
        ("truncated.docx", "corrupt"),
        ("corrupt.pdf", "corrupt"),
        ("locked.pdf", "password-protected"),
        ("scanned.pdf", "no text layer"),
        ("locked.docx", "password-protected"),
        ("huge.txt", "oversized"),
        ("photo.jpg", "unsupported format"),
        ("undated.txt", "no period"),
        ("figures.xlsx", "unknown metric code"),
        ("figures.xlsx", "non-numeric value"),
        ("figures.xlsx", "unknown province"),
    }
    assert all(error.detail for error in scan.errors)
    assert sorted(d.file_path for d in scan.documents) == ["figures.xlsx", "good.txt"]
    assert folder_digest(reports) == before  # nothing in the folder is modified or deleted


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Word wrote it: a precomposed letter where the code page has one,
    else the base letter and combining tone marks."""
    encoded = bytearray()
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        for cut in range(len(decomposed), 0, -1):
            try:
                base = unicodedata.normalize("NFC", decomposed[:cut]).encode("cp1258")
            except UnicodeEncodeError:
                continue
            encoded += base + decomposed[cut:].encode("cp1258")
            break
    return bytes(encoded)


def test_a_dangling_link_is_recorded_and_hidden_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", REPORT)
    write(tmp_path, ".draft/b.txt", REPORT.replace("1.700", "1.701"))
    write(tmp_path, ".~lock.a.txt", "lock")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    scan = scan_reports(tmp_path)
    assert [d.file_path for d in scan.documents] == ["a.txt"]
    assert [(e.file_path, e.reason) for e in scan.errors] == [("gone.txt", "unreadable")]


def test_utf16_cp1258_and_decomposed_text_are_normalised(tmp_path: Path) -> None:
    write(tmp_path, "u16.txt", unicodedata.normalize("NFD", REPORT).encode("utf-16"))
    write(tmp_path, "cp.txt", cp1258(OTHER))
    documents = {d.file_path: d for d in scan_reports(tmp_path).documents}
    assert documents["u16.txt"].text == unicodedata.normalize("NFC", REPORT)
    assert documents["cp.txt"].text == OTHER


def test_province_names_resolve_with_or_without_diacritics() -> None:
    assert province_code("TP. Hồ Chí Minh") == "79"
    assert province_code("Hoa Binh") == "17"
    assert province_code("Hoà Bình") == "17"
    assert province_code("86") == "86"
    assert province_code("Atlantis") is None


def test_a_malformed_publication_date_is_recorded_and_the_document_kept(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", REPORT)
    write(tmp_path, "manifest.csv", "file,published\na.txt,09/10/2022\n")
    scan = scan_reports(tmp_path)
    assert [d.published for d in scan.documents] == [None]
    assert [(e.file_path, e.reason) for e in scan.errors] == [("a.txt", "invalid published date")]


# Identity and change: a document is its content; the state remembers every version.

def record_versions(state: IngestState, scan, seen_at: datetime) -> dict[str, int]:
    """The versions of one scan's documents, as raw_reports records them batch by batch."""
    recorder = VersionsRecorder(state, seen_at)
    recorder.record(scan.documents)
    return recorder.finish(scan.files)


def refresh(reports: Path, state: IngestState, when: int) -> dict[str, dict]:
    """One scan as a refresh runs it; the versions by file path (and status)."""
    cache = state.parse_cache()
    scan = scan_reports(reports, cache, state.known_files())
    record_versions(state, scan, datetime(2026, 1, when))
    versions = state.versions()
    state.save_parses(cache)
    state.save_files(scan.files)
    refresh.last_scan = scan
    return {(row["file_path"], row["status"]): row for row in versions}


def test_same_content_under_two_names_is_one_document(tmp_path: Path) -> None:
    write(tmp_path, "one.txt", REPORT)
    write(tmp_path, "copy/two.txt", REPORT)
    (document,) = scan_reports(tmp_path).documents
    assert (document.file_path, document.aliases) == ("copy/two.txt", "one.txt")


def test_a_changed_file_supersedes_its_old_version_and_a_removed_one_is_withdrawn(tmp_path: Path) -> None:
    reports, state = tmp_path / "reports", IngestState(tmp_path / "state.duckdb")
    write(reports, "a.txt", REPORT)
    write(reports, "b.txt", OTHER)
    first = refresh(reports, state, 1)
    assert set(first) == {("a.txt", "current"), ("b.txt", "current")}

    write(reports, "a.txt", REPORT.replace("1.700", "1.701"))
    (reports / "b.txt").unlink()
    second = refresh(reports, state, 2)
    assert set(second) == {("a.txt", "current"), ("a.txt", "superseded"), ("b.txt", "withdrawn")}
    old, new = second[("a.txt", "superseded")], second[("a.txt", "current")]
    assert old["document_id"] != new["document_id"]
    assert old["first_seen_at"] == datetime(2026, 1, 1) and new["first_seen_at"] == datetime(2026, 1, 2)

    write(reports, "b.txt", OTHER)  # the same content back: current again, first seen on day 1
    third = refresh(reports, state, 3)
    assert third[("b.txt", "current")]["first_seen_at"] == datetime(2026, 1, 1)


def test_unchanged_files_are_not_read_again(tmp_path: Path) -> None:
    reports, state = tmp_path / "reports", IngestState(tmp_path / "state.duckdb")
    for number in range(5):
        write(reports, f"r{number}.txt", REPORT.replace("1.700", f"1.70{number}"))
    refresh(reports, state, 1)
    assert (refresh.last_scan.parsed, refresh.last_scan.reused) == (5, 0)
    write(reports, "new.txt", OTHER)
    refresh(reports, state, 2)
    assert (refresh.last_scan.parsed, refresh.last_scan.reused) == (1, 5)
    assert len(refresh.last_scan.documents) == 6


def rescan(reports: Path, state: IngestState) -> Scan:
    """A scan on the kept build: files as the last scan saw them are set aside, not made."""
    scan = Scan([], [])
    scan.documents = [document for documents in scan_in_batches(
        scan, reports, state.parse_cache(), state.known_files(), reuse=True) for document in documents]
    return scan


def test_on_the_kept_build_an_unchanged_file_costs_a_stat(tmp_path: Path) -> None:
    reports, state = tmp_path / "reports", IngestState(tmp_path / "state.duckdb")
    write(reports, "a.txt", REPORT)
    write(reports, "b.txt", OTHER)
    write(reports, "c.txt", REPORT.replace("1.700", "1.800"))
    write(reports, "manifest.csv", "file,published\na.txt,2024-12-20\nb.txt,2024-12-20\n")
    refresh(reports, state, 1)
    write(reports, "manifest.csv", "file,published\na.txt,2024-12-20\nb.txt,2024-12-21\n")  # b's row
    write(reports, "copy/c.txt", REPORT.replace("1.700", "1.800"))  # c's content under a second name
    write(reports, "d.txt", REPORT.replace("2024", "2023"))
    scan = rescan(reports, state)
    assert [(d.file_path, d.aliases) for d in scan.documents] == [("b.txt", None), ("c.txt", "copy/c.txt"),
                                                                  ("d.txt", None)]
    assert list(scan.unchanged.values()) == [["a.txt"]]
    assert (scan.parsed, scan.reused) == (1, 4)


def test_cchc_extract_reads_any_format_and_infers_the_context(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dagster_project.cli import main

    content = docx_bytes("Báo cáo CCHC năm 2024 tỉnh Sơn La.", "Toàn tỉnh có 1.650 TTHC.")
    report = write(tmp_path, "son-la.docx", content)
    table = write(tmp_path, "c.csv", TABLE)
    assert main(["extract", str(report), str(table)]) == 1  # the table is not prose: said, and skipped
    out, err = capsys.readouterr()
    fact = json.loads(out)
    assert (fact["province_code"], fact["year"], fact["metric_code"], fact["value"]) == (
        "14", 2024, "procedures_total", 1650.0
    )
    assert "c.csv: a fact table" in err


def test_the_province_a_report_keeps_naming_is_its_own(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "Lai Châu: Kết quả cải cách hành chính năm 2024\n"
          "Năm 2024, tỉnh Lai Châu xếp thứ 20/63 tỉnh, thành phố, trên tỉnh Điện Biên. "
          "Lai Châu có 1.600 TTHC.")
    (document,) = scan_reports(tmp_path).documents
    assert document.province_code == "12"


def test_a_damaged_state_file_is_set_aside_and_everything_is_read_again(tmp_path: Path) -> None:
    reports, state_path = tmp_path / "reports", tmp_path / "state.duckdb"
    write(reports, "a.txt", REPORT)
    refresh(reports, IngestState(state_path), 1)
    state_path.write_bytes(b"not a database" * 100)
    refresh(reports, IngestState(state_path), 2)
    assert (refresh.last_scan.parsed, refresh.last_scan.reused) == (1, 0)
    assert len(list(tmp_path.glob("state.duckdb.unreadable-*"))) == 1


def test_a_state_of_another_layout_starts_afresh(tmp_path: Path) -> None:
    import duckdb

    reports, state_path = tmp_path / "reports", tmp_path / "state.duckdb"
    write(reports, "a.txt", REPORT)
    refresh(reports, IngestState(state_path), 1)
    with duckdb.connect(str(state_path)) as con:
        con.execute("update layout set version = 'older'")
    refresh(reports, IngestState(state_path), 2)
    assert (refresh.last_scan.parsed, refresh.last_scan.reused) == (1, 0)


def test_a_new_manifest_row_makes_the_document_again(tmp_path: Path) -> None:
    reports, state = tmp_path / "reports", IngestState(tmp_path / "state.duckdb")
    write(reports, "a.txt", REPORT)
    write(reports, "manifest.csv", "file,published\na.txt,2024-12-20\n")
    refresh(reports, state, 1)
    write(reports, "manifest.csv", "file,published\na.txt,2024-12-21\n")  # same file, new manifest row
    (document,) = scan_reports(reports, state.parse_cache(), state.known_files()).documents
    assert document.published.isoformat() == "2024-12-21"


def test_files_are_made_into_documents_in_batches_one_content_in_one(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    write(reports, "a.txt", REPORT)
    write(reports, "b.txt", REPORT)
    write(reports, "c.txt", REPORT.replace("2024", "2023"))
    batches = [[d.file_path for d in documents]
               for documents in scan_in_batches(Scan([], []), reports, batch_files=1)]
    assert batches == [["a.txt"], ["c.txt"]]  # b.txt has a.txt's content: one document, its alias
    whole = scan_reports(reports).documents
    assert [(d.file_path, d.aliases) for d in whole] == [("a.txt", "b.txt"), ("c.txt", None)]
