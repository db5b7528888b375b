"""Quality stage: the blocking suite, the consistency findings and the rules the metric catalog
makes of them, Data Docs and the data_quality_issues table.

Each test builds the marts it needs in an in-memory DuckDB; the wide tables get one column
per catalog metric (bigint for counts and ranks, double otherwise), as the dbt marts do.
Great Expectations is imported once for the whole module. That no fact is lost between raw.facts
and the marts is a dbt test (tests/test_conflicts.py runs it).
"""

from __future__ import annotations

import csv
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.quality import (
    CheckResult,
    Consistency,
    check_build,
    docs,
    find_inconsistencies,
    load_found,
    load_validations,
    render_data_docs,
    run_blocking_checks,
    save_found,
    save_validations,
    write_quality_issues,
)
from dagster_project.quality.blocking import MART_CHECK
from dagster_project.quality.catalog import load_catalog
from dagster_project.quality.rules import SUBJECT, Base, ShareRule, SumRule, catalog_rules
from dagster_project.settings import CATALOG_PATH

REPO_ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()
METRICS = {metric.code: metric for metric in CATALOG}
WIDE_TABLES = sorted({metric.table_name for metric in CATALOG})
RULES = catalog_rules(CATALOG)
RULES_BY_NAME = {rule.name: rule for rule in RULES}
PPID = "63-17|2022-9M"  # Hòa Bình, first nine months of 2022


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute(
        "create table fct_report_facts (fact_id varchar, document_id varchar,"
        " province_id varchar, province_code varchar, period_id varchar, year integer,"
        " period_code varchar, metric_code varchar, fact_table varchar, value double,"
        " unit varchar, qualifier varchar, fact_kind varchar, is_selected boolean,"
        " invalid_reason varchar, evidence varchar, span_start integer, span_end integer, rule_id varchar,"
        " extractor_version varchar, confidence double)"
    )
    for table in WIDE_TABLES:
        metrics = ", ".join(f"{m.code} {column_type(m.unit)}" for m in CATALOG if m.table_name == table)
        connection.execute(
            f"create table {table} (province_period_id varchar, province_id varchar,"
            f" period_id varchar, source_document_ids varchar, {metrics})"
        )
    yield connection
    connection.close()


def column_type(unit: str) -> str:
    return "bigint" if unit in ("count", "rank") else "double"


def put(con, table: str, province_period_id: str = PPID, **values: float) -> None:
    """One wide-table row with the given metric values; other metrics stay null."""
    province_id, _, period_id = province_period_id.partition("|")
    columns = ["province_period_id", "province_id", "period_id", *values]
    placeholders = ", ".join("?" for _ in columns)
    con.execute(
        f"insert into {table} ({', '.join(columns)}) values ({placeholders})",
        [province_period_id, province_id, period_id, *values.values()],
    )


