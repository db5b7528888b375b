"""dbt build inside the Dagster process: assets and checks reported, a failed test stops the run;
the parsed project is reused until one of its files changes."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pytest
from dbt.cli.main import dbtRunner

from dagster_project.defs.warehouse import in_process
from dagster_project.defs.warehouse.assets import cchc_dbt_models
from dagster_project.defs.warehouse.in_process import build_in_process, parsed_manifest, passed_tests
from dagster_project.settings import DBT_PROJECT_DIR
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


def build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, documents: list[dict],
    checks: frozenset[dg.AssetCheckKey] = cchc_dbt_models.check_keys,
) -> list:
    build_path = tmp_path / "build.duckdb"
    monkeypatch.setenv("CCHC_BUILD_DB", str(build_path))
    write_raw_table(build_path, "documents", documents)
    write_raw_table(build_path, "facts", [fact(documents[0]["document_id"])])
    write_raw_table(build_path, "ingest_errors", [])
    events: list = []
    try:
        for event in build_in_process(cchc_dbt_models, checks):
            events.append(event)
    finally:
        with duckdb.connect(str(build_path)):  # the build file is free for the next stage
            pass
    return events


def test_models_and_their_tests_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = build(tmp_path, monkeypatch, [document("aaaa", "a.txt")])
    built = {e.asset_key.to_user_string() for e in events if isinstance(e, dg.MaterializeResult)}
    assert {"fct_tasks", "fct_report_facts", "dim_document"} <= built
    checks = [e for e in events if isinstance(e, dg.AssetCheckResult)]
    assert checks and all(check.passed for check in checks)


def test_tests_whose_checks_are_not_selected_are_listed_on_their_assets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `cchc refresh` runs the job: no check events, every test's outcome still on record."""
    events = build(tmp_path, monkeypatch, [document("aaaa", "a.txt")], checks=frozenset())
    assert not [e for e in events if isinstance(e, dg.AssetCheckResult)]
    listed = {
        f"{e.asset_key.to_user_string()}:{name}"
        for e in events if isinstance(e, (dg.MaterializeResult, dg.AssetObservation))
        for name in passed_tests(e.metadata or {})
    }
    assert listed == {f"{key.asset_key.to_user_string()}:{key.name}" for key in cchc_dbt_models.check_keys}


def test_a_failed_dbt_test_fails_the_stage_and_names_the_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(dg.Failure, match="unique_stg_raw__documents_document_id"):
        build(tmp_path, monkeypatch, [document("aaaa", "a.txt"), document("aaaa", "b.txt")])


def test_the_unit_tests_of_the_models_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A refresh leaves them out: they check the SQL on fixed rows, here, on the built project."""
    build(tmp_path, monkeypatch, [document("aaaa", "a.txt")])
    run_results = json.loads((DBT_PROJECT_DIR / "target" / "run_results.json").read_text(encoding="utf-8"))
    assert not [r for r in run_results["results"] if r["unique_id"].startswith("unit_test.")]
    result = dbtRunner().invoke(["test", "--select", "test_type:unit", *in_process.DBT_ARGS])
    in_process._release_build_file()
    assert result.success
    assert {r.node.name for r in result.result.results} >= {"test_selection_order", "test_sources_agreeing"}


class FakeDbt:
    """Stands in for dbtRunner: counts the parses; each gives a new manifest, or None when failing."""

    def __init__(self) -> None:
        self.parses, self.failing = 0, False

    def __call__(self, manifest=None) -> FakeDbt:
        return self

    def invoke(self, args: list[str]) -> SimpleNamespace:
        assert args[0] == "parse"
        self.parses += 1
        return SimpleNamespace(result=None if self.failing else object())


def test_the_parsed_project_is_kept_until_a_file_or_the_build_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "models" / "fct.sql"
    model.parent.mkdir()
    model.write_text("select 1", encoding="utf-8")
    dbt = FakeDbt()
    monkeypatch.setattr(in_process, "DBT_INPUTS", (tmp_path / "models",))
    monkeypatch.setattr(in_process, "dbtRunner", dbt)
    monkeypatch.setattr(in_process, "_parsed", {})
    monkeypatch.setenv("CCHC_BUILD_DB", str(tmp_path / "a.duckdb"))
    first = parsed_manifest()
    assert parsed_manifest() is first and dbt.parses == 1
    touched = model.stat().st_mtime_ns + 1_000_000_000
    os.utime(model, ns=(touched, touched))
    second = parsed_manifest()
    assert second is not first and dbt.parses == 2
    monkeypatch.setenv("CCHC_BUILD_DB", str(tmp_path / "b.duckdb"))
    assert parsed_manifest() is not second and dbt.parses == 3
    dbt.failing = True
    model.write_text("select 2", encoding="utf-8")
    assert parsed_manifest() is None and parsed_manifest() is None  # a failed parse is not kept
    assert dbt.parses == 5
