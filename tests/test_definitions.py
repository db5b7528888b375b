"""The Dagster definitions load, with the refresh job, its schedule, sensor and quality checks."""

import json
import os
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.definitions import defs
from dagster_project.fingerprint import record_folder, recorded_folder


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
        "raw/corrections", "fct_corrections", "fct_metric_values", "fct_targets", "fct_province34",
    }
    assert expected <= keys
    check_keys = definitions.resolve_asset_graph().asset_check_keys
    assert dg.AssetCheckKey(dg.AssetKey("fct_report_facts"), "great_expectations") in check_keys


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


def test_at_start_the_sensor_refreshes_only_if_the_folder_changed_since_publication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports, warehouse = tmp_path / "reports", tmp_path / "warehouse"
    reports.mkdir()
    warehouse.mkdir()
    monkeypatch.setenv("CCHC_REPORTS_DIR", str(reports))
    monkeypatch.setenv("CCHC_WAREHOUSE", str(warehouse / "cchc.duckdb"))
    (reports / "a.txt").write_text("Báo cáo năm 2024", encoding="utf-8")
    (reports / os.fsdecode(b"b\xe1o-c\xe1o.txt")).write_text("Báo cáo năm 2023", encoding="utf-8")
    record_folder(reports, tmp_path / "build")  # as the published refresh read it
    (warehouse / "manifest.json").write_text(
        json.dumps({"reports_fingerprint": recorded_folder(tmp_path / "build")}), encoding="utf-8")
    sensor = defs().resolve_sensor_def("reports_folder_changed")

    def evaluate(cursor: str | None):
        with dg.build_sensor_context(cursor=cursor) as context:
            return sensor.evaluate_tick(context)

    started = evaluate(None)
    assert started.run_requests == [] and started.cursor == recorded_folder(tmp_path / "build")
    (reports / "b.txt").write_text("Báo cáo năm 2025", encoding="utf-8")
    assert len(evaluate(None).run_requests) == 1


def test_models_are_grouped_by_layer_and_every_check_is_described() -> None:
    graph = defs().resolve_asset_graph()
    groups = {spec.group_name for assets in graph.assets_defs for spec in assets.specs}
    assert {"reference", "staging", "intermediate", "marts"} <= groups and "default" not in groups
    described = [spec.description for assets in graph.assets_defs for spec in assets.check_specs]
    assert described and all(described)
    assert "dbt test unique of fact_id" in described
