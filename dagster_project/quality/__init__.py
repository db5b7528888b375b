"""Data-quality stage: blocking Great Expectations suites and consistency findings.

A plain library (no Dagster). Great Expectations is imported only when a check runs.
"""

from dagster_project.quality.blocking import CheckResult, run_blocking_checks
from dagster_project.quality.findings import find_inconsistencies
from dagster_project.quality.issues import Finding, write_quality_issues

__all__ = [
    "CheckResult",
    "Finding",
    "find_inconsistencies",
    "run_blocking_checks",
    "write_quality_issues",
]
