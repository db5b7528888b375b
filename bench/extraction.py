"""Extraction throughput on one core: ten-kilobyte documents per second (`make bench`)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from dagster_project.extraction import extract_facts, normalize_text

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_BYTES = 10_000


def ten_kilobyte_documents() -> list[str]:
    """The bundled reports, each repeated and cut to 10 kB of UTF-8, so every one is full size."""
    documents = []
    for path in sorted((ROOT / "seeds" / "reports").glob("0*.txt")):
        text = normalize_text(path.read_text(encoding="utf-8"))
        body = (text + "\n") * (DOCUMENT_BYTES // len(text.encode()) + 1)
        documents.append(body.encode()[:DOCUMENT_BYTES].decode(errors="ignore"))
    return documents


def measure(seconds: float = 5.0) -> dict[str, float]:
    documents = ten_kilobyte_documents()
    extract_facts(documents[0])  # load and compile the vocabulary outside the timing
    done = facts = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for document in documents:
            facts += len(extract_facts(document))
        done += len(documents)
    elapsed = time.perf_counter() - started
    return {
        "documents_per_second": round(done / elapsed, 1),
        "megabytes_per_second": round(done * DOCUMENT_BYTES / elapsed / 1e6, 2),
        "facts_per_document": round(facts / done, 1),
    }


if __name__ == "__main__":
    json.dump({"extraction_one_core": measure()}, sys.stdout, indent=2)
    print()
