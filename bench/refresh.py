"""Full refresh against incremental refresh (one new report) on a folder of N reports (`make bench`).

The folder holds copies of the bundled reports, each made distinct by a line of letters, with the
manifest rows of their originals; a refresh of it is timed end to end (`cchc refresh`).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "seeds" / "reports"
CCHC = Path(sys.executable).with_name("cchc")


def letters(number: int) -> str:
    """A number spelled in letters, so the marker line holds no figure for the extractor."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word = string.ascii_lowercase[digit] + word
        if number == 0:
            return word


def write_folder(folder: Path, documents: int) -> None:
    with (BUNDLED / "manifest.csv").open(encoding="utf-8") as handle:
        originals = list(csv.DictReader(handle))
    rows = []
    for number in range(documents):
        original = originals[number % len(originals)]
        text = (BUNDLED / original["file"]).read_text(encoding="utf-8")
        name = f"{number:05d}_{original['file']}"
        (folder / name).write_text(f"{text}\nBản lưu {letters(number)}.\n", encoding="utf-8")
        rows.append({**original, "file": name})
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def timed_refresh(folder: Path, warehouse: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(CCHC), "refresh", "--reports", str(folder), "--warehouse", str(warehouse), *extra],
                   check=True, capture_output=True)
    return round(time.perf_counter() - started, 1)


def measure(documents: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        folder, warehouse = Path(scratch) / "reports", Path(scratch) / "warehouse" / "cchc.duckdb"
        folder.mkdir()
        write_folder(folder, documents)
        full = timed_refresh(folder, warehouse, "--full")
        shutil.copy(BUNDLED / "000_5523bcf3cc09a271.txt", folder / "new_report.txt")
        incremental = timed_refresh(folder, warehouse)
    return {"documents": documents, "full_refresh_seconds": full,
            "incremental_refresh_seconds": incremental}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=500)
    json.dump({"refresh": measure(parser.parse_args().documents)}, sys.stdout, indent=2)
    print()
