"""Read a reports folder: every document with its provenance, every rejected input with a reason.

A document is its content: files with the same bytes are one document (its other paths are its
aliases). Reading is cached by content, so an unchanged file is never parsed twice (`ParseCache`).
Nothing in the folder is modified, moved or deleted.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from stat import S_ISREG
from typing import Protocol

from dagster_project.ingest.encodings import Unreadable
from dagster_project.ingest.limits import OVER_A_LIMIT, OverALimit, confine_memory, time_limit
from dagster_project.ingest.metadata import DOC_TYPES, infer, parse_published
from dagster_project.ingest.readers import READABLE_SUFFIXES, read_text
from dagster_project.ingest.tables import (
    TABLE_SUFFIXES,
    RowError,
    TableFact,
    UnreadableTable,
    read_fact_table,
)
from dagster_project.parallel import WorkerDied, isolated_map

log = logging.getLogger(__name__)

PARSER_VERSION = "2"  # bump when a reader changes what it produces: cached parses are redone
CORRECTIONS_NAME = "corrections.csv"  # the analysts' corrections (ingest/corrections.py), not a report
SKIPPED_NAMES = frozenset({"manifest.csv", CORRECTIONS_NAME, "readme.md", "readme.txt"})
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Parsed:
    """What a file's bytes hold, whatever its name: cached by content."""

    text: str
    title: str | None = None
    published: date | None = None
    source_url: str | None = None
    notes: tuple[str, ...] = ()
    is_table: bool = False
    table_facts: tuple[TableFact, ...] = ()
    row_errors: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class Rejected:
    reason: str
    detail: str


class ParseCache(Protocol):
    """Parses by content ("<sha256>:<suffix>")."""

    def __contains__(self, key: object) -> bool: ...
    def load(self, keys: Iterable[str]) -> None: ...  # fetch these before `get`, in one go
    def get(self, key: str) -> Parsed | Rejected | None: ...
    def put(self, key: str, result: Parsed | Rejected) -> None: ...


@dataclass(frozen=True)
class FileSeen:
    size: int
    mtime_ns: int
    sha256: str
    meta: str = ""  # its manifest row as JSON: a changed row makes its document again


@dataclass(frozen=True)
class Document:
    document_id: str
    file_path: str
    sha256: str
    province_code: str | None
    year: int | None
    period: str | None
    doc_type: str
    title: str | None
    source_url: str | None
    published: date | None
    text: str
    national: bool = False  # about every province (a ranking): no province of its own
    aliases: str | None = None  # other paths with the same content, comma-separated
    table_facts: tuple[TableFact, ...] = ()


@dataclass(frozen=True)
class IngestError:
    file_path: str
    stage: str
    reason: str
    detail: str


@dataclass
class Scan:
    documents: list[Document]
    errors: list[IngestError]
    files: dict[str, FileSeen] = field(default_factory=dict)  # every file read or hashed
    parsed: int = 0  # files whose content was read this time
    reused: int = 0  # files whose content was known already
    # files that vanished or changed while read: recorded this time, never cached
    transient: dict[str, Rejected] = field(default_factory=dict)
    # contents whose files are as the last scan left them (sha256 -> paths): not made again (`reuse`)
    unchanged: dict[str, list[str]] = field(default_factory=dict)


# Files made into documents together: their texts (and parses) are what ingest holds at once.
BATCH_FILES = 2_000


