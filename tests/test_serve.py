"""`cchc serve`: one worker refreshes at once, then after a new report; bad input and a busy
warehouse do not stop it; SIGTERM does, with exit code 0."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from dagster_project.fingerprint import fingerprint
from dagster_project.publication import refresh_lock
from dagster_project.settings import PROJECT_ROOT

BUNDLED_REPORTS = PROJECT_ROOT / "seeds" / "reports"
CCHC = Path(sys.executable).with_name("cchc")
LINE_TIMEOUT = 120  # seconds for any one line of the worker: a refresh takes about 10
PUBLISHED = re.compile(
    r"refresh \d+: published in [\d.]+ s \((\d+) current documents, (\d+) facts,"
    r" (\d+) files with an ingest problem;"
    r" (dbt replayed|dbt built: [^)]+)\)"
)


@dataclass
class Served:
    lines: list[str] = field(default_factory=list)
    current_documents: list[int] = field(default_factory=list)  # in the published file, per refresh
    ingest_errors: list[tuple] = field(default_factory=list)  # after the bad file
    exit_code: int | None = None
    stderr: str = ""


class Output(threading.Thread):
    """The worker's stdout, line by line, as it comes."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream, self.queue = stream, queue.Queue()

    def run(self) -> None:
        for line in self.stream:
            self.queue.put(line.rstrip("\n"))
        self.queue.put(None)

    def until(self, prefix: str, served: Served) -> str:
        """Read lines (into served.lines) up to the first one starting with prefix."""
        deadline = time.monotonic() + LINE_TIMEOUT
        while True:
            try:
                line = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line {prefix!r} within {LINE_TIMEOUT} s: {served.lines}") from None
            assert line is not None, f"the worker ended before {prefix!r}: {served.lines}"
            served.lines.append(line)
            if line.startswith(prefix):
                return line


