"""Facts as rows of raw.facts, with the provenance every fact carries into the marts."""

from __future__ import annotations

from dagster_project.extraction.extractor import EXTRACTOR_VERSION, DocumentContext, extract_facts


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
