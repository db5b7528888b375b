import os

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.warehouse.project import DBT_PROJECT, prepared_manifest


@dbt_assets(manifest=prepared_manifest(), project=DBT_PROJECT)
def cchc_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Seeds, staging, intermediate and mart models, with their dbt tests, in the build file."""
    os.environ["CCHC_BUILD_DB"] = str(warehouse.settings.build_path)
    yield from dbt.cli(["build"], context=context).stream()
