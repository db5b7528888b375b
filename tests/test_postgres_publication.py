"""Publication to PostgreSQL (dagster_project/postgres_publication.py) on a real server (the session's
`postgres` fixture): each test publishes small served files of its own into a schema of its own; one
end-to-end test runs `cchc refresh --postgres` on the bundled reports."""

from __future__ import annotations

import contextlib
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import dagster as dg
import duckdb
import psycopg2
import pytest

from dagster_project.cli import main
from dagster_project.postgres import attach
from dagster_project.postgres_publication import (
    PostgresPublicationError,
    publish,
    rollback,
    schema_problem,
)
from dagster_project.publication import NothingToRollBack, current_version, published_versions
from dagster_project.publication import publish as publish_duckdb
from dagster_project.settings import PROJECT_ROOT
from tests.postgres_server import LocalPostgres, free_port

BUNDLED_REPORTS = PROJECT_ROOT / "seeds" / "reports"
TABLES = ("dim_province", "fct_report_facts", "fct_tasks")
PASSWORD = "s3cret-pw"  # the test server trusts 127.0.0.1: a password in the URL is ignored, never shown


def rows_of(version: int, scale: int = 10) -> dict[str, int]:
    """Rows per table in a version: different for every table and every version."""
    return {table: scale * version + index for index, table in enumerate(TABLES, start=1)}


def served_file(path: Path, rows: dict[str, int], extra_column: bool = False) -> Path:
    """A served DuckDB file as publication.publish writes it: tables in schema main, COMMENTed."""
    with duckdb.connect(str(path)) as con:
        for table, count in rows.items():
            extra = ", range * 2 as doubled" if extra_column else ""
            con.execute(f"create table {table} as select range as id, 'row ' || range as label{extra}"
                        f" from range({count})")
            con.execute(f"comment on table {table} is 'One row per {table}, l''unité'")
            con.execute(f"comment on column {table}.id is 'the key of {table}'")
    return path


@pytest.fixture
def schema() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


