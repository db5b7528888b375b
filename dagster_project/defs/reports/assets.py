import dagster as dg

from dagster_project.defs.resources import WarehouseResource
from dagster_project.ingest.documents import scan_reports
from dagster_project.publication import hold_lock_until_exit
from dagster_project.storage import now, reset_build, write_raw_table

DOCUMENTS = dg.AssetKey(["raw", "documents"])
INGEST_ERRORS = dg.AssetKey(["raw", "ingest_errors"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(DOCUMENTS, description="Every readable report with its provenance."),
        dg.AssetSpec(INGEST_ERRORS, description="Every rejected input: file, reason, detail."),
    ],
    group_name="reports",
)
def raw_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Read the reports folder into a fresh build file (the start of every refresh)."""
    settings = warehouse.settings
    hold_lock_until_exit(settings.warehouse_path)  # one writer: UI and scheduled runs too
    reset_build(settings.build_path)
    scan = scan_reports(settings.reports_dir)
    ingested_at = now()
    documents = [
        {
            **doc.__dict__, "char_count": len(doc.text), "ingested_at": ingested_at,
            "status": "current", "first_seen_at": ingested_at, "last_seen_at": ingested_at,
        }
        for doc in scan.documents
    ]
    errors = [{**err.__dict__, "recorded_at": ingested_at} for err in scan.errors]
    write_raw_table(settings.build_path, "documents", documents)
    write_raw_table(settings.build_path, "ingest_errors", errors)
    for error in scan.errors:
        context.log.warning(f"{error.file_path}: {error.reason} ({error.detail})")
    yield dg.MaterializeResult(asset_key=DOCUMENTS, metadata={"documents": len(documents)})
    yield dg.MaterializeResult(asset_key=INGEST_ERRORS, metadata={"errors": len(errors)})
