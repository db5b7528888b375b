"""Publication: an audited build becomes the served warehouse, with its Parquet files and manifest.

In the warehouse folder, beside the served file (here `cchc.duckdb`):

    cchc.duckdb               the served file: the build's schema main (marts and provenance), replaced
                              whole by a rename: a connected reader keeps its snapshot, a new
                              connection opens the new version (a second name of the version's
                              file in versions/)
    cchc.duckdb.lock          one writer at a time (flock: a killed holder leaves no stale lock)
    versions/<id>.duckdb      the last three published files; <id> is <UTC time to the ms>-<run id>
    versions/<id>/            their parquet/<table>.parquet, manifest.json and data_docs/
    current -> versions/<id>  the version served; swapping this one link moves the three below
    parquet, manifest.json, data_docs -> current/...

A version is staged under a hidden name and becomes visible only by renames, so a refresh that
dies before them leaves everything served as it was; the next publication clears its leftovers.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import IO

import duckdb

from dagster_project.parallel import worker_count
from dagster_project.settings import PROJECT_ROOT
from dagster_project.storage import connect, cursor_per_thread, now

KEPT_VERSIONS = 3
VERSIONS = "versions"
CURRENT = "current"
BESIDE_THE_FILE = ("parquet", "manifest.json", "data_docs")
LOCK_POLL_SECONDS = 0.2

_held_locks: set[Path] = set()
_process_locks: list[IO[str]] = []  # held until the process exits


class WarehouseBusy(RuntimeError):
    """Another process is refreshing, publishing or rolling back this warehouse."""


class NothingToRollBack(RuntimeError):
    """No published version is older than the one served."""


@contextmanager
def refresh_lock(warehouse_path: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's one-writer lock, waiting up to wait_seconds for another holder.

    Re-entrant within a process: `cchc refresh` holds it around the Dagster run, whose
    publication step takes it again.
    """
    lock_path = warehouse_path.with_name(f"{warehouse_path.name}.lock")
    if lock_path in _held_locks:
        yield
        return
    handle = _acquire(lock_path, warehouse_path, wait_seconds)
    _held_locks.add(lock_path)
    try:
        yield
    finally:
        _held_locks.discard(lock_path)
        handle.close()  # releases the flock; the file stays, as deleting it would race a waiter


def hold_lock_until_exit(warehouse_path: Path) -> None:
    """Take the one-writer lock for the rest of this process, unless it already holds it.

    For runs started from the Dagster UI or the schedule: each run has a process of its own,
    which ends with the run and so releases the lock. Inside `cchc refresh` this is a no-op.
    """
    lock_path = warehouse_path.with_name(f"{warehouse_path.name}.lock")
    if lock_path not in _held_locks:
        _process_locks.append(_acquire(lock_path, warehouse_path, 0.0))
        _held_locks.add(lock_path)


def _acquire(lock_path: Path, warehouse_path: Path, wait_seconds: float) -> IO[str]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+", encoding="utf-8")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                holder = lock_path.read_text(encoding="utf-8").strip() or "holder unknown"
                raise WarehouseBusy(
                    f"another refresh or rollback is writing {warehouse_path} ({holder})"
                ) from None
            time.sleep(LOCK_POLL_SECONDS)
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} since {now():%Y-%m-%d %H:%M:%S} UTC\n")
    handle.flush()
    return handle


def publish(
    build_path: Path,
    warehouse_path: Path,
    run_id: str,
    checks_passed: list[str],
    data_docs: Callable[[], Path | None] | None = None,
    reports_fingerprint: str | None = None,
) -> dict:
    """Serve a finished, audited build as a new version; return its manifest.

    data_docs: gives this build's Data Docs folder (or None: none), once the build's file and
    Parquet are staged, so they can be rendered meanwhile; it is moved into the version (see
    place_data_docs).
    """
    versions = warehouse_path.parent / VERSIONS
    _clear_leftovers(versions)
    published_at = now()
    version = f"{published_at:%Y%m%dT%H%M%S}.{published_at.microsecond // 1000:03d}Z-{run_id[:8]}"
    staged_file = versions / f".{version}.duckdb.partial"
    staged_folder = versions / f".{version}.partial"
    # The build file is ours alone (the lock). One after the other, the served file and the
    # Parquet files hold less memory than both at once, in the same time. Rows in any order:
    # keeping the build's costs memory and time at 50,000 reports, and no reader may rely on an
    # order it did not ask for.
    with connect(build_path) as con:
        con.execute("set preserve_insertion_order = false")
        _write_served_file(con.cursor(), staged_file)
        manifest = _write_version_folder(con, staged_folder, version, run_id, published_at, checks_passed,
                                         reports_fingerprint)
    _read_only(staged_file)
    docs = data_docs() if data_docs is not None else None
    if docs is not None:
        place_data_docs(docs, staged_folder)
    _fsync_tree(staged_folder)
    _serve_file(staged_file, warehouse_path)  # the commit point: new connections get this version
    # Dying before the link swap below would leave manifest.json and parquet/ one version behind.
    staged_folder.rename(versions / version)
    staged_file.rename(versions / f"{version}.duckdb")
    _point_current(warehouse_path.parent, version)
    _prune(versions)
    return manifest


def place_data_docs(build_docs: Path, version_folder: Path) -> None:
    """Move this build's Great Expectations Data Docs into the version being published.

    They are served as <warehouse folder>/data_docs/ together with the version's file and Parquet.
    """
    shutil.move(build_docs, version_folder / "data_docs")