def state(con, metric_code: str, value: float, evidence: str = "...", **overrides) -> None:
    """One fact row, selected for PPID unless overridden."""
    metric = METRICS[metric_code]
    period_id = overrides.get("period_id", "2022-9M")
    year, _, period_code = period_id.partition("-")
    fact = {
        "fact_id": f"doc17:{metric_code}",
        "document_id": "doc17",
        "province_id": "63-17",
        "period_id": period_id,
        "year": int(year),
        "period_code": period_code,
        "metric_code": metric_code,
        "fact_table": metric.table_name.removeprefix("fct_"),
        "value": value,
        "unit": metric.unit,
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


def publish(con, table: str, **values: float) -> None:
    """A wide-table row for PPID and the selected facts behind it, as the marts hold them."""
    put(con, table, **values)
    for metric_code, value in values.items():
        state(con, metric_code, value)


def mart_result(results: list[CheckResult], table: str) -> CheckResult:
    (result,) = [r for r in results if r.table_name == table and r.check_name == MART_CHECK]
    return result


# Blocking suite


def test_blocking_checks_pass_on_clean_marts(con):
    publish(con, "fct_procedures", procedures_total=2046, procedures_province_level=1612)
    publish(con, "fct_budget", state_revenue_pct_of_plan=106.24, public_investment_disbursed_pct=97)
    publish(con, "fct_reform_index", par_index_score=86.76, par_index_rank=35)

    results = run_blocking_checks(con)

    assert [(r.table_name, r.check_name) for r in results] == [("fct_report_facts", MART_CHECK)]
    assert [r.failures for r in results if not r.passed] == []
    assert mart_result(results, "fct_report_facts").observed["rows"] == 6
    assert all(validation.success for r in results for validation in r.validations)


def test_a_build_file_is_checked_and_its_findings_found_as_through_a_connection(con, tmp_path):
    state(con, "procedures_new", 1.612, "1.612 TTHC", fact_id="misread")  # the suite fails
    publish(con, "fct_procedures", procedures_total=2046, procedures_province_level=2100)  # a finding
    database = tmp_path / "build.duckdb"
    con.execute(f"attach '{database}' as build")
    con.execute("copy from database memory to build")
    con.execute("detach build")

    def verdicts(results):
        return [(r.table_name, r.check_name, r.passed, r.failures, r.observed) for r in results]

    results, consistency = check_build(database)
    assert verdicts(results) == verdicts(run_blocking_checks(con))
    assert [r.check_name for r in results if not r.passed] == [MART_CHECK]
    expected = find_inconsistencies(con).findings
    assert [f.issue_id for f in consistency.findings] == [f.issue_id for f in expected] != []


def test_found_findings_are_read_only_by_their_own_run(tmp_path):
    path = tmp_path / "findings.pickle"
    found = Consistency()
    save_found(found, path, "run-1")
    assert load_found(path, "run-1") == found
    assert load_found(path, "run-2") is None
    save_found(None, path, "run-2")  # the findings could not be found: the findings step will
    assert load_found(path, "run-1") is None


def test_counts_and_ranks_must_be_whole_numbers(con):
    state(con, "procedures_total", 2046, "2.046 TTHC", fact_id="a")
    state(con, "procedures_total", 1.612, "1.612 TTHC", fact_id="b")  # misread separator
    state(con, "par_index_rank", 35.5, "hạng 35,5", fact_id="c")
    state(con, "dossiers_on_time_pct", 96.6, "đạt 96,6%", fact_id="d")
    state(con, "state_revenue_million_vnd", 5105229.5, "5.105.229,5 triệu đồng", fact_id="e")

    result = mart_result(run_blocking_checks(con), "fct_report_facts")

    assert not result.passed
    (failure,) = result.failures
    assert failure.startswith("expect_column_values_to_match_regex(regex=")
    assert "on fct_report_facts.value where unit IN ['count', 'rank']" in failure
    assert "2 of 3 values fail, e.g. 1.612, 35.5" in failure


def test_missing_mart_fails_its_suite(con):
    con.execute("drop table fct_report_facts")

    result = mart_result(run_blocking_checks(con), "fct_report_facts")

    assert result.failures == ["table main.fct_report_facts does not exist"]


def test_validation_draws_no_progress_bars(con, capfd):
    state(con, "procedures_total", 2046)

    run_blocking_checks(con)
    find_inconsistencies(con)

    assert "Calculating Metrics" not in capfd.readouterr().err


# The rules the catalog makes


def extended_catalog(tmp_path: Path, *rows: dict[str, str]) -> Path:
    """A copy of the metric catalog with rows appended (unnamed columns empty)."""
    with CATALOG_PATH.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        columns, existing = reader.fieldnames, list(reader)
    path = tmp_path / "metric_catalog.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows([*existing, *({column: row.get(column, "") for column in columns} for row in rows)])
    return path


NEW_PART = {"metric_code": "procedures_central_level", "fact_table": "procedures", "unit": "count",
            "label_vi": "Số TTHC cấp trung ương thực hiện tại địa phương",
            "label_en": "Central-level procedures handled in the province", "valid_min": "0",
            "part_of": "procedures_total", "additive": "false"}
NEW_SHARE = {"metric_code": "dossiers_late_pct", "fact_table": "procedures", "unit": "pct",
             "label_vi": "Tỷ lệ hồ sơ giải quyết trễ hạn", "label_en": "Share of dossiers resolved late",
             "valid_min": "0", "valid_max": "100", "share_numerator": "dossiers_late",
             "share_base": "dossiers_received", "additive": "false"}


def test_a_metric_added_to_the_catalog_joins_its_checks(con, tmp_path):
    """One catalog row each: a new level of procedures and a new share, with no code changed."""
    catalog = load_catalog(extended_catalog(tmp_path, NEW_PART, NEW_SHARE))
    rules = {rule.name: rule for rule in catalog_rules(catalog)}

    assert rules["procedures_by_level"].parts == (
        "procedures_province_level", "procedures_district_level", "procedures_commune_level",
        "procedures_central_level")
    assert rules["dossiers_late_pct"] == ShareRule(
        "dossiers_late_pct", "fct_procedures", (Base("dossiers_late", ("dossiers_received",)),))
    con.execute("alter table fct_procedures add column procedures_central_level bigint")
    con.execute("alter table fct_procedures add column dossiers_late_pct double")
    put(con, "fct_procedures", procedures_total=2046, procedures_province_level=1612,
        procedures_district_level=303, procedures_commune_level=131, procedures_central_level=5,
        dossiers_received=1000, dossiers_late=12, dossiers_late_pct=1.3)

    findings = find_inconsistencies(con, list(rules.values())).findings

    assert [(f.check_name, f.metric_codes) for f in findings] == [
        ("procedures_by_level_contradiction", "procedures_total,procedures_province_level,"
         "procedures_district_level,procedures_commune_level,procedures_central_level"),
        ("dossiers_late_pct_mismatch", "dossiers_late_pct,dossiers_late,dossiers_received"),
    ]


def test_the_catalog_makes_the_consistency_rules():
    assert [(rule.suite, rule.name) for rule in RULES] == [
        ("parts_against_total", "tasks_by_status"),
        ("parts_against_total", "procedures_by_level"),
        ("share_against_base", "gov_tasks_completed_on_time_pct"),
        ("share_against_base", "gov_tasks_completed_late_pct"),
        ("share_against_base", "state_revenue_pct_of_plan"),
        ("share_against_base", "public_investment_disbursed_pct"),
        ("shares_add_up", "gov_task_shares_sum"),
        ("report_against_official", "report_vs_official_table"),
        ("year_over_year", "year_over_year"),
        ("document_against_itself", "document_self_contradiction"),
        ("valid_figures", "invalid_figure"),
    ]
    assert RULES_BY_NAME["gov_task_shares_sum"].whole == Base(
        "gov_tasks_completed_on_time", ("gov_tasks_completed_on_time", "gov_tasks_completed_late"))


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        pytest.param(NEW_PART | {"part_of": "procedures_totl"},
                     "procedures_central_level names procedures_totl, which is not a metric of"
                     " fct_procedures", id="unknown total"),
        pytest.param(NEW_PART | {"part_of": "gov_tasks_assigned"},
                     "procedures_central_level names gov_tasks_assigned, which is not a metric of"
                     " fct_procedures", id="total of another table"),
        pytest.param(NEW_PART | {"part_of": "", "breakdown": "procedures_by_kind"},
                     "procedures_central_level needs both parts and a breakdown name, or neither",
                     id="breakdown without parts"),
        pytest.param(NEW_SHARE | {"share_base": ""},
                     "dossiers_late_pct needs both share_numerator and share_base, or neither",
                     id="share without base"),
        pytest.param(NEW_SHARE | {"share_base": "dossiers_received|dossiers_on_time+dossiers_late"},
                     "dossiers_late_pct names dossiers_on_time, which is not a metric of fct_procedures",
                     id="unknown metric in an alternative base"),
        pytest.param(NEW_SHARE | {"share_numerator": "", "share_base": "", "shares_sum_group": "dossiers"},
                     "dossiers_late_pct is in a shares_sum_group without a share_numerator",
                     id="group member without numerator"),
        pytest.param(NEW_SHARE | {"additive": ""},
                     "dossiers_late_pct: additive must be true or false, not ''", id="additive left empty"),
    ],
)
def test_a_catalog_whose_memberships_cannot_be_checked_is_refused(tmp_path, row, problem):
    with pytest.raises(ValueError, match=f"^{re.escape(f'metric_catalog.csv: {problem}')}$"):
        load_catalog(extended_catalog(tmp_path, row))


