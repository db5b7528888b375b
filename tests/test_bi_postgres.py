"""docs/bi.md's PostgreSQL section, as written: the server set up with its roles, a refresh
published to it as the publisher, and every query of the guide read as the read-only role, giving
the rows it gives on the DuckDB file.

The reports are those of the analysts' tables (tests/analyst_reports.py), so that the queries on
corrections, targets and the 34 provinces return rows.
"""

from __future__ import annotations

import contextlib
import os
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg2
import pytest

from dagster_project.cli import main
from dagster_project.settings import PROJECT_ROOT
from tests.analyst_reports import write_reports
from tests.postgres_server import LocalPostgres

GUIDE = (PROJECT_ROOT / "docs" / "bi.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return GUIDE.split(f"\n## {title}\n")[1].split("\n## ")[0]


def sql_blocks(text: str) -> list[str]:
    return re.findall(r"```sql\n(.*?)```", text, re.S)


SERVER_SETUP, DATABASE_SETUP, *POSTGRES_QUERIES = sql_blocks(section("PostgreSQL"))
SCORECARD_4_POSTGRES, SCORECARD_5_POSTGRES, GRAFANA_PANEL = POSTGRES_QUERIES
SCORECARD = sql_blocks(section("Five scorecard queries"))
# every other query of the guide runs on both as written
SHARED = [block for block in sql_blocks(GUIDE)
          if block not in (SERVER_SETUP, DATABASE_SETUP, *POSTGRES_QUERIES, SCORECARD[3], SCORECARD[4])]


@pytest.fixture(scope="module")
def published(postgres: LocalPostgres, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The DuckDB file, and the URL the BI tools read the server with (as cchc_reader)."""
    as_superuser(postgres.url, SERVER_SETUP)
    as_superuser(database(postgres.url, "cchc"), DATABASE_SETUP)
    reports = write_reports(tmp_path_factory.mktemp("reports"))
    served = tmp_path_factory.mktemp("published") / "cchc.duckdb"
    publisher = database(postgres.url, "cchc").replace("//postgres@", "//cchc_publisher@")
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("CCHC_POSTGRES_URL", "CCHC_POSTGRES_SCHEMA"):
            patch.delenv(variable, raising=False)
        assert main(["refresh", "--reports", str(reports), "--warehouse", str(served),
                     "--postgres", publisher]) == 0
    reader = database(postgres.url, "cchc").replace("//postgres@", "//cchc_reader@")
    return served, reader + "?options=-csearch_path%3Dcchc"


def database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + f"/{name}"


def as_superuser(url: str, script: str) -> None:
    connection = psycopg2.connect(url)
    connection.autocommit = True  # create database runs outside a transaction
    try:
        for statement in script.split(";"):
            if statement.strip():
                connection.cursor().execute(statement)
    finally:
        connection.close()


def on_server(url: str, sql: str) -> list[tuple]:
    with contextlib.closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def on_file(served: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(served), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def same_rows(rows: list[tuple]) -> list[str]:
    """Rows as comparable text, in any order (the engines sort nulls apart), numbers as floats."""
    return sorted(repr(tuple(float(value) if isinstance(value, Decimal | int) and not isinstance(value, bool)
                             else value for value in row)) for row in rows)


@pytest.mark.parametrize("query", SHARED, ids=lambda query: query.split("from ")[1].split()[0])
def test_a_query_of_the_guide_gives_the_same_rows_on_postgresql(
    published: tuple[Path, str], query: str
) -> None:
    served, reader = published
    assert same_rows(on_server(reader, query)) == same_rows(on_file(served, query))


@pytest.mark.parametrize(("duckdb_query", "postgres_query"),
                         [(SCORECARD[3], SCORECARD_4_POSTGRES), (SCORECARD[4], SCORECARD_5_POSTGRES)],
                         ids=["scorecard 4", "scorecard 5"])
def test_the_postgresql_spelling_of_a_scorecard_query_gives_its_rows(
    published: tuple[Path, str], duckdb_query: str, postgres_query: str
) -> None:
    served, reader = published
    assert same_rows(on_server(reader, postgres_query)) == same_rows(on_file(served, duckdb_query))


def test_the_grafana_panel_reads_the_schema_it_names(published: tuple[Path, str]) -> None:
    served, reader = published
    assert same_rows(on_server(reader, GRAFANA_PANEL)) == same_rows(on_file(
        served, GRAFANA_PANEL.replace("cchc.fct_tasks", "fct_tasks")))


def test_the_reader_role_reads_and_cannot_write(published: tuple[Path, str]) -> None:
    _, reader = published
    assert on_server(reader, "select count(*) from fct_metric_values")[0][0] > 0
    for statement in ("delete from fct_tasks", "create table mine (id int)", "drop table fct_tasks"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            on_server(reader, statement)


def test_the_refresh_leaves_no_server_url_in_the_environment(published: tuple[Path, str]) -> None:
    """Later commands of the process (a rollback) do not inherit the server, nor its password."""
    assert "CCHC_POSTGRES_URL" not in os.environ
