"""Limits that no file in a reports folder can pass, whatever it holds.

A 1.6 MB .docx can inflate to gigabytes, an .xlsx hold millions of shared strings, a small PDF
declare a hundred thousand pages. Each reader checks what it is about to unpack against these
limits first, and every file is read within a time limit; a file over one is rejected with the
reason "over a limit", naming the limit and the setting that raises it. Settings (environment):

- ``CCHC_MAX_INFLATED_MB`` (default 200): what the members of an archive (.docx, .xlsx) inflate to;
- ``CCHC_MAX_PDF_PAGES`` (default 2000);
- ``CCHC_MAX_TABLE_ROWS`` (default 200000): rows of a fact table;
- ``CCHC_MAX_SECONDS_PER_FILE`` (default 60): reading one file;
- ``CCHC_MAX_READER_MB`` (default 1024): memory a reader process may take beyond what it started
  with (files are read in forked worker processes, so a runaway cannot take the refresh down).
"""

from __future__ import annotations

import io
import os
import resource
import signal
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

OVER_A_LIMIT = "over a limit"
Row = TypeVar("Row")
_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    inflated_bytes: int
    pdf_pages: int
    table_rows: int
    seconds: float


class OverALimit(BaseException):  # raised from an alarm: no `except Exception` in a library hides it
    """A file the reader refuses to unpack further; `detail` names the limit and its setting."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def limits() -> Limits:
    return Limits(
        inflated_bytes=int(_setting("CCHC_MAX_INFLATED_MB", 200) * _MB),
        pdf_pages=int(_setting("CCHC_MAX_PDF_PAGES", 2000)),
        table_rows=int(_setting("CCHC_MAX_TABLE_ROWS", 200_000)),
        seconds=_setting("CCHC_MAX_SECONDS_PER_FILE", 60),
    )


def _setting(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def confine_memory() -> None:
    """Limit this (reader) process's data to what it has plus CCHC_MAX_READER_MB: beyond it an
    allocation fails with MemoryError, which the reader turns into "over a limit"."""
    allowance = int(_setting("CCHC_MAX_READER_MB", 1024) * _MB)
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    soft = _data_size() + allowance
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def _data_size() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def check_archive(raw: bytes) -> None:
    """Refuse a zip whose members inflate past the limit, as their headers declare. A header
    that lies is caught by zipfile itself: it stops reading a member at its declared size."""
    limit = limits().inflated_bytes
    try:
        declared = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    except zipfile.BadZipFile:
        return  # the reader says why it is not a zip
    if declared > limit:
        raise OverALimit(
            f"inflates to {declared / _MB:,.0f} MB > {limit / _MB:,.0f} MB (CCHC_MAX_INFLATED_MB)")


def check_pages(pages: int) -> None:
    limit = limits().pdf_pages
    if pages > limit:
        raise OverALimit(f"{pages:,} pages > {limit:,} (CCHC_MAX_PDF_PAGES)")


def capped_rows(rows: Iterable[Row]) -> Iterator[Row]:
    """The rows of a table, refused past the limit (read once per table, not per row)."""
    limit = limits().table_rows
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise OverALimit(f"more than {limit:,} rows (CCHC_MAX_TABLE_ROWS)")
        yield row


@contextmanager
def time_limit() -> Iterator[None]:
    """Raise OverALimit when reading one file takes longer than the limit. Python code is
    interrupted where it runs (a parser's loop); in a thread other than the main one, where no
    alarm can be set, the file is read without one."""
    seconds = limits().seconds
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(*_: object) -> None:
        raise OverALimit(f"reading took more than {seconds:g} s (CCHC_MAX_SECONDS_PER_FILE)")

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # an alarm set around this one keeps running
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))
