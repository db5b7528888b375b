"""The data_quality_issues table: one row per consistency finding or failed blocking check."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from dagster_project.quality.blocking import CheckResult

# Column types other than varchar.
SQL_TYPES = {"expected_value": "double", "observed_value": "double", "detected_at": "timestamp"}


@dataclass
class Finding:
    """One row of data_quality_issues; the field order is the column order."""

    issue_id: str
    check_name: str
    severity: str  # blocking | error (a figure that cannot be) | finding
    table_name: str
    province_id: str | None
    province_code: str | None
    period_id: str | None
    metric_codes: str | None  # comma-separated
    observed_values: str | None  # 'metric=value; ...'
    expected_value: float | None
    observed_value: float | None
    message: str
    document_ids: str | None  # comma-separated
    evidence: str | None  # source sentences joined with ' | '
    detected_at: datetime


def issue_id(check_name: str, *keys: str | None) -> str:
    """Stable across refreshes, so an issue can be followed from one run to the next."""
    text = "|".join([check_name, *(key or "" for key in keys)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # DuckDB timestamp columns are naive: UTC


def blocking_issue(result: CheckResult, detected_at: datetime) -> Finding:
    return Finding(
        issue_id=issue_id(result.check_name, result.table_name),
        check_name=result.check_name,
        severity="blocking",
        table_name=result.table_name,
        province_id=None,
        province_code=None,
        period_id=None,
        metric_codes=None,
        observed_values="; ".join(f"{key}={value}" for key, value in result.observed.items()),
        expected_value=None,
        observed_value=None,
        message="Blocking checks failed: " + " | ".join(result.failures),
        document_ids=None,
        evidence=None,
        detected_at=detected_at,
    )


def write_quality_issues(
    con: duckdb.DuckDBPyConnection,
    results: list[CheckResult],
    findings: list[Finding],
    scope: pd.DataFrame | None = None,
) -> int:
    """Replace main.data_quality_issues (created even when empty); return the rows written.

    scope: the province-periods the findings were looked for in (findings.changed_scope): only
    the rows of those, and rows without a province, are replaced; the others stay as they were.
    """
    detected_at = utc_now()
    rows = [*findings, *(blocking_issue(r, detected_at) for r in results if not r.passed)]
    names = [f.name for f in fields(Finding)]
    columns = ", ".join(f"{name} {SQL_TYPES.get(name, 'varchar')}" for name in names)
    if scope is None:
        con.execute(f"create or replace table main.data_quality_issues ({columns})")
    else:
        con.execute("""
            delete from main.data_quality_issues as issue
            where issue.province_id is null or exists (
                select 1 from scope
                where scope.province_id = issue.province_id and scope.period_id = issue.period_id)""")
    if rows:
        placeholders = ", ".join("?" for _ in names)
        con.executemany(
            f"insert into main.data_quality_issues values ({placeholders})",
            [[getattr(row, name) for name in names] for row in rows],
        )
    return len(rows)
