import os
import threading

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DbtCliResource,
    dbt_assets,
    group_from_dbt_resource_props_fallback_to_directory,
)

from dagster_project import build_file
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.warehouse.project import DBT_PROJECT, prepared_manifest
from dagster_project.marts_properties import write_properties
from dagster_project.quality.suites import import_gx


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


# dbt's unit tests check the models' SQL on fixed rows, not the data: `make test` runs them.
BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")


@dbt_assets(manifest=prepared_manifest(), project=DBT_PROJECT, dagster_dbt_translator=LayeredTranslator())
def cchc_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Seeds, staging, intermediate and mart models, with their dbt tests, in the build file; the
    incremental models build only the cells the changed documents touch (dbt/macros/changed.sql)."""
    write_properties()  # the catalog may have changed since the definitions loaded
    os.environ["CCHC_BUILD_DB"] = str(warehouse.settings.build_path)  # dbt/profiles.yml reads it
    # dbt's artefacts and log beside the build, replaced by each build (not one folder per run)
    target = warehouse.settings.build_dir / "dbt"
    invocation = dbt.cli(list(BUILD_ARGS), context=context, target_path=target)
    # The checks after dbt import Great Expectations (seconds); meanwhile this process only reads
    # dbt's output, so the import is done now, on the core dbt leaves free.
    threading.Thread(target=import_gx, name="import-great-expectations", daemon=True).start()
    yield from invocation.stream()
    if context.selected_asset_keys == context.assets_def.keys:
        build_file.remember(warehouse.settings)  # every model is up to date: the next refresh builds on it
