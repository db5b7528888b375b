"""Publication to PostgreSQL: the served DuckDB file's tables, with their COMMENTs, in a schema of a
server that readers see change from one version to the next in one transaction.

On the server, for the schema `cchc` (`--postgres-schema`, CCHC_POSTGRES_SCHEMA):

    cchc            the version served; the schema's COMMENT names it (the DuckDB file's versions/<id>)
    cchc__previous  the version served before it, for `cchc rollback --postgres`
    cchc__staging   a version being copied, never read; what a dead run left is dropped by the next

Each publication copies the served file into the staging schema, checks its row counts, then in one
server transaction drops the previous version and renames cchc to cchc__previous and the staging
schema to cchc. A statement looks its tables up once: it reads the old version or the new one, whole
(the old one stays, renamed, until the next publication). A REPEATABLE READ or SERIALIZABLE
transaction that took its snapshot before the copy committed and looks the tables up after the swap
would find them empty (their rows are newer than its snapshot); DuckDB's postgres extension reads in
such a transaction, one per query (a query whose scans straddle the swap may mix the versions) or
per BEGIN … COMMIT. So the swap waits, up to SNAPSHOT_WAIT_SECONDS, until no transaction begun before
the copy's commit holds a snapshot; one held open longer (an idle session) does not stop publication
and reads empty tables until it ends (`Published.older_snapshots` counts them). Autocommit and READ
COMMITTED readers, PostgreSQL's default, never wait nor see an empty table. Renaming keeps a
schema's grants, and the publishing role creates the staging schema and its tables: `ALTER DEFAULT
PRIVILEGES FOR ROLE <publisher> GRANT USAGE ON SCHEMAS / GRANT SELECT ON TABLES TO <reader>` covers
every version.

DuckDB reading the server through its postgres extension caches the server's catalog, and the renames
happen behind its back: a DuckDB reader calls `pg_clear_cache()` after a publication, before it reads
again (until then it sees the columns of the version it read before; rows it reads by name). This
module does so before it checks what the server serves.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project import postgres
from dagster_project.postgres import literal, quoted, reason, redacted
from dagster_project.publication import NothingToRollBack

# PostgreSQL's 63 characters leave room for the longest suffix; no quoting surprises in BI tools.
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")
STAGING, PREVIOUS, SWAPPING = "__staging", "__previous", "__swapping"
# How long the swap waits for readers still inside the version it drops, before it gives up.
LOCK_TIMEOUT_SECONDS = 30.0
# How long the swap waits for snapshots older than the staged copy (see _wait_for_older_snapshots).
SNAPSHOT_WAIT_SECONDS = 30.0
SNAPSHOT_POLL_SECONDS = 0.05
VERSION_COMMENT = "CCHC warehouse version "
INDEXED_COLUMNS = ("province_id", "period_id")


class PostgresPublicationError(RuntimeError):
    """Publishing to PostgreSQL, or rolling it back, failed; the message says what the server serves."""


class _Refused(Exception):
    """What this module finds wrong on the server; the session says which server, and what it serves."""


@dataclass
class _Session:
    connection: duckdb.DuckDBPyConnection  # the server attached as `pg`
    if_it_fails: str  # what the server serves if the work fails now


@dataclass(frozen=True)
class Published:
    url: str  # redacted
    schema: str
    tables: dict[str, int]  # rows per table
    seconds: float
    older_snapshots: int = 0  # transactions the swap did not wait for longer (they read the tables empty)


def schema_problem(schema: str) -> str | None:
    """Why `schema` cannot be the published schema's name, or None."""
    if SCHEMA_NAME.fullmatch(schema):
        return None
    return (f"PostgreSQL schema name {schema!r} is not allowed: lower-case letters, digits and _,"
            " not starting with a digit, at most 41 characters")


def publish(
    served_file: Path, url: str, schema: str, version: str,
    lock_timeout_seconds: float = LOCK_TIMEOUT_SECONDS, snapshot_wait_seconds: float = SNAPSHOT_WAIT_SECONDS,
) -> Published:
    """Serve the tables of the served DuckDB file (schema main) as `schema` on the server, as `version`."""
    _check(schema)
    started = time.perf_counter()
    with _session(url, schema, "PostgreSQL serves what it served before") as session:
        connection = session.connection
        connection.execute(f"ATTACH {literal(str(served_file))} AS served (READ_ONLY)")
        rows = _served_rows(connection)
        staging = schema + STAGING
        _stage(connection, staging, rows, version)
        _check_rows(connection, staging, rows)
        older_snapshots = _wait_for_older_snapshots(connection, snapshot_wait_seconds)
        _swap(connection, lock_timeout_seconds, *_set_aside(connection, schema), _rename(staging, schema))
        session.if_it_fails = (f"PostgreSQL serves version {version} now; `cchc rollback --postgres` serves"
                               " the one before again")
        connection.execute("CALL pg_clear_cache()")  # the attached catalog still has the schemas as they were
        _check_rows(connection, schema, rows)
    return Published(redacted(url), schema, rows, round(time.perf_counter() - started, 2), older_snapshots)


