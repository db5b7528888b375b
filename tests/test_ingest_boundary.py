"""The reports folder is a boundary: nothing outside it is read, and whatever it holds is either
read or recorded, never a crash or a hang."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from dagster_project.ingest import documents
from dagster_project.ingest.documents import scan_reports

REPORT = "Báo cáo kết quả cải cách hành chính năm 2024 của tỉnh Điện Biên.\nToàn tỉnh có 1.700 TTHC."
SECRET = "Báo cáo cải cách hành chính năm 2024 của tỉnh Sơn La.\nToàn tỉnh có 9.999 TTHC."


def refusals(scan: documents.Scan) -> list[tuple[str, str]]:
    return sorted((error.file_path, error.reason) for error in scan.errors)


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    reports, elsewhere = tmp_path / "reports", tmp_path / "elsewhere"
    reports.mkdir()
    elsewhere.mkdir()
    (reports / "a.txt").write_text(REPORT, encoding="utf-8")
    (elsewhere / "secret.txt").write_text(SECRET, encoding="utf-8")
    return reports, elsewhere


def test_a_link_to_a_file_outside_is_recorded_and_not_read(folders, monkeypatch) -> None:
    reports, elsewhere = folders
    (reports / "leak.txt").symlink_to(elsewhere / "secret.txt")
    hashed, hash_of = [], documents._sha256  # every file read is hashed first, in this process
    monkeypatch.setattr(documents, "_sha256", lambda path: hashed.append(path) or hash_of(path))
    scan = scan_reports(reports)
    assert [d.file_path for d in scan.documents] == ["a.txt"]
    assert refusals(scan) == [("leak.txt", "outside the reports folder")]
    assert any(path.endswith("a.txt") for path in hashed) and not any("leak" in path for path in hashed)
    assert not any("9.999" in d.text for d in scan.documents)


def test_a_link_inside_the_folder_is_read_as_the_same_document(folders) -> None:
    reports, _ = folders
    (reports / "copy.txt").symlink_to(reports / "a.txt")
    scan = scan_reports(reports)
    assert [(d.file_path, d.aliases) for d in scan.documents] == [("a.txt", "copy.txt")]
    assert scan.errors == []


def test_a_linked_folder_is_recorded_and_not_followed(folders) -> None:
    reports, elsewhere = folders
    (reports / "shared").symlink_to(elsewhere, target_is_directory=True)
    (reports / "loop").symlink_to(reports, target_is_directory=True)
    scan = scan_reports(reports)
    assert [d.file_path for d in scan.documents] == ["a.txt"]
    assert refusals(scan) == [("loop", "linked folder"), ("shared", "linked folder")]


@pytest.mark.parametrize("named", ["{elsewhere}/secret.txt", "../elsewhere/secret.txt",
                                   "shared/secret.txt"])
def test_a_manifest_row_pointing_outside_is_recorded(folders, named: str) -> None:
    reports, elsewhere = folders
    (reports / "shared").symlink_to(elsewhere, target_is_directory=True)
    name = named.format(elsewhere=elsewhere)
    (reports / "manifest.csv").write_text(f"file,province,year\n{name},Sơn La,2024\na.txt,Điện Biên,2024\n",
                                          encoding="utf-8")
    scan = scan_reports(reports)
    assert [d.file_path for d in scan.documents] == ["a.txt"]
    assert (name, "outside the reports folder") in refusals(scan) or (name, "not read") in refusals(scan)


def test_a_manifest_that_links_outside_is_not_read(folders) -> None:
    reports, elsewhere = folders
    (elsewhere / "manifest.csv").write_text("file,province,year\na.txt,Sơn La,2019\n", encoding="utf-8")
    (reports / "manifest.csv").symlink_to(elsewhere / "manifest.csv")
    scan = scan_reports(reports)
    assert [(d.file_path, d.year) for d in scan.documents] == [("a.txt", 2024)]
    assert refusals(scan) == [("manifest.csv", "outside the reports folder")]


def test_a_named_pipe_is_recorded_without_waiting_on_it(folders) -> None:
    reports, _ = folders
    os.mkfifo(reports / "pipe.txt")
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the scan waited on the pipe"))
    signal.alarm(30)
    try:
        scan = scan_reports(reports)
    finally:
        signal.alarm(0)
    assert [d.file_path for d in scan.documents] == ["a.txt"]
    assert refusals(scan) == [("pipe.txt", "not a regular file")]


def test_a_name_that_is_not_utf8_is_read_and_shown_with_escapes(folders) -> None:
    reports, _ = folders
    name = os.fsdecode(b"b\xe1o c\xe1o 2024.txt")  # a Latin-1 name from a Windows share
    (reports / name).write_text(SECRET, encoding="utf-8")
    (reports / "line\nbreak.txt").write_text(SECRET.replace("9.999", "8.888"), encoding="utf-8")
    (reports / ("x" * 250 + ".txt")).write_text(SECRET.replace("9.999", "7.777"), encoding="utf-8")
    scan = scan_reports(reports)
    paths = sorted(d.file_path for d in scan.documents)
    assert "b\\xe1o c\\xe1o 2024.txt" in paths and "line\nbreak.txt" in paths and len(paths) == 4
    for path in paths:
        path.encode("utf-8")  # every name can be written to the warehouse


def test_a_file_changed_after_hashing_is_recorded_not_published_under_the_old_hash(
        folders, monkeypatch) -> None:
    reports, _ = folders
    target = reports / "a.txt"
    hash_of = documents._sha256

    def hash_then_edit(path: str) -> str:
        digest = hash_of(path)
        Path(path).write_text(REPORT.replace("1.700", "1.800"), encoding="utf-8")
        return digest

    monkeypatch.setattr(documents, "_sha256", hash_then_edit)
    cache = documents._MemoryCache()
    scan = scan_reports(reports, cache=cache)
    assert scan.documents == []
    assert refusals(scan) == [("a.txt", "changed while read")]
    assert len(cache) == 0  # nothing cached under the old content's hash
    monkeypatch.setattr(documents, "_sha256", hash_of)
    again = scan_reports(reports, cache=cache)
    assert [("1.800" in d.text) for d in again.documents] == [True]
    assert target.read_text(encoding="utf-8").count("1.800") == 1


def test_a_file_removed_after_listing_is_recorded(folders, monkeypatch) -> None:
    reports, _ = folders
    (reports / "b.txt").write_text(SECRET, encoding="utf-8")
    hash_of = documents._sha256

    def remove_then_hash(path: str) -> str:
        if path.endswith("b.txt"):
            os.remove(path)
        return hash_of(path)

    monkeypatch.setattr(documents, "_sha256", remove_then_hash)
    scan = scan_reports(reports)
    assert [d.file_path for d in scan.documents] == ["a.txt"]
    assert refusals(scan) == [("b.txt", "unreadable")]


def test_an_unknown_doc_type_is_recorded_and_read_as_other(folders) -> None:
    reports, _ = folders
    (reports / "manifest.csv").write_text("file,province,year,doc_type\na.txt,Điện Biên,2024,bao-cao\n",
                                          encoding="utf-8")
    scan = scan_reports(reports)
    assert [d.doc_type for d in scan.documents] == ["other"]
    assert refusals(scan) == [("a.txt", "unknown doc_type")]
