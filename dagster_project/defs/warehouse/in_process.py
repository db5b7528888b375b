"""`dbt build` inside the Dagster process: no second interpreter to start and no JSON log stream to
parse, which together cost a refresh about as much as building the models.

Each model or seed built is reported as materialised, and each dbt test attached to an asset as
that asset's check, as dagster-dbt's own streaming does.

The parsed project is kept for the life of the process while its files stay as they were, so a
long-lived worker (`cchc serve`) parses it once, not at every refresh.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import dagster as dg
from dagster_dbt.asset_utils import get_asset_check_key_for_test, get_manifest_and_translator_from_dbt_assets
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner
from dbt.contracts.graph.manifest import Manifest

from dagster_project.defs.warehouse import replay
from dagster_project.fingerprint import fingerprint
from dagster_project.settings import DBT_PROJECT_DIR, REFERENCE_DIR

BUILT = frozenset({"model", "seed", "snapshot"})
DBT_ARGS = ("--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR))
# dbt's unit tests check the models' SQL on fixed rows, not the data: `make test` runs them
# (tests/test_dbt_in_process.py), a refresh need not.
REFRESH_BUILD = ("build", "--exclude-resource-type", "unit_test")
# What a parse reads; the build file (CCHC_BUILD_DB) is part of the key too.
DBT_INPUTS = (
    *(DBT_PROJECT_DIR / folder for folder in ("models", "macros", "tests", "seeds")),
    REFERENCE_DIR, DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml",
)

_parsed: dict[tuple[str, str], Manifest] = {}  # at most one entry: the project as it is now


def project_key(build_path: str | None = None) -> tuple[str, str]:
    """The dbt project as it is now, and the build file (by default the one CCHC_BUILD_DB names)."""
    return fingerprint(*DBT_INPUTS), build_path or os.environ.get("CCHC_BUILD_DB", "")


def replay_key(build_path: str | None = None) -> tuple[str, str]:
    """project_key, with this package's code and the dbt and DuckDB versions too: a kept build was
    written, and its SQL compiled, by the same code (the raw tables' columns, what the state
    records, how dbt compiles its tests)."""
    project, build = project_key(build_path)
    package = Path(__file__).resolve().parents[2]
    code = sorted(path for pattern in ("*.py", "*.yaml") for path in package.rglob(pattern))
    versions = ",".join(metadata.version(name) for name in ("dbt-core", "dbt-duckdb", "duckdb"))
    return f"{project}|{fingerprint(*code)}|{versions}", build


def build_in_process(assets: dg.AssetsDefinition) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Run `dbt build` over the whole project; raise dg.Failure naming what failed.

    A build that succeeds is kept as a replay (replay.py) for the next refresh of this process.
    """
    manifest, translator, project = get_manifest_and_translator_from_dbt_assets([assets])
    key = replay_key()
    replay.forget()
    try:
        parsed = parsed_manifest()
        invocation = dbtRunner(manifest=parsed).invoke([*REFRESH_BUILD, *DBT_ARGS])
    finally:
        _release_build_file()
    if invocation.result is None:  # dbt could not start (a parse or profile error)
        raise dg.Failure(f"dbt build did not run: {invocation.exception}")
    failed = []
    for node_result in invocation.result.results:
        node, status = node_result.node, str(node_result.status)
        if status in ("error", "fail"):
            failed.append(f"{node.name}: {node_result.message}")
        if node.resource_type in BUILT and status == "success":
            yield dg.MaterializeResult(
                asset_key=translator.get_asset_key(manifest["nodes"][node.unique_id]),
                metadata={"execution_seconds": round(node_result.execution_time, 3)},
            )
        elif node.resource_type == "test":
            yield from _check_result(
                manifest, translator, project, node.unique_id, status, node_result.failures
            )
    if failed:
        raise dg.Failure(f"dbt build failed: {'; '.join(failed)}")
    replay.capture(invocation.result.results, key, _project_macros(parsed))


def replay_in_process(
    assets: dg.AssetsDefinition, kept: replay.Replay
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """The last build's SQL again on the kept build file, reported as build_in_process reports."""
    manifest, translator, project = get_manifest_and_translator_from_dbt_assets([assets])
    failed = []
    for outcome in replay.run(kept, Path(kept.key[1])):
        node = outcome.node
        if outcome.status in ("error", "fail"):
            failed.append(f"{node.name}: {outcome.message}")
        if node.resource_type == "model" and outcome.status == "success":
            yield dg.MaterializeResult(
                asset_key=translator.get_asset_key(manifest["nodes"][node.unique_id]),
                metadata={"execution_seconds": round(outcome.seconds, 3), "replayed": True},
            )
        elif node.resource_type == "test":
            yield from _check_result(
                manifest, translator, project, node.unique_id, outcome.status, outcome.failures
            )
    if failed:
        raise dg.Failure(f"dbt build failed: {'; '.join(failed)}")


def parsed_manifest() -> Manifest | None:
    """dbt's parse of the project for the build file CCHC_BUILD_DB names, parsed again only when a
    file it reads changed; None if it does not parse (the build then parses and says why)."""
    key = project_key()
    if key not in _parsed:
        manifest = dbtRunner().invoke(["parse", *DBT_ARGS]).result
        if manifest is None:
            return None
        _parsed.clear()
        _parsed[key] = manifest
    return _parsed[key]


def _project_macros(parsed: Manifest | None) -> list[str]:
    """The names of the macros of this project (not of dbt or its adapter)."""
    if parsed is None:
        return []
    project = parsed.metadata.project_name
    return [macro.name for macro in parsed.macros.values() if macro.package_name == project]


def _release_build_file() -> None:
    """dbt-duckdb keeps its database open for the life of the process; the later stages open the
    build file themselves (read-only), which DuckDB refuses while that handle is open."""
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def _check_result(
    manifest, translator, project, unique_id: str, status: str, failures: int | None
) -> Iterator[dg.AssetCheckResult]:
    check_key = get_asset_check_key_for_test(manifest, translator, unique_id, project)
    if check_key is None:
        return
    yield dg.AssetCheckResult(
        asset_key=check_key.asset_key,
        check_name=check_key.name,
        passed=status == "pass",
        severity=dg.AssetCheckSeverity.WARN if status == "warn" else dg.AssetCheckSeverity.ERROR,
        metadata={"status": status, "failures": failures or 0},
    )
