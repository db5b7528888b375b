"""Safe publication: readers never see a half-built or failed build, and can always read it.

Fast tests publish tiny builds. The slow ones share one real refresh (`warehouse`) and one
scenario in a copy of it (`killed_then_refreshed`): three refreshes killed with SIGKILL, during
extraction, dbt and publication, then a refresh that publishes while another process queries the
served file in a loop. A failed audit is tested in test_end_to_end.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import EXIT_BUSY, main
from dagster_project.publication import (
    WarehouseBusy,
    current_version,
    publish,
    published_versions,
    refresh_lock,
)
from dagster_project.settings import PROJECT_ROOT

BUNDLED_REPORTS = PROJECT_ROOT / "seeds" / "reports"
BI_GUIDE = (PROJECT_ROOT / "docs" / "bi.md").read_text(encoding="utf-8")
OLDEST_DUCKDB_1 = "1.0.0"


def guide_blocks(section: str, language: str) -> list[str]:
    text = BI_GUIDE.split(f"\n## {section}\n")[1].split("\n## ")[0]
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


# docs/bi.md, tested as written
SCORECARD = guide_blocks("Five scorecard queries", "sql")
PANDAS_SNIPPET, PARQUET_VIEWS_SNIPPET = guide_blocks("pandas or polars over the Parquet files", "python")
(TIME_SERIES,) = guide_blocks("A time series without a join", "sql")
(LATEST_VALUES,) = guide_blocks("The latest value per province and metric", "sql")


def tiny_build(path: Path, marker: int) -> Path:
    """A build with two marts; `fct_tasks` holds marker, so that versions can be told apart."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create table fct_tasks as select ? as marker from range(3)", [marker])
        con.execute("create table data_quality_issues as select 'a finding' as message")
    return path


