"""Incremental refresh: only new or changed documents are read and extracted; history is kept."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.extraction import assets as extraction_assets
from dagster_project.defs.extraction.assets import raw_facts
from dagster_project.defs.reports.assets import FULL_REFRESH_TAG, raw_reports
from dagster_project.defs.resources import WarehouseResource
from dagster_project.settings import Settings

REPORT = "Báo cáo kết quả cải cách hành chính năm 2024 của tỉnh {name}.\nToàn tỉnh có {count} TTHC."


def write(reports: Path, name: str, province: str, count: str) -> None:
    reports.mkdir(parents=True, exist_ok=True)
    (reports / name).write_text(REPORT.format(name=province, count=count), encoding="utf-8")


def ingest(tmp_path: Path, full: bool = False) -> dict[str, dict]:
    """raw_reports and raw_facts as a refresh runs them; the materialisation metadata by asset."""
    warehouse = WarehouseResource(reports_dir=str(tmp_path / "reports"),
                                  warehouse_path=str(tmp_path / "warehouse" / "cchc.duckdb"))
    result = dg.materialize([raw_reports, raw_facts], resources={"warehouse": warehouse},
                            tags={FULL_REFRESH_TAG: "true"} if full else None)
    assert result.success
    return {
        event.asset_key.to_user_string(): {k: v.value for k, v in event.step_materialization_data
                                          .materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
    }


def build_rows(tmp_path: Path, query: str) -> list[tuple]:
    settings = Settings(tmp_path / "reports", tmp_path / "warehouse" / "cchc.duckdb")
    with duckdb.connect(str(settings.build_path), read_only=True) as con:
        return con.execute(query).fetchall()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    write(reports, "dien-bien.txt", "Điện Biên", "1.700")
    write(reports, "son-la.txt", "Sơn La", "1.650")
    write(reports, "lai-chau.txt", "Lai Châu", "1.600")
    return reports


def test_one_new_report_is_the_only_one_read_and_extracted(tmp_path: Path, folder: Path) -> None:
    first = ingest(tmp_path)
    assert (first["raw/documents"]["files_read"], first["raw/facts"]["documents_extracted"]) == (3, 3)
    write(folder, "ha-giang.txt", "Hà Giang", "1.800")
    second = ingest(tmp_path)
    assert second["raw/documents"]["files_read"] == 1
    assert (second["raw/facts"]["documents_extracted"], second["raw/facts"]["documents_reused"]) == (1, 3)
    assert len(build_rows(tmp_path, "select * from raw.facts where metric_code = 'procedures_total'")) == 4


def test_documents_extracted_in_batches_give_the_facts_of_one_batch(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = "select document_id, metric_code, value, span_start from raw.facts order by all"
    ingest(tmp_path)
    whole = build_rows(tmp_path, facts)
    monkeypatch.setattr(extraction_assets, "EXTRACTION_BATCH", 2)  # three documents: two batches
    assert ingest(tmp_path, full=True)["raw/facts"]["documents_extracted"] == 3
    assert build_rows(tmp_path, facts) == whole and len(whole) == 3


def test_full_refresh_reads_and_extracts_everything_again(tmp_path: Path, folder: Path) -> None:
    ingest(tmp_path)
    full = ingest(tmp_path, full=True)
    assert (full["raw/documents"]["files_read"], full["raw/facts"]["documents_extracted"]) == (3, 3)


def test_changed_and_removed_reports_leave_history(tmp_path: Path, folder: Path) -> None:
    ingest(tmp_path)
    write(folder, "son-la.txt", "Sơn La", "1.651")
    (folder / "lai-chau.txt").unlink()
    metadata = ingest(tmp_path)["raw/documents"]
    assert (metadata["current"], metadata["superseded"], metadata["withdrawn"]) == (2, 1, 1)
    facts = build_rows(tmp_path, """
        select d.file_path, d.status, f.value from raw.facts f join raw.documents d using (document_id)
        where f.metric_code = 'procedures_total' order by 1, 2""")
    assert facts == [
        ("dien-bien.txt", "current", 1700.0),
        ("lai-chau.txt", "withdrawn", 1600.0),
        ("son-la.txt", "current", 1651.0),
        ("son-la.txt", "superseded", 1650.0),
    ]


def test_figures_without_a_province_are_recorded(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "ca-nuoc.txt").write_text(
        "Kết quả cải cách hành chính năm 2024 của 63 tỉnh, thành phố.\n"
        "Chỉ số CCHC năm 2024 của tỉnh Sơn La đạt 85,5 điểm, của tỉnh Lai Châu đạt 84,1 điểm.\n"
        "Toàn tỉnh có 1.650 TTHC.",
        encoding="utf-8",
    )
    (reports / "bao-cao.txt").write_text(
        "Báo cáo kết quả cải cách hành chính năm 2024.\nToàn tỉnh có 1.650 TTHC, tiếp nhận 812 hồ sơ.",
        encoding="utf-8",
    )
    ingest(tmp_path)
    facts = build_rows(tmp_path, "select province_code, metric_code, value from raw.facts order by 1")
    # a ranking of every province: each figure takes the province its clause names, others are not taken
    assert facts == [("12", "par_index_score", 84.1), ("14", "par_index_score", 85.5)]
    errors = build_rows(tmp_path, "select file_path, stage, reason, detail from raw.ingest_errors")
    assert errors == [("bao-cao.txt", "extract", "no province",
                       "2 of 2 figures name no province and the document has none of its own; "
                       "they are left out")]


def test_a_prose_report_marked_table_is_still_read_as_prose(tmp_path: Path, folder: Path) -> None:
    (folder / "manifest.csv").write_text("file,doc_type\nson-la.txt,table\n", encoding="utf-8")
    ingest(tmp_path)
    facts = build_rows(tmp_path, """
        select d.doc_type, f.value from raw.facts f join raw.documents d using (document_id)
        where d.file_path = 'son-la.txt'""")
    assert facts == [("table", 1650.0)]


def test_a_report_without_figures_is_not_extracted_again(tmp_path: Path, folder: Path) -> None:
    (folder / "thong-bao.txt").write_text("Thông báo lịch họp giao ban năm 2024 của tỉnh Sơn La.",
                                          encoding="utf-8")
    assert ingest(tmp_path)["raw/facts"]["documents_extracted"] == 4
    again = ingest(tmp_path)["raw/facts"]
    assert (again["documents_extracted"], again["documents_reused"]) == (0, 4)


def test_current_versions_are_seen_again_and_keep_their_first_sighting(tmp_path: Path, folder: Path) -> None:
    ingest(tmp_path)
    write(folder, "ha-giang.txt", "Hà Giang", "1.800")
    ingest(tmp_path)
    settings = Settings(tmp_path / "reports", tmp_path / "warehouse" / "cchc.duckdb")
    with duckdb.connect(str(settings.state_path), read_only=True) as con:
        seen = con.execute("select count(distinct last_seen_at), count(distinct first_seen_at)"
                           " from versions").fetchone()
    assert seen == (1, 2)  # every current document seen now; the new one first seen now
    documents = build_rows(tmp_path, "select count(*), count(text) from raw.documents")
    assert documents == [(4, 4)]


def test_an_emptied_folder_withdraws_every_report(tmp_path: Path, folder: Path) -> None:
    ingest(tmp_path)
    for report in folder.iterdir():
        report.unlink()
    metadata = ingest(tmp_path)["raw/documents"]
    assert (metadata["current"], metadata["withdrawn"]) == (0, 3)
    assert build_rows(tmp_path, "select distinct status from raw.documents") == [("withdrawn",)]


def test_a_file_name_that_is_not_utf8_is_ingested(tmp_path: Path, folder: Path) -> None:
    name = os.fsdecode(b"ha-giang-b\xe1o-c\xe1o.txt")  # a Latin-1 name from a Windows share
    write(folder, name, "Hà Giang", "1.800")
    assert ingest(tmp_path)["raw/documents"]["current"] == 4
    assert build_rows(tmp_path, "select file_path from raw.documents where file_path like 'ha-giang%'") == [
        ("ha-giang-b\\xe1o-c\\xe1o.txt",)]