# Consistency findings


def _check_names(con, rules) -> list[str]:
    return [finding.check_name for finding in find_inconsistencies(con, rules).findings]


def rules_of(kind: type) -> list:
    return [rule for rule in RULES if isinstance(rule, kind)]


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

    assert _check_names(con, rules_of(SumRule)) == ([expected] if expected else [])


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

    assert _check_names(con, rules_of(ShareRule)) == ([expected] if expected else [])


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

    findings = find_inconsistencies(con, rules_of(ShareRule)).findings

    if passes:
        assert findings == []
    else:
        (finding,) = findings
        assert "gov_tasks_completed_on_time / gov_tasks_assigned: 179 / 209 = 85.65%" in finding.message
        assert ("gov_tasks_completed_on_time / (gov_tasks_completed_on_time + gov_tasks_completed_late):"
                " 179 / 207 = 86.47%") in finding.message
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
    state(con, "procedures_total", 2000, "khoảng 2.000 TTHC", fact_id="x", is_selected=False,
          qualifier="about")

    (finding,) = find_inconsistencies(con).findings

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
    assert finding.message == (
        "Incomplete breakdown: procedures_by_level: procedures_province_level + procedures_district_level"
        " = 1612 + 303 = 1915 falls short of procedures_total = 2046; not stated: procedures_commune_level."
    )
    assert finding.document_ids == "doc17,doc17b"
    assert finding.evidence == f"{total} | {levels}"


