"""DuckDB I/O: raw tables written in batches into the build file."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

# No primary key: DuckDB 1.0 clients (Evidence bundles one) cannot open a file holding an index
# written by 1.1 or later. Ingest rejects duplicate documents and dbt tests that the id is unique.
RAW_DDL = {
    "documents": """
        document_id varchar, file_path varchar, sha256 varchar, province_code varchar,
        year integer, period varchar, doc_type varchar, title varchar, source_url varchar,
        published date, char_count integer, text varchar, ingested_at timestamp,
        status varchar, first_seen_at timestamp, last_seen_at timestamp, aliases varchar,
        national boolean""",
    "facts": """
        fact_id varchar, document_id varchar, province_code varchar, year integer, period varchar,
        metric_code varchar, value double, unit varchar, qualifier varchar, fact_kind varchar,
        evidence varchar, span_start integer, span_end integer, rule_id varchar,
        extractor_version varchar, confidence double""",
    "table_facts": """
        document_id varchar, province_code varchar, year integer, period varchar, metric_code varchar,
        value double, unit varchar, source varchar, evidence varchar, span_start integer,
        span_end integer""",
    "ingest_errors": """
        file_path varchar, stage varchar, reason varchar, detail varchar, recorded_at timestamp""",
    "corrections": """
        correction_id varchar, line integer, action varchar, document varchar, metric_code varchar,
        province varchar, province_code varchar, year integer, period varchar, value double,
        reason varchar, author varchar, date varchar, problem varchar""",
}


# A cell: what one selection is made within (dbt/macros/changed.sql).
CELL_DDL = "province_code varchar, year integer, metric_code varchar"


def column_names(ddl: str) -> list[str]:
    """The column names of a DDL column list ("a varchar, b integer" -> ["a", "b"])."""
    return [column.strip().split()[0] for column in ddl.split(",")]


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# DuckDB's default, 80 % of the machine, would let the refresh's process hold gigabytes of the
# files it writes; beyond this it spills to disk.
DUCKDB_MEMORY_LIMIT = "512MB"


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": DUCKDB_MEMORY_LIMIT})


@contextlib.contextmanager
def cursor_per_thread(con: duckdb.DuckDBPyConnection) -> Iterator[Callable[[], duckdb.DuckDBPyConnection]]:
    """A function giving each thread that calls it its own cursor of `con` (a DuckDB connection
    runs one query at a time); every cursor is closed when the block ends, before `con` is."""
    local, opened = threading.local(), []

    def cursor() -> duckdb.DuckDBPyConnection:
        if not hasattr(local, "cursor"):
            local.cursor = con.cursor()
            opened.append(local.cursor)
        return local.cursor

    try:
        yield cursor
    finally:
        for each in opened:
            each.close()


def write_raw_table(path: Path, table: str, rows: Sequence[dict] | Iterable[object]) -> int:
    """Replace raw.<table> with rows (dicts or dataclasses) in one batch."""
    with connect(path) as con:
        return write_raw_tables(con, {table: rows})[table]


def write_raw_tables(
    con: duckdb.DuckDBPyConnection, tables: dict[str, Sequence[dict] | Iterable[object]]
) -> dict[str, int]:
    """write_raw_table for several tables, through an open connection; the rows written to each."""
    written = {}
    con.execute("create schema if not exists raw")
    for table, rows in tables.items():
        records = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) else r for r in rows]
        frame = pd.DataFrame.from_records(records, columns=column_names(RAW_DDL[table]))  # noqa: F841
        con.execute(f"create or replace table raw.{table} ({RAW_DDL[table]})")
        if records:
            con.execute(f"insert into raw.{table} select * from frame")
        written[table] = len(records)
    return written


def append_raw_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict]) -> int:
    """Add rows to raw.<table> (written earlier in the same refresh)."""
    frame = pd.DataFrame.from_records(list(rows), columns=column_names(RAW_DDL[table]))  # noqa: F841
    if rows:
        con.execute(f"insert into raw.{table} select * from frame")
    return len(rows)


def replace_table_facts(con: duckdb.DuckDBPyConnection, rows: Sequence[dict], kept: Sequence[str]) -> None:
    """raw.table_facts: the rows of the `kept` documents (on the kept build) stay, the others are
    replaced by `rows`."""
    kept_ids = pd.DataFrame({"document_id": list(kept)}, dtype="string")  # noqa: F841 - read by DuckDB
    con.execute("create schema if not exists raw")
    con.execute(f"create table if not exists raw.table_facts ({RAW_DDL['table_facts']})")
    con.execute("delete from raw.table_facts where document_id not in (select document_id from kept_ids)")
    append_raw_rows(con, "table_facts", rows)


def replace_corrections(con: duckdb.DuckDBPyConnection, corrections: Sequence[object]) -> None:
    """raw.corrections, and what its rows added, changed or removed since the corrections this
    build file last held touch, which the next steps build again: raw.correction_cells and
    raw.correction_documents (a row names a file, meaning its current document, or a document)."""
    con.execute(f"create table if not exists raw.corrections ({RAW_DDL['corrections']})")
    con.execute("create or replace temp table corrections_before as select * from raw.corrections")
    write_raw_tables(con, {"corrections": corrections})
    con.execute("""
        create or replace temp table corrections_changed as
        (select * from corrections_before except select * from raw.corrections)
        union all
        (select * from raw.corrections except select * from corrections_before)""")
    con.execute("""
        create or replace table raw.correction_cells as
        select distinct province_code, year, metric_code from corrections_changed
        where province_code is not null and year is not null""")
    con.execute("""
        create or replace table raw.correction_documents as
        select distinct d.document_id from raw.documents d join corrections_changed c
            on c.document = d.document_id or (c.document = d.file_path and d.status = 'current')""")
    con.execute("drop table corrections_before; drop table corrections_changed")


def add_correction_changes(con: duckdb.DuckDBPyConnection) -> None:
    """What the changed corrections touch, added to raw.changed_documents and raw.changed_cells
    (written by copy_facts): dbt's incremental models build them again."""
    con.execute("""
        insert into raw.changed_documents
        select * from raw.correction_documents
        except select * from raw.changed_documents""")
    con.execute("""
        insert into raw.changed_cells
        select * from raw.correction_cells
        except select * from raw.changed_cells""")


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
    ).fetchone()[0] > 0


def read_document_index(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """raw.documents without the texts."""
    return con.execute(
        "select document_id, file_path, province_code, national, year, period, doc_type, published, status"
        " from raw.documents order by document_id"
    ).df()


def read_texts(con: duckdb.DuckDBPyConnection, document_ids: Sequence[str]) -> dict[str, str]:
    ids = pd.DataFrame({"document_id": list(document_ids)})  # noqa: F841 - read by DuckDB
    rows = con.execute("select document_id, text from raw.documents join ids using (document_id)").fetchall()
    return dict(rows)


def read_raw_table(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    return con.execute(f"select * from raw.{table}").df()


def reset_build(build_path: Path) -> None:
    build_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):
        Path(f"{build_path}{suffix}").unlink(missing_ok=True)
