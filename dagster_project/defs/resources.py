import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.defs.warehouse.project import DBT_PROJECT
from dagster_project.settings import DEFAULT_POSTGRES_SCHEMA, Settings, load_settings


class WarehouseResource(dg.ConfigurableResource):
    """Where reports are read from and where the warehouse is built and published."""

    reports_dir: str
    warehouse_path: str
    postgres_url: str | None = None  # a server the served file is also published to
    postgres_schema: str = DEFAULT_POSTGRES_SCHEMA

    @property
    def settings(self) -> Settings:
        return Settings(
            Path(self.reports_dir), Path(self.warehouse_path), self.postgres_url, self.postgres_schema
        )


@dg.definitions
def resources() -> dg.Definitions:
    settings = load_settings()
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(
                reports_dir=str(settings.reports_dir),
                warehouse_path=str(settings.warehouse_path),
                # Read when a run starts, and not shown in the UI: the URL may hold a password.
                postgres_url=dg.EnvVar("CCHC_POSTGRES_URL") if settings.postgres_url else None,
                postgres_schema=settings.postgres_schema,
            ),
            # The venv's dbt, so the UI and the CLI work without an activated venv.
            "dbt": DbtCliResource(
                project_dir=DBT_PROJECT, dbt_executable=str(Path(sys.executable).with_name("dbt"))
            ),
        }
    )