# Shares that split one whole: on time + late = completed tasks

TASK_COUNTS = dict(  # Vĩnh Long 2023: 138 on time, 14 late of 184 assigned
    gov_tasks_assigned=184, gov_tasks_completed_on_time=138, gov_tasks_completed_late=14
)


def task_shares(on_time: float, late: float) -> dict[str, float]:
    return dict(gov_tasks_completed_on_time_pct=on_time, gov_tasks_completed_late_pct=late)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(TASK_COUNTS | task_shares(90.79, 9.21), None, id="90,79 + 9,21 of completed"),
        pytest.param(TASK_COUNTS | task_shares(90.79, 9.2), None, id="99,99 within the rounding"),
        pytest.param(
            TASK_COUNTS | task_shares(90.79, 9.11), "contradiction", id="90,79 + 9,11 of completed"
        ),
        pytest.param(TASK_COUNTS | task_shares(75, 7.61), None, id="75 + 7,61 of assigned"),
        pytest.param(task_shares(60, 30), None, id="60 + 30, base unknown"),
        pytest.param(task_shares(95, 10), "contradiction", id="95 + 10 above 100"),
        pytest.param(task_shares(50.5, 49.55), None, id="100,05 within ±0,055"),
        pytest.param(task_shares(50.5, 49.56), "contradiction", id="100,06 beyond ±0,055"),
    ],
)
def test_shares_of_one_whole_add_up(con, values, expected):
    put(con, "fct_tasks", **values)

    names = _check_names(con, [RULES_BY_NAME["gov_task_shares_sum"]])

    assert names == ([f"gov_task_shares_sum_{expected}"] if expected else [])


def test_shares_of_completed_tasks_explain_their_base(con):
    put(con, "fct_tasks", **TASK_COUNTS | task_shares(90.79, 9.11))

    (finding,) = find_inconsistencies(con, [RULES_BY_NAME["gov_task_shares_sum"]]).findings

    assert finding.message == (
        "Contradiction: gov_tasks_completed_on_time_pct + gov_tasks_completed_late_pct"
        " = 90.79 + 9.11 = 99.9%, but gov_tasks_completed_on_time_pct is a share of"
        " gov_tasks_completed_on_time / (gov_tasks_completed_on_time + gov_tasks_completed_late)"
        " = 90.79%, so they add up to 100"
        " (tolerance ±0.01 pp for the stated precisions)."
    )
    assert (finding.expected_value, finding.observed_value) == (100, pytest.approx(99.9))


# The same figure stated by a report and by the official PAR INDEX / SIPAS table


def official(con, metric_code: str, value: float) -> None:
    table = "ref_sipas" if metric_code.startswith("sipas") else "ref_par_index"
    state(con, metric_code, value, f"{table}.csv: year=2023, province_code=17",
          fact_id=f"{table}:2023-17:{metric_code}", document_id=table, period_id="2023-year")


def reported(con, metric_code: str, value: float, **overrides) -> None:
    """The report's figure; the official table wins the selection."""
    fact = {"period_id": "2023-year", "is_selected": False} | overrides
    state(con, metric_code, value, f"Năm 2023, {metric_code} đạt {value}", **fact)


