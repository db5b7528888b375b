"""The same dbt project on a PostgreSQL target: `cchc stage-raw` copies a refresh's raw tables to
the server, `dbt build --target postgres` passes its tests there, and every mart holds the same rows
as the DuckDB build's, after a first build and after an incremental one (a changed report, a
correction withdrawn).

The reports are those of the analysts' tables (tests/analyst_reports.py): corrections, targets,
merged provinces and, after the change, a superseded document.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import psycopg2
import pytest

from dagster_project import postgres
from dagster_project.cli import main
from dagster_project.settings import DBT_PROJECT_DIR
from tests.analyst_reports import write_reports
from tests.postgres_server import LocalPostgres

DATABASE = "cchc_dbt"
MARTS = sorted(path.stem for path in (DBT_PROJECT_DIR / "models" / "marts").glob("*.sql"))


@pytest.fixture(scope="module")
def server(postgres: LocalPostgres) -> LocalPostgres:
    connection = psycopg2.connect(postgres.url)
    connection.autocommit = True  # create database runs outside a transaction
    try:
        connection.cursor().execute(f"create database {DATABASE}")
    finally:
        connection.close()
    return postgres


def database_url(server: LocalPostgres) -> str:
    return server.url.rsplit("/", 1)[0] + f"/{DATABASE}"


def refresh_and_build_both(server: LocalPostgres, reports: Path, warehouse: Path, work: Path) -> None:
    assert main(["refresh", "--reports", str(reports), "--warehouse", str(warehouse)]) == 0
    assert main(["stage-raw", "--warehouse", str(warehouse), "--postgres", database_url(server)]) == 0
    dbt = Path(sys.executable).with_name("dbt")
    environment = {**os.environ, "CCHC_POSTGRES_PORT": str(server.port), "CCHC_POSTGRES_DBNAME": DATABASE}
    built = subprocess.run(
        [str(dbt), "build", "--target", "postgres", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs")],
        env=environment, capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, built.stdout[-3000:]


def differences(server: LocalPostgres, build_file: Path) -> dict[str, str]:
    """Each mart whose columns or rows differ between the DuckDB build and the server."""
    found = {}
    with duckdb.connect() as connection:
        postgres.attach(connection, database_url(server))
        connection.execute(f"attach '{build_file}' as build (read_only)")
        for mart in MARTS:
            columns = {database: [name for (name,) in connection.execute(
                "select column_name from duckdb_columns() where database_name = ? and schema_name = 'main'"
                " and table_name = ? order by column_index", [database, mart]).fetchall()]
                for database in ("build", "pg")}
            if columns["build"] != columns["pg"] or not columns["pg"]:
                found[mart] = f"columns {columns}"
                continue
            only = [connection.execute(f"select count(*) from (from {first}.main.{mart}"
                                       f" except all from {second}.main.{mart})").fetchone()[0]
                    for first, second in (("build", "pg"), ("pg", "build"))]
            if any(only):
                found[mart] = f"{only[0]} rows only in DuckDB, {only[1]} only in PostgreSQL"
    return found


def row_count(server: LocalPostgres, table: str) -> int:
    with psycopg2.connect(database_url(server)) as connection, connection.cursor() as cursor:
        cursor.execute(f"select count(*) from {table}")
        return cursor.fetchone()[0]


def test_marts_equal_on_both_targets_built_whole_then_incrementally(
    server: LocalPostgres, tmp_path: Path
) -> None:
    reports = write_reports(tmp_path / "reports")
    warehouse = tmp_path / "published" / "cchc.duckdb"
    build_file = warehouse.parent / "build" / "cchc.build.duckdb"

    refresh_and_build_both(server, reports, warehouse, tmp_path)
    assert differences(server, build_file) == {}
    # the scenario reaches the tables that differ most between the engines' SQL
    for table in ("main.fct_targets", "main.fct_province34", "main.fct_corrections"):
        assert row_count(server, table) > 0, table

    changed = reports / "tuyen_quang_2023.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("98.300", "98.350"), encoding="utf-8")
    corrections = reports / "corrections.csv"
    corrections.write_text("".join(corrections.read_text(encoding="utf-8").splitlines(True)[:-1]),
                           encoding="utf-8")
    refresh_and_build_both(server, reports, warehouse, tmp_path)
    assert differences(server, build_file) == {}
    assert row_count(server, "main.fct_report_facts_history") > 0
    assert row_count(server, "raw.changed_documents") > 0  # the second build was incremental