def rollback(url: str, schema: str, version: str, lock_timeout_seconds: float = LOCK_TIMEOUT_SECONDS) -> bool:
    """Serve `version` again as `schema`: swap in the previous version if it is that one. False if the
    server serves it already (its last publication failed). Anything else changes nothing."""
    _check(schema)
    with _session(url, schema, "nothing was rolled back") as session:
        versions = _schema_versions(session.connection, schema)
        if versions.get(schema) == version:
            return False
        previous = schema + PREVIOUS
        if previous not in versions:
            raise NothingToRollBack(f"PostgreSQL {redacted(url)} has no schema {previous} to serve again"
                                    f" (schema {schema} holds {_described(versions, schema)}); nothing was"
                                    " rolled back")
        if versions[previous] != version:
            raise _Refused(f"{previous} holds {_described(versions, previous)}, not version {version},"
                           " which the DuckDB file goes back to")
        _swap(session.connection, lock_timeout_seconds, _rename(schema, schema + SWAPPING),
              _rename(previous, schema), _rename(schema + SWAPPING, previous))
    return True


def _check(schema: str) -> None:
    if problem := schema_problem(schema):
        raise PostgresPublicationError(problem)


@contextmanager
def _session(url: str, schema: str, if_it_fails: str) -> Iterator[_Session]:
    """A DuckDB connection with the server attached. A failure is one line that names the server (never
    its password) and says what it serves."""
    session = _Session(duckdb.connect(), if_it_fails)
    try:
        postgres.attach(session.connection, url)
        yield session
    except postgres.PostgresUnavailable as error:
        raise PostgresPublicationError(f"{error}; {session.if_it_fails}") from None
    except (duckdb.Error, _Refused) as error:
        raise PostgresPublicationError(
            f"PostgreSQL {redacted(url)}, schema {schema}: {reason(error)}; {session.if_it_fails}") from None
    finally:
        session.connection.close()


