"""The SQL of the last dbt build, run again on the same build file without dbt.

dbt costs about 15 ms of its own work per node (compiling, events, artefacts): at 237 nodes that is
several times what DuckDB spends running them. A dbt build that succeeded in a refresh is therefore
kept (a `Replay`: the SQL dbt compiled for each model and test, in memory and beside the build
file) and, while the dbt project is unchanged and the build file and ingest state are as the last
refresh left them, the next incremental refresh runs that SQL directly on the kept build file:
the tables in dependency order, then every data test, counted as dbt counts them. The views are
left as that build created them: they hold no rows.

The compiled SQL is what dbt would compile again: it depends on the project's files and the
reference seeds (the metric catalog macros query), which are the fingerprint the replay is kept
for, and not on the raw tables. The seeds themselves are not loaded again: they are already in the
kept build file. A full refresh (`--full`, the nightly schedule) always runs dbt on a fresh file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import graphlib
import json
import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from dagster_project.parallel import worker_count
from dagster_project.storage import cursor_per_thread

REPLAYED = frozenset({"view", "table"})  # materialisations whose SQL is the whole of what dbt runs
# Where a model marks the input rows the replay may narrow to some cells (dbt/macros/replay_cells.sql).
CELLS_MARKER = "/* cchc:replay-cells */"
# The documents whose version row or facts this refresh changed (state.py, copy_facts).
CHANGED_DOCUMENTS = "select document_id from raw.changed_documents"


@dataclasses.dataclass(frozen=True)
class CompiledNode:
    unique_id: str
    name: str
    resource_type: str  # "model" or "test"
    sql: str  # the model's select, or the test's query returning failing rows
    relation: str = ""  # models: the relation the select is materialised as
    materialized: str = ""
    # tables whose rows each belong to a cell (these columns), computed from their marked input's
    # rows of that cell alone: replayed for the cells the changed documents touch (_replay_cells)
    cells: tuple[str, ...] = ()
    # tests: dbt's default get_test_sql, with these configured parts
    fail_calc: str = "count(*)"
    warn_if: str = "!= 0"
    error_if: str = "!= 0"
    severity: str = "error"


@dataclasses.dataclass(frozen=True)
class NodeOutcome:
    node: CompiledNode
    status: str  # as dbt says it: success, error (models); pass, warn, fail, error (tests)
    seconds: float
    failures: int = 0
    message: str = ""


@dataclasses.dataclass
class Replay:
    key: tuple[str, str]  # (dbt inputs fingerprint, build file) it was compiled for
    nodes: tuple[CompiledNode, ...]  # the tables in dependency order, then the tests
    stamp: tuple | None = None  # the build and state files as the last refresh left them
    claimed: bool = False  # by the refresh running now, which kept the build file for it


_kept: list[Replay] = []  # at most one: the last full build's


def capture(results: Iterable, key: tuple[str, str], project_macros: Iterable[str]) -> Replay | None:
    """The replay of a dbt build that succeeded, from its node results; None (and any earlier
    replay forgotten) if some node cannot be replayed as plain SQL, or if the project's own macros
    change how dbt materialises models or runs tests."""
    forget(Path(key[1]))
    if any(name.startswith("materialization_") or name.endswith("get_test_sql") for name in project_macros):
        return None
    built = {result.node.unique_id: result.node for result in results}
    nodes = {}
    for unique_id, built_node in built.items():
        node = _compiled(built_node)
        if node is False:
            return None
        if node is not None:
            nodes[unique_id] = node
    order = graphlib.TopologicalSorter({
        unique_id: [upstream for upstream in built[unique_id].depends_on.nodes if upstream in nodes]
        for unique_id, node in nodes.items() if node.resource_type == "model"
    }).static_order()
    # A view holds no rows: as the last build created it, it reads the tables as they are now.
    models = [uid for uid in order if nodes[uid].materialized != "view"]
    tests = sorted(uid for uid, node in nodes.items() if node.resource_type == "test")
    replay = Replay(key, tuple(nodes[uid] for uid in (*models, *tests)))
    _kept.append(replay)
    return replay


def _compiled(node) -> CompiledNode | None | bool:
    """The node as replayable SQL; None for a seed (kept in the build file); False if dbt would do
    more than run its SQL (another materialisation, hooks, stored failures)."""
    kind = str(node.resource_type)
    if kind == "seed":
        return None
    config = node.config
    if kind == "model":
        if config.materialized not in REPLAYED or config.pre_hook or config.post_hook:
            return False
        cells = (config.meta or {}).get("replay_cells") or ()
        by_cells = config.materialized == "table" and CELLS_MARKER in node.compiled_code
        return CompiledNode(node.unique_id, node.name, kind, node.compiled_code,
                            node.relation_name, config.materialized, tuple(cells) if by_cells else ())
    if kind == "test" and not config.store_failures and config.limit is None:
        return CompiledNode(node.unique_id, node.name, kind, node.compiled_code,
                            fail_calc=config.fail_calc, warn_if=config.warn_if,
                            error_if=config.error_if, severity=str(config.severity).lower())
    return False


def forget(build_path: Path | None = None) -> None:
    """No refresh may replay: the kept replay and its file are gone (and the file beside
    build_path, which another process may have left)."""
    builds = {Path(replay.key[1]) for replay in _kept} | ({build_path} if build_path else set())
    _kept.clear()
    for build in builds:
        replay_file(build).unlink(missing_ok=True)


def replay_file(build_path: Path) -> Path:
    """Where the replay is kept beside its build file, for the next refresh of any process."""
    return Path(f"{build_path}.replay.json")


@dataclasses.dataclass(frozen=True)
class Claim:
    granted: bool
    reason: str  # why dbt's SQL is replayed on the kept build file, or why dbt builds a fresh one


def claim(key: tuple[str, str], state_path: Path) -> Claim:
    """At the start of a refresh: whether it may keep the build file and replay on it. Yes if the
    kept replay (in this process, or the file the last refresh left) was compiled for this key and
    the build file and the ingest state (whose last changes a kept build copies) are as the last
    refresh left them."""
    if not _kept or _kept[0].key != key:
        saved = _load(Path(key[1]))
        _kept[:] = [saved] if saved is not None and saved.key == key else []
        if saved is not None and not _kept:
            return Claim(False, "the code, the dbt project or the dbt and DuckDB versions changed")
    if not _kept:
        return Claim(False, "no dbt build to replay")
    replay = _kept[0]
    if replay.stamp is None or replay.stamp != stamp(Path(key[1]), state_path):
        return Claim(False, "the build file or the ingest state changed since the last refresh")
    replay.stamp, replay.claimed = None, True
    return Claim(True, "the SQL of the last dbt build, replayed")


def claimed(key: tuple[str, str]) -> Replay | None:
    """The replay this refresh claimed, if the project is still the one it was compiled from."""
    return _kept[0] if _kept and _kept[0].claimed and _kept[0].key == key else None


def left_as(build_path: Path, state_path: Path, built: bool) -> None:
    """At the end of a refresh: if its dbt stage built or replayed every model, the next refresh
    may replay on the build file as it is now; otherwise it starts a fresh one."""
    if not built:
        forget(build_path)
    elif _kept and _kept[0].key[1] == str(build_path):
        _kept[0].stamp, _kept[0].claimed = stamp(build_path, state_path), False
        _save(_kept[0])


def _save(replay: Replay) -> None:
    path = replay_file(Path(replay.key[1]))
    staged = path.with_name(f".{path.name}.partial")
    staged.write_text(json.dumps({
        "key": replay.key, "stamp": replay.stamp,
        "nodes": [dataclasses.asdict(node) for node in replay.nodes],
    }), encoding="utf-8")
    os.replace(staged, path)


def _load(build_path: Path) -> Replay | None:
    """The replay a refresh left beside build_path; None if there is none or it cannot be read."""
    try:
        saved = json.loads(replay_file(build_path).read_text(encoding="utf-8"))
        return Replay(
            key=tuple(saved["key"]),
            nodes=tuple(CompiledNode(**{**node, "cells": tuple(node["cells"])}) for node in saved["nodes"]),
            stamp=None if saved["stamp"] is None else tuple(tuple(part) for part in saved["stamp"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stamp(*database_paths: Path) -> tuple | None:
    """Which files, of what size, written when: any other writer changes it. None if one is missing."""
    paths = [path for database in database_paths for path in (database, Path(f"{database}.wal"))]
    try:
        stats = [(str(path), os.stat(path)) for path in paths if path.exists() or path.suffix != ".wal"]
    except OSError:
        return None
    return tuple((name, s.st_ino, s.st_size, s.st_mtime_ns) for name, s in stats)


def run(replay: Replay, build_path: Path) -> Iterable[NodeOutcome]:
    """Run the models, then the tests; stop at the first model that fails, as its dependents
    could not be built. The tests only read: they run on as many connections as there are
    workers (each is a millisecond of planning, much of it in Python), while one more writes the
    new tables to the file (the checkpoint closing the file would otherwise do after them)."""
    with duckdb.connect(str(build_path)) as con:
        for node in replay.nodes:
            if node.resource_type != "model":
                break
            outcome = _run_node(con, node)
            yield outcome
            if outcome.status == "error":
                return
        tests = [node for node in replay.nodes if node.resource_type == "test"]
        with cursor_per_thread(con) as cursor, ThreadPoolExecutor(max_workers=worker_count() + 1) as pool:
            checkpointed = pool.submit(lambda: _checkpoint(cursor()))
            yield from pool.map(lambda node: _run_node(cursor(), node), tests)
            checkpointed.result()


def _checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Write what the models changed to the file. Readers may run meanwhile; if it cannot be done
    now, closing the file does it."""
    with contextlib.suppress(duckdb.Error):
        con.execute("checkpoint")


