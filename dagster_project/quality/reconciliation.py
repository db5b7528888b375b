"""Frames for the blocking reconciliation suites in expectations/reconciliation/.

No fact may be lost between stages: every raw fact reaches fct_report_facts (its document is
current) or fct_report_facts_history (superseded or withdrawn) unchanged, and the wide tables hold
exactly the selected facts (long vs wide). Each frame has one row per fact or
cell on both sides of a stage, so GX names the facts that fail by their key columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dagster_project.quality.catalog import Metric

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

# The reconciliation checks are attached to the long fact table, the stage both sides meet at.
RECONCILED_TABLE = "fct_report_facts"


@dataclass(frozen=True)
class Reconciliation:
    name: str  # the suite file in expectations/reconciliation/ and the asset check name
    key_columns: tuple[str, ...]  # quoted in a failure, to name the facts
    frame: Callable[[duckdb.DuckDBPyConnection, list[Metric]], pd.DataFrame]


def raw_facts_frame(con: duckdb.DuckDBPyConnection, catalog: list[Metric]) -> pd.DataFrame:
    """One row per raw fact, with the row of the same fact_id in fct_report_facts or, for a
    document no longer current, fct_report_facts_history (null if lost).

    Which of the two a fact belongs in is a dbt test (assert_facts_split_by_document_status).
    """
    return con.sql(
        """
        with report_facts as (
            select fact_id, value from main.fct_report_facts
            union all
            select fact_id, value from main.fct_report_facts_history
        )
        select raw_facts.fact_id, raw_facts.value as raw_value,
            report_facts.fact_id as report_fact_id, report_facts.value as report_value
        from raw.facts as raw_facts
        left join report_facts
            on raw_facts.fact_id = report_facts.fact_id
        order by raw_facts.fact_id
        """
    ).df()


def wide_tables_frame(con: duckdb.DuckDBPyConnection, catalog: list[Metric]) -> pd.DataFrame:
    """Selected facts with a province against the non-empty cells of the wide tables.

    A full join: a fact without its cell and a cell without its fact both leave one side null.
    """
    cells = " union all ".join(_unpivoted_cells(con, catalog))
    return con.sql(
        f"""
        with cells as ({cells}),
        facts as (
            select 'fct_' || fact_table as table_name, province_id || '|' || period_id
                as province_period_id, metric_code, fact_id, value as fact_value
            from main.fct_report_facts
            where is_selected and province_id is not null
        )
        select coalesce(facts.table_name, cells.table_name) as table_name,
            coalesce(facts.province_period_id, cells.province_period_id) as province_period_id,
            coalesce(facts.metric_code, cells.metric_code) as metric_code,
            facts.fact_id, facts.fact_value, cells.cell_value
        from facts
        full join cells
            on facts.table_name = cells.table_name
            and facts.province_period_id = cells.province_period_id
            and facts.metric_code = cells.metric_code
        order by all
        """
    ).df()


def _unpivoted_cells(con: duckdb.DuckDBPyConnection, catalog: list[Metric]) -> list[str]:
    """One query per wide table: (table, province_period_id, metric, value) of each filled cell.

    Catalog metrics missing from their table are left out, so their facts show up as lost.
    """
    present = table_columns(con)
    queries = []
    for table in sorted({metric.table_name for metric in catalog}):
        metrics = [m.code for m in catalog if m.table_name == table and m.code in present.get(table, ())]
        if metrics:
            queries.append(f"select '{table}' as table_name, province_period_id, metric_code, cell_value"
                           f" from ({unpivoted(table, metrics, 'cell_value')})")
    return queries


def unpivoted(table: str, metrics: list[str], value: str) -> str:
    """The filled cells of some metric columns of a wide table, as rows (province_period_id,
    metric_code, `value`: the cell as a double)."""
    quoted = [f'"{code}"' for code in metrics]
    as_double = ", ".join(f"cast({column} as double) as {column}" for column in quoted)
    return (f'unpivot (select province_period_id, {as_double} from main."{table}")'
            f" on {', '.join(quoted)} into name metric_code value {value}")


def table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The columns of each table of schema main, in order."""
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from duckdb_columns()"
        " where schema_name = 'main' and database_name = current_database() order by table_name, column_index"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    return columns


RECONCILIATIONS = (
    Reconciliation("reconcile_raw_facts", ("fact_id",), raw_facts_frame),
    Reconciliation(
        "reconcile_wide_tables",
        ("table_name", "province_period_id", "metric_code", "fact_id"),
        wide_tables_frame,
    ),
)
