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
            digest.update(f"{file}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _files(path: str) -> Iterator[str]:
    if os.path.isfile(path):
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            yield os.path.join(root, name)
