import dagster as dg

from dagster_project import build_file
from dagster_project.defs.resources import WarehouseResource
from dagster_project.fingerprint import record_folder
from dagster_project.ingest.corrections import read_corrections
from dagster_project.ingest.documents import Scan, document_id_of, max_file_bytes, scan_in_batches
from dagster_project.publication import hold_lock_until_exit
from dagster_project.quality.catalog import load_catalog
from dagster_project.settings import CATALOG_PATH
from dagster_project.state import IngestState, VersionsRecorder
from dagster_project.storage import (
    connect,
    now,
    replace_corrections,
    replace_table_facts,
    reset_build,
    write_raw_tables,
)

DOCUMENTS = dg.AssetKey(["raw", "documents"])
TABLE_FACTS = dg.AssetKey(["raw", "table_facts"])
INGEST_ERRORS = dg.AssetKey(["raw", "ingest_errors"])
CORRECTIONS = dg.AssetKey(["raw", "corrections"])
# A run tagged so reads and extracts every file again (the nightly reconciliation, `--full`).
FULL_REFRESH_TAG = "cchc/full_refresh"


def is_full_refresh(context: dg.AssetExecutionContext) -> bool:
    return context.run.tags.get(FULL_REFRESH_TAG) == "true"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(DOCUMENTS, description="Every version of every report, with its provenance and "
                                            "status (current, superseded, withdrawn)."),
        dg.AssetSpec(TABLE_FACTS, description="Rows of the fact tables (.csv, .xlsx) of current documents."),
        dg.AssetSpec(INGEST_ERRORS, description="Every rejected input: file, reason, detail."),
        dg.AssetSpec(CORRECTIONS, description="The analysts' corrections.csv, row by row, with what is "
                                              "wrong with a malformed row."),
    ],
    group_name="reports",
)
def raw_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Read the reports folder into the build file (the start of every refresh): the rows that
    changed into the build the last refresh left (build_file.py), or every row into a fresh one.

    Files whose content was read before are not read again, unless the run is a full refresh;
    on the kept build, files as the last refresh saw them are not even made into documents again
    (their rows, table facts and ingest errors stay). Files are read and their documents written a
    batch at a time (scan_in_batches).
    """
    settings = warehouse.settings
    hold_lock_until_exit(settings.warehouse_path)  # one writer: UI and scheduled runs too
    full = is_full_refresh(context)
    kept = not full and build_file.is_kept(settings)
    build_file.forget(settings)
    if not kept:
        reset_build(settings.build_path)
    record_folder(settings.reports_dir, settings.build_dir)  # before reading: later changes differ
    state = IngestState(settings.state_path)
    ingested_at, table_rows, scan = now(), [], Scan([], [])
    # The state is opened per step, not held: a held DuckDB instance keeps what each batch wrote.
    cache = state.parse_cache(full)
    known = {} if full else state.known_files()
    recorder = VersionsRecorder(state, ingested_at)
    batches = scan_in_batches(scan, settings.reports_dir, cache, known, max_file_bytes(), reuse=kept)
    for documents in batches:
        reparsed = frozenset(key.split(":")[0] for key in cache.new)  # their text may have changed
        recorder.record(documents, reparsed)
        state.save_parses(cache)
        table_rows += [{**fact.__dict__, "document_id": document.document_id}
                       for document in documents for fact in document.table_facts]
    unchanged = [document_id_of(sha256) for sha256 in scan.unchanged]
    recorder.keep(unchanged)
    scan.errors += state.file_errors(path for paths in scan.unchanged.values() for path in paths)
    statuses = recorder.finish(scan.files)
    state.save_files(scan.files)
    state.save_file_errors(scan.errors)
    # read every refresh (a small file): its malformed rows are said again each time
    corrections, correction_errors = read_corrections(
        settings.reports_dir, frozenset(metric.code for metric in load_catalog(CATALOG_PATH)))
    errors = [{**err.__dict__, "recorded_at": ingested_at} for err in scan.errors + correction_errors]
    with connect(settings.build_path) as con:
        state.copy_versions(con, only_changed=kept)
        replace_table_facts(con, table_rows, unchanged)  # none unchanged unless the build is kept
        write_raw_tables(con, {"ingest_errors": errors})
        replace_corrections(con, corrections)
    for error in scan.errors + correction_errors:
        context.log.warning(f"{error.file_path}: {error.reason} ({error.detail})")
    yield dg.MaterializeResult(asset_key=DOCUMENTS, metadata={
        **{status: statuses.get(status, 0) for status in ("current", "superseded", "withdrawn")},
        "files_read": scan.parsed, "files_unchanged": scan.reused,
        "full_refresh": full, "build_file_kept": kept,
    })
    yield dg.MaterializeResult(asset_key=TABLE_FACTS, metadata={"rows": len(table_rows)})
    yield dg.MaterializeResult(asset_key=INGEST_ERRORS, metadata={"errors": len(errors)})
    yield dg.MaterializeResult(asset_key=CORRECTIONS, metadata={
        "rows": len(corrections), "malformed": len(correction_errors)})