@pytest.mark.parametrize(
    ("metric_code", "stated", "table_value", "overrides", "flagged"),
    [
        pytest.param("par_index_score", 86.76, 86.76, {}, False, id="same score"),
        pytest.param("par_index_score", 86.8, 86.76, {}, False, id="report rounds 86,76 to 86,8"),
        pytest.param("par_index_score", 86.76, 86.8, {}, False, id="table rounds to 86,8"),
        pytest.param("par_index_score", 86.7, 86.76, {}, True, id="86,7 against 86,76"),
        pytest.param("par_index_rank", 35, 36, {}, True, id="rank 35 against 36"),
        pytest.param("sipas_score_pct", 85.5, 85.5, {}, False, id="same SIPAS"),
        pytest.param("sipas_score_pct", 85.5, 84.5, {}, True, id="SIPAS 85,5 against 84,5"),
        pytest.param(
            "par_index_score", 86, 86.76, {"qualifier": "about"}, False, id="about 86 is a bound"
        ),
        pytest.param(
            "par_index_score", 90, 86.76, {"fact_kind": "target"}, False, id="a target is no figure"
        ),
        pytest.param(
            "par_index_score", 80, 86.76, {"period_id": "2022-year"}, False, id="another year"
        ),
    ],
)
def test_report_against_official_table(con, metric_code, stated, table_value, overrides, flagged):
    official(con, metric_code, table_value)
    reported(con, metric_code, stated, **overrides)

    names = _check_names(con, [RULES_BY_NAME["report_vs_official_table"]])

    assert names == (["report_vs_official_table_mismatch"] if flagged else [])


def test_report_against_official_table_quotes_both_sources(con):
    official(con, "par_index_score", 86.76)
    reported(con, "par_index_score", 86.7)

    (finding,) = find_inconsistencies(con, [RULES_BY_NAME["report_vs_official_table"]]).findings

    assert (finding.table_name, finding.province_id, finding.period_id) == (
        "fct_report_facts", "63-17", "2023-year"
    )
    assert finding.message == (
        "Contradiction: the report states par_index_score = 86.7 but the official PAR INDEX"
        " table has 86.76 (tolerance ±0.05 for the stated precision)."
    )
    assert finding.observed_values == "par_index_score=86.7 (doc17); par_index_score=86.76 (ref_par_index)"
    assert (finding.expected_value, finding.observed_value) == (86.76, 86.7)
    assert finding.document_ids == "doc17,ref_par_index"
    assert finding.evidence.startswith("Năm 2023, par_index_score đạt 86.7 | ref_par_index.csv")


# Implausible jumps from one year to the next


def yearly(con, metric_code: str, values: dict[str, float], **overrides) -> None:
    for period_id, value in values.items():
        state(con, metric_code, value, f"{period_id}: {value}",
              fact_id=f"doc-{period_id}:{metric_code}", period_id=period_id, **overrides)


@pytest.mark.parametrize(
    ("metric_code", "values", "overrides", "flagged"),
    [
        pytest.param("procedures_total", {"2023-year": 2046, "2024-year": 204}, {}, True,
                     id="2046 then 204"),
        pytest.param("procedures_total", {"2023-year": 2046, "2024-year": 205}, {}, False,
                     id="2046 then 205"),
        pytest.param("procedures_total", {"2023-year": 100, "2024-year": 1000}, {}, True,
                     id="exactly ten times"),
        pytest.param("procedures_total", {"2023-year": 1000, "2024-year": 100}, {}, True,
                     id="exactly a tenth"),
        pytest.param("procedures_total", {"2023-year": 100, "2024-year": 999}, {}, False,
                     id="just under ten times"),
        pytest.param("state_revenue_million_vnd", {"2023-year": 6127800, "2024-year": 612780},
                     {}, True, id="money"),
        pytest.param("procedures_total", {"2022-year": 100, "2024-year": 1000}, {}, False,
                     id="years apart"),
        pytest.param("procedures_total", {"2023-H1": 100, "2024-year": 1000}, {}, False,
                     id="another period"),
        pytest.param("dossiers_on_time_pct", {"2023-year": 5, "2024-year": 90}, {}, False,
                     id="a share"),
        pytest.param("procedures_abolished", {"2023-year": 0, "2024-year": 72}, {}, False,
                     id="from zero"),
        pytest.param("procedures_total", {"2023-year": 100, "2024-year": 1000},
                     {"is_selected": False}, False, id="not published"),
    ],
)
def test_year_over_year_jumps(con, metric_code, values, overrides, flagged):
    yearly(con, metric_code, values, **overrides)

    names = _check_names(con, [RULES_BY_NAME["year_over_year"]])

    assert names == (["year_over_year_jump"] if flagged else [])


