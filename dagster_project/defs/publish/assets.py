import time

import dagster as dg

from dagster_project.defs.quality.assets import data_docs, data_docs_dir, data_quality_issues
from dagster_project.defs.quality.checks import CHECKED_TABLES
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.warehouse.in_process import passed_tests
from dagster_project.publication import publish, refresh_lock

PUBLISHED_AFTER = [
    data_quality_issues, data_docs, "ingest_errors", "dim_period", "dim_metric", "dim_document",
    "fct_report_facts_history",
]


@dg.asset(deps=[*PUBLISHED_AFTER, *CHECKED_TABLES], group_name="publish")
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """The audited build replaces the served file atomically, with its Parquet files and manifest."""
    settings = warehouse.settings
    docs = data_docs_dir(settings)
    started = time.perf_counter()
    with refresh_lock(settings.warehouse_path):
        manifest = publish(
            settings.build_path, settings.warehouse_path, context.run_id, passed_checks(context),
            data_docs=docs if docs.is_dir() else None,
        )
    return dg.MaterializeResult(
        metadata={
            "path": str(settings.warehouse_path),
            "version": manifest["version"],
            "checks_passed": len(manifest["checks_passed"]),
            "findings": manifest["findings"],
            "seconds": round(time.perf_counter() - started, 2),
        }
    )


def passed_checks(context: dg.AssetExecutionContext) -> list[str]:
    """This run's asset checks that passed (blocking suites; dbt tests, as checks or listed on
    their assets' materialisations), for the manifest."""
    kinds = {dg.DagsterEventType.ASSET_CHECK_EVALUATION, dg.DagsterEventType.ASSET_MATERIALIZATION,
             dg.DagsterEventType.ASSET_OBSERVATION}
    records = context.instance.get_records_for_run(context.run_id, of_type=kinds).records
    passed = []
    for record in records:
        event = record.event_log_entry.dagster_event
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            asset_key, names = evaluation.asset_key, [evaluation.check_name] if evaluation.passed else []
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            asset_key, names = materialization.asset_key, passed_tests(materialization.metadata)
        else:
            observation = event.asset_observation_data.asset_observation
            asset_key, names = observation.asset_key, passed_tests(observation.metadata)
        passed += [f"{asset_key.to_user_string()}:{name}" for name in names]
    return passed
