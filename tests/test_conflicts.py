"""Several sources for one province, period and metric: which value the wide tables select, how
many sources agree with it, and what happens to the facts of superseded and withdrawn documents.

One refresh of a small reports folder (Sơn La 2024: an official table, the annual report, a later
6-month report restating the year, two news items) is shared by the module. The history tests
copy that refresh's build file, mark documents superseded or withdrawn in raw.documents (the ingest stage
does so when a file changes or disappears), and run dbt and the blocking checks on the copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.settings import DBT_PROJECT_DIR, PROJECT_ROOT

PPID = "63-14|2024-year"  # Sơn La, 2024: the 63-unit code in force at the end of 2024

REPORTS = {
    # an official fact table: one figure per row (dagster_project.ingest.tables)
    "table_2024.csv": (
        "province,year,period,metric_code,value,unit,source\n"
        "Sơn La,2024,year,gov_tasks_assigned,120,,Bảng tổng hợp kết quả CCHC năm 2024\n"
    ),
    "annual_report_2024.txt": (
        "Báo cáo kết quả cải cách hành chính năm 2024 của tỉnh Sơn La\n"
        "Năm 2024, UBND tỉnh Sơn La nhận được 118 nhiệm vụ do Chính phủ, Thủ tướng Chính phủ giao. "
        "Tổng số thủ tục hành chính thuộc thẩm quyền giải quyết trên địa bàn tỉnh là 1.850 thủ tục. "
        "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,56%.\n"
    ),
    "six_month_report_2025.txt": (
        "Báo cáo kết quả cải cách hành chính 6 tháng đầu năm 2025 của tỉnh Sơn La\n"
        "Trong 6 tháng đầu năm 2025, công tác cải cách hành chính tiếp tục được quan tâm chỉ đạo. "
        "Năm 2024, tỷ lệ hồ sơ giải quyết đúng hạn của tỉnh đạt 98,7%.\n"
    ),
    "news_february.txt": (
        "Sơn La: Kết quả cải cách hành chính năm 2024\n"
        "Trong năm 2024, tổng số thủ tục hành chính thuộc thẩm quyền giải quyết trên địa bàn tỉnh là "
        "1.850 thủ tục. Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,6%. "
        "Tỉnh đã tiếp nhận 152.000 hồ sơ thủ tục hành chính.\n"
    ),
    "news_march.txt": (
        "Sơn La đẩy mạnh cải cách hành chính\n"
        "Năm 2024, tổng số thủ tục hành chính thuộc thẩm quyền giải quyết trên địa bàn tỉnh là "
        "1.805 thủ tục. Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,5%. "
        "Tỉnh đã tiếp nhận 152.000 hồ sơ thủ tục hành chính.\n"
    ),
}
MANIFEST = """file,province,year,period,doc_type,title,source_url,published
table_2024.csv,Sơn La,2024,year,table,Bảng tổng hợp kết quả CCHC năm 2024,,2024-12-31
annual_report_2024.txt,Sơn La,2024,year,report,Báo cáo kết quả CCHC năm 2024,,2025-01-20
six_month_report_2025.txt,Sơn La,2025,H1,report,Báo cáo kết quả CCHC 6 tháng đầu năm 2025,,2025-07-15
news_february.txt,Sơn La,2024,year,news,Kết quả CCHC năm 2024,,2025-02-10
news_march.txt,Sơn La,2024,year,news,Sơn La đẩy mạnh CCHC,,2025-03-05
"""
BI_SECTION = "Selected values, agreeing sources and earlier versions"
WIDE_TABLES = (
    "fct_tasks", "fct_procedures", "fct_online_services", "fct_budget", "fct_staffing",
    "fct_reform_index", "fct_legal_documents",
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = tmp_path_factory.mktemp("reports")
    for name, text in REPORTS.items():
        (reports / name).write_text(text, encoding="utf-8")
    (reports / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    target = tmp_path_factory.mktemp("published") / "cchc.duckdb"
    assert main(["refresh", "--reports", str(reports), "--warehouse", str(target)]) == 0
    return target


def query(path: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


def cell(path: Path, table: str, metric: str) -> tuple:
    """(value in the wide table, sources_agreeing in fct_metric_values) of Sơn La 2024."""
    (value,) = query(path, f"select {metric} from {table} where province_period_id = ?", [PPID])[0]
    agreeing = query(path, "select sources_agreeing from fct_metric_values where metric_value_id = ?",
                     [f"{PPID}|{metric}"])
    return value, agreeing[0][0] if agreeing else None


def sources(path: Path, metric: str, table: str = "fct_report_facts") -> list[tuple]:
    """(file, value, is_selected) of every fact of Sơn La 2024 for the metric, by file."""
    return query(
        path,
        f"""select document.file_path, fact.value, fact.is_selected
            from {table} as fact join dim_document as document using (document_id)
            where fact.province_id || '|' || fact.period_id = ? and fact.metric_code = ?
            order by document.file_path, fact.value""",
        [PPID, metric],
    )


def document_id(path: Path, file_path: str) -> str:
    ((found,),) = query(path, "select document_id from dim_document where file_path = ?", [file_path])
    return found


def bi_guide_queries() -> list[str]:
    """The SQL blocks of docs/bi.md's section on conflicts and versions, as written."""
    guide = (PROJECT_ROOT / "docs" / "bi.md").read_text(encoding="utf-8")
    section = guide.split(f"\n## {BI_SECTION}\n")[1].split("\n## ")[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


# Selection and agreement


def test_every_source_stays_in_the_long_table_and_one_is_selected(warehouse: Path) -> None:
    assert sources(warehouse, "procedures_total") == [
        ("annual_report_2024.txt", 1850, True),
        ("news_february.txt", 1850, False),
        ("news_march.txt", 1805, False),
    ]
    assert sources(warehouse, "dossiers_on_time_pct") == [
        ("annual_report_2024.txt", 98.56, True),
        ("news_february.txt", 98.6, False),
        ("news_march.txt", 98.5, False),
        ("six_month_report_2025.txt", 98.7, False),
    ]


@pytest.mark.parametrize(
    ("table", "metric", "selected", "agreeing"),
    [
        # the official table wins over the annual report; they disagree (120 vs 118)
        pytest.param("fct_tasks", "gov_tasks_assigned", 120, 1, id="table first"),
        # the annual report wins over later news; one news item agrees, the other (1.805) not
        pytest.param("fct_procedures", "procedures_total", 1850, 2, id="report before news"),
        # the annual report wins over the later 6-month report; 98,6 agrees with 98,56 at one
        # decimal, 98,5 and 98,7 do not
        pytest.param("fct_procedures", "dossiers_on_time_pct", 98.56, 2, id="annual report first"),
        # two news items alike: the later one is selected, both agree
        pytest.param("fct_procedures", "dossiers_received", 152_000, 2, id="equal values"),
    ],
)
def test_selected_value_and_sources_agreeing(
    warehouse: Path, table: str, metric: str, selected: float, agreeing: int
) -> None:
    assert cell(warehouse, table, metric) == (pytest.approx(selected), agreeing)


def test_the_latest_of_equal_sources_is_selected(warehouse: Path) -> None:
    assert sources(warehouse, "dossiers_received") == [
        ("news_february.txt", 152_000, False),
        ("news_march.txt", 152_000, True),
    ]


def test_metrics_without_a_value_have_no_row_in_the_long_table(warehouse: Path) -> None:
    assert cell(warehouse, "fct_procedures", "procedures_new") == (None, None)


def test_conflicting_metrics_counts_the_disagreements_of_a_row(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select fact_count, conflicting_metrics from fct_procedures where province_period_id = ?",
        [PPID],
    ) == [(3, 2)]  # procedures_total and dossiers_on_time_pct; dossiers_received agrees
    assert query(
        warehouse,
        "select fact_count, conflicting_metrics from fct_tasks where province_period_id = ?",
        [PPID],
    ) == [(1, 1)]


# Superseded and withdrawn documents


def run_dbt(build: Path, tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    """dbt on a build file, its artefacts in tmp_path."""
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(dbt), *arguments, "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "dbt-target"), "--log-path", str(tmp_path / "dbt-logs")],
        cwd=DBT_PROJECT_DIR, env={**os.environ, "CCHC_BUILD_DB": str(build)},
        capture_output=True, text=True, check=False,
    )


@pytest.fixture(scope="module")
def history_build(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse rebuilt after news_march.txt was removed (its document withdrawn) and the
    annual report was found to replace an earlier version of its file (superseded), which stated
    other figures."""
    folder = tmp_path_factory.mktemp("history")
    build = folder / "cchc.build.duckdb"
    shutil.copyfile(warehouse.parent / "build" / "cchc.build.duckdb", build)  # the raw tables are there
    with duckdb.connect(str(build)) as con:
        con.execute("update raw.documents set status = 'withdrawn' where file_path = 'news_march.txt'")
        con.execute(
            """insert into raw.documents by name
               select * replace ('0ld0ld0ld0ld0ld0' as document_id, 'superseded' as status,
                   repeat('0', 64) as sha256, date '2025-01-05' as published)
               from raw.documents where file_path = 'annual_report_2024.txt'"""
        )
        con.execute(
            """insert into raw.facts by name
               select * replace ('0ld0ld0ld0ld0ld0' as document_id,
                   replace(fact_id, document_id, '0ld0ld0ld0ld0ld0') as fact_id,
                   value - 1 as value)
               from raw.facts
               where document_id = (select document_id from raw.documents
                                    where file_path = 'annual_report_2024.txt'
                                        and status = 'current')"""
        )
    # everything downstream of the raw tables (the seeds are in the copy), whole, with the data
    # tests the refresh runs (its unit tests are `make test`'s)
    result = run_dbt(build, folder, "build", "--select", "source:raw+", "--full-refresh",
                     "--exclude-resource-type", "unit_test")
    assert result.returncode == 0, result.stdout[-3000:]
    return build


def test_facts_of_withdrawn_and_superseded_documents_move_to_the_history(
    history_build: Path,
) -> None:
    withdrawn = document_id(history_build, "news_march.txt")
    assert query(history_build, "select count(*) from fct_report_facts where document_id = ?",
                 [withdrawn]) == [(0,)]
    assert query(
        history_build,
        """select document_id, metric_code, value, document_status, is_selected
           from fct_report_facts_history order by document_status, metric_code""",
    ) == [
        ("0ld0ld0ld0ld0ld0", "dossiers_on_time_pct", pytest.approx(97.56), "superseded", False),
        ("0ld0ld0ld0ld0ld0", "gov_tasks_assigned", 117, "superseded", False),
        ("0ld0ld0ld0ld0ld0", "procedures_total", 1849, "superseded", False),
        (withdrawn, "dossiers_on_time_pct", 98.5, "withdrawn", False),
        (withdrawn, "dossiers_received", 152_000, "withdrawn", False),
        (withdrawn, "procedures_total", 1805, "withdrawn", False),
    ]
    assert query(history_build, "select document_id, status from dim_document where status <> 'current'"
                 " order by status") == [("0ld0ld0ld0ld0ld0", "superseded"), (withdrawn, "withdrawn")]


def test_a_withdrawn_document_reaches_no_wide_table(history_build: Path) -> None:
    withdrawn = document_id(history_build, "news_march.txt")
    for table in WIDE_TABLES:
        assert query(
            history_build,
            f"select count(*) from {table} where contains(source_document_ids, ?)",
            [withdrawn],
        ) == [(0,)], table
    # its 152.000 was selected (the latest news); the February item's equal figure takes over
    assert sources(history_build, "dossiers_received") == [("news_february.txt", 152_000, True)]
    assert cell(history_build, "fct_procedures", "dossiers_received") == (152_000, 1)


def test_only_current_documents_count_as_agreeing_or_conflicting(history_build: Path) -> None:
    # 1.805 and 98,5 left with the withdrawn news; the superseded 1.849 and 97,56 never counted
    assert cell(history_build, "fct_procedures", "procedures_total") == (1850, 2)
    assert cell(history_build, "fct_procedures", "dossiers_on_time_pct") == (pytest.approx(98.56), 2)
    assert query(
        history_build,
        "select conflicting_metrics from fct_procedures where province_period_id = ?",
        [PPID],
    ) == [(1,)]  # the 6-month report's 98,7 still disagrees


def test_blocking_checks_pass_with_a_history(history_build: Path) -> None:
    from dagster_project.quality import run_blocking_checks

    with duckdb.connect(str(history_build), read_only=True) as con:
        results = run_blocking_checks(con)

    assert [(r.table_name, r.check_name, r.failures) for r in results if not r.passed] == []


# No fact lost: a dbt test of the build (the history build passed it)

NO_FACT_LOST = "assert_facts_split_by_document_status"


def test_a_fact_lost_doubled_or_changed_fails_the_build(history_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "cchc.build.duckdb"
    shutil.copyfile(history_build, build)
    with duckdb.connect(str(build)) as con:
        ((lost,),) = con.execute("select min(fact_id) from fct_report_facts_history").fetchall()
        ((doubled,),) = con.execute("select min(fact_id) from fct_report_facts join dim_document"
                                    " using (document_id) where file_path = 'news_february.txt'").fetchall()
        ((changed,),) = con.execute("select min(fact_id) from fct_report_facts"
                                    " where document_id = 'ref_par_index'").fetchall()
        con.execute("delete from fct_report_facts_history where fact_id = ?", [lost])
        con.execute("insert into fct_report_facts_history by name select *, 'withdrawn' as document_status"
                    " from fct_report_facts where fact_id = ?", [doubled])
        con.execute("update fct_report_facts set value = value + 1 where fact_id = ?", [changed])

    result = run_dbt(build, tmp_path, "test", "--select", NO_FACT_LOST, "--store-failures")

    assert result.returncode == 1, result.stdout[-3000:]
    assert query(build, f"select fact_id, placed_in, problem from dbt_test__audit.{NO_FACT_LOST}"
                        " order by problem, fact_id") == [
        (lost, None, "fact in 0 tables, not 1"),
        (doubled, "fct_report_facts, fct_report_facts_history", "fact in 2 tables, not 1"),
        (changed, "fct_report_facts", "value changed on the way"),
    ]


# docs/bi.md, tested as written


def test_bi_guide_queries_on_conflicts_and_history(warehouse: Path, history_build: Path) -> None:
    disagreeing_rows, every_source, earlier_versions = bi_guide_queries()
    assert query(warehouse, disagreeing_rows) == [
        ("Sơn La", "2024-year", "dossiers_on_time_pct", pytest.approx(98.56), 2, 2),  # 98,7 and 98,5
        ("Sơn La", "2024-year", "gov_tasks_assigned", 120, 1, 1),  # the annual report's 118
        ("Sơn La", "2024-year", "procedures_total", 1850, 2, 1),  # 1.805
    ]
    sources_of_on_time_share = [
        (row[3], row[4], row[5], row[6]) for row in query(warehouse, every_source)
        if row[:3] == ("63-14", "2024-year", "dossiers_on_time_pct")
    ]
    assert sources_of_on_time_share == [
        (pytest.approx(98.56), True, "report", "year"),
        (pytest.approx(98.7), False, "report", "H1"),
        (pytest.approx(98.5), False, "news", "year"),
        (pytest.approx(98.6), False, "news", "year"),
    ]
    assert query(warehouse, earlier_versions) == []
    stated_before = {(row[0], row[1], row[6]) for row in query(history_build, earlier_versions)}
    assert stated_before == {
        ("annual_report_2024.txt", "superseded", "gov_tasks_assigned"),
        ("annual_report_2024.txt", "superseded", "procedures_total"),
        ("annual_report_2024.txt", "superseded", "dossiers_on_time_pct"),
        ("news_march.txt", "withdrawn", "procedures_total"),
        ("news_march.txt", "withdrawn", "dossiers_on_time_pct"),
        ("news_march.txt", "withdrawn", "dossiers_received"),
    }
