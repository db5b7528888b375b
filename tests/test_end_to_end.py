"""Materialise everything from the bundled reports into a temporary folder and check the marts."""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project import cli, publication
from dagster_project.cli import main
from dagster_project.quality import blocking
from dagster_project.settings import PROJECT_ROOT
from dagster_project.summary import published_summary

sys.path.insert(0, str(PROJECT_ROOT / "bench"))  # bench is not a package
from hostile import docx_bomb  # noqa: E402

BUNDLED_REPORTS = PROJECT_ROOT / "seeds" / "reports"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("published") / "cchc.duckdb"
    assert main(["refresh", "--reports", str(BUNDLED_REPORTS), "--warehouse", str(target)]) == 0
    return target


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize(
    ("table", "province", "period", "column", "value"),
    [
        ("fct_tasks", "12", "2024-year", "gov_tasks_assigned", 209),
        ("fct_tasks", "86", "2023-year", "gov_tasks_completed_on_time", 138),
        ("fct_tasks", "86", "2023-year", "gov_tasks_completed_on_time_pct", 90.79),
        ("fct_procedures", "12", "2024-year", "procedures_total", 2046),
        ("fct_procedures", "12", "2024-year", "procedures_commune_level", 131),
        ("fct_procedures", "86", "2023-year", "procedures_abolished", 72),
        ("fct_online_services", "12", "2024-year", "online_services_total", 2055),
        ("fct_online_services", "86", "2023-year", "online_services_on_national_portal", 1518),
        ("fct_budget", "12", "2024-year", "local_budget_revenue_million_vnd", 13_514_258),
        ("fct_budget", "86", "2023-year", "public_investment_disbursed_million_vnd", 5_105_229),
        ("fct_staffing", "12", "2024-year", "civil_servant_positions_reduced", 76),
        ("fct_staffing", "86", "2023-year", "public_service_units", 472),
        ("fct_legal_documents", "86", "2023-year", "legal_docs_issued_district", 43),
        ("fct_reform_index", "12", "2023-year", "par_index_score", 85.78),
    ],
)
def test_wide_tables_hold_the_stated_figures(
    warehouse: Path, table: str, province: str, period: str, column: str, value: float
) -> None:
    rows = query(
        warehouse,
        f"select {column} from {table} where province_code = '{province}' and period_id = '{period}'",
    )
    assert rows == [(pytest.approx(value),)]


def test_every_extracted_fact_traces_back_to_its_sentence(warehouse: Path) -> None:
    rows = query(  # the documents' text is in the build; the served file has the sentences
        warehouse.parent / "build" / "cchc.build.duckdb",
        """select f.evidence, f.span_start, f.span_end, d.text
           from fct_report_facts f join raw.documents d using (document_id)""",
    )
    assert len(rows) > 50
    for evidence, start, end, text in rows:
        assert text[start:end] in evidence and evidence in text


def test_published_tables_and_findings(warehouse: Path) -> None:
    tables = {name for (name,) in query(
        warehouse, "select table_name from information_schema.tables where table_schema = 'main'"
    )}
    assert {"dim_province", "dim_period", "dim_metric", "dim_document", "fct_report_facts",
            "data_quality_issues", "ingest_errors"} <= tables
    assert query(warehouse, "select count(*) from dim_province") == [(97,)]
    checks = {name for (name,) in query(warehouse, "select check_name from data_quality_issues")}
    assert any("disbursed" in name for name in checks)  # Vĩnh Long 2023: 96,88 % is not 5.105.229/5.244.857


def test_the_served_file_holds_the_marts_and_provenance_only(warehouse: Path) -> None:
    served = query(warehouse, "select schema_name, table_name from duckdb_tables() union all"
                              " select schema_name, view_name from duckdb_views() where not internal")
    assert {schema for schema, _ in served} == {"main"}
    assert {table for _, table in served} == {
        "dim_province", "dim_period", "dim_metric", "dim_document",
        "fct_tasks", "fct_procedures", "fct_online_services", "fct_budget", "fct_staffing",
        "fct_reform_index", "fct_legal_documents", "fct_metric_values", "fct_targets", "fct_province34",
        "fct_corrections",
        "fct_report_facts", "fct_report_facts_history", "ingest_errors", "data_quality_issues",
    }
    build = warehouse.parent / "build" / "cchc.build.duckdb"  # the pipeline's schemas stay there
    assert {"raw", "staging", "intermediate", "reference", "main"} <= {
        schema for (schema,) in query(build, "select distinct schema_name from duckdb_tables()"
                                             " union select distinct schema_name from duckdb_views()")}


