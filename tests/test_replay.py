"""The dbt stage of a worker's refresh replays the SQL of its last dbt build on the kept build file:
same tables as dbt builds, same test verdicts, and only while nothing else touched that file."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project import cli
from dagster_project.defs.warehouse import replay
from dagster_project.defs.warehouse.replay import Claim, CompiledNode, Replay
from dagster_project.settings import PROJECT_ROOT, load_settings

BUNDLED_REPORTS = PROJECT_ROOT / "seeds" / "reports"
NEW_REPORT = (
    "Báo cáo kết quả cải cách hành chính năm 2024 của tỉnh Sơn La.\n"
    "Toàn tỉnh có 1.612 thủ tục hành chính.\n"
)
CHANGED_REPORT = NEW_REPORT.replace("1.612", "1.613")
REMOVED = sorted(path.name for path in BUNDLED_REPORTS.glob("*.txt"))[0]


def model(name: str, sql: str, materialized: str = "table") -> CompiledNode:
    return CompiledNode(f"model.cchc.{name}", name, "model", sql, f'main."{name}"', materialized)


def data_test(name: str, sql: str, severity: str = "error") -> CompiledNode:
    return CompiledNode(f"test.cchc.{name}", name, "test", sql, severity=severity)


def outcomes(tmp_path: Path, nodes: list[CompiledNode]) -> dict[str, tuple[str, int]]:
    build = tmp_path / "build.duckdb"
    plan = Replay(("project", str(build)), tuple(nodes))
    return {o.node.name: (o.status, o.failures) for o in replay.run(plan, build)}


def test_models_are_built_in_order_and_tests_counted_as_dbt_counts_them(tmp_path: Path) -> None:
    results = outcomes(tmp_path, [
        model("numbers", "select range as n from range(5)"),
        model("evens", "select n from main.numbers where n % 2 = 0", "view"),
        data_test("evens_are_even", "select n from main.evens where n % 2 = 1"),
        data_test("no_three", "select n from main.numbers where n = 3"),
        data_test("no_four", "select n from main.numbers where n = 4", severity="warn"),
    ])
    assert results == {
        "numbers": ("success", 0), "evens": ("success", 0), "evens_are_even": ("pass", 0),
        "no_three": ("fail", 1), "no_four": ("warn", 1),
    }


def test_a_failing_model_stops_the_replay(tmp_path: Path) -> None:
    results = outcomes(tmp_path, [
        model("broken", "select * from main.missing_table"),
        model("after", "select 1 as one"),
    ])
    assert results == {"broken": ("error", 0)}


PICKED = """
    with facts as (select * from main.facts_in /* cchc:replay-cells */)
    select document_id, province, metric, value,
        value = max(value) over (partition by province, metric) as top
    from facts"""


def test_a_table_replayed_by_cells_equals_the_table_built_again(tmp_path: Path) -> None:
    """Only the cells the changed documents' rows fall in, before or now, are computed again; a
    cell without a province (national figures) is a cell too."""
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.changed_documents (document_id varchar)")
        con.execute("""create table facts_in as select * from (values
            ('a', null, 'm', 1.0), ('b', null, 'm', 2.0), ('c', 'x', 'm', 5.0), ('d', 'x', 'm', 4.0),
            ('e', 'y', 'm', 7.0)) as t(document_id, province, metric, value)""")
    picked = model("picked", PICKED)
    list(replay.run(Replay(("project", str(build)), (picked,)), build))
    with duckdb.connect(str(build)) as con:
        con.execute("update facts_in set value = 3.0 where document_id = 'a'")  # now the top of its cell
        con.execute("update facts_in set province = 'x' where document_id = 'b'")  # moves cell
        con.execute("delete from facts_in where document_id = 'c'")  # gone: d is the top of x now
        con.execute("update facts_in set value = 9.0 where document_id = 'e'")  # not said: left as is
        con.execute("insert into raw.changed_documents values ('a'), ('b'), ('c')")
    by_cells = dataclasses.replace(picked, cells=("province", "metric"))
    assert outcomes(tmp_path, [by_cells]) == {"picked": ("success", 0)}
    with duckdb.connect(str(build)) as con:
        rows = con.execute("select * from picked order by document_id").fetchall()
    assert rows == [
        ("a", None, "m", 3.0, True), ("b", "x", "m", 2.0, False), ("d", "x", "m", 4.0, True),
        ("e", "y", "m", 7.0, True),
    ]


def test_a_table_of_rows_by_document_is_replayed_for_the_changed_documents(tmp_path: Path) -> None:
    """Cells of one column, document_id: the rows of the changed documents are computed again,
    those of a removed one go, and a document not said to have changed is left as it was."""
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.changed_documents (document_id varchar)")
        con.execute("""create table facts_in as select * from (values
            ('a', 1.0), ('a', 2.0), ('b', 3.0), ('c', 4.0)) as t(document_id, value)""")
    doubled = model("doubled", """
        with facts as (select * from main.facts_in /* cchc:replay-cells */)
        select document_id, value * 2 as doubled from facts""")
    list(replay.run(Replay(("project", str(build)), (doubled,)), build))
    with duckdb.connect(str(build)) as con:
        con.execute("update facts_in set value = 5.0 where document_id = 'a' and value = 1.0")
        con.execute("delete from facts_in where document_id = 'b'")
        con.execute("update facts_in set value = 9.0 where document_id = 'c'")  # not said: left as is
        con.execute("insert into facts_in values ('d', 6.0)")
        con.execute("insert into raw.changed_documents values ('a'), ('b'), ('d')")
    by_document = dataclasses.replace(doubled, cells=("document_id",))
    assert outcomes(tmp_path, [by_document]) == {"doubled": ("success", 0)}
    with duckdb.connect(str(build)) as con:
        rows = con.execute("select * from doubled order by all").fetchall()
    assert rows == [("a", 4.0), ("a", 10.0), ("c", 8.0), ("d", 12.0)]


def test_a_replay_is_claimed_only_on_the_files_left_as_they_were(tmp_path: Path) -> None:
    build, state = tmp_path / "build.duckdb", tmp_path / "state.duckdb"
    for database in (build, state):
        duckdb.connect(str(database)).close()
    key = ("project", str(build))
    changed = "the build file or the ingest state changed since the last refresh"
    replay.forget()
    replay._kept.append(Replay(key, ()))
    assert replay.claim(key, state) == Claim(False, changed), "not before a refresh has left the files"
    replay.left_as(build, state, built=True)
    assert replay.claim(key, state).granted and replay.claimed(key) is not None
    assert replay.claim(key, state) == Claim(False, changed), "one refresh at a time"
    for written in (build, state):  # by another writer
        replay.left_as(build, state, built=True)
        with duckdb.connect(str(written)) as con:
            con.execute("create or replace table t as select 1 as one")
        assert replay.claim(key, state) == Claim(False, changed)
    replay.left_as(build, state, built=True)
    state.unlink()
    assert replay.claim(key, state) == Claim(False, changed)
    replay.left_as(build, state, built=False)
    assert replay.claimed(key) is None
    assert replay.claim(key, state) == Claim(False, "no dbt build to replay")
    assert not replay.replay_file(build).exists()


def test_a_replay_left_by_one_process_is_claimed_by_the_next(tmp_path: Path) -> None:
    build, state = tmp_path / "build.duckdb", tmp_path / "state.duckdb"
    for database in (build, state):
        duckdb.connect(str(database)).close()
    key = ("project", str(build))
    nodes = (model("numbers", "select 1 as n"),
             data_test("positive", "select n from main.numbers where n < 1"))
    replay.forget()
    replay._kept.append(Replay(key, nodes))
    replay.left_as(build, state, built=True)
    replay._kept.clear()  # a new process
    assert replay.claim(("another project", str(build)), state) == Claim(
        False, "the code, the dbt project or the dbt and DuckDB versions changed")
    replay._kept.clear()
    assert replay.claim(key, state) == Claim(True, "the SQL of the last dbt build, replayed")
    assert replay.claimed(key).nodes == nodes
    replay.replay_file(build).write_text("{not json", encoding="utf-8")
    replay._kept.clear()
    assert replay.claim(key, state) == Claim(False, "no dbt build to replay"), "a damaged file is no replay"


@pytest.mark.parametrize("macro", ["materialization_table_duckdb", "default__get_test_sql"])
def test_a_project_that_changes_how_dbt_builds_is_not_replayed(macro: str) -> None:
    assert replay.capture([], ("project", "build"), ["pivot_metrics"]) is not None
    assert replay.capture([], ("project", "build"), ["pivot_metrics", macro]) is None
    assert replay.claimed(("project", "build")) is None


def published_tables(warehouse: Path) -> dict[str, set[tuple]]:
    """Every table of schema main, without its timestamps (when a row was ingested or seen)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'").fetchall()]
        contents = {}
        for table in tables:
            columns = [c for c, kind in con.execute(
                "select column_name, data_type from duckdb_columns()"
                " where schema_name = 'main' and table_name = ?", [table]).fetchall()
                if not kind.startswith("TIMESTAMP")]
            quoted = ", ".join(f'"{c}"' for c in columns)
            contents[table] = set(con.execute(f'select {quoted} from main."{table}"').fetchall())
    return contents


