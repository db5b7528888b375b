import dagster as dg

from dagster_project.defs.quality.assets import data_quality_issues
from dagster_project.defs.quality.checks import CHECKED_TABLES
from dagster_project.defs.resources import WarehouseResource
from dagster_project.storage import publish

PUBLISHED_AFTER = [data_quality_issues, "ingest_errors", "dim_period", "dim_metric", "dim_document"]


@dg.asset(deps=[*PUBLISHED_AFTER, *CHECKED_TABLES], group_name="publish")
def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The build file, once every blocking check passed, atomically replaces the served file."""
    settings = warehouse.settings
    publish(settings.build_path, settings.warehouse_path)
    return dg.MaterializeResult(metadata={"path": str(settings.warehouse_path)})