def rollback(warehouse_path: Path) -> dict:
    """Serve again the version published before the one served now; return its manifest."""
    folder = warehouse_path.parent
    served = current_version(folder)
    earlier = [version for version in published_versions(folder) if served and version < served]
    if not earlier:
        raise NothingToRollBack(
            f"no published version of {warehouse_path} is older than {served or 'the served file'}"
        )
    previous = earlier[-1]
    versions = folder / VERSIONS
    _serve_file(versions / f"{previous}.duckdb", warehouse_path)
    _point_current(folder, previous)
    return read_manifest(versions / previous / "manifest.json")


def published_versions(folder: Path) -> list[str]:
    """The kept versions, oldest first (their ids sort by publication time)."""
    return sorted(path.stem for path in (folder / VERSIONS).glob("*.duckdb"))


def current_version(folder: Path) -> str | None:
    link = folder / CURRENT
    return Path(os.readlink(link)).name if link.is_symlink() else None


def read_manifest(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_version() -> str:
    """The package version and, in a git checkout, its commit (`-dirty` with local changes)."""
    version = metadata.version("cchc-warehouse")
    if not (PROJECT_ROOT / ".git").exists():
        return version
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+{described}"


def _write_served_file(cursor: duckdb.DuckDBPyConnection, target: Path) -> None:
    """The served file: the tables of the build's schema main (the marts and the provenance of
    their figures) with their COMMENTs. The pipeline's schemas (raw, staging, intermediate,
    reference) and the documents' text stay in the build."""
    try:
        cursor.execute(f"attach {_literal(target)} as served")
        for table, comment in _served_tables(cursor):
            cursor.execute(f'create table served.main."{table}" as from main."{table}"')
            cursor.execute(f'comment on table served.main."{table}" is {_literal(comment)}')
        for table, column, comment in cursor.execute(
            "select table_name, column_name, comment from duckdb_columns()"
            " where database_name = current_database() and schema_name = 'main' and comment is not null"
        ).fetchall():
            cursor.execute(f'comment on column served.main."{table}"."{column}" is {_literal(comment)}')
        cursor.execute("detach served")
    finally:
        cursor.close()
    _fsync(target)


def _served_tables(cursor: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    return cursor.execute(
        "select table_name, comment from duckdb_tables()"
        " where database_name = current_database() and schema_name = 'main' order by 1"
    ).fetchall()


def _literal(value: object) -> str:
    """A SQL string literal (COMMENT ON and ATTACH take no parameters)."""
    return "null" if value is None else "'" + str(value).replace("'", "''") + "'"


def _write_version_folder(
    con: duckdb.DuckDBPyConnection, folder: Path, version: str, run_id: str, published_at: datetime,
    checks_passed: list[str], reports_fingerprint: str | None,
) -> dict:
    """Every table of schema main as Parquet, and the manifest, read from the build (`con`)."""
    (folder / "parquet").mkdir(parents=True)
    tables = [table for table, _ in _served_tables(con)]
    with cursor_per_thread(con) as cursor, ThreadPoolExecutor(max_workers=worker_count()) as pool:

        def write(table: str) -> int:  # each table on one core's cursor: most are too small to spread
            target = str(folder / "parquet" / f"{table}.parquet").replace("'", "''")
            return cursor().execute(f"copy main.\"{table}\" to '{target}' (format parquet)").fetchone()[0]

        rows = dict(zip(tables, pool.map(write, tables), strict=True))
    manifest = {
        "version": version,
        "run_id": run_id,
        "published_at": f"{published_at:%Y-%m-%dT%H:%M:%SZ}",
        "code_version": code_version(),
        "duckdb_version": duckdb.__version__,
        "tables": rows,
        "checks_passed": sorted(checks_passed),
        "findings": rows["data_quality_issues"],
        "reports_fingerprint": reports_fingerprint,  # the folder as read (dagster_project/fingerprint.py)
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


def _serve_file(database: Path, warehouse_path: Path) -> None:
    """Serve `database`, a version's file, under the served name: one rename, the commit point.

    The served name is a second name (a hard link) of the version's file, which is never written
    once staged and is read-only on disk: a client opening it read-write fails instead of locking
    every reader out or changing the archived version (docs/bi.md). Where the file system has no
    hard links, a read-only copy.
    """
    staged = warehouse_path.with_name(f".{warehouse_path.name}.publishing")
    staged.unlink(missing_ok=True)  # left by a publication killed here
    try:
        os.link(database, staged)
    except OSError:
        _copy_durably(database, staged)
        _read_only(staged)
    os.replace(staged, warehouse_path)


def _read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def _point_current(folder: Path, version: str) -> None:
    _swap_link(folder / CURRENT, Path(VERSIONS) / version)
    for name in BESIDE_THE_FILE:
        if not (folder / name).is_symlink():
            _swap_link(folder / name, Path(CURRENT) / name)
    _fsync(folder)


def _swap_link(link: Path, target: Path) -> None:
    staged = link.with_name(f".{link.name}.new")
    staged.unlink(missing_ok=True)
    staged.symlink_to(target)
    os.replace(staged, link)


def _prune(versions: Path) -> None:
    for version in published_versions(versions.parent)[:-KEPT_VERSIONS]:
        shutil.rmtree(versions / version, ignore_errors=True)
        (versions / f"{version}.duckdb").unlink()


def _clear_leftovers(versions: Path) -> None:
    """What a publication killed before its renames left behind."""
    versions.mkdir(parents=True, exist_ok=True)
    for leftover in versions.glob(".*.partial*"):  # a staged file's WAL too
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()


def _copy_durably(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    _fsync(target)


def _fsync_tree(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        _fsync(path)


def _fsync(path: Path) -> None:
    """Flush a file or a folder (its renames) to disk, so a power cut cannot serve a torn version."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