def _run_node(con: duckdb.DuckDBPyConnection, node: CompiledNode) -> NodeOutcome:
    started = time.perf_counter()
    try:
        if node.resource_type == "model" and node.cells:
            _replay_cells(con, node)
            return NodeOutcome(node, "success", time.perf_counter() - started)
        if node.resource_type == "model":
            con.execute(f"create or replace {node.materialized} {node.relation} as (\n{node.sql}\n)")
            return NodeOutcome(node, "success", time.perf_counter() - started)
        failures, should_warn, should_error = con.execute(_test_sql(node)).fetchone()
    except duckdb.Error as error:
        return NodeOutcome(node, "error", time.perf_counter() - started, message=str(error))
    seconds = time.perf_counter() - started
    if should_error and node.severity == "error":
        return NodeOutcome(node, "fail", seconds, failures, _verdict(failures, "fail", node.error_if))
    if should_warn:
        return NodeOutcome(node, "warn", seconds, failures, _verdict(failures, "warn", node.warn_if))
    return NodeOutcome(node, "pass", seconds, failures)


def _replay_cells(con: duckdb.DuckDBPyConnection, node: CompiledNode) -> None:
    """A table's rows of the cells the changed documents' rows fall in, before or now, computed
    again from its input narrowed to those cells; its other rows stay as they are, as their
    input did. The same rows as `create or replace table` would leave (cells compare NULL to NULL)."""
    if node.cells == ("document_id",):  # a row per fact, each on its own: the documents are the cells
        in_scope = f"document_id in ({CHANGED_DOCUMENTS})"
    else:
        cell = "{" + ", ".join(f'"{column}": "{column}"' for column in node.cells) + "}"
        changed_now = node.sql.replace(CELLS_MARKER, f"where document_id in ({CHANGED_DOCUMENTS})")
        con.execute(
            f"create or replace temp table replay_scope as"
            f" select distinct {cell} as cell from ({changed_now})"
            f" union select distinct {cell} from {node.relation} where document_id in ({CHANGED_DOCUMENTS})"
        )
        in_scope = f"{cell} in (select cell from replay_scope)"
    narrowed = node.sql.replace(CELLS_MARKER, f"where {in_scope}")
    con.execute(f"delete from {node.relation} where {in_scope}")
    con.execute(f"insert into {node.relation} select * from (\n{narrowed}\n)")


def _verdict(failures: int, status: str, condition: str) -> str:
    return f"Got {failures} results, configured to {status} if {condition}"  # dbt's own words


def _test_sql(node: CompiledNode) -> str:
    """dbt's default get_test_sql."""
    return (
        f"select {node.fail_calc} as failures,"
        f" {node.fail_calc} {node.warn_if} as should_warn,"
        f" {node.fail_calc} {node.error_if} as should_error"
        f" from (\n{node.sql}\n) dbt_internal_test"
    )
