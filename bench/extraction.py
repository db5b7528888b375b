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


def measure(seconds: float = 3.0, rounds: int = 3) -> dict[str, float]:
    """The median of a few timed rounds: one busy moment on the machine does not decide it."""
    documents = ten_kilobyte_documents()
    extract_facts(documents[0])  # load and compile the vocabulary outside the timing
    results = sorted((_round(documents, seconds) for _ in range(rounds)), key=lambda r: r[0])
    per_second, facts = results[len(results) // 2]
    return {
        "documents_per_second": round(per_second, 1),
        "megabytes_per_second": round(per_second * DOCUMENT_BYTES / 1e6, 2),
        "facts_per_document": round(facts, 1),
    }


def _round(documents: list[str], seconds: float) -> tuple[float, float]:
    done = facts = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for document in documents:
            facts += len(extract_facts(document))
        done += len(documents)
    return done / (time.perf_counter() - started), facts / done


if __name__ == "__main__":
    json.dump({"extraction_one_core": measure()}, sys.stdout, indent=2)
    print()
