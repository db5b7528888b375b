"""Figures from Vietnamese reform-report prose. A plain library: no Dagster import."""

from dagster_project.extraction.extractor import (
    EXTRACTOR_VERSION,
    DocumentContext,
    Explanation,
    Fact,
    explain,
    extract_facts,
    load_vocabulary,
)
from dagster_project.extraction.numbers import parse_number
from dagster_project.extraction.text import normalize_text

__all__ = [
    "EXTRACTOR_VERSION", "DocumentContext", "Explanation", "Fact", "explain", "extract_facts",
    "load_vocabulary", "normalize_text", "parse_number",
]
