"""The build file is kept from one refresh to the next, so that dbt's incremental models build
only what the changed documents touch (dbt/macros/changed.sql).

It is started afresh by a full refresh, when the last refresh stopped before dbt built it, and
when what built it changed since: this package's code, the dbt project, the reference seeds, the
checks' suites (the findings it holds were found by them), or the versions of dbt and DuckDB (an
incremental model keeps rows an older build computed).
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from dagster_project.fingerprint import fingerprint
from dagster_project.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, REFERENCE_DIR, Settings

PACKAGE = Path(__file__).resolve().parent
DBT_INPUTS = (
    *(DBT_PROJECT_DIR / folder for folder in ("models", "macros", "tests", "seeds")),
    REFERENCE_DIR, DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml", EXPECTATIONS_DIR,
)


def build_key() -> str:
    code = sorted(path for pattern in ("*.py", "*.yaml") for path in PACKAGE.rglob(pattern))
    versions = ",".join(metadata.version(name) for name in ("dbt-core", "dbt-duckdb", "duckdb"))
    return f"{fingerprint(*DBT_INPUTS)}|{fingerprint(*code)}|{versions}"


def key_path(settings: Settings) -> Path:
    return settings.build_dir / "build.key"


def is_kept(settings: Settings) -> bool:
    """Whether the build file is as a dbt build of the same code left it."""
    path = key_path(settings)
    return settings.build_path.is_file() and path.is_file() and path.read_text() == build_key()


def forget(settings: Settings) -> None:
    """Called as a refresh starts changing the build file: until dbt has built it, it is not kept."""
    key_path(settings).unlink(missing_ok=True)


def remember(settings: Settings) -> None:
    """Called once dbt has built the build file."""
    key_path(settings).write_text(build_key())