def test_year_over_year_jump_quotes_both_years(con):
    yearly(con, "procedures_total", {"2023-year": 2046, "2024-year": 204})

    (finding,) = find_inconsistencies(con, [RULES_BY_NAME["year_over_year"]]).findings

    assert (finding.table_name, finding.period_id) == ("fct_procedures", "2024-year")
    assert finding.message == (
        "Implausible jump: procedures_total is 2046 in 2023-year and 204 in 2024-year,"
        " a factor of 10.0."
    )
    assert finding.observed_values == "procedures_total 2023-year=2046; procedures_total 2024-year=204"
    assert finding.evidence == "2023-year: 2046 | 2024-year: 204"


def test_a_findings_expectation_that_cannot_run_fails_loudly(con):
    class Broken:
        suite, name = "year_over_year", "broken"

        def frame(self, con):
            return pd.DataFrame({"value": [1.0]}).rename_axis(SUBJECT)  # no factor column

    with pytest.raises(RuntimeError, match="year_over_year on broken: .* could not run"):
        find_inconsistencies(con, [Broken()])


# Figures a metric cannot take (dbt marks them from the catalog's valid_min and valid_max)


def test_an_impossible_figure_is_an_error_finding(con):
    reason = "above 100, the greatest valid dossiers_on_time_pct"
    state(con, "dossiers_on_time_pct", 116.7, "đạt 116,7%", is_selected=False, invalid_reason=reason)
    state(con, "dossiers_on_time_pct", 96.6, "đạt 96,6%", fact_id="doc17:valid")

    (finding,) = find_inconsistencies(con, [RULES_BY_NAME["invalid_figure"]]).findings

    assert (finding.check_name, finding.severity, finding.table_name, finding.metric_codes) == (
        "invalid_figure_impossible", "error", "fct_procedures", "dossiers_on_time_pct")
    assert finding.message == (
        f"Impossible figure: dossiers_on_time_pct = 116.7 is {reason}; left out of the wide tables.")
    assert finding.evidence == "đạt 116,7%"


# Data Docs


def test_data_docs_render_every_validation(con, tmp_path):
    put(con, "fct_tasks", gov_tasks_assigned=209, gov_tasks_completed_on_time=28,
        gov_tasks_in_progress=179)
    rules = [RULES_BY_NAME["tasks_by_status"], RULES_BY_NAME["year_over_year"]]
    save_validations(find_inconsistencies(con, rules).validations, tmp_path / "findings.json")
    site = tmp_path / "data_docs"

    index = render_data_docs(load_validations(tmp_path / "findings.json"), site)

    assert index == site / "index.html" and index.is_file()
    pages = {page.name: page for page in (site / "validations").glob("**/*.html")}
    # A page per suite; a row is named by its rule and subject.
    assert sorted(pages) == ["parts_against_total.html", "year_over_year.html"]
    assert "tasks_by_status|63-17|2022-9M" in pages["parts_against_total.html"].read_text(encoding="utf-8")

    render_data_docs(load_validations(tmp_path / "findings.json")[:1], site)
    assert len(list((site / "validations").glob("**/*.html"))) == 1  # replaced, not added to


# What a page loads to render: stylesheets, scripts, images (a favicon or a hyperlink is not).
PAGE_RESOURCES = re.compile(
    r'<link rel="stylesheet"[^>]*href="([^"]+)"|<script[^>]*src="([^"]+)"|<img[^>]*src="([^"]+)"'
    r"|url\('([^']+)'\)"
)


