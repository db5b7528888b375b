"""A metric added to a copy of the metric catalog reaches its wide mart, its description and its
checks with no other file edited (dagster_project/marts_properties.py, macros/wide_mart.sql,
quality/rules.py catalog_rules)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.marts_properties import write_properties
from dagster_project.quality.catalog import load_catalog
from dagster_project.quality.rules import Base, ShareRule, catalog_rules
from dagster_project.settings import DBT_PROJECT_DIR, REFERENCE_DIR
from dagster_project.storage import write_raw_table

NEW_METRIC = {  # a share of a total the catalog has, of one of its parts
    "metric_code": "procedures_simplified_pct", "fact_table": "procedures", "unit": "pct",
    "label_vi": "Tỷ lệ TTHC được đơn giản hóa", "label_en": "Share of procedures simplified",
    "valid_min": "0", "valid_max": "100", "share_numerator": "procedures_simplified",
    "share_base": "procedures_total", "additive": "false",
}
SEEN = datetime(2026, 1, 1)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dbt project and the reference seeds, copied, with NEW_METRIC appended to the catalog."""
    root = tmp_path_factory.mktemp("catalog_flow")
    shutil.copytree(DBT_PROJECT_DIR, root / "dbt", ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(REFERENCE_DIR, root / "seeds" / "reference")
    catalog = root / "seeds" / "reference" / "metric_catalog.csv"
    with catalog.open(encoding="utf-8", newline="") as file:
        columns = csv.DictReader(file).fieldnames
    with catalog.open("a", encoding="utf-8", newline="") as file:
        row = {column: NEW_METRIC.get(column, "") for column in columns}
        csv.DictWriter(file, columns, lineterminator="\n").writerow(row)
    assert write_properties(root / "dbt", catalog)
    return root / "dbt"


def test_the_new_metric_is_a_described_column_of_its_wide_mart(project: Path) -> None:
    build, sentence = project.parent / "build.duckdb", "Đơn giản hóa 42,5% TTHC."
    write_raw_table(build, "documents", [{
        "document_id": "aaaa", "file_path": "a.txt", "sha256": "aaaa" * 4, "province_code": "14",
        "year": 2024, "period": "year", "doc_type": "report", "title": "a", "text": sentence,
        "char_count": len(sentence), "ingested_at": SEEN, "status": "current", "first_seen_at": SEEN,
        "last_seen_at": SEEN,
    }])
    write_raw_table(build, "facts", [{
        "fact_id": "aaaa:13:procedures_simplified_pct", "document_id": "aaaa", "province_code": "14",
        "year": 2024, "period": "year", "metric_code": "procedures_simplified_pct", "value": 42.5,
        "unit": "pct", "qualifier": "exact", "fact_kind": "actual", "evidence": sentence,
        "span_start": 13, "span_end": 18, "rule_id": "test", "extractor_version": "test", "confidence": 0.9,
    }])
    write_raw_table(build, "ingest_errors", [])
    write_raw_table(build, "corrections", [])
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        [str(dbt), "build", "--exclude-resource-type", "unit_test",
         "--project-dir", str(project), "--profiles-dir", str(project)],
        cwd=project, capture_output=True, text=True, env={**os.environ, "CCHC_BUILD_DB": str(build)},
    )
    assert done.returncode == 0, done.stdout[-3000:]
    with duckdb.connect(str(build), read_only=True) as con:
        row = con.execute("select procedures_simplified_pct from main.fct_procedures").fetchall()
        labelled = con.execute("select metric_label_vi, unit, value, sources_agreeing"
                               " from main.fct_metric_values"
                               " where metric_code = 'procedures_simplified_pct'").fetchall()
    assert row == [(42.5,)]
    assert labelled == [("Tỷ lệ TTHC được đơn giản hóa", "pct", 42.5, 1)]
    manifest = json.loads((project / "target" / "manifest.json").read_text(encoding="utf-8"))
    columns = manifest["nodes"]["model.cchc.fct_procedures"]["columns"]
    described = columns["procedures_simplified_pct"]["description"]
    assert described == "Share of procedures simplified (Tỷ lệ TTHC được đơn giản hóa); percent."


def test_the_new_metric_is_checked_against_its_base(project: Path) -> None:
    catalog = load_catalog(project.parent / "seeds" / "reference" / "metric_catalog.csv")
    shares = {rule.share: rule for rule in catalog_rules(catalog) if isinstance(rule, ShareRule)}
    expected = (Base("procedures_simplified", ("procedures_total",)),)
    assert shares["procedures_simplified_pct"].bases == expected
    assert shares["procedures_simplified_pct"].table_name == "fct_procedures"