def served_marker(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select max(marker) from fct_tasks").fetchone()[0]


def test_publish_serves_the_build_with_its_parquet_files_and_manifest(tmp_path: Path) -> None:
    served = tmp_path / "warehouse" / "cchc.duckdb"
    build = tiny_build(tmp_path / "build.duckdb", marker=1)
    manifest = publish(build, served, "run-0001-cafe", ["fct_tasks:great_expectations"])
    folder = served.parent
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert manifest["version"].endswith("Z-run-0001") and manifest["run_id"] == "run-0001-cafe"
    assert manifest["tables"] == {"data_quality_issues": 1, "fct_tasks": 3}
    assert (manifest["checks_passed"], manifest["findings"]) == (["fct_tasks:great_expectations"], 1)
    assert served.read_bytes() == (folder / "versions" / f"{manifest['version']}.duckdb").read_bytes()
    for table, rows in manifest["tables"].items():
        assert duckdb.sql(f"select count(*) from '{folder}/parquet/{table}.parquet'").fetchone() == (rows,)


def test_the_served_file_is_the_version_file_under_a_second_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is written twice; a file system without hard links gets a copy."""
    served = tmp_path / "warehouse" / "cchc.duckdb"
    first = publish(tiny_build(tmp_path / "build.duckdb", marker=1), served, "run-1", [])
    versions = served.parent / "versions"
    assert served.samefile(versions / f"{first['version']}.duckdb")

    def no_hard_links(source, target):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_hard_links)
    second = publish(tiny_build(tmp_path / "build.duckdb", marker=2), served, "run-2", [])
    assert served_marker(served) == 2
    assert not served.samefile(versions / f"{second['version']}.duckdb")
    assert served.read_bytes() == (versions / f"{second['version']}.duckdb").read_bytes()
    assert not served.stat().st_mode & 0o222  # the copy is read-only too


def test_within_one_process_a_new_connection_sees_the_old_version_until_all_are_closed(
    tmp_path: Path,
) -> None:
    """DuckDB's instance cache, as docs/bi.md tells readers: a connection to the served name shares
    the database an open one already holds."""
    served = tmp_path / "warehouse" / "cchc.duckdb"
    publish(tiny_build(tmp_path / "build.duckdb", marker=1), served, "run-1", [])
    held = duckdb.connect(str(served), read_only=True)
    publish(tiny_build(tmp_path / "build.duckdb", marker=2), served, "run-2", [])
    with duckdb.connect(str(served), read_only=True) as new:
        assert new.execute("select max(marker) from fct_tasks").fetchone() == (1,)
    held.close()
    assert served_marker(served) == 2


def test_data_docs_that_fail_to_render_publish_nothing(tmp_path: Path) -> None:
    """They are rendered while the build is staged: a failure there stops the publication."""
    served = tmp_path / "warehouse" / "cchc.duckdb"
    publish(tiny_build(tmp_path / "build.duckdb", marker=1), served, "run-1", [])

    def failed_docs() -> Path:
        raise RuntimeError("Data Docs: 1 result pages not rendered")

    with pytest.raises(RuntimeError, match="not rendered"):
        publish(tiny_build(tmp_path / "build.duckdb", marker=2), served, "run-2", [], data_docs=failed_docs)
    assert served_marker(served) == 1 and len(published_versions(served.parent)) == 1


def test_three_versions_are_kept_and_rollback_serves_the_previous_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    served = tmp_path / "warehouse" / "cchc.duckdb"
    for marker in range(1, 5):
        publish(tiny_build(tmp_path / "build.duckdb", marker), served, f"run-{marker}", [])
    folder = served.parent
    kept = published_versions(folder)
    assert len(kept) == 3 and served_marker(served) == 4
    for marker in (3, 2):
        assert main(["rollback", "--warehouse", str(served)]) == 0
        assert f"to version {kept[marker - 2]} (run run-{marker}," in capsys.readouterr().out
        assert served_marker(served) == marker
        assert current_version(folder) == kept[marker - 2]
        assert served.samefile(folder / "versions" / f"{kept[marker - 2]}.duckdb")
        parquet = f"{folder}/parquet/fct_tasks.parquet"
        assert duckdb.sql(f"select max(marker) from '{parquet}'").fetchone() == (marker,)
    assert main(["rollback", "--warehouse", str(served)]) == 1
    assert "no published version" in capsys.readouterr().err
    assert served_marker(served) == 2


HOLDER = """
import sys, time
from pathlib import Path
from dagster_project.publication import refresh_lock
with refresh_lock(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(300)
"""


def test_one_writer_at_a_time_and_a_killed_holder_leaves_no_stale_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    served = tmp_path / "cchc.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(served)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "holding\n"
        started = time.monotonic()
        refresh = ["refresh", "--reports", str(BUNDLED_REPORTS), "--warehouse", str(served)]
        assert main([*refresh, "--wait", "0.5"]) == EXIT_BUSY
        assert time.monotonic() - started >= 0.5
        assert main(["rollback", "--warehouse", str(served)]) == EXIT_BUSY
        errors = capsys.readouterr().err
        assert f"another refresh or rollback is writing {served} (pid {holder.pid} since" in errors
        assert "pass --wait SECONDS" in errors and "nothing was rolled back" in errors
        assert not served.exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with refresh_lock(served):  # the kernel released the killed holder's lock
        pass


# One real refresh: what BI tools read.


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("published") / "warehouse" / "cchc.duckdb"
    assert main(["refresh", "--reports", str(BUNDLED_REPORTS), "--warehouse", str(target)]) == 0
    return target


def test_manifest_describes_the_served_file_and_its_parquet_files(warehouse: Path) -> None:
    folder = warehouse.parent
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert current_version(folder) == manifest["version"]
    assert manifest["run_id"][:8] == manifest["version"][-8:]
    assert manifest["code_version"].startswith(metadata.version("cchc-warehouse"))
    assert manifest["duckdb_version"] == duckdb.__version__
    assert {"fct_report_facts:great_expectations", "fct_report_facts:assert_facts_split_by_document_status",
            "dim_province:unique_dim_province_province_id"} <= set(manifest["checks_passed"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("select table_name from duckdb_tables() where schema_name = 'main'")
        assert set(manifest["tables"]) == {name for (name,) in tables.fetchall()}
        for table, rows in manifest["tables"].items():
            assert con.execute(f"select count(*) from {table}").fetchone() == (rows,)
            parquet = f"{folder}/parquet/{table}.parquet"
            assert con.execute(f"select count(*) from '{parquet}'").fetchone() == (rows,)
        findings = con.execute("select count(*) from data_quality_issues").fetchone()[0]
    assert manifest["findings"] == findings == 2
    assert (folder / "data_docs" / "index.html").is_file()


def test_the_served_file_and_its_archived_versions_are_read_only_on_disk(warehouse: Path) -> None:
    """A client that opens them read-write fails (unless it runs as root) rather than locking out
    every reader or changing the archive the served name shares."""
    files = [warehouse, *(warehouse.parent / "versions").glob("*.duckdb")]
    assert len(files) >= 2
    assert [path.name for path in files if path.stat().st_mode & 0o222] == []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from fct_procedures").fetchone()[0] > 0


def test_published_file_is_in_the_storage_format_every_duckdb_1_x_reads(warehouse: Path) -> None:
    with warehouse.open("rb") as handle:
        header = handle.read(20)
    # Storage version 64: what DuckDB 0.10 to 1.1 write, and what every 1.x release reads.
    assert header[8:12] == b"DUCK" and int.from_bytes(header[12:20], "little") == 64
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # DuckDB 1.0 cannot open a file holding an index (or a key) written by 1.1 or later.
        assert con.execute("select count(*) from duckdb_indexes()").fetchone() == (0,)
        keys = "select count(*) from duckdb_constraints() where constraint_type in ('PRIMARY KEY', 'UNIQUE')"
        assert con.execute(keys).fetchone() == (0,)


OLD_CLIENT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import duckdb
folder, queries = sys.argv[2], json.load(sys.stdin)
con = duckdb.connect(folder + "/cchc.duckdb", read_only=True)
relations = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
print(json.dumps({
    "version": duckdb.__version__,
    "rows": {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
             for s, t in relations},
    "parquet": con.execute(
        f"select count(*) from read_parquet('{folder}/parquet/*.parquet', union_by_name = true)"
    ).fetchone()[0],
    "answers": [con.execute(query).fetchall() for query in queries],
}))
"""


@pytest.fixture(scope="module")
def oldest_duckdb_1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DuckDB 1.0.0 in a folder of its own; Evidence's DuckDB source bundles this release."""
    target = tmp_path_factory.mktemp(f"duckdb-{OLDEST_DUCKDB_1}")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--no-deps", "--target", str(target), f"duckdb=={OLDEST_DUCKDB_1}"]
    try:
        install = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        pytest.skip(f"pip could not install duckdb {OLDEST_DUCKDB_1} within 5 minutes")
    if install.returncode != 0:
        pytest.skip(f"pip could not install duckdb {OLDEST_DUCKDB_1}: {install.stderr.strip()[-500:]}")
    return target


def test_duckdb_1_0_reads_every_relation_the_parquet_files_and_the_scorecard(
    warehouse: Path, oldest_duckdb_1: Path
) -> None:
    old = subprocess.run(
        [sys.executable, "-c", OLD_CLIENT, str(oldest_duckdb_1), str(warehouse.parent)],
        input=json.dumps(SCORECARD), capture_output=True, text=True, timeout=120,
    )
    assert old.returncode == 0, old.stderr
    seen = json.loads(old.stdout)
    assert seen["version"] == OLDEST_DUCKDB_1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        relations = con.execute("select table_schema, table_name from information_schema.tables")
        assert seen["rows"] == {
            f"{schema}.{name}": con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            for schema, name in relations.fetchall()
        }
        assert seen["answers"] == [json.loads(json.dumps(con.execute(q).fetchall())) for q in SCORECARD]
    manifest = json.loads((warehouse.parent / "manifest.json").read_text(encoding="utf-8"))
    assert seen["parquet"] == sum(manifest["tables"].values())


# docs/bi.md: its snippets and scorecard queries, as written.


# One row each query must give from the bundled reports (more may come as extraction improves).
SCORECARD_ROWS = {
    "par_index_rank_over_the_years": (2023, 85.78, 49, 4),
    "on_time_share_of_assigned_tasks": ("Vĩnh Long", "2023-year", 184, 138, 75.0, 90.79),
    "share_of_dossiers_filed_online": ("Lai Châu", "2024-year", None, 83.6, 88.6),
    "budget_revenue_against_plan": ("Vĩnh Long", "2023-year", 5_768_000, 6_127_800, 106.24, 106.24),
    "staff_cuts_against_target": ("Lai Châu", "2024-year", "civil_servant_positions_reduced", 76, None, None),
}


@pytest.fixture
def beside_the_warehouse(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a folder where `warehouse/` is the published folder, as the guide's snippets expect."""
    (tmp_path / "warehouse").symlink_to(warehouse.parent)
    monkeypatch.chdir(tmp_path)


def run_snippet(code: str) -> dict:
    namespace: dict = {}
    exec(code, namespace)
    return namespace


@pytest.mark.parametrize(("query", "row"), zip(SCORECARD, SCORECARD_ROWS.values(), strict=True),
                         ids=list(SCORECARD_ROWS))
def test_scorecard_query_on_the_published_file_and_on_the_parquet_files(
    warehouse: Path, beside_the_warehouse: None, query: str, row: tuple
) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        answer = con.execute(query).fetchall()
    assert row in answer
    assert run_snippet(PARQUET_VIEWS_SNIPPET)["con"].execute(query).fetchall() == answer


def test_a_time_series_needs_no_join(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(TIME_SERIES).fetchall()
    assert ("Vĩnh Long", date(2023, 12, 31), 184, 90.79) in rows
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute("select table_name from duckdb_columns() where schema_name = 'main'"
                              " and column_name = 'period_end_date'").fetchall()
    assert {table for (table,) in columns} >= {"fct_tasks", "fct_procedures", "fct_reform_index"}


def test_the_latest_value_per_province_and_metric_is_one_select(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(LATEST_VALUES).fetchall()
        labels = dict(con.execute("select metric_code, label_vi from dim_metric").fetchall())
    lai_chau = {label: (region, unit, period, value)
                for province, region, label, unit, period, value in rows if province == "Lai Châu"}
    north = "Trung du và miền núi phía Bắc"
    # PAR INDEX 2016 and 2023, procedures simplified 2023 and 2024: the later one only
    assert lai_chau[labels["par_index_score"]] == (north, "points", "Năm 2023", 85.78)
    assert lai_chau[labels["procedures_simplified"]] == (north, "count", "Năm 2024", 24)
    assert len(rows) == len({(province, label) for province, _, label, *_ in rows})  # one per metric


def test_staff_cuts_are_set_against_the_stated_target(warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "with_target.duckdb"
    shutil.copyfile(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("""insert into fct_report_facts by name
                       select 'plan:1' as fact_id, '63-12' as province_id, '2024-year' as period_id,
                              'civil_servant_positions_reduced' as metric_code, 80 as value,
                              'target' as fact_kind, false as is_selected""")
        answer = con.execute(SCORECARD[-1]).fetchall()
    assert ("Lai Châu", "2024-year", "civil_servant_positions_reduced", 76, 80.0, 95.0) in answer


def test_pandas_snippet_reads_one_version_of_the_parquet_files(
    warehouse: Path, beside_the_warehouse: None
) -> None:
    snippet = run_snippet(PANDAS_SNIPPET)
    assert snippet["version"].name == current_version(warehouse.parent)
    assert len(snippet["tasks"]) == snippet["manifest"]["tables"]["fct_tasks"]


# Killed refreshes, and readers during a refresh.

KILLER = """
import importlib, os, signal, sys, threading, time

spec, wait_for, *argv = sys.argv[1:]

def kill():
    while wait_for and not os.path.exists(wait_for):
        time.sleep(0.05)
    time.sleep(1 if wait_for else 0)
    os.killpg(0, signal.SIGKILL)  # the refresh and its dbt child, as a service manager would

module, _, attribute = spec.partition(":")
owner = importlib.import_module(module)
*path, name = attribute.split(".")
for part in path:
    owner = getattr(owner, part)
original = getattr(owner, name)

def killing(*args, **kwargs):
    if not wait_for:
        kill()
    threading.Thread(target=kill, daemon=True).start()
    return original(*args, **kwargs)

setattr(owner, name, killing)
from dagster_project.cli import main
sys.exit(main(argv))
"""


@dataclass(frozen=True)
class KillPoint:
    function: str  # killed when this is first called, or
    wait_for: str | None  # then once this file of the build folder appears, plus a second
    built: str  # a table the build file then holds, and one it does not
    not_built: str | None


KILL_POINTS = {
    "extraction": KillPoint("dagster_project.defs.extraction.assets:fact_records", None,
                            "raw.documents", "raw.facts"),
    # dbt build (a child process) writes through one connection: its WAL appears with its first model.
    "dbt": KillPoint("dagster_dbt:DbtCliResource.cli", "cchc.build.duckdb.wal",
                     "raw.facts", "main.data_quality_issues"),
    "publication": KillPoint("dagster_project.publication:_serve_file", None,
                             "main.data_quality_issues", None),
}

READER = """
import json, sys
from pathlib import Path
import duckdb
folder, stop = Path(sys.argv[1]), Path(sys.argv[2])
served, errors, builds = 0, [], set()
print("reading", flush=True)
while not stop.exists():
    try:
        with duckdb.connect(str(folder / "cchc.duckdb"), read_only=True) as con:
            builds.add(str(con.execute("select max(ingested_at) from dim_document").fetchone()[0]))
            con.execute("select count(*) from fct_report_facts").fetchone()
        version = (folder / "current").resolve()
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
        parquet = version / "parquet" / "fct_report_facts.parquet"
        rows = duckdb.sql(f"select count(*) from '{parquet}'").fetchone()[0]
        assert rows == manifest["tables"]["fct_report_facts"], "manifest and Parquet disagree"
        served += 1
    except Exception as error:
        errors.append(repr(error))
print(json.dumps({"served": served, "errors": errors, "builds": sorted(builds)}))
"""


@dataclass
class Scenario:
    folder: Path
    before: dict
    killed: dict[str, subprocess.CompletedProcess]
    build_at_kill: dict[str, set[str]]
    staged_at_kill: dict[str, list[str]]  # hidden, half-published versions
    after_kill: dict[str, dict]
    refresh: subprocess.CompletedProcess
    reader: dict
    build_before: str
    build_held: str  # what a connection opened before the refresh saw after it


def published_state(folder: Path) -> dict:
    """What readers see: the served file's bytes, the manifest, the version served, the versions."""
    return {
        "served": hashlib.sha256((folder / "cchc.duckdb").read_bytes()).hexdigest(),
        "manifest": (folder / "manifest.json").read_text(encoding="utf-8"),
        "current": current_version(folder),
        "versions": published_versions(folder),
    }


def build_tables(folder: Path) -> set[str]:
    """The tables a killed refresh left in its build file, WAL included."""
    with duckdb.connect(str(folder / "build" / "cchc.build.duckdb"), read_only=True) as con:
        rows = con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
    return {name for (name,) in rows}


def latest_build(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("select max(ingested_at) from dim_document").fetchone()[0])


@pytest.fixture(scope="module")
def killed_then_refreshed(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    folder = tmp_path_factory.mktemp("killed") / "warehouse"
    shutil.copytree(warehouse.parent, folder, symlinks=True,
                    ignore=shutil.ignore_patterns("build", "*.lock"))
    served = folder / "cchc.duckdb"
    refresh = ["refresh", "--reports", str(BUNDLED_REPORTS), "--warehouse", str(served)]
    before = published_state(folder)
    killed, build_at_kill, staged_at_kill, after_kill = {}, {}, {}, {}
    for stage, point in KILL_POINTS.items():
        wait_for = str(folder / "build" / point.wait_for) if point.wait_for else ""
        killed[stage] = subprocess.run(
            [sys.executable, "-c", KILLER, point.function, wait_for, *refresh],
            capture_output=True, text=True, timeout=600, start_new_session=True,
        )
        build_at_kill[stage] = build_tables(folder)
        staged_at_kill[stage] = sorted(path.name for path in (folder / "versions").glob(".*"))
        after_kill[stage] = published_state(folder)
    held = duckdb.connect(str(served), read_only=True)
    build_before = latest_build(held)
    stop = folder.parent / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(folder), str(stop)], stdout=subprocess.PIPE, text=True
    )
    assert reader.stdout.readline() == "reading\n"
    refreshed = subprocess.run(
        [str(Path(sys.executable).with_name("cchc")), *refresh],
        capture_output=True, text=True, timeout=600,
    )
    stop.touch()
    reads = json.loads(reader.communicate(timeout=60)[0])
    build_held = latest_build(held)
    held.close()
    return Scenario(
        folder, before, killed, build_at_kill, staged_at_kill, after_kill, refreshed, reads,
        build_before, build_held,
    )


@pytest.mark.parametrize("stage", KILL_POINTS)
def test_a_refresh_killed_leaves_the_published_warehouse_identical(
    killed_then_refreshed: Scenario, stage: str
) -> None:
    scenario = killed_then_refreshed
    killed, point = scenario.killed[stage], KILL_POINTS[stage]
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    # Killed where intended, as the build file and the staged version it left show.
    assert point.built in scenario.build_at_kill[stage]
    assert point.not_built not in scenario.build_at_kill[stage]
    assert bool(scenario.staged_at_kill[stage]) is (stage == "publication")
    assert scenario.after_kill[stage] == scenario.before


def test_the_next_refresh_publishes_and_clears_what_the_killed_ones_left(
    killed_then_refreshed: Scenario,
) -> None:
    scenario = killed_then_refreshed
    assert scenario.refresh.returncode == 0, scenario.refresh.stderr[-2000:]
    versions = published_versions(scenario.folder)
    assert len(versions) == len(scenario.before["versions"]) + 1
    assert current_version(scenario.folder) == versions[-1]
    assert [path.name for path in (scenario.folder / "versions").glob(".*")] == []


def test_readers_query_throughout_a_refresh_without_an_error(killed_then_refreshed: Scenario) -> None:
    scenario = killed_then_refreshed
    with duckdb.connect(str(scenario.folder / "cchc.duckdb"), read_only=True) as con:
        build_after = latest_build(con)
    print(f"reader iterations during the refresh: {scenario.reader['served']}, "
          f"errors: {len(scenario.reader['errors'])}")  # the figure, with pytest -s
    assert scenario.reader["errors"] == []
    # The reader's queries spanned the publication: they saw the build before, then the new one.
    assert build_after != scenario.build_before
    assert scenario.reader["builds"] == sorted([scenario.build_before, build_after])
    # A connection opened before the publication keeps its snapshot until it reconnects.
    assert scenario.build_held == scenario.build_before


def test_a_dagster_run_holds_the_writer_lock_until_its_process_ends(tmp_path: Path) -> None:
    warehouse = tmp_path / "cchc.duckdb"
    script = (
        "import time; from pathlib import Path; "
        "from dagster_project.publication import hold_lock_until_exit; "
        f"hold_lock_until_exit(Path({str(warehouse)!r})); print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusy), refresh_lock(warehouse):
            pass
    finally:
        holder.kill()
        holder.wait()
    with refresh_lock(warehouse):
        pass
