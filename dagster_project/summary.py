"""The short summary a refresh prints: documents, facts per fact table, findings."""

from __future__ import annotations

from pathlib import Path

import duckdb

FACT_TABLES = (
    "fct_tasks", "fct_procedures", "fct_online_services", "fct_budget", "fct_staffing",
    "fct_reform_index", "fct_legal_documents",
)


# The reference tables are seeds of this repository, not files of the reports folder: no sha256.
CURRENT = "select count(*) from main.dim_document where sha256 is not null and status = 'current'"
HISTORY = "select count(*) from main.dim_document where sha256 is not null and status <> 'current'"
REJECTED = "select count(distinct file_path) from main.ingest_errors"
PROBLEMS = "select count(*) from main.ingest_errors"
FACTS = "select count(*) from main.fct_report_facts"
CORRECTIONS = ("select count(*) filter (where is_applied), count(*) filter (where not is_applied)"
               " from main.fct_corrections")
REFERENCE = ("select count(*) from main.fct_report_facts"
             " where document_id in (select document_id from main.dim_document where sha256 is null)")
NOT_IN_WIDE = {
    "targets": "fact_kind = 'target'",  # each says why a fact is not in a wide table
    "invalid": "fact_kind = 'actual' and invalid_reason is not null",
    "without a province": "fact_kind = 'actual' and invalid_reason is null and province_id is null",
    "alternatives not selected": "fact_kind = 'actual' and invalid_reason is null"
                                 " and province_id is not null and not is_selected",
}


def published_summary(warehouse_path: Path) -> str:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        def count(sql: str) -> int:
            return con.execute(sql).fetchone()[0]

        tables = [(table, *con.execute(f"select count(*), coalesce(sum(fact_count), 0) from main.{table}")
                   .fetchone()) for table in FACT_TABLES]
        outside = [f"{number} {label}" for label, where in NOT_IN_WIDE.items()
                   if (number := count(f"select count(*) from main.fct_report_facts where {where}"))]
        lines = [
            f"Published {warehouse_path}",
            f"  documents: {count(CURRENT)} current, {count(HISTORY)} superseded or withdrawn;"
            f" files with an ingest problem: {count(REJECTED)} ({count(PROBLEMS)} rows in ingest_errors)",
            f"  facts: {count(FACTS)}, of which {count(REFERENCE)} from the reference tables (PAR INDEX,"
            f" SIPAS); {sum(facts for _, _, facts in tables)} in the wide tables:",
        ]
        lines += [f"    {table:<22} {rows:>4} province-periods, {facts:>4} facts"
                  for table, rows, facts in tables]
        if outside:
            lines.append(f"    not in them: {', '.join(outside)}")
        lines.append(f"  findings: {count('select count(*) from main.data_quality_issues')}")
        corrections = con.execute(CORRECTIONS).fetchone()
        if any(corrections):
            lines.append(f"  corrections: {corrections[0]} applied, {corrections[1]} not applied"
                         " (why: fct_corrections.problem)")
    return "\n".join(lines)
