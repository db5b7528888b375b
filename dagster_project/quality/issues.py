"""The data_quality_issues table: one row per consistency finding or failed blocking check."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from dagster_project.quality.blocking import CheckResult

# Column types other than varchar.
SQL_TYPES = {"expected_value": "double", "observed_value": "double", "detected_at": "timestamp"}
# The table's COMMENT, which BI tools show (the dbt marts get theirs from dbt's persist_docs); its
# columns' are their fields' `comment`.
TABLE_COMMENT = ("Figures the sources disagree on, and impossible figures: one row per finding or failed"
                 " blocking check, with the figures and the sentences they come from.")


def _described(comment: str) -> Any:
    """A Finding field with its column's COMMENT."""
    return field(metadata={"comment": comment})


@dataclass
class Finding:
    """One row of data_quality_issues; the field order is the column order."""

    issue_id: str = _described("Key, stable across refreshes: the same finding keeps its id.")
    check_name: str = _described(
        "The rule that found it and what it found, e.g. public_investment_disbursed_pct_mismatch.")
    severity: str = _described(
        "finding (sources disagree), error (a figure its metric cannot take) or blocking.")
    table_name: str = _described("The table the figures are in (a wide fact table or fct_report_facts).")
    province_id: str | None = _described(
        "The province-level unit (dim_province); empty for a blocking check.")
    province_code: str | None = _described("Its code, as in the reports.")
    period_id: str | None = _described("The period (dim_period), e.g. 2024-year.")
    metric_codes: str | None = _described("The metrics compared, comma-separated (dim_metric).")
    observed_values: str | None = _described(
        "The figures compared, 'metric=value; ...', with their documents.")
    expected_value: float | None = _described(
        "What the rule expected (e.g. the total, the share from numerator and base).")
    observed_value: float | None = _described("What the source states.")
    message: str = _described("What is wrong, in one sentence.")
    document_ids: str | None = _described("The documents of the figures, comma-separated (dim_document).")
    evidence: str | None = _described("The source sentences of the figures, joined with ' | '.")
    detected_at: datetime = _described("When a refresh found it (UTC).")


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
        _comment(con)
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


def _comment(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"comment on table main.data_quality_issues is {_quoted(TABLE_COMMENT)}")
    for column in fields(Finding):
        comment = _quoted(column.metadata["comment"])
        con.execute(f"comment on column main.data_quality_issues.{column.name} is {comment}")


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
