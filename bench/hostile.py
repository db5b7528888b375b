"""A reports folder filled by hostile hands still refreshes, within its memory, and says why.

    python bench/hostile.py --out /tmp/cchc-hostile

Copies the bundled reports and adds: a link to a file outside the folder, a link to /etc/passwd,
a link to /dev/zero, a named pipe, a file whose name is not UTF-8 (Latin-1), and a 1.6 MB .docx
that inflates to 1.5 GiB. Runs `cchc refresh` as a separate process, measures its exit code, wall
time and the peak memory of its process tree (bench/run.py), and prints the ingest_errors rows.
Exits 1 unless the refresh published, peaked under 1.5 GiB and recorded every hostile file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import docx
import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from run import measure_process  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = {"bomb.docx", "leak.txt", "passwd.txt", "zero.txt", "pipe.txt"}
PEAK_LIMIT_MIB = 1536


def hostile_folder(out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    reports, elsewhere = out / "reports", out / "elsewhere"
    shutil.copytree(ROOT / "seeds" / "reports", reports)
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_text("Báo cáo năm 2024 của tỉnh Sơn La. Toàn tỉnh có 9.999 TTHC.",
                                          encoding="utf-8")
    (reports / "leak.txt").symlink_to(elsewhere / "secret.txt")
    (reports / "passwd.txt").symlink_to("/etc/passwd")
    (reports / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(reports / "pipe.txt")
    (reports / os.fsdecode(b"b\xe1o-c\xe1o.txt")).write_text(
        "Báo cáo cải cách hành chính năm 2024 của tỉnh Lai Châu.\nToàn tỉnh có 1.590 TTHC.", encoding="utf-8")
    (reports / "bomb.docx").write_bytes(docx_bomb(1536))
    return reports


def docx_bomb(inflated_mb: int, text: str = "") -> bytes:
    """A valid .docx (holding `text`) with a member of zeros that inflates to `inflated_mb` MB."""
    buffer = io.BytesIO()
    document = docx.Document()
    if text:
        document.add_paragraph(text)
    document.save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("word/media/zeros.bin", "w") as member:
        for _ in range(inflated_mb):
            member.write(bytes(1024 * 1024))
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    reports = hostile_folder(args.out)
    warehouse = args.out / "warehouse" / "cchc.duckdb"
    cchc = Path(sys.executable).parent / "cchc"
    command = [str(cchc), "refresh", "--reports", str(reports), "--warehouse", str(warehouse)]
    measured = measure_process(command, args.out / "refresh.log")
    print(json.dumps(measured, indent=2))
    rows = []
    if measured["exit_code"] == 0:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.sql("select file_path, reason, detail from ingest_errors order by 1").fetchall()
    for row in rows:
        print(" | ".join(row))
    recorded = {file_path for file_path, *_ in rows}
    ok = measured["exit_code"] == 0 and measured["peak_rss_mib"] < PEAK_LIMIT_MIB and recorded >= HOSTILE
    print("hostile folder:", "published, every hostile file recorded" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
