"""The quality stage's reading of a build file: its blocking checks, and its findings, saved for
the step that writes them (`data_quality_issues`) with the run they belong to.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from dagster_project.quality.blocking import CheckResult, run_blocking_checks
from dagster_project.quality.findings import Consistency, find_inconsistencies
from dagster_project.storage import connect


def check_build(database: Path) -> tuple[list[CheckResult], Consistency | None]:
    """The blocking checks of a build file, and its findings (None if they could not be found:
    the findings step finds them again, and says why)."""
    with connect(database, read_only=True) as con:
        results = run_blocking_checks(con)
        try:
            consistency = find_inconsistencies(con)
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
