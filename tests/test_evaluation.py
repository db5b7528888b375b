"""The extractor meets its accuracy targets on the hand-labelled gold sets (see `make eval`)."""

from pathlib import Path

from dagster_project.extraction.evaluation import evaluate_passages, evaluate_reports

FIXTURES = Path(__file__).parent / "fixtures"
REPORTS = Path(__file__).parents[1] / "seeds" / "reports"


def test_bundled_reports_precision_and_recall() -> None:
    score = evaluate_reports(REPORTS, FIXTURES / "gold_bundled.yaml").overall
    assert score.precision >= 0.98 and score.recall >= 0.95, score


def test_labelled_passages_precision_and_recall() -> None:
    evaluation = evaluate_passages(FIXTURES / "labelled_passages.yaml")
    assert evaluation.overall.precision >= 0.95 and evaluation.overall.recall >= 0.85
    assert set(evaluation.by_table) == {
        "tasks", "legal_documents", "procedures", "online_services", "budget", "staffing",
        "reform_index",
    }
