"""dbt build through dagster-dbt: models materialised, dbt tests as asset checks, a failed test
stops the run; the models' unit tests pass."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest
from dagster_dbt import DbtCliResource

from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.warehouse.assets import cchc_dbt_models
from dagster_project.defs.warehouse.project import DBT_PROJECT
from dagster_project.settings import DBT_PROJECT_DIR, Settings
from dagster_project.storage import write_raw_table

SEEN = datetime(2026, 1, 1)


def document(document_id: str, path: str) -> dict:
    return {
        "document_id": document_id, "file_path": path, "sha256": document_id * 4, "province_code": "14",
        "year": 2024, "period": "year", "doc_type": "report", "title": path,
        "text": "Toàn tỉnh có 1.650 TTHC.", "char_count": 24, "ingested_at": SEEN, "status": "current",
        "first_seen_at": SEEN, "last_seen_at": SEEN,
    }


def fact(document_id: str) -> dict:
    return {
        "fact_id": f"{document_id}:13:procedures_total", "document_id": document_id, "province_code": "14",
        "year": 2024, "period": "year", "metric_code": "procedures_total", "value": 1650.0, "unit": "count",
        "qualifier": "exact", "fact_kind": "actual", "evidence": "Toàn tỉnh có 1.650 TTHC.", "span_start": 13,
        "span_end": 18, "rule_id": "procedures.total", "extractor_version": "test", "confidence": 0.9,
    }


def build(tmp_path: Path, documents: list[dict]) -> dg.ExecuteInProcessResult:
    settings = Settings(tmp_path / "reports", tmp_path / "cchc.duckdb")
    write_raw_table(settings.build_path, "documents", documents)
    write_raw_table(settings.build_path, "facts", [fact(documents[0]["document_id"])])
    write_raw_table(settings.build_path, "ingest_errors", [])
    write_raw_table(settings.build_path, "corrections", [])
    dbt = str(Path(sys.executable).with_name("dbt"))
    return dg.materialize(
        [cchc_dbt_models], raise_on_error=False,
        resources={
            "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt),
            "warehouse": WarehouseResource(reports_dir=str(settings.reports_dir),
                                           warehouse_path=str(settings.warehouse_path)),
        },
    )


def test_models_and_their_tests_are_reported(tmp_path: Path) -> None:
    result = build(tmp_path, [document("aaaa", "a.txt")])
    assert result.success
    built = {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    assert {"fct_tasks", "fct_report_facts", "dim_document"} <= built
    checks = result.get_asset_check_evaluations()
    assert {(c.asset_key, c.check_name) for c in checks} == {
        (key.asset_key, key.name) for key in cchc_dbt_models.check_keys
    }
    assert all(check.passed for check in checks)


def test_a_failed_dbt_test_fails_the_run_and_names_the_test(tmp_path: Path) -> None:
    result = build(tmp_path, [document("aaaa", "a.txt"), document("aaaa", "b.txt")])
    assert not result.success
    failed = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    assert "unique_stg_raw__documents_document_id" in failed


def test_the_unit_tests_of_the_models_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A refresh leaves them out: they check the SQL on fixed rows, here, on the built project."""
    build(tmp_path, [document("aaaa", "a.txt")])
    monkeypatch.setenv("CCHC_BUILD_DB", str(Settings(tmp_path, tmp_path / "cchc.duckdb").build_path))
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        [str(dbt), "test", "--select", "test_type:unit", "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert "test_selection_order" in done.stdout and "test_sources_agreeing" in done.stdout
    assert "test_target_met_by_direction_and_qualifier" in done.stdout
