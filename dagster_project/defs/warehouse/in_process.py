"""`dbt build` inside the Dagster process: no second interpreter to start and no JSON log stream to
parse, which together cost a refresh about as much as building the models.

Each model or seed built is reported as materialised, and each dbt test attached to an asset as
that asset's check, as dagster-dbt's own streaming does, where the run selected the check.
`cchc refresh` and `cchc serve` do not: their event log is not kept, and 200 check events cost
a refresh more than its dbt SQL, so the tests are listed on their asset's materialisation.

The parsed project is kept for the life of the process while its files stay as they were, so a
long-lived worker (`cchc serve`) parses it once, not at every refresh.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

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

# Where a run does not select the dbt tests' asset checks, their outcomes are listed under this
# metadata key of their asset's materialisation (see _report).
TESTS_METADATA = "dbt_tests"
DbtEvent = dg.MaterializeResult | dg.AssetObservation | dg.AssetCheckResult

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


def build_in_process(
    assets: dg.AssetsDefinition, selected_checks: AbstractSet[dg.AssetCheckKey]
) -> Iterator[DbtEvent]:
    """Run `dbt build` over the whole project; raise dg.Failure naming what failed.

    A build that succeeds is kept as a replay (replay.py) for the next refresh of this process.
    """
    key = replay_key()
    replay.forget()
    try:
        parsed = parsed_manifest()
        invocation = dbtRunner(manifest=parsed).invoke([*REFRESH_BUILD, *DBT_ARGS])
    finally:
        _release_build_file()
    if invocation.result is None:  # dbt could not start (a parse or profile error)
        raise dg.Failure(f"dbt build did not run: {invocation.exception}")
    outcomes = [
        Outcome(r.node.unique_id, r.node.name, str(r.node.resource_type), str(r.status),
                r.execution_time, r.failures or 0, r.message or "")
        for r in invocation.result.results
    ]
    yield from _report(assets, selected_checks, outcomes, {})
    replay.capture(invocation.result.results, key, _project_macros(parsed))


def replay_in_process(
    assets: dg.AssetsDefinition, selected_checks: AbstractSet[dg.AssetCheckKey], kept: replay.Replay
) -> Iterator[DbtEvent]:
    """The last build's SQL again on the kept build file, reported as build_in_process reports."""
    outcomes = [
        Outcome(o.node.unique_id, o.node.name, o.node.resource_type, o.status, o.seconds, o.failures,
                o.message)
        for o in replay.run(kept, Path(kept.key[1]))
    ]
    yield from _report(assets, selected_checks, outcomes, {"replayed": True})


class Outcome(NamedTuple):
    """One node of a dbt build or of its replay, as dbt reports it."""

    unique_id: str
    name: str
    resource_type: str
    status: str  # success, error (models, seeds); pass, warn, fail, error, skipped (tests)
    seconds: float
    failures: int
    message: str


def _report(
    assets: dg.AssetsDefinition, selected_checks: AbstractSet[dg.AssetCheckKey],
    outcomes: list[Outcome], extra: dict,
) -> Iterator[DbtEvent]:
    """A materialisation per model or seed built. A dbt test is the result of its asset check
    where the run selected that check (as dagster-dbt reports it), and is otherwise listed under
    TESTS_METADATA, by status, on its asset's materialisation (or, for an asset not built here, an
    observation). Then dg.Failure naming what failed."""
    manifest, translator, project = get_manifest_and_translator_from_dbt_assets([assets])
    built: dict[dg.AssetKey, dict] = {}
    checks, listed = [], defaultdict(lambda: defaultdict(list))
    for outcome in outcomes:
        if outcome.resource_type in BUILT and outcome.status == "success":
            asset_key = translator.get_asset_key(manifest["nodes"][outcome.unique_id])
            built[asset_key] = {"execution_seconds": round(outcome.seconds, 3), **extra}
        elif outcome.resource_type == "test":
            check_key = get_asset_check_key_for_test(manifest, translator, outcome.unique_id, project)
            if check_key in selected_checks:
                checks.append(_check_result(check_key, outcome))
            elif check_key is not None:
                listed[check_key.asset_key][outcome.status].append(check_key.name)
    for asset_key, asset_metadata in built.items():
        tests = listed.pop(asset_key, {})
        yield dg.MaterializeResult(asset_key=asset_key, metadata={**asset_metadata, **_tests_metadata(tests)})
    for asset_key, tests in listed.items():
        yield dg.AssetObservation(asset_key=asset_key, metadata=_tests_metadata(tests))
    yield from checks
    failed = [f"{o.name}: {o.message}" for o in outcomes if o.status in ("error", "fail")]
    if failed:
        raise dg.Failure(f"dbt build failed: {'; '.join(failed)}")


def _tests_metadata(tests: dict[str, list[str]]) -> dict:
    if not tests:
        return {}
    return {TESTS_METADATA: dg.MetadataValue.json({status: sorted(names) for status, names in tests.items()})}


def passed_tests(metadata: Mapping[str, dg.MetadataValue]) -> list[str]:
    """The dbt tests an event's TESTS_METADATA lists as passed."""
    entry = metadata.get(TESTS_METADATA)
    return list(entry.value.get("pass", [])) if entry is not None else []


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


def _check_result(check_key: dg.AssetCheckKey, outcome: Outcome) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=check_key.asset_key,
        check_name=check_key.name,
        passed=outcome.status == "pass",
        severity=dg.AssetCheckSeverity.WARN if outcome.status == "warn" else dg.AssetCheckSeverity.ERROR,
        metadata={"status": outcome.status, "failures": outcome.failures},
    )