def current_documents(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(  # report documents: the reference tables have no sha256
            "select count(*) from dim_document where status = 'current' and sha256 is not null"
        ).fetchone()[0]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    folder = tmp_path_factory.mktemp("serve")
    reports, warehouse = folder / "reports", folder / "warehouse" / "cchc.duckdb"
    shutil.copytree(BUNDLED_REPORTS, reports)
    env = {**os.environ, "CCHC_REPORTS_DIR": str(reports), "CCHC_WAREHOUSE": str(warehouse),
           "GX_ANALYTICS_ENABLED": "False", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    stderr = folder / "stderr.log"
    result = Served()
    with stderr.open("w", encoding="utf-8") as errors:
        worker = subprocess.Popen([str(CCHC), "serve", "--interval", "0.5"], env=env,
                                  stdout=subprocess.PIPE, stderr=errors, text=True)
    output = Output(worker.stdout)
    output.start()
    try:
        output.until("cchc serve: ready", result)
        output.until("refresh 1:", result)
        result.current_documents.append(current_documents(warehouse))
        source = sorted(reports.glob("*.txt"))[0]
        text = source.read_text(encoding="utf-8")
        (reports / f"new_{source.name}").write_text(f"{text}\nBản cập nhật cuối năm.\n", encoding="utf-8")
        output.until("refresh 2:", result)
        result.current_documents.append(current_documents(warehouse))
        with refresh_lock(warehouse):  # as another refresh would: the worker waits for it
            (reports / "empty.txt").write_bytes(b"")
            output.until("waiting:", result)
        output.until("refresh 3:", result)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            result.ingest_errors = con.execute("select file_path, reason from ingest_errors").fetchall()
        worker.send_signal(signal.SIGTERM)
        result.exit_code = worker.wait(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        result.stderr = stderr.read_text(encoding="utf-8")
    return result


def published(line: str) -> tuple[str, str, str]:
    """Current documents, facts, rejected inputs and how dbt ran, as the worker's line gives them."""
    match = PUBLISHED.fullmatch(line)
    assert match, line
    return match.groups()


def test_the_first_refresh_runs_at_once(served: Served) -> None:
    first = next(line for line in served.lines if line.startswith("refresh 1:"))
    documents, _, rejected, dbt = published(first)
    assert served.current_documents[0] == int(documents) == 5
    assert rejected == "0"
    assert dbt == "dbt built: no dbt build to replay"


def test_a_new_report_is_published_by_the_next_refresh(served: Served) -> None:
    documents, _, _, dbt = published(next(line for line in served.lines if line.startswith("refresh 2:")))
    assert served.current_documents[1] == served.current_documents[0] + 1 == int(documents)
    assert dbt == "dbt replayed"


def test_a_busy_warehouse_and_an_empty_file_do_not_stop_the_worker(served: Served) -> None:
    waiting = next(line for line in served.lines if line.startswith("waiting:"))
    assert "another refresh or rollback is writing" in waiting
    assert served.lines[-1].startswith("refresh 3: published")
    assert published(served.lines[-1])[2] == "1"
    assert [file for file, _ in served.ingest_errors] == ["empty.txt"]


def test_sigterm_ends_the_worker_with_exit_code_0(served: Served) -> None:
    assert served.exit_code == 0, served.stderr[-2000:]
    assert "Traceback" not in served.stderr


def test_fingerprint_changes_with_each_file_added_written_or_removed(tmp_path: Path) -> None:
    report = tmp_path / "a.txt"
    empty = fingerprint(tmp_path)
    report.write_text("một", encoding="utf-8")
    added = fingerprint(tmp_path)
    report.write_text("một hai", encoding="utf-8")
    written = fingerprint(tmp_path)
    report.unlink()
    assert len({empty, added, written}) == 3
    assert fingerprint(tmp_path) == empty == fingerprint(tmp_path / "missing")


def test_a_change_in_the_folder_wakes_the_worker_before_its_interval(tmp_path: Path) -> None:
    from dagster_project.cli import Changes, _next_look, _watch

    (tmp_path / "old.txt").write_text("Báo cáo cũ.", encoding="utf-8")
    stopping, changes = threading.Event(), Changes()
    watcher = _watch(tmp_path, changes)
    assert watcher is not None, "inotify is available on Linux"
    try:
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "new.txt").write_text("Báo cáo mới.", encoding="utf-8")
        assert _next_look(stopping, changes, interval=600), "told of the new file, then of nothing"
        assert not changes.writing(), "a look that settled takes every file as written"
        (tmp_path / "old.txt").read_text(encoding="utf-8")
        assert not _next_look(stopping, changes, interval=0.5), "reading a report changes nothing"
    finally:
        watcher.stop()
        watcher.join()


def test_a_file_is_being_written_until_it_is_closed_moved_or_removed() -> None:
    from watchdog.events import (
        DirCreatedEvent,
        FileClosedEvent,
        FileClosedNoWriteEvent,
        FileCreatedEvent,
        FileDeletedEvent,
        FileModifiedEvent,
        FileMovedEvent,
        FileOpenedEvent,
    )

    from dagster_project.cli import Changes

    changes = Changes()
    changes.tell(FileOpenedEvent("/r/a.txt"))
    changes.tell(FileClosedNoWriteEvent("/r/a.txt"))
    assert not changes.nudged.is_set(), "reading a file changes nothing"
    changes.tell(DirCreatedEvent("/r/sub"))
    assert changes.nudged.is_set() and not changes.writing()
    for event, writing in [
        (FileCreatedEvent("/r/b.txt"), True), (FileModifiedEvent("/r/b.txt"), True),
        (FileCreatedEvent("/r/.c.tmp"), True), (FileClosedEvent("/r/b.txt"), True),
        (FileMovedEvent("/r/.c.tmp", "/r/c.txt"), False),
        (FileModifiedEvent("/r/d.txt"), True), (FileDeletedEvent("/r/d.txt"), False),
    ]:
        changes.tell(event)
        assert changes.writing() is writing, event
    changes.tell(FileCreatedEvent("/r/sub/e.txt"))  # found in a new folder: never told of as closed
    changes.settled()
    assert not changes.writing()