def _served_rows(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = connection.execute(
        "select table_name from duckdb_tables() where database_name = 'served' and schema_name = 'main'"
        " order by 1").fetchall()
    return {table: connection.execute(f"select count(*) from served.main.{quoted(table)}").fetchone()[0]
            for (table,) in tables}


def _stage(connection: duckdb.DuckDBPyConnection, staging: str, rows: dict[str, int], version: str) -> None:
    """The served file's tables, their COMMENTs and statistics, in a fresh staging schema, in one
    server transaction."""
    connection.execute("BEGIN")
    connection.execute(f"DROP SCHEMA IF EXISTS pg.{quoted(staging)} CASCADE")  # a dead run's
    connection.execute(f"CREATE SCHEMA pg.{quoted(staging)}")
    for table in rows:
        connection.execute(f"CREATE TABLE pg.{quoted(staging)}.{quoted(table)}"
                           f" AS SELECT * FROM served.main.{quoted(table)}")
    # Statistics now, not when autovacuum comes by: BI queries plan well from the first one.
    postgres.execute(connection, "; ".join([
        f"COMMENT ON SCHEMA {quoted(staging)} IS {literal(VERSION_COMMENT + version)}",
        *_comments(connection, staging),
        *_indexes(connection, staging),
        *(f"ANALYZE {quoted(staging)}.{quoted(table)}" for table in rows),
    ]))
    connection.execute("COMMIT")


def _comments(connection: duckdb.DuckDBPyConnection, staging: str) -> list[str]:
    tables = connection.execute(
        "select table_name, comment from duckdb_tables()"
        " where database_name = 'served' and schema_name = 'main' and comment is not null").fetchall()
    columns = connection.execute(
        "select table_name, column_name, comment from duckdb_columns()"
        " where database_name = 'served' and schema_name = 'main' and comment is not null").fetchall()
    return [
        *(f"COMMENT ON TABLE {quoted(staging)}.{quoted(table)} IS {literal(comment)}"
          for table, comment in tables),
        *(f"COMMENT ON COLUMN {quoted(staging)}.{quoted(table)}.{quoted(column)} IS {literal(comment)}"
          for table, column, comment in columns),
    ]


def _indexes(connection: duckdb.DuckDBPyConnection, staging: str) -> list[str]:
    """An index on (province_id, period_id) of every table that has both: a dashboard's filter on a
    province and period reads its rows, not the whole table (fct_report_facts: 645,173 rows at 50,000
    reports)."""
    names = ", ".join(literal(column) for column in INDEXED_COLUMNS)
    tables = connection.execute(
        "select table_name from duckdb_columns() where database_name = 'served' and schema_name = 'main'"
        f" and column_name in ({names}) group by table_name having count(*) = {len(INDEXED_COLUMNS)}"
        " order by 1").fetchall()
    columns = ", ".join(quoted(column) for column in INDEXED_COLUMNS)
    return [f"CREATE INDEX ON {quoted(staging)}.{quoted(table)} ({columns})" for (table,) in tables]


def _check_rows(connection: duckdb.DuckDBPyConnection, schema: str, rows: dict[str, int]) -> None:
    """Each table's rows on the server, read through the attached catalog, against the served file's."""
    counts = " union all ".join(
        f"select {literal(table)}, count(*) from pg.{quoted(schema)}.{quoted(table)}" for table in rows)
    found = dict(connection.execute(counts).fetchall()) if rows else {}
    if wrong := [f"{table} {found[table]} rows, not {count}" for table, count in rows.items()
                 if found[table] != count]:
        raise _Refused(f"{schema} does not hold what the served file does: {', '.join(wrong)}")


def _schema_versions(connection: duckdb.DuckDBPyConnection, schema: str) -> dict[str, str | None]:
    """The published schema and its previous one, as they exist, with the version each holds."""
    names = ", ".join(literal(name) for name in (schema, schema + PREVIOUS))
    query = ("select nspname, obj_description(oid, 'pg_namespace') from pg_namespace"
             f" where nspname in ({names})")
    return {name: comment.removeprefix(VERSION_COMMENT) if comment else None
            for name, comment in _server_rows(connection, query)}


def _wait_for_older_snapshots(connection: duckdb.DuckDBPyConnection, seconds: float) -> int:
    """Wait up to `seconds` for the sessions whose snapshot may predate the staged copy's commit; how
    many still hold one.

    Such a snapshot, looking the tables up after the swap, finds them empty: a REPEATABLE READ or
    SERIALIZABLE transaction, or a query of DuckDB's postgres extension (one such transaction each)
    running across the swap. Waiting for them makes the extension's readers safe; an idle transaction
    held open longer is not waited for, or it would stop publication. Conservative: any transaction
    begun before the commit that holds a snapshot now. Other roles' sessions are visible to a
    publisher with pg_read_all_stats (or a superuser).
    """
    committed = _server_value(connection, "select cast(clock_timestamp() as text)")
    older = ("select count(*) from pg_stat_activity where pid <> pg_backend_pid()"
             " and backend_type = 'client backend' and backend_xmin is not null"
             f" and xact_start < {literal(committed)}::timestamptz")
    deadline = time.monotonic() + seconds
    while (holding := _server_value(connection, older)) and time.monotonic() < deadline:
        time.sleep(SNAPSHOT_POLL_SECONDS)
    return holding


def _server_value(connection: duckdb.DuckDBPyConnection, query: str) -> object:
    """The one value a query on the server returns."""
    return _server_rows(connection, query)[0][0]


def _server_rows(connection: duckdb.DuckDBPyConnection, query: str) -> list[tuple]:
    """A query run on the server as written (postgres_query), not planned by DuckDB."""
    return connection.execute(f"select * from postgres_query('pg', {literal(query)})").fetchall()


def _swap(connection: duckdb.DuckDBPyConnection, lock_timeout_seconds: float, *statements: str) -> None:
    """Run the renames in one server transaction. Dropping a schema waits for the readers still in it:
    lock_timeout bounds that wait."""
    try:
        postgres.execute(connection, "; ".join(
            [f"SET LOCAL lock_timeout = '{int(lock_timeout_seconds * 1000)}ms'", *statements]))
    except duckdb.Error as error:
        if "lock timeout" not in str(error):
            raise
        raise _Refused(f"the swap gave up after waiting {lock_timeout_seconds:g} s (lock_timeout) for readers"
                       " still reading the version it drops") from None


def _set_aside(connection: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """The statements that make the served version the previous one (none on the first publication)."""
    if schema not in _schema_versions(connection, schema):
        return []
    return [f"DROP SCHEMA IF EXISTS {quoted(schema + PREVIOUS)} CASCADE", _rename(schema, schema + PREVIOUS)]


def _rename(schema: str, to: str) -> str:
    return f"ALTER SCHEMA {quoted(schema)} RENAME TO {quoted(to)}"


def _described(versions: dict[str, str | None], schema: str) -> str:
    if schema not in versions:
        return "nothing"
    return f"version {versions[schema]}" if versions[schema] else "a schema of no known version"
