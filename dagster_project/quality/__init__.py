"""Data-quality stage: blocking Great Expectations suites, consistency findings and Data Docs.

A plain library (no Dagster). Great Expectations is imported only when a check runs.
"""

from dagster_project.quality.blocking import CheckResult, run_blocking_checks
from dagster_project.quality.docs import load_validations, render_data_docs, save_validations
from dagster_project.quality.findings import Consistency, find_inconsistencies
from dagster_project.quality.issues import Finding, write_quality_issues
from dagster_project.quality.stage import check_build, load_found, save_found

__all__ = [
    "CheckResult",
    "check_build",
    "Consistency",
    "Finding",
    "find_inconsistencies",
    "load_found",
    "load_validations",
    "render_data_docs",
    "run_blocking_checks",
    "save_found",
    "save_validations",
    "write_quality_issues",
]
