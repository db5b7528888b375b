"""Quality stage: blocking suites, consistency findings and the data_quality_issues table.

Each test builds the marts it needs in a temporary DuckDB file; the wide tables get one
double column per catalog metric, as the dbt marts do.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.quality import (
    CheckResult,
    find_inconsistencies,
    run_blocking_checks,
    write_quality_issues,
)
from dagster_project.quality.catalog import load_catalog

REPO_ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()
WIDE_TABLES = sorted({metric.table_name for metric in CATALOG})
PPID = "63-17|2022-9M"  # Hòa Bình, first nine months of 2022


@pytest.fixture
def con(tmp_path: Path):
    connection = duckdb.connect(str(tmp_path / "marts.duckdb"))
    _create_dim_province(connection, {63: 63, 34: 34})
    connection.execute(
        "create table fct_report_facts (fact_id varchar, document_id varchar,"
        " province_id varchar, period_id varchar, year integer, metric_code varchar,"
        " value double, unit varchar, qualifier varchar, fact_kind varchar, evidence varchar,"
        " span_start integer, span_end integer, confidence double, is_selected boolean)"
    )
    for table in WIDE_TABLES:
        metrics = ", ".join(f"{m.code} double" for m in CATALOG if m.table_name == table)
        connection.execute(
            f"create table {table} (province_period_id varchar, province_id varchar,"
            f" period_id varchar, source_document_ids varchar, {metrics})"
        )
    yield connection
    connection.close()


def _create_dim_province(con, rows_per_generation: dict[int, int]) -> None:
    con.execute(
        "create or replace table dim_province"
        " (province_id varchar, province_code varchar, generation integer)"
    )
    for generation, count in rows_per_generation.items():
        for number in range(1, count + 1):
            code = f"{number:02d}"
            con.execute(
                "insert into dim_province values (?, ?, ?)",
                [f"{generation}-{code}", code, generation],
            )


def put(con, table: str, province_period_id: str = PPID, **values: float) -> None:
    """One wide-table row with the given metric values; other metrics stay null."""
    columns = ["province_period_id", *values]
    placeholders = ", ".join("?" for _ in columns)
    con.execute(
        f"insert into {table} ({', '.join(columns)}) values ({placeholders})",
        [province_period_id, *values.values()],
    )


def state(con, metric_code: str, value: float, evidence: str, **overrides) -> None:
    """One fact row, selected for PPID unless overridden."""
    fact = {
        "fact_id": f"doc17:{metric_code}",
        "document_id": "doc17",
        "province_id": "63-17",
        "period_id": "2022-9M",
        "year": 2022,
        "metric_code": metric_code,
        "value": value,
        "unit": "count",
        "qualifier": "exact",
        "fact_kind": "actual",
        "evidence": evidence,
        "span_start": 10,
        "span_end": 15,
        "confidence": 0.9,
        "is_selected": True,
    } | overrides
    placeholders = ", ".join("?" for _ in fact)
    con.execute(
        f"insert into fct_report_facts ({', '.join(fact)}) values ({placeholders})",
        list(fact.values()),
    )


def result_for(results: list[CheckResult], table: str) -> CheckResult:
    (result,) = [r for r in results if r.table_name == table]
    return result


# Blocking suites


def test_blocking_checks_pass_on_clean_marts(con):
    put(con, "fct_procedures", procedures_total=2046, procedures_province_level=1612)
    put(con, "fct_budget", state_revenue_pct_of_plan=106.24, public_investment_disbursed_pct=97)
    put(con, "fct_reform_index", par_index_score=86.76, par_index_rank=35)
    state(con, "procedures_total", 2046, "Tổng số 2.046 TTHC")

    results = run_blocking_checks(con)

    assert sorted(r.table_name for r in results) == sorted(
        ["dim_province", "fct_report_facts", *WIDE_TABLES]
    )
    assert [r.failures for r in results if not r.passed] == []
    assert result_for(results, "dim_province").observed["rows"] == 97


@pytest.mark.parametrize(
    ("table", "column", "value", "expectation"),
    [
        pytest.param(
            "fct_procedures",
            "procedures_total",
            -5,
            "expect_column_values_to_be_between",
            id="negative count",
        ),
        pytest.param(
            "fct_online_services",
            "online_dossier_rate_pct",
            120,
            "expect_column_values_to_be_between",
            id="share of 120",
        ),
        pytest.param(
            "fct_reform_index",
            "par_index_rank",
            64,
            "expect_column_values_to_be_between",
            id="rank beyond 63",
        ),
    ],
)
def test_blocking_suite_fails_on_bad_value(con, table, column, value, expectation):
    put(con, table, **{column: value})

    result = result_for(run_blocking_checks(con), table)

    assert not result.passed
    (message,) = result.failures
    assert expectation in message
    assert f"{table}.{column}" in message
    assert str(value) in message


@pytest.mark.parametrize(
    "column",
    [
        "state_revenue_pct_of_plan",
        "public_investment_disbursed_pct",
        "simplification_time_cut_pct",
    ],
)
def test_shares_of_a_plan_may_exceed_100(con, column):
    table = next(m.table_name for m in CATALOG if m.code == column)
    put(con, table, **{column: 120})

    assert result_for(run_blocking_checks(con), table).passed


def test_fact_year_span_and_whole_counts_are_checked(con):
    state(con, "procedures_total", 2046, "...", fact_id="a", year=1999)
    state(con, "procedures_total", 2046, "...", fact_id="b", span_start=20, span_end=20)
    state(con, "procedures_total", 2046, "...", fact_id="c", span_start=None, span_end=None)
    state(con, "procedures_total", 1.612, "1.612 TTHC", fact_id="d")  # misread separator
    state(con, "dossiers_on_time_pct", 96.6, "đạt 96,6%", fact_id="e", unit="pct")

    result = result_for(run_blocking_checks(con), "fct_report_facts")

    assert not result.passed
    span, year, value = sorted(result.failures)  # by expectation type
    assert "fct_report_facts.year" in year and "1999" in year
    assert "(span_end, span_start)" in span and "(20, 20)" in span
    assert "fct_report_facts.value where unit IN" in value
    assert "1 of 4 values fail, e.g. 1.612" in value


def test_dim_province_needs_63_and_34_units(con):
    _create_dim_province(con, {63: 62, 34: 35})

    result = result_for(run_blocking_checks(con), "dim_province")

    assert not result.passed
    assert any("where generation == 63: observed 62" in m for m in result.failures)
    assert any("where generation == 34: observed 35" in m for m in result.failures)


def test_missing_mart_fails_its_suite(con):
    con.execute("drop table fct_staffing")

    result = result_for(run_blocking_checks(con), "fct_staffing")

    assert result.failures == ["table main.fct_staffing does not exist"]


# Consistency findings


def _check_names(con) -> list[str]:
    return [finding.check_name for finding in find_inconsistencies(con)]


@pytest.mark.parametrize(
    ("table", "values", "expected"),
    [
        pytest.param(
            "fct_procedures",
            dict(
                procedures_total=2046,
                procedures_province_level=1612,
                procedures_district_level=303,
                procedures_commune_level=131,
            ),
            None,
            id="1612+303+131 = 2046",
        ),
        pytest.param(
            "fct_procedures",
            dict(
                procedures_total=2046,
                procedures_province_level=1612,
                procedures_district_level=303,
                procedures_commune_level=200,
            ),
            "procedures_by_level_contradiction",
            id="levels exceed the total",
        ),
        pytest.param(
            "fct_procedures",
            dict(
                procedures_total=2046,
                procedures_province_level=1612,
                procedures_district_level=303,
                procedures_commune_level=126,
            ),
            "procedures_by_level_contradiction",
            id="all levels stated, short of the total",
        ),
        pytest.param(
            "fct_procedures",
            dict(
                procedures_total=2046,
                procedures_province_level=1612,
                procedures_district_level=303,
            ),
            "procedures_by_level_incomplete_breakdown",
            id="commune level not stated",
        ),
        pytest.param(
            "fct_procedures",
            dict(procedures_total=2046, procedures_province_level=2100),
            "procedures_by_level_contradiction",
            id="one level above the total",
        ),
        pytest.param(
            "fct_procedures",
            dict(procedures_total=2046, procedures_province_level=1612),
            None,
            id="one level alone is a subset",
        ),
        pytest.param(
            "fct_tasks",
            dict(
                gov_tasks_assigned=209, gov_tasks_completed_on_time=179, gov_tasks_completed_late=28
            ),
            "tasks_by_status_incomplete_breakdown",
            id="28+179 of 209",
        ),
        pytest.param(
            "fct_tasks",
            dict(
                gov_tasks_assigned=209,
                gov_tasks_completed_on_time=179,
                gov_tasks_completed_late=28,
                gov_tasks_in_progress=2,
            ),
            None,
            id="unstated status is zero",
        ),
        pytest.param(
            "fct_tasks",
            dict(
                gov_tasks_assigned=209,
                gov_tasks_completed_on_time=179,
                gov_tasks_completed_late=28,
                gov_tasks_in_progress=2,
                gov_tasks_overdue=1,
            ),
            "tasks_by_status_contradiction",
            id="statuses exceed assigned",
        ),
    ],
)
def test_parts_against_total(con, table, values, expected):
    put(con, table, **values)

    assert _check_names(con) == ([expected] if expected else [])


ON_TIME = "gov_tasks_completed_on_time"


@pytest.mark.parametrize(
    ("table", "values", "expected"),
    [
        pytest.param(
            "fct_tasks",
            {"gov_tasks_completed_on_time_pct": 90.79, ON_TIME: 138, "gov_tasks_assigned": 152},
            None,
            id="138/152 stated as 90,79",
        ),
        pytest.param(
            "fct_tasks",
            {"gov_tasks_completed_on_time_pct": 90.78, ON_TIME: 138, "gov_tasks_assigned": 152},
            "gov_tasks_completed_on_time_pct_mismatch",
            id="138/152 stated as 90,78",
        ),
        pytest.param(
            "fct_tasks",
            {"gov_tasks_completed_on_time_pct": 90.8, ON_TIME: 138, "gov_tasks_assigned": 152},
            None,
            id="138/152 stated as 90,8",
        ),
        pytest.param(
            "fct_tasks",
            {"gov_tasks_completed_on_time_pct": 91, ON_TIME: 138, "gov_tasks_assigned": 152},
            None,
            id="138/152 stated as 91",
        ),
        pytest.param(
            "fct_tasks",
            {
                "gov_tasks_completed_on_time_pct": 86.47,
                ON_TIME: 179,
                "gov_tasks_completed_late": 28,
            },
            None,
            id="on time of completed, assigned unknown",
        ),
        pytest.param(
            "fct_tasks",
            {"gov_tasks_completed_on_time_pct": 100, ON_TIME: 0, "gov_tasks_assigned": 0},
            None,
            id="zero base is not checked",
        ),
        pytest.param(
            "fct_budget",
            {
                "state_revenue_pct_of_plan": 96.88,
                "state_revenue_million_vnd": 5105229,
                "state_revenue_plan_million_vnd": 5244857,
            },
            "state_revenue_pct_of_plan_mismatch",
            id="5105229/5244857 stated as 96,88",
        ),
        pytest.param(
            "fct_budget",
            {
                "state_revenue_pct_of_plan": 97.34,
                "state_revenue_million_vnd": 5105229,
                "state_revenue_plan_million_vnd": 5244857,
            },
            None,
            id="5105229/5244857 stated as 97,34",
        ),
        pytest.param(
            "fct_budget",
            {
                "state_revenue_pct_of_plan": 106.24,
                "state_revenue_million_vnd": 6127800,
                "state_revenue_plan_million_vnd": 5768000,
            },
            None,
            id="6127800/5768000 stated as 106,24",
        ),
        pytest.param(
            "fct_budget",
            {
                "public_investment_disbursed_pct": 13,
                "public_investment_disbursed_million_vnd": 25,
                "public_investment_plan_million_vnd": 200,
            },
            None,
            id="12.5 stated as 13 (half a unit)",
        ),
        pytest.param(
            "fct_budget",
            {
                "public_investment_disbursed_pct": 14,
                "public_investment_disbursed_million_vnd": 25,
                "public_investment_plan_million_vnd": 200,
            },
            "public_investment_disbursed_pct_mismatch",
            id="12.5 stated as 14",
        ),
    ],
)
def test_reported_share_against_its_base(con, table, values, expected):
    put(con, table, **values)

    assert _check_names(con) == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("stated", "passes"),
    [(85.65, True), (86.47, True), (90.0, False)],
    ids=["of assigned", "of completed", "neither"],
)
def test_on_time_share_accepts_either_base(con, stated, passes):
    put(
        con,
        "fct_tasks",
        gov_tasks_completed_on_time_pct=stated,
        gov_tasks_assigned=209,
        gov_tasks_completed_on_time=179,
        gov_tasks_completed_late=28,
        gov_tasks_in_progress=2,
    )

    findings = find_inconsistencies(con)

    if passes:
        assert findings == []
    else:
        (finding,) = findings
        assert "on time / assigned: 179 / 209 = 85.65%" in finding.message
        assert "on time / (on time + late): 179 / 207 = 86.47%" in finding.message
        assert finding.expected_value == pytest.approx(86.4734, abs=1e-4)
        assert finding.observed_value == 90


def test_finding_carries_keys_and_provenance(con):
    put(
        con,
        "fct_procedures",
        procedures_total=2046,
        procedures_province_level=1612,
        procedures_district_level=303,
        procedures_new=12,
    )
    total = "Tổng số TTHC thuộc thẩm quyền giải quyết trên địa bàn tỉnh là 2.046 thủ tục"
    levels = "trong đó cấp tỉnh 1.612 thủ tục, cấp huyện 303 thủ tục"
    state(con, "procedures_total", 2046, total)
    state(con, "procedures_province_level", 1612, levels, document_id="doc17b")
    state(con, "procedures_district_level", 303, levels, document_id="doc17b")
    state(con, "procedures_new", 12, "công bố mới 12 TTHC")  # not part of the rule
    state(con, "procedures_total", 2000, "khoảng 2.000 TTHC", fact_id="x", is_selected=False)

    (finding,) = find_inconsistencies(con)

    assert finding.severity == "finding"
    assert finding.table_name == "fct_procedures"
    assert (finding.province_id, finding.province_code, finding.period_id) == (
        "63-17",
        "17",
        "2022-9M",
    )
    assert finding.metric_codes == (
        "procedures_total,procedures_province_level,procedures_district_level"
    )
    assert finding.observed_values == (
        "procedures_total=2046; procedures_province_level=1612; procedures_district_level=303"
    )
    assert (finding.expected_value, finding.observed_value) == (2046, 1915)
    assert finding.message.startswith("Incomplete breakdown:")
    assert "not stated: procedures_commune_level" in finding.message
    assert finding.document_ids == "doc17,doc17b"
    assert finding.evidence == f"{total} | {levels}"


# data_quality_issues


def test_issues_table_is_created_when_empty(con):
    assert write_quality_issues(con, [], []) == 0

    columns = [row[0] for row in con.execute("describe data_quality_issues").fetchall()]
    assert columns[:4] == ["issue_id", "check_name", "severity", "table_name"]
    assert len(columns) == 15
    assert con.execute("select count(*) from data_quality_issues").fetchone() == (0,)


def test_issues_table_holds_findings_and_failed_checks(con):
    put(
        con,
        "fct_tasks",
        gov_tasks_assigned=209,
        gov_tasks_completed_on_time=179,
        gov_tasks_completed_late=28,
    )
    results = [
        CheckResult("gx_fct_tasks", "fct_tasks", True),
        CheckResult("gx_fct_budget", "fct_budget", False, ["bad value"], {"rows": 3}),
    ]

    assert write_quality_issues(con, results, find_inconsistencies(con)) == 2
    first_ids = con.execute("select issue_id from data_quality_issues order by 1").fetchall()
    write_quality_issues(con, results, find_inconsistencies(con))

    rows = con.execute(
        "select severity, check_name, observed_values, message from data_quality_issues"
        " order by severity"
    ).fetchall()
    assert rows[0] == ("blocking", "gx_fct_budget", "rows=3", "Blocking checks failed: bad value")
    assert rows[1][:2] == ("finding", "tasks_by_status_incomplete_breakdown")
    assert con.execute("select issue_id from data_quality_issues order by 1").fetchall() == (
        first_ids
    )


def test_importing_the_package_does_not_import_great_expectations():
    code = (
        "import sys, dagster_project.quality; "
        "assert 'great_expectations' not in sys.modules, 'GX imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)
