"""Facts as rows of raw.facts, with the provenance every fact carries into the marts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache

from dagster_project.extraction.cues import VOCABULARY_DIR
from dagster_project.extraction.extractor import EXTRACTOR_VERSION, DocumentContext, extract_facts
from dagster_project.settings import CATALOG_PATH

TABLE_READER = "table-reader"  # rule_id and extractor_version of figures loaded from fact tables


def fact_records(document_id: str, text: str, context: DocumentContext) -> list[dict]:
    return [
        {
            "fact_id": f"{document_id}:{fact.span_start}:{fact.metric_code}",
            "document_id": document_id,
            "province_code": fact.province_code,
            "year": fact.year,
            "period": fact.period,
            "metric_code": fact.metric_code,
            "value": fact.value,
            "unit": fact.unit,
            "qualifier": fact.qualifier,
            "fact_kind": fact.fact_kind,
            "evidence": fact.evidence,
            "span_start": fact.span_start,
            "span_end": fact.span_end,
            "rule_id": fact.rule_id,
            "extractor_version": EXTRACTOR_VERSION,
            "confidence": fact.confidence,
        }
        for fact in extract_facts(text, context)
    ]


def table_fact_records(rows: Iterable[dict]) -> list[dict]:
    """Figures of a fact table (rows of raw.table_facts): stated by the table, exact and actual."""
    return [
        {
            "fact_id": f"{row['document_id']}:{row['span_start']}:{row['metric_code']}",
            "document_id": row["document_id"],
            "province_code": row["province_code"],
            "year": row["year"],
            "period": row["period"],
            "metric_code": row["metric_code"],
            "value": row["value"],
            "unit": row["unit"],
            "qualifier": "exact",
            "fact_kind": "actual",
            "evidence": row["evidence"],
            "span_start": row["span_start"],
            "span_end": row["span_end"],
            "rule_id": TABLE_READER,
            "extractor_version": TABLE_READER,
            "confidence": 1.0,
        }
        for row in rows
    ]


@cache
def extractor_fingerprint() -> str:
    """Changes whenever extraction could give other facts: the version, the vocabulary, the catalog."""
    digest = hashlib.sha256(EXTRACTOR_VERSION.encode())
    for path in sorted(VOCABULARY_DIR.glob("*.yaml")) + [CATALOG_PATH]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
