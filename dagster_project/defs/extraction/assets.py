from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd

from dagster_project.defs.reports.assets import (
    DOCUMENTS,
    INGEST_ERRORS,
    TABLE_FACTS,
    is_full_refresh,
)
from dagster_project.defs.resources import WarehouseResource
from dagster_project.extraction import DocumentContext, load_vocabulary
from dagster_project.extraction.records import (
    TABLE_READER,
    extractor_fingerprint,
    fact_records,
    table_fact_records,
)
from dagster_project.parallel import parallel_map
from dagster_project.state import IngestState
from dagster_project.storage import (
    add_correction_changes,
    append_raw_rows,
    connect,
    has_table,
    now,
    read_document_index,
    read_raw_table,
    read_texts,
)

# Documents extracted together: their texts and facts are what extraction holds in memory at once.
EXTRACTION_BATCH = 2_000


@dg.asset(key=["raw", "facts"], deps=[DOCUMENTS, TABLE_FACTS, INGEST_ERRORS], group_name="extraction")
def raw_facts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Figures read from each document's prose, each with its sentence and character span, and the
    rows of fact tables. Only new or changed documents are extracted; the facts of superseded and
    withdrawn documents are kept for history. Documents are extracted in batches (EXTRACTION_BATCH),
    each batch's facts saved in the state before the next is read."""
    settings = warehouse.settings
    build, state = settings.build_path, IngestState(settings.state_path)
    with connect(build) as con:  # closed before extraction forks its workers
        documents = read_document_index(con)
        current = documents[documents["status"] == "current"]
        tables = _table_facts(read_raw_table(con, "table_facts"))
        keys = {
            doc.document_id: _cache_key(doc, doc.document_id in tables)
            for doc in current.itertuples(index=False)
        }
        done = set() if is_full_refresh(context) else state.extracted(keys)
        prose = [doc for doc in current.itertuples(index=False)
                 if doc.document_id not in done and doc.document_id not in tables]
    extracted = [doc.document_id for doc in prose]
    for start in range(0, len(prose), EXTRACTION_BATCH):
        _extract_batch(build, state, prose[start:start + EXTRACTION_BATCH], keys)
    table_facts = {document_id: facts for document_id, facts in tables.items() if document_id not in done}
    state.save_facts({(document_id, keys[document_id]): facts for document_id, facts in table_facts.items()})
    extracted += list(table_facts)
    paths = dict(zip(current["document_id"], current["file_path"], strict=True))
    with connect(build) as con:
        kept = has_table(con, "raw", "facts")  # the build file the last refresh built (raw_reports)
        copied = state.copy_facts(con, keys, only_changed=kept)
        if kept:
            add_correction_changes(con)
        errors = _without_province(copied.without_province, paths)
        append_raw_rows(con, "ingest_errors", errors)
    _log_without_province(context, errors, {paths[document_id] for document_id in extracted})
    return dg.MaterializeResult(metadata={
        "facts": copied.current + copied.history, "documents_extracted": len(extracted),
        "documents_reused": len(done), "history_facts": copied.history,
    })


def _extract_batch(build: Path, state: IngestState, prose: list, keys: dict[str, str]) -> None:
    """Extract these documents on every core and save their facts in the state."""
    with connect(build) as con:  # closed before extraction forks its workers
        texts = read_texts(con, [doc.document_id for doc in prose])
    facts = _extract_in_parallel([_task(doc, texts.pop(doc.document_id)) for doc in prose])
    state.save_facts({
        (doc.document_id, keys[doc.document_id]): found for doc, found in zip(prose, facts, strict=True)
    })


def _cache_key(doc, is_table: bool) -> str:
    """What a document's facts depend on besides its content: its context and the extractor."""
    if is_table:  # a .csv or .xlsx fact table; a prose report marked "table" is still read as prose
        return TABLE_READER
    year = None if pd.isna(doc.year) else int(doc.year)
    about = f"{doc.province_code}|{_national(doc)}|{year}|{doc.period}|{doc.doc_type}|{_published(doc)}"
    return f"{about}|{extractor_fingerprint()}"


def _task(doc, text: str) -> tuple[str, str, DocumentContext]:
    year = None if pd.isna(doc.year) else int(doc.year)
    province = None if pd.isna(doc.province_code) else doc.province_code
    context = DocumentContext(province, year, doc.period, doc.doc_type, _published(doc), _national(doc))
    return doc.document_id, text, context


def _published(doc) -> date | None:
    return None if pd.isna(doc.published) else pd.Timestamp(doc.published).date()


def _national(doc) -> bool:
    return False if pd.isna(doc.national) else bool(doc.national)


def _extract_in_parallel(tasks: list[tuple[str, str, DocumentContext]]) -> list[list[dict]]:
    load_vocabulary()  # compiled once here, inherited by the forked workers
    return parallel_map(_extract_task, tasks)


def _extract_task(task: tuple[str, str, DocumentContext]) -> list[dict]:
    return fact_records(*task)


def _table_facts(rows: pd.DataFrame) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for fact in table_fact_records(rows.to_dict("records")):
        grouped.setdefault(fact["document_id"], []).append(fact)
    return grouped


def _without_province(without: dict[str, tuple[int, int]], paths: dict[str, str]) -> list[dict]:
    """Figures no clause ties to a province (a national document) are not in raw.facts: recorded here."""
    recorded_at = now()
    return [
        {"file_path": paths[document_id], "stage": "extract",
         "reason": "no province" if lost == total else "figures without province",
         "detail": f"{lost} of {total} figures name no province and the document has none of its own;"
                   " they are left out",
         "recorded_at": recorded_at}
        for document_id, (lost, total) in without.items()
    ]


def _log_without_province(context: dg.AssetExecutionContext, errors: list[dict], extracted: set[str]) -> None:
    """A warning per document extracted now; those said at an earlier refresh are only counted."""
    said_before = 0
    for error in errors:
        if error["file_path"] in extracted:
            context.log.warning(f"{error['file_path']}: {error['reason']} ({error['detail']})")
        else:
            said_before += 1
    if said_before:
        context.log.info(f"{said_before} documents extracted earlier have figures without a province"
                         " (raw.ingest_errors, stage 'extract')")
