import dagster as dg

from dagster_project.defs.reports.assets import DOCUMENTS
from dagster_project.defs.resources import WarehouseResource
from dagster_project.extraction import DocumentContext
from dagster_project.extraction.records import fact_records
from dagster_project.storage import read_raw_documents, write_raw_table


@dg.asset(key=["raw", "facts"], deps=[DOCUMENTS], group_name="extraction")
def raw_facts(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Figures read from each document's prose, each with its sentence and character span."""
    build = warehouse.settings.build_path
    records: list[dict] = []
    for doc in read_raw_documents(build).itertuples(index=False):
        year = None if doc.year != doc.year else int(doc.year)  # NaN for unknown
        context = DocumentContext(doc.province_code, year, doc.period, doc.doc_type)
        records.extend(fact_records(doc.document_id, doc.text, context))
    write_raw_table(build, "facts", records)
    return dg.MaterializeResult(metadata={"facts": len(records)})
