"""Reading a reports folder: metadata from the manifest or the text, and every bad input recorded."""

from __future__ import annotations

from pathlib import Path

from dagster_project.ingest.documents import scan_reports
from dagster_project.ingest.provinces import province_code

REPORT = "Báo cáo kết quả cải cách hành chính năm 2024 của tỉnh Điện Biên.\nToàn tỉnh có 1.700 TTHC."


def write(folder: Path, name: str, content: str | bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


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


def test_bad_inputs_are_recorded_and_the_rest_goes_on(tmp_path: Path) -> None:
    write(tmp_path, "good.txt", REPORT)
    write(tmp_path, "empty.txt", "  \n")
    write(tmp_path, "binary.txt", b"\x00\x01\x02PK\x03\x04")
    write(tmp_path, "scan.docx", b"PK\x03\x04")
    write(tmp_path, "undated.txt", "Một bài viết không có năm.")
    write(tmp_path, "copy.txt", REPORT)
    write(tmp_path, "manifest.csv", "file,province\nmissing.txt,Lai Châu\ngood.txt,Atlantis\n")
    scan = scan_reports(tmp_path)
    reasons = {error.file_path: error.reason for error in scan.errors}
    assert reasons == {
        "missing.txt": "missing file",
        "good.txt": "unknown province",
        "empty.txt": "empty",
        "binary.txt": "undecodable",
        "scan.docx": "unsupported format",
        "undated.txt": "no period",
    }
    assert [d.file_path for d in scan.documents] == ["copy.txt"]


def test_duplicate_content_is_one_document(tmp_path: Path) -> None:
    write(tmp_path, "one.txt", REPORT)
    write(tmp_path, "two.txt", REPORT)
    scan = scan_reports(tmp_path)
    assert len(scan.documents) == 1
    assert [e.reason for e in scan.errors] == ["duplicate"]


def test_utf16_and_decomposed_text_are_normalised(tmp_path: Path) -> None:
    import unicodedata

    write(tmp_path, "u16.txt", unicodedata.normalize("NFD", REPORT).encode("utf-16"))
    (document,) = scan_reports(tmp_path).documents
    assert document.text == unicodedata.normalize("NFC", REPORT)


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
