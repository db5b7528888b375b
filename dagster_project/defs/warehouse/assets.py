import os

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.warehouse.in_process import REFRESH_BUILD, build_in_process
from dagster_project.defs.warehouse.project import DBT_PROJECT, prepared_manifest


@dbt_assets(manifest=prepared_manifest(), project=DBT_PROJECT)
def cchc_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Seeds, staging, intermediate and mart models, with their dbt tests, in the build file."""
    os.environ["CCHC_BUILD_DB"] = str(warehouse.settings.build_path)
    if context.is_subset:  # a selection made in the UI: dagster-dbt turns it into dbt's --select
        yield from dbt.cli(list(REFRESH_BUILD), context=context).stream()
    else:
        yield from build_in_process(context.assets_def)
