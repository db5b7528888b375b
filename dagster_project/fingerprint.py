"""A cheap fingerprint of files: it changes when a file is added, removed, or written to."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path


def fingerprint(*paths: str | Path) -> str:
    """sha256 of the path, size and modification time of each file (a folder: every file under it).

    A missing path, or a file removed while it is walked, counts as absent: the next look sees
    the folder as it then is.
    """
    digest = hashlib.sha256()
    for path in paths:
        for file in _files(str(path)):
            try:
                stat = os.stat(file)
            except FileNotFoundError:
                continue
            # a name that is not UTF-8 keeps its bytes (os.fsencode), rather than failing to encode
            digest.update(os.fsencode(file) + f"|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _files(path: str) -> Iterator[str]:
    if os.path.isfile(path):
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            yield os.path.join(root, name)


RECORD = "reports.fingerprint"  # beside the build: the reports folder as this build read it


def record_folder(reports_dir: Path, build_dir: Path) -> None:
    build_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / RECORD).write_text(fingerprint(reports_dir), encoding="ascii")


def recorded_folder(build_dir: Path) -> str | None:
    try:
        return (build_dir / RECORD).read_text(encoding="ascii").strip() or None
    except OSError:
        return None
