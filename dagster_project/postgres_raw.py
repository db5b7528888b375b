"""The build's raw tables, copied to a PostgreSQL server for `dbt build --target postgres`.

The Python stages (ingest, extraction, corrections) write schema raw of the DuckDB build file; the
dbt project reads only that schema and the seeds. Copying it lets the same project build its marts on
the server (dbt/profiles.yml, target postgres).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project import postgres

RAW_SCHEMA = "raw"


def stage_raw(build_path: Path, url: str) -> dict[str, int]:
    """Replace schema raw on the server by the build's, in one server transaction; its row counts.

    The server's staging views on raw go with it (dbt build creates them again). Its incremental
    models follow the build's changes only when every refresh is staged: after a skipped one, build
    with --full-refresh.
    """
    with duckdb.connect() as connection:
        postgres.attach(connection, url)
        connection.execute(f"ATTACH {postgres.literal(str(build_path))} AS build (READ_ONLY)")
        tables = [name for (name,) in connection.execute(
            "select table_name from duckdb_tables()"
            f" where database_name = 'build' and schema_name = '{RAW_SCHEMA}' order by 1"
        ).fetchall()]
        connection.execute("BEGIN")
        connection.execute(f"DROP SCHEMA IF EXISTS pg.{RAW_SCHEMA} CASCADE")
        connection.execute(f"CREATE SCHEMA pg.{RAW_SCHEMA}")
        for table in tables:
            connection.execute(f'CREATE TABLE pg.{RAW_SCHEMA}."{table}" AS FROM build.{RAW_SCHEMA}."{table}"')
        connection.execute("COMMIT")
        return {
            table: connection.execute(f'select count(*) from build.{RAW_SCHEMA}."{table}"').fetchone()[0]
            for table in tables
        }
