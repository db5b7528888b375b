import os

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DbtCliResource,
    dbt_assets,
    group_from_dbt_resource_props_fallback_to_directory,
)

from dagster_project.defs.reports.assets import keeps_build
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.warehouse import replay
from dagster_project.defs.warehouse.in_process import (
    REFRESH_BUILD,
    build_in_process,
    replay_in_process,
    replay_key,
)
from dagster_project.defs.warehouse.project import DBT_PROJECT, prepared_manifest
from dagster_project.storage import close_kept_open


class LayeredTranslator(DagsterDbtTranslator):
    """dbt models grouped by their layer's folder (staging, intermediate, marts); seeds as reference."""

    def get_group_name(self, dbt_resource_props):
        return group_from_dbt_resource_props_fallback_to_directory(dbt_resource_props) or "reference"

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        """A dbt test's check, described by what it tests when the test has no description."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return dg.AssetCheckSpec(
            spec.name, asset=spec.asset_key, description=test_description(manifest["nodes"][unique_id]),
            additional_deps=spec.additional_deps, blocking=spec.blocking, metadata=spec.metadata,
            automation_condition=spec.automation_condition,
        )


def test_description(node: dict) -> str:
    """"dbt test not_null of fact_id", "dbt test relationships of province_id", or the test's name."""
    test = node.get("test_metadata") or {}
    column = (test.get("kwargs") or {}).get("column_name")
    what = f"dbt test {test['name']}" if test.get("name") else f"dbt test {node['name']}"
    return f"{what} of {column}" if column else what


@dbt_assets(manifest=prepared_manifest(), project=DBT_PROJECT, dagster_dbt_translator=LayeredTranslator())
def cchc_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Seeds, staging, intermediate and mart models, with their dbt tests, in the build file.

    In a refresh that kept the last build file (`cchc serve`), the SQL of the last build is run
    again on it instead (replay.py)."""
    os.environ["CCHC_BUILD_DB"] = str(warehouse.settings.build_path)
    kept = replay.claimed(replay_key()) if keeps_build(context) else None
    checks = context.selected_asset_check_keys
    if kept is None or context.selected_asset_keys != context.assets_def.keys:
        close_kept_open()  # dbt opens the build file itself, with its own settings
    if context.selected_asset_keys != context.assets_def.keys:
        # A selection made in the UI: dagster-dbt turns it into dbt's --select.
        yield from dbt.cli(list(REFRESH_BUILD), context=context).stream()
    elif kept is not None:
        yield from replay_in_process(context.assets_def, checks, kept)
    else:
        yield from build_in_process(context.assets_def, checks)
