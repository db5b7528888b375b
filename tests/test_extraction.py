"""Table-driven extraction tests: realistic sentences written for these tests, not the bundled ones."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from dagster_project.extraction import DocumentContext, explain, extract_facts

CONTEXT = DocumentContext(province_code="31", year=2023, period="year", doc_type="report")


@dataclass(frozen=True)
class Example:
    text: str
    expected: dict[str, float]  # metric_code -> value (every fact, nothing else)
    qualifiers: dict[str, str] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)
    kind: str = "actual"


EXAMPLES = {
    "tasks_breakdown": Example(
        "Năm 2023, tỉnh được Chính phủ, Thủ tướng Chính phủ giao 152 nhiệm vụ; đã hoàn thành "
        "đúng hạn 120 nhiệm vụ, hoàn thành nhưng trễ hạn 7 nhiệm vụ, đang thực hiện 25 nhiệm vụ.",
        {"gov_tasks_assigned": 152, "gov_tasks_completed_on_time": 120,
         "gov_tasks_completed_late": 7, "gov_tasks_in_progress": 25},
    ),
    "tasks_fraction": Example(
        "Đối với nhiệm vụ Thủ tướng Chính phủ giao, tỉnh đã hoàn thành đúng hạn 45/51 nhiệm vụ.",
        {"gov_tasks_completed_on_time": 45, "gov_tasks_assigned": 51},
    ),
    "procedures_levels": Example(
        "Hiện nay, toàn tỉnh có 1.874 TTHC, trong đó cấp tỉnh 1.420 TTHC, cấp huyện 289 TTHC, "
        "cấp xã 165 TTHC.",
        {"procedures_total": 1874, "procedures_province_level": 1420,
         "procedures_district_level": 289, "procedures_commune_level": 165},
    ),
    "legal_documents_by_level": Example(
        "Trong năm, HĐND, UBND tỉnh đã ban hành 57 văn bản QPPL cấp tỉnh và 12 văn bản QPPL cấp huyện.",
        {"legal_docs_issued_province": 57, "legal_docs_issued_district": 12},
    ),
    "checked_documents_are_not_issued": Example(
        "Sở Tư pháp đã tự kiểm tra 40 văn bản QPPL cấp tỉnh.",
        {},
    ),
    "budget_money_units": Example(
        "Tổng thu ngân sách địa phương đạt 21.350 tỷ đồng.",
        {"local_budget_revenue_million_vnd": 21_350_000},
    ),
    "budget_plan_and_share": Example(
        "Thu ngân sách nhà nước theo dự toán được giao là 4.200.000 triệu đồng, ước thực hiện cả năm "
        "đạt 4.410.000 triệu đồng, đạt 105% so với dự toán.",
        {"state_revenue_plan_million_vnd": 4_200_000, "state_revenue_million_vnd": 4_410_000,
         "state_revenue_pct_of_plan": 105},
        # "ước" makes the estimate and the share it continues approximate (the labelling guide)
        qualifiers={"state_revenue_plan_million_vnd": "exact", "state_revenue_million_vnd": "about",
                    "state_revenue_pct_of_plan": "about"},
    ),
    "change_is_not_a_level": Example(
        "Thu ngân sách nhà nước tăng 12% so với dự toán trung ương giao.",
        {},
    ),
    "par_index_score_and_rank": Example(
        "Chỉ số CCHC năm 2022 của tỉnh đạt 86,12%, xếp thứ 21/63 tỉnh, thành phố.",
        {"par_index_score": 86.12, "par_index_rank": 21},
        years={"par_index_score": 2022, "par_index_rank": 2022},
    ),
    "par_rank_change_is_ignored": Example(
        "Chỉ số cải cách hành chính của tỉnh tăng 7 bậc so với năm trước.",
        {},
    ),
    "sipas_after_par": Example(
        "Chỉ số CCHC đạt 88,40 điểm, xếp thứ 15/63; Chỉ số hài lòng đạt 83,12%, xếp thứ 30/63.",
        {"par_index_score": 88.40, "par_index_rank": 15, "sipas_score_pct": 83.12,
         "sipas_rank": 30},
    ),
    "regional_rank_is_not_national": Example(
        "Chỉ số CCHC của tỉnh xếp thứ 3/14 tỉnh khu vực miền núi phía Bắc.",
        {},
    ),
    "dossiers_qualifier": Example(
        "Các cơ quan đã tiếp nhận hơn 215.300 hồ sơ, tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,5%.",
        {"dossiers_received": 215_300, "dossiers_on_time_pct": 98.5},
        qualifiers={"dossiers_received": "more_than", "dossiers_on_time_pct": "exact"},
    ),
    "count_in_millions": Example(
        "Trong năm, toàn tỉnh tiếp nhận 1,2 triệu hồ sơ.",
        {"dossiers_received": 1_200_000},
    ),
    "online_services_breakdown": Example(
        "Tỉnh cung cấp 1.650 dịch vụ công trực tuyến, gồm 612 DVCTT toàn trình và 1.038 DVCTT một phần.",
        {"online_services_total": 1650, "online_services_full": 612,
         "online_services_partial": 1038},
    ),
    "prior_year_in_parentheses": Example(
        "Đã phê duyệt phương án đơn giản hóa 40 TTHC (năm 2022 là 35 TTHC).",
        {"procedures_simplified": 40},
        years={"procedures_simplified": 2023},
    ),
    "staff_cuts": Example(
        "Giai đoạn này toàn tỉnh đã giảm 120 biên chế công chức và sắp xếp giảm 35 đơn vị sự nghiệp "
        "công lập.",
        {"civil_servant_positions_reduced": 120, "public_service_units_reduced": 35},
    ),
    "recruitment_pair": Example(
        "Có 41 công chức và 230 viên chức được tuyển dụng trong năm.",
        {"civil_servants_recruited": 41, "public_employees_recruited": 230},
    ),
    "document_numbers_are_not_figures": Example(
        "Thực hiện Quyết định số 1520/QĐ-UBND ngày 12/7/2023 và Nghị quyết 18-NQ/TW, tỉnh tổ chức "
        "hội nghị; liên hệ 0212 3852 111.",
        {},
    ),
    "target_is_not_actual": Example(
        "Phấn đấu đến năm 2025, tỷ lệ hồ sơ giải quyết đúng hạn đạt 99%.",
        {"dossiers_on_time_pct": 99},
        years={"dossiers_on_time_pct": 2025},  # a target keeps its horizon year
        kind="target",
    ),
    "comparison_with_prior_year_figure": Example(
        "Tỷ lệ hồ sơ được xử lý trực tuyến năm 2023 đạt 61,4%, cao hơn so với năm 2022 (47,9%).",
        {"online_dossier_rate_pct": 61.4},
    ),
    "threshold_qualifier": Example(
        "Năm 2023, thu ngân sách nhà nước trên địa bàn lần đầu vượt mốc 12.000 tỷ đồng.",
        {"state_revenue_million_vnd": 12_000_000},
        qualifiers={"state_revenue_million_vnd": "more_than"},
    ),
    "bullet_list_under_a_heading": Example(
        "Kết quả thực hiện nhiệm vụ Thủ tướng Chính phủ giao:\n- Tổng số nhiệm vụ: 64;\n"
        "- Đã hoàn thành đúng hạn: 51;\n- Đang thực hiện trong hạn: 13.",
        {"gov_tasks_assigned": 64, "gov_tasks_completed_on_time": 51, "gov_tasks_in_progress": 13},
    ),
    "national_figure_is_not_the_provinces": Example(
        "Cả nước có 4.410 dịch vụ công trực tuyến được cung cấp trên Cổng Dịch vụ công quốc gia.",
        {},
    ),
    "a_city_inside_the_province": Example(
        "Năm 2023, thành phố Điện Biên Phủ tiếp nhận 9.120 hồ sơ.",
        {},
    ),
    "published_list_total_is_not_the_procedures_in_force": Example(
        "Chủ tịch UBND tỉnh ban hành 9 quyết định công bố danh mục với tổng số 214 TTHC, trong đó "
        "57 TTHC bị bãi bỏ.",
        {"procedure_publication_decisions": 9, "procedures_abolished": 57},
    ),
    "online_share_after_the_online_count": Example(
        "Các cơ quan tiếp nhận 98.410 hồ sơ, trong đó tiếp nhận trực tuyến 51.300 hồ sơ (chiếm 52,13%).",
        {"dossiers_received": 98_410, "online_dossier_rate_pct": 52.13},
    ),
    "revenue_in_the_province_without_nha_nuoc": Example(
        "Tổng thu ngân sách trên địa bàn năm 2023 đạt 9.430 tỷ đồng.",
        {"state_revenue_million_vnd": 9_430_000},
    ),
    "systems_connected_to_lgsp": Example(
        "Tỉnh đã kết nối 17 hệ thống thông tin với nền tảng LGSP.",
        {"lgsp_connected_systems": 17},
    ),
    "procedures_total_noun_first_with_breakdown": Example(
        "Tổng số TTHC thuộc thẩm quyền giải quyết của tỉnh: 1.760 TTHC (cấp tỉnh: 1.391; "
        "cấp huyện: 236; cấp xã: 133).",
        {"procedures_total": 1760, "procedures_province_level": 1391,
         "procedures_district_level": 236, "procedures_commune_level": 133},
    ),
    "inspection_by_the_steering_committee": Example(
        "Ban Chỉ đạo CCHC tỉnh tổ chức 03 đoàn kiểm tra tại 21 cơ quan, đơn vị, địa phương.",
        {"cchc_inspected_units": 21},
    ),
    "ranks_in_words": Example(
        "Theo kết quả công bố Chỉ số CCHC năm 2023, Hải Phòng dẫn đầu cả nước với 90,18 điểm, "
        "Thái Nguyên đứng thứ hai với 89,93 điểm.",
        {"par_index_rank": 1, "par_index_score": 90.18},
        years={"par_index_rank": 2023, "par_index_score": 2023},
    ),
    "head_of_agency_is_not_a_rank": Example(
        "Nâng cao trách nhiệm của người đứng đầu trong cải thiện Chỉ số CCHC, phấn đấu đạt 90 điểm.",
        {"par_index_score": 90},
        kind="target",
    ),
    "video_and_lgsp": Example(
        "Hệ thống hội nghị truyền hình trực tuyến có 156 điểm cầu; nền tảng LGSP đã kết nối với "
        "21 hệ thống thông tin.",
        {"video_conference_points": 156, "lgsp_connected_systems": 21},
    ),
    "running_total_since_an_earlier_year_is_not_the_years": Example(
        "Năm 2023, tỉnh giải thể 6 đơn vị sự nghiệp công lập; cộng dồn từ năm 2018 đến nay đã giảm "
        "87 đơn vị.",
        {"public_service_units_reduced": 6},
    ),
    "running_total_opening_the_sentence": Example(
        "Từ năm 2016 đến nay, toàn tỉnh đã giảm 213 đơn vị sự nghiệp công lập.",
        {},
    ),
    "self_financing_units_are_a_subset": Example(
        "Toàn tỉnh có 58 đơn vị sự nghiệp công lập tự chủ chi thường xuyên.",
        {},
    ),
    "what_a_plan_holds_is_not_done": Example(
        "Trong năm, Sở Nội vụ tham mưu UBND tỉnh hoàn thành kế hoạch cải cách hành chính với 28 nhiệm vụ.",
        {"cchc_plan_tasks": 28},
    ),
    "completed_within_the_deadline": Example(
        "Đến cuối năm, tỉnh đã hoàn thành thời hạn 41/47 nhiệm vụ Chính phủ giao.",
        {"gov_tasks_completed_on_time": 41, "gov_tasks_assigned": 47},
    ),
    "tasks_assigned_by_whom": Example(
        "Trong năm 2023, tỉnh nhận được 96 nhiệm vụ do Chính phủ, Thủ tướng Chính phủ giao.",
        {"gov_tasks_assigned": 96},
    ),
    "a_gloss_in_parentheses_restates_the_topic": Example(
        "Kế hoạch vốn đầu tư công (chi đầu tư phát triển) được giao là 3.120.400 triệu đồng, ước thực "
        "hiện chi được 2.985.000 triệu đồng.",
        {"public_investment_plan_million_vnd": 3_120_400,
         "public_investment_disbursed_million_vnd": 2_985_000},
        qualifiers={"public_investment_plan_million_vnd": "exact",
                    "public_investment_disbursed_million_vnd": "about"},
    ),
}


@pytest.mark.parametrize("example", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_extracts_exactly_the_stated_figures(example: Example) -> None:
    facts = extract_facts(example.text, CONTEXT)
    by_metric = {}
    for fact in facts:
        if fact.year == CONTEXT.year or fact.metric_code in example.years:
            by_metric.setdefault(fact.metric_code, fact)
    assert {m: f.value for m, f in by_metric.items()} == pytest.approx(example.expected)
    for metric, qualifier in example.qualifiers.items():
        assert by_metric[metric].qualifier == qualifier
    for metric, year in example.years.items():
        assert by_metric[metric].year == year
    assert {f.fact_kind for f in facts} <= {example.kind}


def test_restated_prior_year_becomes_a_fact_of_that_year() -> None:
    facts = extract_facts("Đã phê duyệt phương án đơn giản hóa 40 TTHC (năm 2022 là 35 TTHC).", CONTEXT)
    assert {(f.year, f.value) for f in facts} == {(2023, 40), (2022, 35)}


def test_spans_point_at_the_figure_in_the_text() -> None:
    text = "Mở đầu.\nToàn tỉnh có 2.310 TTHC đang thực hiện."
    (fact,) = extract_facts(text, CONTEXT)
    assert text[fact.span_start:fact.span_end] == "2.310"
    assert fact.evidence == "Toàn tỉnh có 2.310 TTHC đang thực hiện."
    assert fact.rule_id and fact.confidence > 0


def test_directive_figures_are_targets() -> None:
    directive = DocumentContext("12", 2021, "year", "directive")
    facts = extract_facts("Tỉnh cung cấp 900 dịch vụ công trực tuyến.", directive)
    assert [f.fact_kind for f in facts] == ["target"]


def test_explain_lists_every_number_with_a_reason() -> None:
    text = "Theo Quyết định số 15/QĐ-UBND, năm 2023 toàn tỉnh có 1.874 TTHC và tăng 12 TTHC."
    reasons = {item.stated: (item.taken, item.reason) for item in explain(text, CONTEXT)}
    assert reasons["15"] == (False, "identifier, date or contact (masked)")
    assert reasons["2023"] == (False, "a year (dates the clause)")
    assert reasons["1.874"][0] and reasons["1.874"][1].startswith("procedures_total = 1874")
    assert reasons["12"] == (False, "a change, not a level")


def test_page_furniture_is_ignored() -> None:
    page = (
        "Toàn tỉnh có 1.500 TTHC.\n\nTin liên quan\n\n"
        "Toàn tỉnh có 1.200 TTHC theo báo cáo quý (12/03/2021 8:00:00 SA)\n"
        "Điện thoại: 0213 3876 650"
    )
    assert [f.value for f in extract_facts(page, CONTEXT)] == [1500]


def test_figures_of_a_named_district_or_department_are_not_the_provinces() -> None:
    assert extract_facts("Huyện Mường Tè đã tiếp nhận 5.210 hồ sơ.", CONTEXT) == []
    assert extract_facts("Sở Tư pháp đã tiếp nhận 812 hồ sơ.", CONTEXT) == []


def test_a_named_province_owns_its_clause() -> None:
    facts = extract_facts(
        "Chỉ số CCHC năm 2023 của tỉnh Quảng Ninh đạt 91,27%, xếp thứ 1/63.", CONTEXT
    )
    assert {(f.metric_code, f.province_code) for f in facts} == {
        ("par_index_score", "22"), ("par_index_rank", "22")
    }


def test_a_stock_at_the_time_of_the_report_is_the_documents_period() -> None:
    annual = DocumentContext(province_code="14", year=2024, period="year", doc_type="report")
    facts = extract_facts("Tính đến thời điểm báo cáo, toàn tỉnh có 1.733 TTHC. Tính đến tháng 9, "
                          "toàn tỉnh đã tiếp nhận 40.120 hồ sơ.", annual)
    assert [(f.metric_code, f.period) for f in facts] == [
        ("procedures_total", "year"), ("dossiers_received", "ytd")]


@pytest.mark.parametrize(("period", "flow_period"), [("9M", "9M"), ("year", "ytd")])
def test_until_a_day_flows_are_year_to_date_and_stocks_the_documents(period: str, flow_period: str) -> None:
    context = DocumentContext(province_code="38", year=2024, period=period, doc_type="report")
    facts = extract_facts("Đến ngày 15/9/2024, toàn tỉnh có 1.688 TTHC thuộc thẩm quyền giải quyết. "
                          "Đến hết tháng 9, toàn tỉnh giải ngân được 3.210 tỷ đồng vốn đầu tư công. "
                          "Đến ngày 15/9/2024, toàn tỉnh giải ngân 3.105 tỷ đồng vốn đầu tư công.", context)
    assert [(f.value, f.period) for f in facts] == [
        (1688.0, period), (3_210_000.0, flow_period), (3_105_000.0, "ytd")]


def test_a_same_period_figure_in_parentheses_keeps_the_period() -> None:
    half_year = DocumentContext(province_code="64", year=2022, period="H1", doc_type="report")
    facts = extract_facts("6 tháng đầu năm 2022, tỷ lệ hồ sơ giải quyết đúng hạn đạt 97,83% (cùng kỳ năm "
                          "2021 là 96,40%); tỷ lệ hồ sơ trực tuyến đạt 52,7%, cùng kỳ năm 2021 là 38,5%.",
                          half_year)
    assert [(f.value, f.year, f.period) for f in facts] == [
        (97.83, 2022, "H1"), (96.4, 2021, "H1"), (52.7, 2022, "H1"), (38.5, 2021, "H1")]


def test_figures_take_the_documents_period_unless_the_clause_names_another_year() -> None:
    half_year = DocumentContext(province_code="14", year=2025, period="H1", doc_type="report")
    facts = extract_facts(
        "Trong 6 tháng đầu năm 2025, toàn tỉnh có 1.650 TTHC (năm 2024 là 1.700 TTHC).", half_year
    )
    assert [(f.value, f.year, f.period) for f in facts] == [(1650.0, 2025, "H1"), (1700.0, 2024, "year")]
