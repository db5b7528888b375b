"""The quality stage's reading of a build file, on two cores.

The blocking checks and the findings only read the marts, and Great Expectations holds the
interpreter throughout: the checks of the long fact table and the findings run in a forked process
while this one runs the other checks. The findings are saved for the step that writes them
(`data_quality_issues`), with the run they belong to.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import duckdb

from dagster_project.parallel import beside, worker_count
from dagster_project.quality.blocking import CheckResult, run_mart_checks, run_reconciliation_checks
from dagster_project.quality.findings import Consistency, find_inconsistencies
from dagster_project.quality.reconciliation import RECONCILIATIONS
from dagster_project.quality.suites import import_gx

# Reconciled fact by fact: tens of thousands of rows, as many as the findings read in all.
FORKED_RECONCILIATION = "reconcile_raw_facts"


def check_build(database: Path) -> tuple[list[CheckResult], Consistency | None]:
    """The blocking checks of a build file, in the order run_blocking_checks gives them, and its
    findings (None if they could not be found: the findings step finds them again, and says why).
    The caller must not hold the file open (the fork would share its DuckDB instance)."""
    import_gx()  # once, here: the fork has it then, and this process reads its results with it
    (reconciled, consistency), (marts, others) = beside(
        _long_table, database, lambda: _other_checks(database)
    )
    names = [check.name for check in RECONCILIATIONS]
    reconciliations = sorted([*reconciled, *others], key=lambda result: names.index(result.check_name))
    return [*marts, *reconciliations], consistency


def _long_table(database: Path) -> tuple[list[CheckResult], Consistency | None]:
    with _read_only(database) as con:
        reconciled = run_reconciliation_checks(con, [FORKED_RECONCILIATION])
        try:
            consistency = find_inconsistencies(con)
        except Exception:  # noqa: BLE001 - the findings step runs them again and fails with the reason
            consistency = None
    return reconciled, consistency


def _other_checks(database: Path) -> tuple[list[CheckResult], list[CheckResult]]:
    others = [check.name for check in RECONCILIATIONS if check.name != FORKED_RECONCILIATION]
    with _read_only(database) as con:
        return run_mart_checks(con), run_reconciliation_checks(con, others)


def _read_only(database: Path) -> duckdb.DuckDBPyConnection:
    """The build file for one of the two processes: each gets its half of the cores, as DuckDB's
    own threads in both would outnumber them."""
    return duckdb.connect(str(database), read_only=True, config={"threads": max(1, worker_count() // 2)})


def save_found(consistency: Consistency | None, path: Path, run_id: str) -> None:
    """The findings of a run, for its findings step (a private file beside the build)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    if consistency is not None:
        path.write_bytes(pickle.dumps((run_id, consistency)))


def load_found(path: Path, run_id: str) -> Consistency | None:
    """The findings save_found kept for this run; None if it kept none for it."""
    try:
        saved_run, consistency = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, ValueError, EOFError):
        return None
    return consistency if saved_run == run_id else None