def with_password(url: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@")


def server_query(url: str, sql: str, parameters: tuple = ()) -> list[tuple]:
    with contextlib.closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def server_rows(url: str, schema: str) -> dict[str, int]:
    tables = server_query(url, "select relname from pg_class where relnamespace = %s::regnamespace"
                               " and relkind = 'r' order by 1", (schema,))
    return {table: server_query(url, f'select count(*) from "{schema}"."{table}"')[0][0]
            for (table,) in tables}


def schemas(url: str, schema: str) -> dict[str, str | None]:
    """The published schema and those beside it, with their COMMENTs (the version each holds)."""
    names = [schema + suffix for suffix in ("", "__previous", "__staging", "__swapping")]
    return dict(server_query(url, "select nspname, obj_description(oid, 'pg_namespace') from pg_namespace"
                                  " where nspname = any(%s)", (names,)))


def version_comment(version: str) -> str:
    return f"CCHC warehouse version {version}"


def served_version(url: str, schema: str) -> str | None:
    return schemas(url, schema)[schema]


def publish_versions(url: str, schema: str, folder: Path, versions: range) -> None:
    """Publish version after version of rows_of, as version ids v1, v2 …"""
    for version in versions:
        publish(served_file(folder / f"v{version}.duckdb", rows_of(version)), url, schema, f"v{version}")


def test_every_table_is_served_with_its_comments(
    postgres: LocalPostgres, schema: str, tmp_path: Path
) -> None:
    rows = rows_of(1)
    published = publish(served_file(tmp_path / "v1.duckdb", rows), with_password(postgres.url), schema, "v1")
    assert published.tables == rows and published.schema == schema and published.seconds > 0
    assert published.url == postgres.url.replace("postgres@", "postgres:***@")
    assert server_rows(postgres.url, schema) == rows
    assert schemas(postgres.url, schema) == {schema: version_comment("v1")}  # nothing else is left
    comments = server_query(postgres.url, "select relname, obj_description(oid, 'pg_class'),"
                                          " col_description(oid, 1) from pg_class where relkind = 'r'"
                                          " and relnamespace = %s::regnamespace", (schema,))
    assert sorted(comments) == [(table, f"One row per {table}, l'unité", f"the key of {table}")
                                for table in TABLES]


def test_a_table_with_a_province_and_a_period_is_indexed_on_them(
    postgres: LocalPostgres, schema: str, tmp_path: Path
) -> None:
    served = tmp_path / "v1.duckdb"
    with duckdb.connect(str(served)) as con:
        con.execute("create table fct_facts as select '63-' || (range % 63) as province_id,"
                    " '2024-year' as period_id, range as value from range(5000)")
        con.execute("create table dim_metric as select 'm' || range as metric_code from range(5)")
    publish(served, postgres.url, schema, "v1")
    index = "fct_facts_province_id_period_id_idx"
    assert server_query(postgres.url, "select tablename, indexdef from pg_indexes where schemaname = %s",
                        (schema,)) == [("fct_facts", f"CREATE INDEX {index} ON {schema}.fct_facts"
                                                     " USING btree (province_id, period_id)")]
    plan = server_query(postgres.url, f"explain select * from {schema}.fct_facts"
                                      " where province_id = '63-12' and period_id = '2024-year'")
    assert index in " ".join(line for (line,) in plan)


def test_the_version_before_stays_as_previous_and_rollback_swaps_it_back(
    postgres: LocalPostgres, schema: str, tmp_path: Path
) -> None:
    publish_versions(postgres.url, schema, tmp_path, range(1, 4))
    assert schemas(postgres.url, schema) == {schema: version_comment("v3"),
                                             f"{schema}__previous": version_comment("v2")}
    assert server_rows(postgres.url, f"{schema}__previous") == rows_of(2)

    assert rollback(postgres.url, schema, "v2") is True
    assert server_rows(postgres.url, schema) == rows_of(2)
    assert server_rows(postgres.url, f"{schema}__previous") == rows_of(3)
    assert rollback(postgres.url, schema, "v2") is False  # served already: nothing to do
    with pytest.raises(PostgresPublicationError, match=f"{schema}__previous holds version v3, not version v1,"
                                                       ".*; nothing was rolled back"):
        rollback(postgres.url, schema, "v1")  # the server keeps one version before: v1 is gone
    assert server_rows(postgres.url, schema) == rows_of(2)


def test_rollback_with_no_previous_version_is_a_clear_error(
    postgres: LocalPostgres, schema: str, tmp_path: Path
) -> None:
    with pytest.raises(NothingToRollBack, match=f"has no schema {schema}__previous to serve again"
                                                 f" \\(schema {schema} holds nothing\\)"):
        rollback(postgres.url, schema, "v0")
    publish(served_file(tmp_path / "v1.duckdb", rows_of(1)), postgres.url, schema, "v1")
    with pytest.raises(NothingToRollBack, match=f"{schema}__previous.*holds version v1.*nothing was rolled"):
        rollback(postgres.url, schema, "v0")
    assert server_rows(postgres.url, schema) == rows_of(1)


def tiny_build(path: Path, version: int) -> Path:
    """A build file for publication.publish: the marts of rows_of(version), and its findings."""
    path.unlink(missing_ok=True)
    served_file(path, rows_of(version))
    with duckdb.connect(str(path)) as con:
        con.execute("create table data_quality_issues as select 'a finding' as message")
    return path


def test_cchc_rollback_rolls_back_the_duckdb_file_and_the_server_together(
    postgres: LocalPostgres, schema: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CCHC_POSTGRES_URL", raising=False)
    served = tmp_path / "warehouse" / "cchc.duckdb"
    rollback_cli = ["rollback", "--warehouse", str(served), "--postgres", postgres.url,
                    "--postgres-schema", schema]
    manifests = [publish_duckdb(tiny_build(tmp_path / "build.duckdb", version), served, f"run-{version}", [])
                 for version in (1, 2)]  # the first one before the server was configured
    publish(served, postgres.url, schema, manifests[1]["version"])
    assert main(rollback_cli) == 1  # the server has no version 1: neither is rolled back
    assert f"has no schema {schema}__previous" in capsys.readouterr().err
    assert current_version(served.parent) == manifests[1]["version"]

    manifests.append(publish_duckdb(tiny_build(tmp_path / "build.duckdb", 3), served, "run-3", []))
    publish(served, postgres.url, schema, manifests[2]["version"])
    assert main(rollback_cli) == 0
    said = capsys.readouterr().out
    assert f"to version {manifests[1]['version']}" in said and f"schema {schema}: rolled back to" in said
    assert current_version(served.parent) == manifests[1]["version"]
    assert server_rows(postgres.url, schema) == {**rows_of(2), "data_quality_issues": 1}
    assert served_version(postgres.url, schema) == version_comment(manifests[1]["version"])

    assert main(rollback_cli) == 1  # the DuckDB file has version 1, the server not
    assert "nothing was rolled back" in capsys.readouterr().err
    assert current_version(served.parent) == manifests[1]["version"]
    assert served_version(postgres.url, schema) == version_comment(manifests[1]["version"])


@dataclass
class Reads:
    """What one reader thread saw."""

    queries: int = 0
    rounds: int = 0  # every table read once
    errors: list[str] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=lambda: {table: Counter() for table in TABLES})


def poll(reads: Reads, stop: threading.Event, connect: Callable[[], Callable[[str], int]]) -> None:
    """Count every table's rows, round after round, until stopped; every error is kept."""
    try:
        count = connect()
    except Exception as error:  # noqa: BLE001 - a reader reports, the test asserts
        reads.errors.append(repr(error))
        return
    while not stop.is_set():
        for table in TABLES:
            try:
                reads.counts[table][count(table)] += 1
            except Exception as error:  # noqa: BLE001
                reads.errors.append(repr(error))
            reads.queries += 1
        reads.rounds += 1


def psycopg2_reader(url: str, schema: str) -> Callable[[str], int]:
    connection = psycopg2.connect(url)
    connection.autocommit = True
    cursor = connection.cursor()

    def count(table: str) -> int:
        cursor.execute(f'select count(*) from "{schema}"."{table}"')
        return cursor.fetchone()[0]

    return count


def duckdb_reader(url: str, schema: str) -> Callable[[str], int]:
    """Through DuckDB's postgres extension, whose cached catalog a publication makes stale: as the
    module says, it calls pg_clear_cache() before it reads again (here: before every round)."""
    connection = duckdb.connect()
    attach(connection, url)

    def count(table: str) -> int:
        if table == TABLES[0]:
            connection.execute("CALL pg_clear_cache()")
        return connection.execute(f'select count(*) from pg."{schema}"."{table}"').fetchone()[0]

    return count


def wait_for_rounds(readers: list[Reads], seconds: float = 60) -> None:
    """Until every reader has begun and finished a whole round after now."""
    targets = [reads.rounds + 2 for reads in readers]
    deadline = time.monotonic() + seconds
    while any(reads.rounds < target for reads, target in zip(readers, targets, strict=True)):
        assert time.monotonic() < deadline, "a reader is stuck"
        time.sleep(0.01)


def test_readers_polling_through_two_publications_see_one_version_or_the_other(
    postgres: LocalPostgres, schema: str, tmp_path: Path
) -> None:
    versions = {version: rows_of(version, scale=40_000) for version in (1, 2, 3)}
    files = {version: served_file(tmp_path / f"v{version}.duckdb", rows)
             for version, rows in versions.items()}
    publish(files[1], postgres.url, schema, "v1")
    connections = [*[lambda: psycopg2_reader(postgres.url, schema)] * 3,
                   lambda: duckdb_reader(postgres.url, schema)]
    readers, stop = [Reads() for _ in connections], threading.Event()
    threads = [threading.Thread(target=poll, args=(reads, stop, connect))
               for reads, connect in zip(readers, connections, strict=True)]
    for thread in threads:
        thread.start()
    try:
        wait_for_rounds(readers)
        for version in (2, 3):
            publish(files[version], postgres.url, schema, f"v{version}")
            wait_for_rounds(readers)  # each reader reads the new version too
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    seen = {table: sum((reads.counts[table] for reads in readers), Counter()) for table in TABLES}
    foreign = {table: {rows: times for rows, times in counts.items()
                       if rows not in {versions[version][table] for version in versions}}
               for table, counts in seen.items()}
    empty = sum(counts[0] for counts in seen.values())
    print(f"reader queries: {[reads.queries for reads in readers]} (3 psycopg2, 1 DuckDB); errors:"
          f" {sum(len(reads.errors) for reads in readers)}; empty reads: {empty}; counts of no version:"
          f" {sum(map(len, foreign.values()))}")  # the figures, with pytest -s
    assert [reads.errors for reads in readers] == [[]] * len(readers)
    assert empty == 0 and foreign == {table: {} for table in TABLES}
    for reads in readers:  # every reader read all three versions
        assert set(reads.counts["fct_tasks"]) == {versions[version]["fct_tasks"] for version in versions}


def test_a_duckdb_reader_attached_before_a_publication_reads_it_after_pg_clear_cache(
    postgres: LocalPostgres, schema: str, tmp_path: Path
) -> None:
    """The cache holds the catalog: without pg_clear_cache() a reader attached before the publication
    still sees the old version's columns (it reads rows by name: their counts are new already); after
    it, the new version as it is."""
    publish(served_file(tmp_path / "v1.duckdb", rows_of(1)), postgres.url, schema, "v1")
    reader = duckdb.connect()
    attach(reader, postgres.url)
    table = f'pg."{schema}".fct_tasks'

    def columns() -> list[str]:
        return [column[0] for column in reader.execute(f"select * from {table} limit 0").description]

    assert columns() == ["id", "label"]
    publish(served_file(tmp_path / "v2.duckdb", rows_of(2), extra_column=True), postgres.url, schema, "v2")
    assert columns() == ["id", "label"]  # stale
    reader.execute("CALL pg_clear_cache()")
    assert columns() == ["id", "label", "doubled"]
    assert {name: reader.execute(f'select count(*) from pg."{schema}"."{name}"').fetchone()[0]
            for name in TABLES} == rows_of(2)
    doubled = reader.execute(f"select max(doubled) from {table}").fetchone()[0]
    assert doubled == 2 * (rows_of(2)["fct_tasks"] - 1)


def test_the_swap_waits_for_a_snapshot_older_than_the_copy(
    postgres: LocalPostgres, schema: str, tmp_path: Path
) -> None:
    """A REPEATABLE READ transaction (as each query of DuckDB's postgres extension is) begun before the
    copy would find the new tables empty: the swap waits for it to end, and it reads the old version
    throughout."""
    publish_versions(postgres.url, schema, tmp_path, range(1, 2))
    v2 = served_file(tmp_path / "v2.duckdb", rows_of(2))
    with contextlib.closing(psycopg2.connect(postgres.url)) as reader, reader.cursor() as cursor:
        reader.set_session(isolation_level="REPEATABLE READ")
        cursor.execute(f'select count(*) from "{schema}".fct_tasks')
        publishing = threading.Thread(target=publish, args=(v2, postgres.url, schema, "v2"))
        publishing.start()
        time.sleep(2)  # the copy is done in far less; the swap waits
        assert publishing.is_alive()
        cursor.execute(f'select count(*) from "{schema}".fct_tasks')
        assert cursor.fetchone() == (rows_of(1)["fct_tasks"],)
        reader.commit()
        publishing.join(timeout=30)
        cursor.execute(f'select count(*) from "{schema}".fct_tasks')
        assert cursor.fetchone() == (rows_of(2)["fct_tasks"],)


def test_a_snapshot_held_past_the_wait_finds_the_new_tables_empty(
    postgres: LocalPostgres, schema: str, tmp_path: Path
) -> None:
    """The limit the module and docs state: a transaction idle longer than the wait does not stop the
    publication, and the new tables' rows are newer than its snapshot."""
    publish_versions(postgres.url, schema, tmp_path, range(1, 2))
    with contextlib.closing(psycopg2.connect(postgres.url)) as reader, reader.cursor() as cursor:
        reader.set_session(isolation_level="REPEATABLE READ")
        cursor.execute(f'select count(*) from "{schema}".fct_tasks')
        assert cursor.fetchone() == (rows_of(1)["fct_tasks"],)
        served = publish(served_file(tmp_path / "v2.duckdb", rows_of(2)), postgres.url, schema, "v2",
                         snapshot_wait_seconds=0.5)
        assert served.older_snapshots == 1
        cursor.execute(f'select count(*) from "{schema}".fct_tasks')
        assert cursor.fetchone() == (0,)


@pytest.fixture
def reader_role(postgres: LocalPostgres) -> Iterator[str]:
    """A login role that may read what the postgres role creates, as docs recipes set one up."""
    role = f"cchc_reader_{uuid.uuid4().hex[:8]}"
    with contextlib.closing(psycopg2.connect(postgres.url)) as connection, connection.cursor() as cursor:
        connection.autocommit = True
        cursor.execute(f"CREATE ROLE {role} LOGIN")
        cursor.execute(f"ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT USAGE ON SCHEMAS TO {role}")
        cursor.execute(f"ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT SELECT ON TABLES TO {role}")
        try:
            yield role
        finally:
            cursor.execute(f"DROP OWNED BY {role}")  # its default privileges and grants
            cursor.execute(f"DROP ROLE {role}")


def test_a_read_only_role_reads_every_version_and_writes_none(
    postgres: LocalPostgres, schema: str, reader_role: str, tmp_path: Path
) -> None:
    publish_versions(postgres.url, schema, tmp_path, range(1, 3))
    as_reader = postgres.url.replace("postgresql://postgres@", f"postgresql://{reader_role}@")
    assert server_rows(as_reader, schema) == rows_of(2)
    for statement in (f'insert into "{schema}".fct_tasks (id) values (-1)',
                      f'delete from "{schema}".fct_tasks', f'create table "{schema}".mine (id int)',
                      f'drop table "{schema}".fct_tasks'):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            server_query(as_reader, statement)
    rollback(postgres.url, schema, "v1")
    assert server_rows(as_reader, schema) == rows_of(1)


def test_the_swap_gives_up_after_lock_timeout_while_a_reader_holds_the_version_it_drops(
    postgres: LocalPostgres, schema: str, tmp_path: Path
) -> None:
    publish_versions(postgres.url, schema, tmp_path, range(1, 3))
    v3 = served_file(tmp_path / "v3.duckdb", rows_of(3))
    gave_up = "gave up after waiting 0.5 s \\(lock_timeout\\) for readers.*; PostgreSQL serves what it served"
    with contextlib.closing(psycopg2.connect(postgres.url)) as long_reader, long_reader.cursor() as cursor:
        cursor.execute(f'select count(*) from "{schema}__previous".fct_tasks')  # its transaction stays open
        with pytest.raises(PostgresPublicationError, match=gave_up):
            publish(v3, postgres.url, schema, "v3", lock_timeout_seconds=0.5)
        assert server_rows(postgres.url, schema) == rows_of(2)
        assert server_rows(postgres.url, f"{schema}__previous") == rows_of(1)
    publish(v3, postgres.url, schema, "v3")  # once the reader is gone, and over the staging left behind
    assert schemas(postgres.url, schema) == {schema: version_comment("v3"),
                                             f"{schema}__previous": version_comment("v2")}


@pytest.mark.parametrize("server", ["stopped", "no such database"])
def test_an_unreachable_server_is_one_line_naming_it_without_its_password(
    postgres: LocalPostgres, schema: str, tmp_path: Path, server: str
) -> None:
    port, database, reason = {
        "stopped": (free_port(), "postgres", "Connection refused"),
        "no such database": (postgres.port, "no_such_db", 'database "no_such_db" does not exist'),
    }[server]
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/{database}"
    with pytest.raises(PostgresPublicationError) as raised:
        publish(served_file(tmp_path / "v1.duckdb", rows_of(1)), url, schema, "v1")
    message = str(raised.value)
    assert message.startswith(f"cannot connect to postgresql://postgres:***@127.0.0.1:{port}/{database}: ")
    assert reason in message and message.endswith("; PostgreSQL serves what it served before")
    assert "\n" not in message and PASSWORD not in message
    # Nor is DuckDB's error, which holds the URL as given, chained to it.
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


@pytest.mark.parametrize("name", ["Cchc", "1cchc", "cchc-x", "cchc.x", 'x"; drop table y; --', "", "a" * 42])
def test_a_schema_name_that_is_not_plain_is_refused_before_connecting(name: str, tmp_path: Path) -> None:
    problem = f"PostgreSQL schema name {name!r} is not allowed"
    assert schema_problem(name).startswith(problem)
    with pytest.raises(PostgresPublicationError, match=re.escape(problem)):
        publish(tmp_path / "none.duckdb", "postgresql://nowhere.invalid/x", name, "v1")
    with pytest.raises(PostgresPublicationError, match=re.escape(problem)):
        rollback("postgresql://nowhere.invalid/x", name, "v1")


@pytest.mark.parametrize("name", ["cchc", "_x", "cchc_2026", "a" * 41])
def test_plain_schema_names_are_allowed(name: str) -> None:
    assert schema_problem(name) is None


def test_a_refresh_with_a_schema_name_that_is_not_plain_fails_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CCHC_POSTGRES_URL", raising=False)
    served = tmp_path / "cchc.duckdb"
    refresh = ["refresh", "--reports", str(BUNDLED_REPORTS), "--warehouse", str(served),
               "--postgres", "postgresql://nowhere.invalid/x", "--postgres-schema", "Cchc"]
    assert main(refresh) == 1
    assert capsys.readouterr().err == (
        "cchc: refresh failed before it started: PostgreSQL schema name 'Cchc' is not allowed: lower-case"
        " letters, digits and _, not starting with a digit, at most 41 characters\n")
    assert not served.exists()


# End to end: `cchc refresh --postgres` on the bundled reports, then one whose server is unreachable.


@dataclass(frozen=True)
class Refreshes:
    served: Path
    schema: str
    first_version: str
    metadata: dict  # of the published_warehouse materialization
    failed_status: int
    failed_stderr: str
    failed_versions: tuple[list[str], list[str]]  # the DuckDB versions before and after the failed refresh


@pytest.fixture(scope="module")
def refreshes(postgres: LocalPostgres, tmp_path_factory: pytest.TempPathFactory) -> Refreshes:
    served = tmp_path_factory.mktemp("postgres") / "warehouse" / "cchc.duckdb"
    schema = "e2e_bundled"
    refresh = ["refresh", "--reports", str(BUNDLED_REPORTS), "--warehouse", str(served),
               "--postgres-schema", schema, "--postgres"]
    runs = []
    execute_in_process = dg.JobDefinition.execute_in_process

    def kept(job, *args, **kwargs):
        runs.append(execute_in_process(job, *args, **kwargs))
        return runs[-1]

    with pytest.MonkeyPatch.context() as patch:
        for variable in ("CCHC_POSTGRES_URL", "CCHC_POSTGRES_SCHEMA", "CCHC_REPORTS_DIR", "CCHC_WAREHOUSE"):
            patch.delenv(variable, raising=False)  # the CLI sets them for the definitions, not for others
        patch.setattr(dg.JobDefinition, "execute_in_process", kept)
        with contextlib.redirect_stderr(StringIO()) as stderr:
            assert main([*refresh, with_password(postgres.url)]) == 0, stderr.getvalue()
        first_version = current_version(served.parent)
        before = published_versions(served.parent)
        unreachable = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/postgres"
        with contextlib.redirect_stderr(StringIO()) as stderr:
            failed = main([*refresh, unreachable])
    (published,) = [materialization for materialization in runs[0].asset_materializations_for_node(
        "published_warehouse") if materialization.asset_key == dg.AssetKey("published_warehouse")]
    metadata = {key: value.value for key, value in published.metadata.items()}
    return Refreshes(served, schema, first_version, metadata, failed, stderr.getvalue(),
                     (before, published_versions(served.parent)))


def duckdb_tables(served: Path) -> dict[str, int]:
    with duckdb.connect(str(served), read_only=True) as con:
        tables = con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()
        return {table: con.execute(f'select count(*) from "{table}"').fetchone()[0] for (table,) in tables}


def test_a_refresh_publishes_every_table_of_the_served_file_to_postgres(
    refreshes: Refreshes, postgres: LocalPostgres
) -> None:
    served = duckdb_tables(refreshes.served)
    assert len(served) == 19 and sum(served.values()) > 1000
    assert server_rows(postgres.url, refreshes.schema) == served
    assert served_version(postgres.url, refreshes.schema) == version_comment(refreshes.first_version)
    metadata = refreshes.metadata
    assert metadata["postgres_url"] == postgres.url.replace("postgres@", "postgres:***@")
    assert (metadata["postgres_schema"], metadata["postgres_tables"], metadata["postgres_rows"]) == (
        refreshes.schema, 19, sum(served.values()))
    assert metadata["postgres_seconds"] > 0


def test_every_table_and_column_comment_reaches_postgres(
    refreshes: Refreshes, postgres: LocalPostgres
) -> None:
    with duckdb.connect(str(refreshes.served), read_only=True) as con:
        tables = dict(con.execute("select table_name, comment from duckdb_tables()"
                                  " where schema_name = 'main'").fetchall())
        columns = {(table, column): comment for table, column, comment in con.execute(
            "select table_name, column_name, comment from duckdb_columns()"
            " where schema_name = 'main' and database_name = current_database()").fetchall()}
    assert all(tables.values()) and all(columns.values())
    on_server = server_query(postgres.url, "select c.relname, a.attname, obj_description(c.oid, 'pg_class'),"
                                           " col_description(c.oid, a.attnum) from pg_class c"
                                           " join pg_attribute a on a.attrelid = c.oid and a.attnum > 0"
                                           " where c.relnamespace = %s::regnamespace and c.relkind = 'r'",
                             (refreshes.schema,))
    assert {table: comment for table, _, comment, _ in on_server} == tables
    assert {(table, column): comment for table, column, _, comment in on_server} == columns


def test_an_unreachable_server_fails_the_refresh_in_one_line_and_the_duckdb_file_is_published(
    refreshes: Refreshes, postgres: LocalPostgres
) -> None:
    before, after = refreshes.failed_versions
    assert refreshes.failed_status == 1
    (line,) = refreshes.failed_stderr.splitlines()
    assert re.fullmatch(
        f"cchc: refresh failed: published {re.escape(str(refreshes.served))}, but not to PostgreSQL:"
        r" cannot connect to postgresql://postgres:\*\*\*@127\.0\.0\.1:\d+/postgres: .*Connection refused;"
        r" PostgreSQL serves what it served before \(trace: .*refresh\.log\)", line)
    assert len(after) == len(before) + 1 and current_version(refreshes.served.parent) == after[-1]
    assert duckdb_tables(refreshes.served) == server_rows(postgres.url, refreshes.schema)
    assert served_version(postgres.url, refreshes.schema) == version_comment(refreshes.first_version)
    for path in refreshes.served.parent.rglob("*"):  # logs, manifests, Data Docs
        assert not path.is_file() or PASSWORD.encode() not in path.read_bytes(), path