def test_data_docs_render_without_a_network(con, tmp_path):
    """Every stylesheet, script and image of every page is a file of the site (no CDN), and a copy
    is the file its fetch.sh recorded."""
    put(con, "fct_tasks", gov_tasks_assigned=209, gov_tasks_completed_on_time=28,
        gov_tasks_in_progress=179)
    save_validations(find_inconsistencies(con, [RULES_BY_NAME["tasks_by_status"]]).validations,
                     tmp_path / "findings.json")
    site = tmp_path / "data_docs"

    render_data_docs(load_validations(tmp_path / "findings.json"), site)

    pages = [site / "index.html", *(site / "validations").glob("**/*.html")]
    assert len(pages) == 2
    for page in pages:
        html = page.read_text(encoding="utf-8")
        resources = [next(filter(None, match)) for match in PAGE_RESOURCES.findall(html)]
        assert len(resources) >= 16, page  # GX's ten scripts and six stylesheets at least
        assert [r for r in resources if not (page.parent / r.split("?")[0]).is_file()] == [], page
        assert "integrity=" not in html and "crossorigin=" not in html  # refused for file:// copies
    assets = Path(docs.__file__).with_name("offline_assets")
    for line in (assets / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split()
        assert hashlib.sha256((site / "static" / "offline" / name).read_bytes()).hexdigest() == digest


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
        CheckResult(MART_CHECK, "fct_tasks", True),
        CheckResult(MART_CHECK, "fct_budget", False, ["bad value"], {"rows": 3}),
    ]

    findings = find_inconsistencies(con, rules_of(SumRule)).findings

    assert write_quality_issues(con, results, findings) == 2
    first_ids = con.execute("select issue_id from data_quality_issues order by 1").fetchall()
    write_quality_issues(con, results, find_inconsistencies(con, rules_of(SumRule)).findings)

    rows = con.execute(
        "select severity, check_name, observed_values, message from data_quality_issues"
        " order by severity"
    ).fetchall()
    assert rows[0] == ("blocking", MART_CHECK, "rows=3", "Blocking checks failed: bad value")
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


@pytest.mark.parametrize(
    ("expectation", "read"),
    [
        ({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "b"}}, ["b"]),
        ({"type": "expect_column_pair_values_a_to_be_greater_than_b",
          "kwargs": {"column_A": "c", "column_B": "a"}}, ["a", "c"]),
        ({"type": "expect_column_values_to_be_between",
          "kwargs": {"column": "a", "min_value": 0, "row_condition": {
              "type": "comparison", "column": {"name": "c"}, "operator": "==", "parameter": 1}}},
         ["a", "c"]),
        ({"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": ["a"]}}, ["a", "b", "c"]),
        ({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "missing"}}, ["a", "b", "c"]),
    ],
    ids=["column", "column pair", "row condition", "table columns", "unknown column"],
)
def test_a_suite_reads_only_the_columns_it_names(expectation, read):
    from dagster_project.quality.blocking import _columns_read, table_columns
    from dagster_project.quality.suites import import_gx

    suite = import_gx().ExpectationSuite(name="t", expectations=[expectation])
    connection = duckdb.connect()
    connection.execute("create table t (a integer, b varchar, c integer)")
    connection.execute("create table u (d integer)")

    assert _columns_read(table_columns(connection)["t"], suite) == read


def test_rule_names_are_unique():
    """The rules of one suite are validated together, their rows told apart by rule name."""
    assert len({rule.name for rule in RULES}) == len(RULES)
    assert all("|" not in rule.name for rule in RULES)


def test_a_document_stating_one_figure_twice_with_two_values_is_a_finding(con):
    summary = "Toàn tỉnh có 1.796 TTHC thuộc thẩm quyền giải quyết"
    body = "tổng số TTHC là 1.769 thủ tục"
    state(con, "procedures_total", 1796, summary)
    state(con, "procedures_total", 1769, body, fact_id="doc17:body", is_selected=False)
    state(con, "procedures_total", 1796, summary, fact_id="doc17:again", is_selected=False)
    state(con, "procedures_new", 12, "12 TTHC", period_id="2022-year")
    state(con, "procedures_new", 12, "12 TTHC", fact_id="doc17:new", period_id="2022-year")
    state(con, "procedures_new", 15, "khoảng 15 TTHC", fact_id="doc17:about", qualifier="about",
          period_id="2022-year")

    findings = [f for f in find_inconsistencies(con).findings
                if f.check_name.startswith("document_self_contradiction")]

    assert [(f.metric_codes, f.expected_value, f.observed_value, f.period_id) for f in findings] == [
        ("procedures_total", 1769, 1796, "2022-9M")]
    assert findings[0].evidence == f"{body} | {summary}"
