import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg

from dagster_project.defs.quality.assets import data_quality_issues, render_build_docs
from dagster_project.defs.quality.checks import CHECKED_TABLES
from dagster_project.defs.resources import WarehouseResource
from dagster_project.fingerprint import recorded_folder
from dagster_project.postgres_publication import Published
from dagster_project.postgres_publication import publish as publish_to_postgres
from dagster_project.publication import publish, refresh_lock

DATA_DOCS = dg.AssetKey("data_docs")
PUBLISHED_AFTER = [
    data_quality_issues, DATA_DOCS, "ingest_errors", "dim_period", "dim_metric", "dim_document",
    "fct_report_facts_history",
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(DATA_DOCS, deps=[data_quality_issues], group_name="quality",
                     description="Great Expectations Data Docs (static HTML) of this build's blocking"
                                 " checks and findings, published with it."),
        dg.AssetSpec("published_warehouse", deps=[*PUBLISHED_AFTER, *CHECKED_TABLES], group_name="publish",
                     description="The audited build replaces the served file atomically, with its"
                                 " Parquet files, manifest and Data Docs; then, with a PostgreSQL server"
                                 " (CCHC_POSTGRES_URL), the served schema there in one transaction."),
    ],
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """The Data Docs are rendered (Python) while the build is copied and written as Parquet
    (DuckDB and the disk): together they take about as long as the longer of the two. PostgreSQL
    comes last: if it fails, the DuckDB file is published and the server serves what it served."""
    settings = warehouse.settings
    checks = passed_checks(context)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool, refresh_lock(settings.warehouse_path):
        rendering = pool.submit(render_build_docs, settings)

        def docs_folder() -> Path | None:
            docs = rendering.result()
            return docs[0].parent if docs else None

        manifest = publish(
            settings.build_path, settings.warehouse_path, context.run_id, checks, data_docs=docs_folder,
            reports_fingerprint=recorded_folder(settings.build_dir),
        )
        docs = rendering.result()
        yield dg.MaterializeResult(asset_key=DATA_DOCS, metadata=(
            {"index": dg.MetadataValue.path(str(docs[0])), "validations": docs[1]} if docs
            else {"validations": 0}
        ))
        served = publish_to_postgres(
            settings.warehouse_path, settings.postgres_url, settings.postgres_schema, manifest["version"]
        ) if settings.postgres_url else None
        if served and served.older_snapshots:
            context.log.warning(
                f"{served.older_snapshots} transactions on {served.url} began before the copy and were still"
                " open when the swap stopped waiting for them: they read the new tables empty until they end")
    yield dg.MaterializeResult(asset_key="published_warehouse", metadata={
        "path": str(settings.warehouse_path),
        "version": manifest["version"],
        "checks_passed": len(manifest["checks_passed"]),
        "findings": manifest["findings"],
        "seconds": round(time.perf_counter() - started, 2),
        **(postgres_metadata(served) if served else {}),
    })


def postgres_metadata(served: Published) -> dict:
    return {
        "postgres_url": served.url,  # without its password
        "postgres_schema": served.schema,
        "postgres_tables": len(served.tables),
        "postgres_rows": sum(served.tables.values()),
        "postgres_seconds": served.seconds,
        # transactions older than the copy that the swap stopped waiting for: they read its tables empty
        "postgres_older_snapshots": served.older_snapshots,
    }


def passed_checks(context: dg.AssetExecutionContext) -> list[str]:
    """This run's asset checks that passed (blocking suites, dbt tests), for the manifest."""
    records = context.instance.get_records_for_run(
        context.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    evaluations = [record.event_log_entry.dagster_event.event_specific_data for record in records]
    return [
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in evaluations if evaluation.passed
    ]
