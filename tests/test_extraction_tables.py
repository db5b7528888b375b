"""Tables inside documents: each value cell is a figure, its row the evidence, the cell the span.

Tables written for these tests, in the shapes the readers produce (.docx and .html rows as "a | b")
and as Markdown in a text report.
"""

from __future__ import annotations

from dagster_project.extraction import DocumentContext, extract_facts

REPORT = DocumentContext(province_code="35", year=2023, period="year", doc_type="report")
RANKING = DocumentContext(province_code=None, year=2023, period="year", doc_type="news", national=True)


def facts_of(text: str, context: DocumentContext) -> list[tuple]:
    return [(f.metric_code, f.value, f.province_code, f.fact_kind, text[f.span_start:f.span_end], f.evidence)
            for f in extract_facts(text, context)]


def test_label_and_value_rows_are_figures_with_the_row_as_evidence() -> None:
    text = ("Kết quả một số chỉ tiêu năm 2023:\nChỉ tiêu | Kết quả\nSố TTHC được đơn giản hóa | 29\n"
            "Tỷ lệ giải ngân vốn đầu tư công | 91,4%")
    assert facts_of(text, REPORT) == [
        ("procedures_simplified", 29, "35", "actual", "29", "Số TTHC được đơn giản hóa | 29"),
        ("public_investment_disbursed_pct", 91.4, "35", "actual", "91,4",
         "Tỷ lệ giải ngân vốn đầu tư công | 91,4%"),
    ]


def test_a_plan_column_holds_targets_and_a_result_column_actuals() -> None:
    text = ("Bảng: kết quả thực hiện\nChỉ tiêu | Kế hoạch năm 2023 | Kết quả năm 2023\n"
            "Tỷ lệ hồ sơ giải quyết đúng hạn (%) | 98 | 99,2")
    assert [(metric, value, kind) for metric, value, _, kind, _, _ in facts_of(text, REPORT)] == [
        ("dossiers_on_time_pct", 98, "target"), ("dossiers_on_time_pct", 99.2, "actual")]


def test_a_ranking_table_gives_each_province_its_score_and_rank() -> None:
    text = ("Kết quả Chỉ số CCHC năm 2023 của 63 tỉnh, thành phố như sau:\n"
            "STT | Tỉnh, thành phố | Điểm | Xếp hạng\n1 | Bắc Ninh | 90,02 | 3\n2 | Lạng Sơn | 84,51 | 30")
    assert [(metric, value, province) for metric, value, province, *_ in facts_of(text, RANKING)] == [
        ("par_index_score", 90.02, "27"), ("par_index_rank", 3, "27"),
        ("par_index_score", 84.51, "20"), ("par_index_rank", 30, "20")]


def test_a_markdown_table_is_read_like_the_readers_tables() -> None:
    text = ("Kết quả Chỉ số CCHC năm 2023 của 63 tỉnh, thành phố như sau:\n\n"
            "| STT | Tỉnh, thành phố | Điểm | Xếp hạng |\n|---|---|:---:|---|\n| 1 | Bắc Ninh | 90,02 | 3 |")
    assert [(metric, value, span) for metric, value, _, _, span, _ in facts_of(text, RANKING)] == [
        ("par_index_score", 90.02, "90,02"), ("par_index_rank", 3, "3")]
