"""What analysts do with the figures: corrections (corrections.csv, fct_corrections), targets
against actuals (fct_targets) and the series on the footing of the 34 provinces (fct_province34).

One refresh is shared by the module: the bundled reports, a 2024 reform plan of Lai Châu stating
targets, 2023 results of Hà Giang and Tuyên Quang, which merged into the Tuyên Quang of 1 July
2025, and a corrections.csv with good and bad rows. Every sentence here was written for this test.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.settings import PROJECT_ROOT

BUNDLED_REPORTS = PROJECT_ROOT / "seeds" / "reports"
BI_GUIDE = (PROJECT_ROOT / "docs" / "bi.md").read_text(encoding="utf-8")
ADDED = {
    "plan_lai_chau_2024.txt": (
        "Lai Châu,2024,year,plan,Kế hoạch cải cách hành chính năm 2024",
        "Kế hoạch cải cách hành chính năm 2024 của tỉnh Lai Châu\n"
        "Năm 2024, phấn đấu tỷ lệ hồ sơ trực tuyến mức độ 4 đạt trên 80%.\n"
        "Phấn đấu cắt giảm tối thiểu 50% thời gian giải quyết thủ tục hành chính.\n"
        "Phấn đấu 100% nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao được hoàn thành đúng hạn.\n"
        "Năm 2024, tỉnh phấn đấu tinh giản 80 biên chế công chức.\n",
    ),
    "ha_giang_2023.txt": (
        "Hà Giang,2023,year,news,Kết quả cải cách hành chính năm 2023",
        "Hà Giang: kết quả cải cách hành chính năm 2023\n"
        "Năm 2023, tỉnh Hà Giang đã tiếp nhận 120.500 hồ sơ thủ tục hành chính.\n"
        # the same figure stated again with another value: a correction of it matches two facts
        "Theo số liệu cập nhật, trong năm 2023 tỉnh đã tiếp nhận 121.000 hồ sơ thủ tục hành chính.\n"
        "Tổng thu ngân sách nhà nước trên địa bàn năm 2023 đạt 3.100.000 triệu đồng, bằng 103,33% kế"
        " hoạch; kế hoạch thu ngân sách năm 2023 là 3.000.000 triệu đồng.\n",
    ),
    "tuyen_quang_2023.txt": (
        "Tuyên Quang,2023,year,news,Kết quả cải cách hành chính năm 2023",
        "Tuyên Quang: kết quả cải cách hành chính năm 2023\n"
        "Năm 2023, tỉnh Tuyên Quang đã tiếp nhận 98.300 hồ sơ thủ tục hành chính.\n"
        "Tổng thu ngân sách nhà nước trên địa bàn năm 2023 đạt 2.900.000 triệu đồng, bằng 96,67% kế"
        " hoạch; kế hoạch thu ngân sách năm 2023 là 3.000.000 triệu đồng.\n",
    ),
}


LAI_CHAU_2024 = "000_5523bcf3cc09a271.txt"  # bundled: Lai Châu's results of 2024
VINH_LONG_2023 = "003_cc1c09ca5be40117.txt"  # bundled: Vĩnh Long's of 2023
CORRECTIONS = [  # action, document, metric_code, province, year, period, value, reason
    ("reject", LAI_CHAU_2024, "public_assets_arranged", "Lai Châu", "2024", "year", "",
     "Số tài sản công của cả giai đoạn 2021-2024, không phải của năm 2024"),
    ("set", LAI_CHAU_2024, "video_conference_points", "12", "2024", "year", "195",
     "Báo cáo chính thức của Sở Nội vụ ghi 195 điểm cầu"),
    ("add", VINH_LONG_2023, "dossiers_received", "Vĩnh Long", "2023", "year", "250000",
     "Phụ lục của báo cáo ghi 250.000 hồ sơ tiếp nhận"),
    # not applied, each saying why
    ("reject", LAI_CHAU_2024, "procedures_total", "Lai Châu", "2023", "year", "", "Không có số này"),
    ("set", "missing.txt", "procedures_total", "Lai Châu", "2024", "year", "2000", "Tệp không tồn tại"),
    ("set", LAI_CHAU_2024, "procedures_total", "Lai Châu", "2024", "year", "2,046", "Dấu phẩy"),
    ("add", LAI_CHAU_2024, "procedures_total", "Lai Châu", "2024", "year", "2046", "Đã có"),
    ("set", "ha_giang_2023.txt", "dossiers_received", "Hà Giang", "2023", "year", "120000", "Hai câu"),
    ("discard", LAI_CHAU_2024, "procedures_total", "Lai Châu", "2024", "year", "", "Sai thao tác"),
]


def corrections_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["action", "document", "metric_code", "province", "year", "period", "value", "reason",
                     "author", "date"])
    writer.writerows([*row, "Nguyễn Thị Test", "2026-12-01"] for row in CORRECTIONS)
    return out.getvalue()


def guide_blocks(section: str) -> list[str]:
    text = BI_GUIDE.split(f"\n## {section}\n")[1].split("\n## ")[0]
    return re.findall(r"```sql\n(.*?)```", text, re.S)


CORRECTIONS_QUERY, TARGETS_QUERY, PROVINCE34_QUERY = guide_blocks(
    "Corrections, targets against actuals, and the 34 provinces")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = tmp_path_factory.mktemp("reports")
    shutil.copytree(BUNDLED_REPORTS, reports, dirs_exist_ok=True)
    manifest = (reports / "manifest.csv").read_text(encoding="utf-8")
    for name, (row, text) in ADDED.items():
        (reports / name).write_text(text, encoding="utf-8")
        manifest += f"{name},{row},,\n"
    (reports / "manifest.csv").write_text(manifest, encoding="utf-8")
    (reports / "corrections.csv").write_text(corrections_csv(), encoding="utf-8")
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
