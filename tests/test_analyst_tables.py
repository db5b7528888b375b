"""What analysts do with the figures: corrections (corrections.csv, fct_corrections), targets
against actuals (fct_targets) and the series on the footing of the 34 provinces (fct_province34).

One refresh of the reports of tests/analyst_reports.py is shared by the module.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.settings import PROJECT_ROOT
from tests.analyst_reports import CORRECTIONS, VINH_LONG_2023, write_reports

BI_GUIDE = (PROJECT_ROOT / "docs" / "bi.md").read_text(encoding="utf-8")


def guide_blocks(section: str) -> list[str]:
    text = BI_GUIDE.split(f"\n## {section}\n")[1].split("\n## ")[0]
    return re.findall(r"```sql\n(.*?)```", text, re.S)


CORRECTIONS_QUERY, TARGETS_QUERY, PROVINCE34_QUERY = guide_blocks(
    "Corrections, targets against actuals, and the 34 provinces")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = write_reports(tmp_path_factory.mktemp("reports"))
    target = tmp_path_factory.mktemp("published") / "cchc.duckdb"
    assert main(["refresh", "--reports", str(reports), "--warehouse", str(target)]) == 0
    return target


def query(path: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


# Corrections


def test_a_rejected_fact_leaves_its_wide_table_and_stays_with_its_reason(warehouse: Path) -> None:
    assert query(warehouse, "select public_assets_arranged from fct_budget"
                            " where province_period_id = '63-12|2024-year'") == [(None,)]
    assert query(warehouse, """
        select value, is_selected, correction_action, correction_reason from fct_report_facts
        where province_id = '63-12' and period_id = '2024-year' and metric_code = 'public_assets_arranged'
        """) == [(2933, False, "reject", CORRECTIONS[0][7])]


def test_a_set_value_is_selected_with_the_extracted_one_beside_it(warehouse: Path) -> None:
    assert query(warehouse, "select video_conference_points from fct_online_services"
                            " where province_period_id = '63-12|2024-year'") == [(195,)]
    assert query(warehouse, """
        select value, value_extracted, is_selected, rule_id != 'correction' from fct_report_facts
        where province_id = '63-12' and period_id = '2024-year' and metric_code = 'video_conference_points'
        """) == [(195, 193, True, True)]


def test_an_added_fact_has_its_reason_as_evidence(warehouse: Path) -> None:
    assert query(warehouse, "select dossiers_received from fct_procedures"
                            " where province_period_id = '63-86|2023-year'") == [(250_000,)]
    (row,) = query(warehouse, """
        select f.rule_id, f.evidence, d.file_path
        from fct_report_facts f join dim_document d using (document_id)
        where f.province_id = '63-86' and f.period_id = '2023-year'
            and f.metric_code = 'dossiers_received'""")
    assert row == ("correction", CORRECTIONS[2][7], VINH_LONG_2023)


def test_every_correction_row_is_reported_applied_or_why_not(warehouse: Path) -> None:
    rows = query(warehouse, "select line, status, problem from fct_corrections order by line")
    assert [(line, status) for line, status, _ in rows] == [
        (2, "applied"), (3, "applied"), (4, "applied"),
        (5, "no_match"), (6, "document_not_found"), (7, "malformed"), (8, "already_extracted"),
        (9, "several_matches"), (10, "malformed"),
    ]
    problems = {line: problem for line, _, problem in rows}
    assert problems[2] is None
    assert problems[7] == "value '2,046' is not a plain number (write 1850 or 98.6)"
    assert problems[10] == "action 'discard' is not one of reject, set, add"
    errors = query(warehouse, "select file_path, reason, detail from ingest_errors"
                              " where file_path = 'corrections.csv' order by detail")
    assert errors == [
        ("corrections.csv", "malformed correction", "line 10: " + problems[10]),
        ("corrections.csv", "malformed correction", "line 7: " + problems[7]),
    ]


# Targets against actuals


def test_targets_meet_their_actuals(warehouse: Path) -> None:
    rows = query(warehouse, """
        select metric_code, target_qualifier, target_value, actual_value, attainment_pct, is_met
        from fct_targets where province_id = '63-12' and period_id = '2024-year' order by metric_code""")
    assert rows == [
        # "100 %" of the tasks on time: no actual share reported, so neither met nor missed
        ("gov_tasks_completed_on_time_pct", "exact", 100, None, None, None),
        # "trên 80 %" met by 88,6 %
        ("online_dossier_rate_level4_pct", "more_than", 80, 88.6, 110.75, True),
        # "tối thiểu 50 %" missed by 48,19 %
        ("simplification_time_cut_pct", "exact", 50, 48.19, 96.38, False),
        ("staff_streamlined", "exact", 80, 28, 35.0, False),
    ]


def test_a_target_keeps_its_sentence_and_document(warehouse: Path) -> None:
    (row,) = query(warehouse, """
        select t.target_evidence, d.file_path, d.doc_type
        from fct_targets t join dim_document d on d.document_id = t.target_document_id
        where t.target_id = '63-12|2024-year|staff_streamlined'""")
    assert row == ("Năm 2024, tỉnh phấn đấu tinh giản 80 biên chế công chức.",
                   "plan_lai_chau_2024.txt", "plan")


def test_a_target_is_never_the_selected_actual(warehouse: Path) -> None:
    assert query(warehouse, "select staff_streamlined from fct_staffing"
                            " where province_period_id = '63-12|2024-year'") == [(28,)]


# The series on the footing of the 34 provinces


@pytest.mark.parametrize(
    ("unit", "period", "metric", "expected"),
    [
        # Lai Châu was not merged: its own figure
        pytest.param("34-12", "2024-year", "procedures_total", (2046, "same_unit", 1, 1), id="same unit"),
        # Vĩnh Long took in Bến Tre and Trà Vinh; only Vĩnh Long reported 2023 revenue
        pytest.param("34-86", "2023-year", "state_revenue_million_vnd", (None, "partial", 3, 1),
                     id="partial"),
        # Hà Giang and Tuyên Quang both reported: summed
        pytest.param("34-08", "2023-year", "dossiers_received", (218_800, "sum", 2, 2), id="sum"),
        # a share of plan from the summed revenue and plans, never the sum or mean of the shares
        pytest.param("34-08", "2023-year", "state_revenue_pct_of_plan", (100.0, "recomputed", 2, 2),
                     id="recomputed"),
        # a PAR INDEX rank among 63 is no rank among 34, even for a unit that was not merged
        pytest.param("34-12", "2023-year", "par_index_rank", (None, "not_comparable", 1, 1), id="rank"),
    ],
)
def test_the_series_on_the_34_unit_footing(
    warehouse: Path, unit: str, period: str, metric: str, expected: tuple
) -> None:
    rows = query(warehouse, "select value, method, predecessors, predecessors_reporting from fct_province34"
                            " where province34_value_id = ?", [f"{unit}|{period}|{metric}"])
    assert rows == [pytest.approx(expected)]


def test_ranks_and_scores_of_merged_units_are_not_added(warehouse: Path) -> None:
    methods = query(warehouse, """
        select distinct method from fct_province34
        where metric_code in ('par_index_rank', 'par_index_score', 'sipas_rank') and predecessors > 1""")
    assert methods == [("not_comparable",)]


# docs/bi.md, tested as written


def test_bi_guide_queries_on_corrections_targets_and_the_34_provinces(warehouse: Path) -> None:
    not_applied = query(warehouse, CORRECTIONS_QUERY)
    assert [row[:2] for row in not_applied] == [(5, "no_match"), (6, "document_not_found"), (7, "malformed"),
                                                (8, "already_extracted"), (9, "several_matches"),
                                                (10, "malformed")]
    targets = query(warehouse, TARGETS_QUERY)
    assert ("Lai Châu", "2024-year", "online_dossier_rate_level4_pct", "more_than", 80, 88.6, 110.75,
            True) in targets
    series = query(warehouse, PROVINCE34_QUERY)
    assert ("Tuyên Quang", "2023-year", 6_000_000, "sum", 2, 2) in series
    assert ("Vĩnh Long", "2023-year", None, "partial", 1, 3) in series
