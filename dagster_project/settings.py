"""Where the warehouse reads reports from and publishes to (environment, then defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
REFERENCE_DIR = PROJECT_ROOT / "seeds" / "reference"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
CATALOG_PATH = REFERENCE_DIR / "metric_catalog.csv"
DEFAULT_POSTGRES_SCHEMA = "cchc"


@dataclass(frozen=True)
class Settings:
    reports_dir: Path
    warehouse_path: Path
    # A server the served file is also published to (dagster_project/postgres_publication.py), or None.
    postgres_url: str | None = field(default=None, repr=False)  # may hold a password
    postgres_schema: str = DEFAULT_POSTGRES_SCHEMA

    @property
    def build_dir(self) -> Path:
        return self.warehouse_path.parent / "build"

    @property
    def state_path(self) -> Path:
        """What refreshes remember: files seen, parses and facts by content, document versions."""
        return self.build_dir / f"{self.warehouse_path.stem}.state.duckdb"

    @property
    def build_path(self) -> Path:
        """The private file a refresh builds into; BI readers never open it."""
        return self.build_dir / f"{self.warehouse_path.stem}.build.duckdb"


def load_settings(
    reports_dir: str | None = None, warehouse: str | None = None, postgres_url: str | None = None,
    postgres_schema: str | None = None,
) -> Settings:
    reports = reports_dir or os.environ.get("CCHC_REPORTS_DIR") or PROJECT_ROOT / "seeds" / "reports"
    target = warehouse or os.environ.get("CCHC_WAREHOUSE") or PROJECT_ROOT / "warehouse" / "cchc.duckdb"
    return Settings(
        Path(reports).resolve(), Path(target).resolve(),
        postgres_url or os.environ.get("CCHC_POSTGRES_URL") or None,
        postgres_schema or os.environ.get("CCHC_POSTGRES_SCHEMA") or DEFAULT_POSTGRES_SCHEMA,
    )
