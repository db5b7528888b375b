"""The Dagster definitions load, with the refresh job, its schedule, sensor and quality checks."""

from pathlib import Path

import dagster as dg
import pytest

from dagster_project.definitions import defs


def test_definitions_load_with_job_schedule_and_checks() -> None:
    definitions = defs()
    job = definitions.resolve_job_def("refresh")
    assert job.name == "refresh"
    schedule = definitions.resolve_schedule_def("nightly_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Asia/Ho_Chi_Minh")
    assert schedule.tags == {"cchc/full_refresh": "true"}  # the nightly run reconciles everything
    keys = {key.to_user_string() for key in definitions.resolve_asset_graph().get_all_asset_keys()}
    expected = {
        "raw/documents", "raw/table_facts", "raw/facts", "raw/ingest_errors", "dim_province", "dim_period",
        "dim_metric", "dim_document", "fct_report_facts", "fct_tasks", "fct_procedures",
        "fct_online_services", "fct_budget", "fct_staffing", "fct_reform_index",
        "fct_legal_documents", "ingest_errors", "data_quality_issues", "published_warehouse",
    }
    assert expected <= keys
    check_keys = definitions.resolve_asset_graph().asset_check_keys
    assert dg.AssetCheckKey(dg.AssetKey("fct_tasks"), "great_expectations") in check_keys


def test_sensor_starts_a_refresh_when_reports_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_REPORTS_DIR", str(tmp_path))
    (tmp_path / "a.txt").write_text("Báo cáo năm 2024", encoding="utf-8")
    sensor = defs().resolve_sensor_def("reports_folder_changed")

    def evaluate(cursor: str | None):
        with dg.build_sensor_context(cursor=cursor) as context:
            return sensor.evaluate_tick(context)

    first = evaluate(None)
    assert len(first.run_requests) == 1
    assert evaluate(first.cursor).skip_message == "no report added, changed or removed"
    (tmp_path / "b.txt").write_text("Báo cáo năm 2025", encoding="utf-8")
    changed = evaluate(first.cursor)
    assert len(changed.run_requests) == 1 and changed.cursor != first.cursor