def last_dbt_stage(warehouse: Path) -> str:
    """How the last refresh ran dbt, and why (build/last_refresh.json)."""
    timings = json.loads((warehouse.parent / "build" / "last_refresh.json").read_text(encoding="utf-8"))
    return f"{timings['dbt']}: {timings['dbt_reason']}"


@dataclasses.dataclass
class Refreshed:
    stages: list[str]  # how each refresh ran dbt, and why
    replayed: dict[str, set[tuple]]  # the published tables after the last replayed refresh
    rebuilt: dict[str, set[tuple]]  # and after a full refresh of the same folder and state
    statuses: list[tuple]  # after the last replayed refresh: (file, status) of changed documents
    procedures: list[tuple]  # and the new report's figure
    sightings: list[tuple]  # and when its current documents were last seen
    runs_kept: int  # by the Dagster instance the replayed refreshes shared, as `cchc serve`'s do


CHANGES = """
    select file_path, status from dim_document where status <> 'current' or file_path = 'son-la-2024.txt'
    order by all"""
SIGHTINGS = "select distinct last_seen_at from dim_document where status = 'current' and sha256 is not null"
PROCEDURES = """
    select procedures_total from fct_procedures where province_code = '14' and period_id = '2024-year'"""


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Refreshed:
    """As `cchc serve` does: a refresh; one more after a new report; one more after that report
    changed and a bundled one was removed. Then a full refresh, which runs dbt on a fresh build."""
    folder = tmp_path_factory.mktemp("replay")
    reports, warehouse = folder / "reports", folder / "warehouse" / "cchc.duckdb"
    shutil.copytree(BUNDLED_REPORTS, reports)
    settings = load_settings(str(reports), str(warehouse))
    job = cli.load_refresh_job(settings)
    stages = []
    instance = dg.DagsterInstance.ephemeral()
    for change in (None, NEW_REPORT, CHANGED_REPORT):
        if change == CHANGED_REPORT:
            (reports / REMOVED).unlink()
            replay._kept.clear()  # as in a new process: the replay is read from beside the build file
        if change is not None:
            (reports / "son-la-2024.txt").write_text(change, encoding="utf-8")
        assert cli.refresh(job, settings, full=False, instance=instance).published
        stages.append(last_dbt_stage(warehouse))
    runs_kept = len(instance.get_runs())
    replayed = published_tables(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        statuses, procedures = con.execute(CHANGES).fetchall(), con.execute(PROCEDURES).fetchall()
        sightings = con.execute(SIGHTINGS).fetchall()
    assert cli.refresh(job, settings, full=True).published
    stages.append(last_dbt_stage(warehouse))
    rebuilt = published_tables(warehouse)
    return Refreshed(stages, replayed, rebuilt, statuses, procedures, sightings, runs_kept)


def test_the_refreshes_after_a_dbt_build_replay_it(refreshed: Refreshed) -> None:
    replayed = "replayed: the SQL of the last dbt build, replayed"
    assert refreshed.stages == [
        "built: no dbt build to replay", replayed, replayed, "built: a full refresh",
    ]


def test_a_shared_dagster_instance_keeps_no_run(refreshed: Refreshed) -> None:
    assert refreshed.runs_kept == 0


def test_a_replayed_refresh_publishes_what_dbt_builds(refreshed: Refreshed) -> None:
    expected, actual = refreshed.rebuilt, refreshed.replayed
    assert actual.keys() == expected.keys()
    assert {table for table in expected if actual[table] != expected[table]} == set()


def test_a_replayed_refresh_publishes_changed_and_removed_reports(refreshed: Refreshed) -> None:
    assert refreshed.statuses == [
        (REMOVED, "withdrawn"), ("son-la-2024.txt", "current"), ("son-la-2024.txt", "superseded"),
    ]
    assert refreshed.procedures == [(1613,)]
    assert len(refreshed.sightings) == 1, "every current document was seen by the last refresh"


def test_a_replay_is_kept_for_the_dbt_project_and_the_code_that_wrote_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dagster_project.defs.warehouse import in_process

    fingerprinted: list[str] = []
    monkeypatch.setattr(in_process, "fingerprint", lambda *paths: fingerprinted.extend(
        Path(path).name for path in paths) or "fingerprint")
    monkeypatch.setattr(in_process.metadata, "version", lambda name: f"{name}-version")
    inputs, build = in_process.replay_key("build.duckdb")
    assert build == "build.duckdb"
    assert {"models", "macros", "reference", "dbt_project.yml", "state.py", "replay.py"} <= set(fingerprinted)
    assert not any(name.endswith(".pyc") for name in fingerprinted)
    assert inputs == "fingerprint|fingerprint|dbt-core-version,dbt-duckdb-version,duckdb-version"


def test_a_file_kept_open_is_shared_until_the_refresh_ends_or_the_process_forks(tmp_path: Path) -> None:
    from dagster_project import storage

    build = tmp_path / "build.duckdb"
    duckdb.connect(str(build)).close()

    def open_read_only() -> bool:
        try:
            duckdb.connect(str(build), read_only=True).close()
        except duckdb.Error:  # the process holds it read-write
            return False
        return True

    storage.keep_open(build)  # outside a refresh run by cchc: nothing
    assert open_read_only()
    with storage.files_kept_open():
        storage.keep_open(build)
        with storage.connect(build) as con:
            con.execute("create table kept as select 1 as one")
        assert not open_read_only(), "kept open, read-write"
        child = os.fork()
        if child == 0:
            os._exit(0)
        os.waitpid(child, 0)
        assert open_read_only(), "closed before the fork"
        storage.keep_open(build)
        assert not open_read_only()
    assert open_read_only(), "closed when the refresh ends"
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select one from kept").fetchall() == [(1,)]
