"""The short summary a refresh prints: documents, facts per fact table, findings."""

from __future__ import annotations

from pathlib import Path

import duckdb

FACT_TABLES = (
    "fct_tasks", "fct_procedures", "fct_online_services", "fct_budget", "fct_staffing",
    "fct_reform_index", "fct_legal_documents",
)


CURRENT = "select count(*) from raw.documents where status = 'current'"
HISTORY = "select count(*) from raw.documents where status <> 'current'"
REJECTED = "select count(*) from main.ingest_errors"
FACTS = "select count(*) from main.fct_report_facts"


def published_counts(warehouse_path: Path) -> tuple[int, int, int]:
    """Current documents, facts and rejected inputs of the published file."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return tuple(con.execute(sql).fetchone()[0] for sql in (CURRENT, FACTS, REJECTED))


def published_summary(warehouse_path: Path) -> str:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        def count(sql: str) -> int:
            return con.execute(sql).fetchone()[0]

        lines = [
            f"Published {warehouse_path}",
            f"  documents: {count(CURRENT)} current, {count(HISTORY)} superseded or withdrawn"
            f" (rejected inputs: {count(REJECTED)})",
            f"  facts: {count(FACTS)}",
        ]
        for table in FACT_TABLES:
            rows, facts = con.execute(
                f"select count(*), coalesce(sum(fact_count), 0) from main.{table}"
            ).fetchone()
            lines.append(f"    {table:<22} {rows:>4} province-periods, {facts:>4} facts")
        lines.append(f"  findings: {count('select count(*) from main.data_quality_issues')}")
    return "\n".join(lines)