def scan_reports(
    reports_dir: Path,
    cache: ParseCache | None = None,
    known_files: dict[str, FileSeen] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Scan:
    """Every readable report in the folder, all documents at once (scan_in_batches)."""
    scan = Scan([], [])
    scan.documents = [
        document for batch in scan_in_batches(scan, reports_dir, cache, known_files, max_bytes)
        for document in batch
    ]
    return scan


def scan_in_batches(
    scan: Scan,
    reports_dir: Path,
    cache: ParseCache | None = None,
    known_files: dict[str, FileSeen] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    batch_files: int = BATCH_FILES,
    reuse: bool = False,
) -> Iterator[list[Document]]:
    """Every readable report in the folder; the manifest, when present, gives what it knows.

    The folder is listed and each file identified (hashed, or known by `known_files`: path ->
    size, mtime, sha256 of the last scan) first; files are then read and made into documents a
    batch at a time, the files of one content in one batch (they make one document). Each batch's
    documents are yielded (`scan` gathers the errors, files and counts; not the documents): the
    caller writes them, and the cache's new parses, before the next batch is read. At least one
    batch is yielded, possibly empty.

    reuse: the caller kept the documents (and errors) of the last scan. A content whose files all
    have the size, mtime and manifest row they had, under the same paths, then costs a stat: it is
    neither read nor made again, only listed in `scan.unchanged`.
    """
    cache = cache if cache is not None else _MemoryCache()
    known_files = known_files or {}
    listed = _report_files(reports_dir, scan)
    refused = {error.file_path for error in scan.errors}  # recorded already if the manifest names them
    manifest = _read_manifest(reports_dir, scan, {relative for _, relative in listed} | refused)
    files = [_identify(path, relative, scan, known_files, max_bytes, _meta(manifest.get(relative)))
             for path, relative in listed]
    groups = _by_sha256([found for found in files if found is not None])
    if reuse:
        groups = _set_aside_unchanged(groups, known_files, cache, scan)
    batches = _batches(groups, batch_files) or [[]]
    for batch in batches:
        _parse_unknown(batch, cache, scan)
        yield _documents(batch, manifest, cache, scan)


def _by_sha256(files: list[_Found]) -> dict[str, list[_Found]]:
    groups: dict[str, list[_Found]] = {}
    for found in files:
        groups.setdefault(found.sha256, []).append(found)
    return groups


def _set_aside_unchanged(
    groups: dict[str, list[_Found]], known_files: dict[str, FileSeen], cache: ParseCache, scan: Scan
) -> dict[str, list[_Found]]:
    """The groups to make into documents; the others (`_unchanged`) go to scan.unchanged."""
    known_paths: dict[str, set[str]] = {}
    for relative, seen in known_files.items():
        known_paths.setdefault(seen.sha256, set()).add(relative)
    to_make = {}
    for sha256, group in groups.items():
        if _unchanged(group, known_paths.get(sha256, set()), cache):
            scan.unchanged[sha256] = [found.relative for found in group]
            scan.reused += len(group)
        else:
            to_make[sha256] = group
    return to_make


def _unchanged(group: list[_Found], known_paths: set[str], cache: ParseCache) -> bool:
    """Every file of the content as the last scan saw it, under the paths it had, and its parse
    of this parser version kept (a content read under a new PARSER_VERSION is made again)."""
    return (
        all(found.unchanged for found in group)
        and {found.relative for found in group} == known_paths
        and all(found.key in cache for found in group)
    )


def _batches(groups: dict[str, list[_Found]], batch_files: int) -> list[list[_Found]]:
    """The files in batches of about batch_files, the files of one content never split."""
    batches: list[list[_Found]] = []
    for group in groups.values():
        if not batches or len(batches[-1]) + len(group) > batch_files:
            batches.append([])
        batches[-1].extend(group)
    return batches


def _documents(
    files: list[_Found], manifest: dict[str, dict[str, str]], cache: ParseCache, scan: Scan
) -> list[Document]:
    """The documents the files make: one per content, known by each of its paths."""
    cache.load(found.key for found in files)
    by_content: dict[str, Document] = {}
    for found in files:
        document = _document_of(found, manifest.get(found.relative, {}), cache, scan)
        if document is None:
            continue
        first = by_content.get(document.sha256)
        if first is None:
            by_content[document.sha256] = document
        else:  # the same content under another name: one document, known by both paths
            aliases = ",".join(filter(None, (first.aliases, found.relative)))
            by_content[document.sha256] = replace(first, aliases=aliases)
    return list(by_content.values())


def _document_of(found: _Found, meta: dict[str, str], cache: ParseCache, scan: Scan) -> Document | None:
    result = scan.transient.get(found.path) or cache.get(found.key)
    if isinstance(result, Rejected):
        _reject(scan, found.relative, result.reason, result.detail)
        return None
    return _document(found.relative, found.sha256, meta, result, scan)


@dataclass(frozen=True)
class _Found:
    path: str  # not a Path: 5,000 of them cost a refresh a tenth of a second
    relative: str
    sha256: str
    suffix: str
    unchanged: bool = False  # size, mtime and manifest row as the last scan saw them

    @property
    def key(self) -> str:
        return f"{self.sha256}:{self.suffix}"  # the same bytes read as .csv and as .txt differ


def _identify(
    path: str, relative: str, scan: Scan, known_files: dict[str, FileSeen], max_bytes: int, meta: str
) -> _Found | None:
    """A file's content hash, unless its format or size rules it out (recorded)."""
    extension = os.path.splitext(path)[1]
    suffix = extension.lower()
    if suffix not in READABLE_SUFFIXES and suffix not in TABLE_SUFFIXES:
        _reject(scan, relative, "unsupported format", f"extension {extension or '(none)'}")
        return None
    try:
        stat = os.stat(path)
    except OSError as error:  # a dangling link, or a file removed since the folder was listed
        _reject(scan, relative, "unreadable", error.strerror or str(error))
        return None
    if not S_ISREG(stat.st_mode):  # a pipe or a device would hang the refresh or never end
        _reject(scan, relative, "not a regular file", "pipes, devices and sockets are not read")
        return None
    if stat.st_size > max_bytes:
        _reject(scan, relative, "oversized", f"{stat.st_size} bytes > {max_bytes} (CCHC_MAX_FILE_MB)")
        return None
    seen = known_files.get(relative)
    unchanged = seen is not None and (seen.size, seen.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    try:
        sha256 = seen.sha256 if unchanged else _sha256(path)
    except OSError as error:  # removed or replaced since it was listed
        _reject(scan, relative, "unreadable", error.strerror or str(error))
        return None
    scan.files[relative] = FileSeen(stat.st_size, stat.st_mtime_ns, sha256, meta)
    return _Found(path, relative, sha256, suffix, unchanged and seen.meta == meta)


def _meta(row: dict[str, str] | None) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False) if row else ""


def _parse_unknown(files: list[_Found], cache: ParseCache, scan: Scan) -> None:
    """Read the files whose content was never parsed, over all cores, in confined worker processes
    (a reader that dies is recorded once: its content would kill the next one too)."""
    unknown = list({found.key: found for found in files if found.key not in cache}.values())
    for found, parsed in zip(unknown, isolated_map(_parse_file, unknown, confine_memory), strict=True):
        result, lasting = (parsed if not isinstance(parsed, WorkerDied) else
                           (Rejected(OVER_A_LIMIT, "its reader's process died (memory, or a crash)"), True))
        if lasting:
            cache.put(found.key, result)
        else:
            scan.transient[found.path] = result
    scan.parsed += len(unknown)
    scan.reused += len(files) - len(unknown)


def _parse_file(found: _Found) -> tuple[Parsed | Rejected, bool]:
    """The file's parse, and whether it belongs to the content hashed before (it may be cached)."""
    try:
        raw = _read_regular(found.path)
    except OSError as error:
        return Rejected("unreadable", f"{error.strerror or error} (while it was read)"), False
    if hashlib.sha256(raw).hexdigest() != found.sha256:  # parse what was hashed, or nothing
        return Rejected("changed while read", "the file changed during the refresh; read next time"), False
    return parse_bytes(raw, found.suffix), True


def _read_regular(path: str) -> bytes:
    with open(path, "rb", opener=_open_regular) as handle:
        return handle.read()


def _open_regular(path: str, flags: int) -> int:
    """Open without blocking on a pipe, and refuse what is not a regular file (swapped in since)."""
    descriptor = os.open(path, flags | os.O_NONBLOCK)
    if not S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OSError(errno.EINVAL, "not a regular file")
    return descriptor


def _report_files(reports_dir: Path, scan: Scan) -> list[tuple[str, str]]:
    """Files by path (folder by folder), hidden ones and the manifest or readme left out. Links
    are read only when they stay in the folder; links to folders are not followed."""
    root_real = os.path.realpath(reports_dir)
    found = []
    for root, dirs, files in os.walk(reports_dir):
        folder = Path(root).relative_to(reports_dir).parts
        visible = [name for name in dirs if not name.startswith(".")]
        linked = {name for name in visible if os.path.islink(os.path.join(root, name))}
        for name in sorted(linked):
            shown = _shown("/".join((*folder, name)))
            _reject(scan, shown, "linked folder", "a link to a folder is not followed")
        dirs[:] = [name for name in visible if name not in linked]
        found += [(*folder, name) for name in files
                  if not name.startswith(".") and name.lower() not in SKIPPED_NAMES]
    listed = []
    for parts in sorted(found):
        path, relative = os.path.join(reports_dir, *parts), _shown("/".join(parts))
        if os.path.islink(path) and not _inside(os.path.realpath(path), root_real):
            _reject(scan, relative, "outside the reports folder", "a link to a file outside is not read")
        else:
            listed.append((path, relative))
    return listed


def _inside(path: str, root_real: str) -> bool:
    return os.path.commonpath([path, root_real]) == root_real


def _shown(relative: str) -> str:
    """A path as text: a name that is not UTF-8 (a Latin-1 name from a Windows share) keeps its
    bytes visible as escapes rather than breaking the tables it is written to."""
    try:
        relative.encode("utf-8")
        return relative
    except UnicodeEncodeError:
        return os.fsencode(relative).decode("utf-8", "backslashreplace")


def _reject(scan: Scan, file_path: str, reason: str, detail: str, stage: str = "ingest") -> None:
    log.warning("%s: %s (%s)", file_path, reason, detail)
    scan.errors.append(IngestError(file_path, stage, reason, detail))


class OutsideFolder(OSError):
    """A control file of the reports folder that is a link to a file outside it: never read."""


def read_csv_rows(reports_dir: Path, name: str) -> list[dict[str, str]] | None:
    """The rows of a CSV file at the top of the reports folder (manifest.csv, corrections.csv), or
    None when there is none. Raises OutsideFolder for a link out of the folder, OSError,
    UnicodeDecodeError or csv.Error for a file that cannot be read."""
    path = reports_dir / name
    if not os.path.lexists(path):
        return None
    if not _inside(os.path.realpath(path), os.path.realpath(reports_dir)):
        raise OutsideFolder("a link to a file outside is not read")
    text = _read_regular(str(path)).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _read_manifest(reports_dir: Path, scan: Scan, listed: set[str]) -> dict[str, dict[str, str]]:
    """manifest.csv's rows by file; `listed`: the files found in the folder, which need no look."""
    try:
        rows = read_csv_rows(reports_dir, "manifest.csv")
    except OutsideFolder as error:
        _reject(scan, "manifest.csv", "outside the reports folder", str(error))
        return {}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        _reject(scan, "manifest.csv", "unreadable manifest", str(error))
        return {}
    if rows is None:
        return {}
    entries = {}
    for number, row in enumerate(rows, start=2):
        name = (row.get("file") or "").strip()
        relative = name if name in listed else Path(name).as_posix()
        if not name:
            _reject(scan, "manifest.csv", "manifest row without file", f"line {number}")
        elif relative not in listed and (Path(name).is_absolute() or ".." in Path(name).parts):
            _reject(scan, name, "outside the reports folder", f"named in manifest.csv line {number}")
        elif relative not in listed and os.path.lexists(reports_dir / name):
            _reject(scan, name, "not read", f"named in manifest.csv line {number}: hidden, linked or refused")
        elif relative not in listed:
            _reject(scan, name, "missing file", f"named in manifest.csv line {number}")
        else:
            entries[relative] = {k: (v or "").strip() for k, v in row.items() if k}
    return entries


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb", opener=_open_regular) as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def parse_bytes(raw: bytes, suffix: str) -> Parsed | Rejected:
    """A file's content as text (and, for a table, its facts), or why it cannot be read."""
    try:
        with time_limit():
            if suffix in TABLE_SUFFIXES:
                table = read_fact_table(raw, suffix)
                return Parsed(table.text, is_table=True, table_facts=tuple(table.facts),
                              row_errors=tuple(table.errors))
            read = read_text(raw, suffix)
    except (Unreadable, UnreadableTable) as error:
        return Rejected(error.reason, error.detail)
    except OverALimit as error:
        return Rejected(OVER_A_LIMIT, error.detail)
    except MemoryError:
        return Rejected(OVER_A_LIMIT, "reading took more memory than CCHC_MAX_READER_MB allows")
    if not read.text.strip():
        return Rejected("empty", "no text")
    return Parsed(read.text, read.title, read.published, read.source_url, read.notes)


def _document(
    relative: str, sha256: str, meta: dict[str, str], parsed: Parsed, scan: Scan
) -> Document | None:
    for note in parsed.notes:
        _reject(scan, relative, "converted", note)  # kept: a warning of what was done to the text
    for row in parsed.row_errors:
        _reject(scan, relative, row.reason, f"line {row.line}: {row.detail}", stage="table")
    if parsed.is_table:
        return _table_document(relative, sha256, meta, parsed, scan)
    title = meta.get("title") or parsed.title or _first_line(parsed.text)
    published = _published(meta.get("published"), relative, scan) or parsed.published
    about = infer(meta, relative, title, parsed.text, published)
    if meta.get("province") and about.province_code is None and not about.national:
        _reject(scan, relative, "unknown province", f"manifest province {meta['province']!r}")
        return None
    if about.year is None:
        _reject(scan, relative, "no period", "the year could not be determined (manifest, folder or text)")
        return None
    if meta.get("doc_type") and meta["doc_type"] not in DOC_TYPES:
        known = ", ".join(sorted(DOC_TYPES))
        _reject(scan, relative, "unknown doc_type",
                f"manifest doc_type {meta['doc_type']!r} is none of {known}; read as 'other'")
    return Document(
        document_id=document_id_of(sha256),
        file_path=relative,
        sha256=sha256,
        province_code=about.province_code,
        year=about.year,
        period=about.period,
        doc_type=meta.get("doc_type") if meta.get("doc_type") in DOC_TYPES else "other",
        title=title,
        source_url=meta.get("source_url") or parsed.source_url or None,
        published=published,
        text=parsed.text,
        national=about.national,
    )


def _table_document(
    relative: str, sha256: str, meta: dict[str, str], parsed: Parsed, scan: Scan
) -> Document | None:
    facts = parsed.table_facts
    if not facts:
        _reject(scan, relative, "no valid rows", "the table has no row that could be loaded")
        return None
    provinces = {fact.province_code for fact in facts}
    return Document(
        document_id=document_id_of(sha256),
        file_path=relative,
        sha256=sha256,
        province_code=next(iter(provinces)) if len(provinces) == 1 else None,
        year=max(fact.year for fact in facts),
        period="year",
        doc_type="table",
        title=meta.get("title") or Path(relative).name,
        source_url=meta.get("source_url") or None,
        published=_published(meta.get("published"), relative, scan),
        text=parsed.text,
        national=len(provinces) > 1,
        table_facts=facts,
    )


def document_id_of(sha256: str) -> str:
    """A document is its content: its id, the first 16 hex digits of the content's sha256."""
    return sha256[:16]


def _first_line(text: str) -> str | None:
    return next((line.strip()[:300] for line in text.splitlines() if line.strip()), None)


def _published(value: str | None, relative: str, scan: Scan) -> date | None:
    """The manifest's publication date; a malformed one is recorded, and the document kept."""
    if not value:
        return None
    try:
        return parse_published(value)
    except ValueError:
        _reject(scan, relative, "invalid published date",
                f"{value!r} is not YYYY-MM-DD or YYYY-MM; kept without it")
        return None


def max_file_bytes() -> int:
    """The size cap for one report file: CCHC_MAX_FILE_MB megabytes (default 20)."""
    megabytes = os.environ.get("CCHC_MAX_FILE_MB")
    return int(float(megabytes) * 1024 * 1024) if megabytes else DEFAULT_MAX_BYTES


class _MemoryCache(dict):
    def load(self, keys: Iterable[str]) -> None:
        pass

    def put(self, key: str, result: Parsed | Rejected) -> None:
        self[key] = result