def test_every_served_table_and_column_has_a_description(warehouse: Path) -> None:
    """BI tools show COMMENTs: dbt's persist_docs writes the marts', the quality stage its table's."""
    tables = query(warehouse, "select table_name, comment from duckdb_tables() where schema_name = 'main'")
    columns = query(warehouse, "select table_name, column_name, comment from duckdb_columns()"
                               " where schema_name = 'main' and database_name = current_database()")
    assert {"fct_procedures", "data_quality_issues", "dim_province"} <= {table for table, _ in tables}
    assert [table for table, comment in tables if not comment] == []
    assert [(table, column) for table, column, comment in columns if not comment] == []


def test_failed_blocking_check_leaves_the_published_file_unchanged(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = tmp_path / "reports"
    shutil.copytree(BUNDLED_REPORTS, reports)
    (reports / "new.txt").write_text(
        "Báo cáo cải cách hành chính năm 2024 của tỉnh Sơn La.\n"
        "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 97,2%.",
        encoding="utf-8",
    )
    broken = blocking.CheckResult(blocking.MART_CHECK, "fct_report_facts", False, ["a broken key"])
    monkeypatch.setattr(blocking, "_validate_mart", lambda *_: broken)  # the warehouse's own fault
    published = tmp_path / "cchc.duckdb"
    shutil.copyfile(warehouse, published)
    before = published.read_bytes()
    assert main(["refresh", "--reports", str(reports), "--warehouse", str(published)]) == 1
    assert published.read_bytes() == before


def test_impossible_figures_are_findings_and_the_refresh_publishes(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    shutil.copytree(BUNDLED_REPORTS, reports)
    (reports / "typo.txt").write_text(
        "Báo cáo cải cách hành chính năm 2024 của tỉnh Sơn La.\n"
        "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 116,7%. Chỉ số CCHC năm 2024 của tỉnh đạt 101,78 điểm.\n"
        "Toàn tỉnh có 1.650 TTHC.",
        encoding="utf-8",
    )
    (reports / "rank.txt").write_text(  # 34 provinces from 1 July 2025
        "Báo cáo cải cách hành chính năm 2025 của tỉnh Phú Thọ.\n"
        "Chỉ số CCHC năm 2025 của tỉnh xếp thứ 45 cả nước.",
        encoding="utf-8",
    )
    published = tmp_path / "cchc.duckdb"
    assert main(["refresh", "--reports", str(reports), "--warehouse", str(published)]) == 0
    assert query(published, """
        select metric_code, value, is_selected, invalid_reason from fct_report_facts
        where invalid_reason is not null order by metric_code""") == [
        ("dossiers_on_time_pct", 116.7, False, "above 100, the greatest valid dossiers_on_time_pct"),
        ("par_index_rank", 45, False, "a rank beyond the 34 provinces of its period"),
        ("par_index_score", 101.78, False, "above 100, the greatest valid par_index_score"),
    ]
    assert query(published, """
        select p.procedures_total, p.dossiers_on_time_pct, r.par_index_score
        from fct_procedures p left join fct_reform_index r using (province_period_id)
        where p.province_code = '14' and p.period_id = '2024-year'""") == [(1650, None, None)]
    assert query(published, """
        select severity, metric_codes, evidence from data_quality_issues
        where check_name = 'invalid_figure_impossible' order by metric_codes""") == [
        ("error", "dossiers_on_time_pct",
         "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 116,7%."),
        ("error", "par_index_rank", "Chỉ số CCHC năm 2025 của tỉnh xếp thứ 45 cả nước."),
        ("error", "par_index_score", "Chỉ số CCHC năm 2024 của tỉnh đạt 101,78 điểm."),
    ]


def test_a_hostile_folder_refreshes_and_each_hostile_file_is_recorded(tmp_path: Path) -> None:
    reports, elsewhere = tmp_path / "reports", tmp_path / "elsewhere"
    shutil.copytree(BUNDLED_REPORTS, reports)
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_text("Báo cáo năm 2024 của tỉnh Sơn La. Toàn tỉnh có 9.999 TTHC.",
                                          encoding="utf-8")
    (reports / "leak.txt").symlink_to(elsewhere / "secret.txt")
    os.mkfifo(reports / "pipe.txt")
    (reports / os.fsdecode(b"b\xe1o-c\xe1o.txt")).write_text(
        "Báo cáo cải cách hành chính năm 2024 của tỉnh Lai Châu.\nToàn tỉnh có 1.590 TTHC.", encoding="utf-8")
    (reports / "bomb.docx").write_bytes(docx_bomb(300))  # inflates past the default 200 MB
    published = tmp_path / "cchc.duckdb"
    assert main(["refresh", "--reports", str(reports), "--warehouse", str(published)]) == 0
    assert query(published, "select file_path, reason from ingest_errors order by file_path") == [
        ("bomb.docx", "over a limit"), ("leak.txt", "outside the reports folder"),
        ("pipe.txt", "not a regular file")]
    shown = "b\\xe1o-c\\xe1o.txt"  # the name's bytes as escapes
    assert query(published, f"select count(*) from dim_document where file_path = '{shown}'") == [(1,)]
    assert query(published, "select count(*) from fct_report_facts where value = 9999") == [(0,)]


def disk_full(*_: object, **__: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "cchc.duckdb")


def test_a_full_disk_while_publishing_is_one_line_naming_the_stage(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    published = tmp_path / "cchc.duckdb"
    shutil.copyfile(warehouse, published)
    before = published.read_bytes()
    monkeypatch.setattr(publication, "_serve_file", disk_full)
    assert main(["refresh", "--reports", str(BUNDLED_REPORTS), "--warehouse", str(published)]) == 1
    err = capsys.readouterr().err
    assert "  - stage failed: published_warehouse: OSError: [Errno 28] No space left on device" in err
    assert "Traceback" not in err and "Stack Trace" not in err
    assert published.read_bytes() == before


def test_a_full_disk_after_the_run_is_one_line(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    published = tmp_path / "cchc.duckdb"
    shutil.copyfile(warehouse, published)
    monkeypatch.setattr(cli, "_write_timings", disk_full)
    assert main(["refresh", "--reports", str(BUNDLED_REPORTS), "--warehouse", str(published)]) == 1
    assert capsys.readouterr().err.startswith("cchc: refresh failed writing its records: [Errno 28]")


def test_a_warehouse_path_that_is_a_folder_fails_before_any_work(tmp_path: Path, capsys) -> None:
    (tmp_path / "cchc.duckdb").mkdir()
    folder = tmp_path / "cchc.duckdb"
    assert main(["refresh", "--reports", str(BUNDLED_REPORTS), "--warehouse", str(folder)]) == 1
    assert capsys.readouterr().err == (
        f"cchc: refresh failed before it started: the warehouse path is not a file: {folder}\n")


def test_a_warehouse_folder_that_cannot_be_written_fails_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)  # as for a read-only folder
    warehouse = tmp_path / "cchc.duckdb"
    assert main(["refresh", "--reports", str(BUNDLED_REPORTS), "--warehouse", str(warehouse)]) == 1
    assert capsys.readouterr().err == (
        f"cchc: refresh failed before it started: the warehouse folder cannot be written: {tmp_path}\n")


def test_the_summary_adds_up(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    shutil.copytree(BUNDLED_REPORTS, reports)
    (reports / "plan.txt").write_text("Kế hoạch cải cách hành chính năm 2024 của tỉnh Sơn La.\n"
                                      "Phấn đấu 100% hồ sơ được giải quyết đúng hạn.", encoding="utf-8")
    (reports / "notes.doc").write_bytes(b"old Word")
    published = tmp_path / "cchc.duckdb"
    assert main(["refresh", "--reports", str(reports), "--warehouse", str(published)]) == 0
    summary = published_summary(published)
    totals = r"facts: (\d+), of which (\d+) from the reference tables \(PAR INDEX, SIPAS\); (\d+) in the wide"
    total, reference, wide = map(int, re.search(totals, summary).groups())
    per_table = sum(int(n) for n in re.findall(r"province-periods, +(\d+) facts", summary))
    not_in_wide = summary.split("not in them: ")[1].splitlines()[0]
    outside = sum(int(n) for n in re.findall(r"(\d+) [a-z ]+", not_in_wide))
    assert per_table == wide and wide + outside == total and reference == 298
    assert "1 targets" in summary
    assert "files with an ingest problem: 1 (1 rows in ingest_errors)" in summary
