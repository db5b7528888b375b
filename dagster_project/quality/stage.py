"""The quality stage's reading of a build file: its blocking checks, and its findings, saved for
the step that writes them (`data_quality_issues`) with the run they belong to.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from dagster_project.quality.blocking import CheckResult, run_blocking_checks
from dagster_project.quality.findings import Consistency, changed_scope, find_inconsistencies
from dagster_project.storage import connect, has_table


def check_build(database: Path, scoped: bool = False) -> tuple[list[CheckResult], Consistency | None]:
    """The blocking checks of a build file, and its findings (None if they could not be found:
    the findings step finds them again, and says why).

    scoped: the build's data_quality_issues are those of its last refresh: findings are looked
    for only where this refresh changed cells (findings.changed_scope). The blocking checks read
    every row."""
    with connect(database, read_only=True) as con:
        results = run_blocking_checks(con)
        try:
            kept = scoped and has_table(con, "main", "data_quality_issues")
            consistency = find_inconsistencies(con, scope=changed_scope(con) if kept else None)
        except Exception:  # noqa: BLE001 - the findings step runs them again and fails with the reason
            consistency = None
    return results, consistency


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
