"""What the warehouse remembers between refreshes: files seen, parses and facts by content, and every
version of every document (current, superseded or withdrawn).

It lives in its own DuckDB file beside the build (`Settings.state_path`): a refresh reads and
extracts only what changed, and copies into the build file the rows that changed since the last
build (or every row into a fresh build file). Deleting it costs one full refresh.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.ingest.documents import (
    PARSER_VERSION,
    Document,
    FileSeen,
    IngestError,
    Parsed,
    Rejected,
)
from dagster_project.ingest.tables import RowError, TableFact
from dagster_project.storage import CELL_DDL, RAW_DDL, column_names, connect

log = logging.getLogger(__name__)
STATE_LAYOUT = "4"  # bump when a table below changes: an older state file is then started afresh
_DDL = {
    "files": "file_path varchar, size bigint, mtime_ns bigint, sha256 varchar, meta varchar",
    # What the last scan said of each file (raw.ingest_errors): said again of a file not read again.
    "file_errors": "file_path varchar, stage varchar, reason varchar, detail varchar",
    "parses": "cache_key varchar, parser_version varchar, payload varchar",
    "versions": RAW_DDL["documents"],
    "facts": "cache_key varchar, " + RAW_DDL["facts"],
    # One row per document extracted, even one without facts, so it is not extracted again.
    "extractions": "document_id varchar, cache_key varchar",
    # Documents whose version row or facts the last refresh changed: what a kept build file must copy.
    "changed": "document_id varchar",
}
_VERSION_COLUMNS = column_names(RAW_DDL["documents"])
_FACT_COLUMNS = column_names(RAW_DDL["facts"])
# What a version row says besides its text and when it was last seen: a change rewrites the row.
_COMPARED = [c for c in _VERSION_COLUMNS if c not in ("text", "ingested_at", "last_seen_at")]


def _add_changed_cells(con: duckdb.DuckDBPyConnection) -> None:
    """The cells of the changed documents' facts in raw.facts now, added to raw.changed_cells."""
    con.execute("""
        insert into raw.changed_cells
        select distinct province_code, year, metric_code from raw.facts
        where document_id in (select document_id from raw.changed_documents)
        except select * from raw.changed_cells""")


class StateParseCache:
    """Parses of the current parser version, read from the state only for the keys `load` names;
    new ones are kept until `IngestState.save_parses`."""

    def __init__(self, path: Path | None, stored: set[str]) -> None:
        self._path, self._stored = path, stored
        self._loaded: dict[str, Parsed | Rejected] = {}
        self.new: dict[str, Parsed | Rejected] = {}

    def __contains__(self, key: object) -> bool:
        return key in self.new or key in self._stored

    def load(self, keys: Iterable[str]) -> None:
        wanted = pd.DataFrame(  # noqa: F841 - read by DuckDB
            {"cache_key": sorted({key for key in keys if key in self._stored and key not in self._loaded})}
        )
        if self._path is None or wanted.empty:
            return
        with connect(self._path) as con:
            rows = con.execute(
                "select cache_key, payload from parses join wanted using (cache_key)"
                " where parser_version = ?", [PARSER_VERSION],
            ).fetchall()
        self._loaded.update((key, _load_parse(payload)) for key, payload in rows)

    def get(self, key: str) -> Parsed | Rejected | None:
        if key in self.new:
            return self.new[key]
        if key in self._stored and key not in self._loaded:
            self.load([key])
        return self._loaded.get(key)

    def put(self, key: str, result: Parsed | Rejected) -> None:
        self.new[key] = result

    def release(self) -> None:
        """Forget the parses held (saved by IngestState.save_parses): the next batch's are read."""
        self._stored |= set(self.new)
        self.new.clear()
        self._loaded.clear()


class VersionsRecorder:
    """Every version of every document with its status after a scan, recorded batch by batch.

    A document read now is current. One that was current before and is not now is superseded
    when its file is still in the folder (its content changed) and withdrawn when it is gone.
    Only rows that changed are written (and those of `reparsed` contents, whose text may have),
    so an incremental refresh does not copy every text again. The state's `changed` table lists
    the documents whose row or status this scan changed.
    """

    def __init__(self, state: IngestState, seen_at: datetime) -> None:
        self.state, self.seen_at = state, seen_at
        self.known = state._known_versions()
        self.seen: set[str] = set()
        with connect(state.path) as con:
            con.execute("delete from changed")

    def record(self, documents: list[Document], reparsed: frozenset[str] = frozenset()) -> None:
        """Write the rows of these documents that changed."""
        rows = []
        for document in documents:
            before = self.known.get(document.document_id)
            row = _version_row(document, "current", before["first_seen_at"] if before else self.seen_at,
                               self.seen_at)
            if before is None or document.sha256 in reparsed or any(
                before[column] != row[column] for column in _COMPARED
            ):
                rows.append(row)
        self.keep(document.document_id for document in documents)
        frame = pd.DataFrame.from_records(rows, columns=_VERSION_COLUMNS)  # noqa: F841 - read by DuckDB
        with connect(self.state.path) as con:
            con.execute("begin")
            con.execute("delete from versions where document_id in (select document_id from frame)")
            con.execute("insert into versions select * from frame")
            con.execute("insert into changed select document_id from frame")
            con.execute("commit")

    def keep(self, document_ids: Iterable[str]) -> None:
        """These documents are current, as they were (documents.Scan.unchanged)."""
        self.seen |= set(document_ids)

    def finish(self, present: Iterable[str]) -> dict[str, int]:
        """Statuses of the documents not seen, and when each current one was seen; the versions by
        status."""
        present = set(present)
        moved = [
            (document_id, "superseded" if present & _paths(row) else "withdrawn")
            for document_id, row in self.known.items()
            if document_id not in self.seen and row["status"] == "current"
        ]
        statuses = pd.DataFrame(moved, columns=["document_id", "status"], dtype="string")  # noqa: F841
        seen_ids = pd.DataFrame({"document_id": sorted(self.seen)}, dtype="string")  # noqa: F841
        with connect(self.state.path) as con:
            con.execute("begin")
            con.execute("update versions set status = s.status from statuses s"
                        " where versions.document_id = s.document_id")
            con.execute("update versions set last_seen_at = ?, ingested_at = ?"
                        " where document_id in (select document_id from seen_ids)",
                        [self.seen_at, self.seen_at])
            con.execute("insert into changed select document_id from statuses"
                        " except select document_id from changed")
            con.execute("commit")
            return dict(con.execute("select status, count(*) from versions group by status").fetchall())


class IngestState:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._prepare()
        except duckdb.Error as error:  # a damaged file: set aside, and the refresh reads everything
            aside = path.with_name(f"{path.name}.unreadable-{datetime.now():%Y%m%dT%H%M%S}")
            log.warning("ingest state %s unreadable (%s); moved to %s, starting afresh", path, error, aside)
            path.rename(aside)
            Path(f"{path}.wal").unlink(missing_ok=True)
            self._prepare()

    def _prepare(self) -> None:
        """The tables, fresh when the file was written by another layout of the state."""
        with connect(self.path) as con:
            tables = {name for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main'").fetchall()}
            stored = con.execute("select version from layout").fetchone() if "layout" in tables else None
            if stored == (STATE_LAYOUT,) and tables >= set(_DDL):
                return  # as it should be: nothing written, nothing to checkpoint
            con.execute("create table if not exists layout (version varchar)")
            if stored is not None and stored[0] != STATE_LAYOUT:
                log.warning("ingest state %s has layout %s, not %s: starting afresh",
                            self.path, stored[0], STATE_LAYOUT)
                for table in _DDL:
                    con.execute(f"drop table if exists {table}")
            for table, columns in _DDL.items():
                con.execute(f"create table if not exists {table} ({columns})")
            con.execute("delete from layout")
            con.execute("insert into layout values (?)", [STATE_LAYOUT])

    def known_files(self) -> dict[str, FileSeen]:
        with connect(self.path) as con:
            rows = con.execute("select file_path, size, mtime_ns, sha256, meta from files").fetchall()
        return {path: FileSeen(size, mtime, sha, meta) for path, size, mtime, sha, meta in rows}

    def parse_cache(self, full: bool = False) -> StateParseCache:
        """Known parses; none on a full refresh, which reads every file again."""
        if full:
            return StateParseCache(None, set())
        with connect(self.path) as con:
            rows = con.execute(
                "select cache_key from parses where parser_version = ?", [PARSER_VERSION]
            ).fetchall()
        return StateParseCache(self.path, {key for (key,) in rows})

    def save_parses(self, cache: StateParseCache) -> None:
        """Write the cache's new parses, and let go of every parse it holds (one batch's)."""
        new_parses = pd.DataFrame(  # noqa: F841 - read by DuckDB
            [(key, PARSER_VERSION, _dump_parse(result)) for key, result in cache.new.items()],
            columns=["cache_key", "parser_version", "payload"],
        )
        with connect(self.path) as con:
            con.execute("begin")
            con.execute("delete from parses where cache_key in (select cache_key from new_parses)")
            con.execute("insert into parses select * from new_parses")
            con.execute("commit")
        cache.release()

    def save_files(self, files: dict[str, FileSeen]) -> None:
        frame = pd.DataFrame(
            [(path, seen.size, seen.mtime_ns, seen.sha256, seen.meta) for path, seen in files.items()],
            columns=["file_path", "size", "mtime_ns", "sha256", "meta"],
        )
        self._replace_all("files", frame)

    def save_file_errors(self, errors: Iterable[IngestError]) -> None:
        """What this scan said of each file, in place of what the last one said."""
        frame = pd.DataFrame(
            [(e.file_path, e.stage, e.reason, e.detail) for e in errors],
            columns=column_names(_DDL["file_errors"]),
        )
        self._replace_all("file_errors", frame)

    def _replace_all(self, table: str, frame: pd.DataFrame) -> None:
        """The rows of `table` become those of `frame`, in one transaction."""
        with connect(self.path) as con:
            con.execute("begin")
            con.execute(f"delete from {table}")
            con.execute(f"insert into {table} select * from frame")
            con.execute("commit")

    def file_errors(self, paths: Iterable[str]) -> list[IngestError]:
        """What the last scan said of these files."""
        wanted = pd.DataFrame({"file_path": sorted(set(paths))}, dtype="string")  # noqa: F841
        with connect(self.path) as con:
            rows = con.execute("select e.* from file_errors e join wanted using (file_path)"
                               " order by file_path").fetchall()
        return [IngestError(*row) for row in rows]

    def _known_versions(self) -> dict[str, dict]:
        with connect(self.path) as con:
            cursor = con.execute(f"select {', '.join(_COMPARED)} from versions")
            return {row[0]: dict(zip(_COMPARED, row, strict=True)) for row in cursor.fetchall()}

    def versions(self) -> list[dict]:
        """Every version, without its text."""
        with connect(self.path) as con:
            cursor = con.execute("select * exclude (text) from versions order by document_id")
            columns = [description[0] for description in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def copy_versions(self, con: duckdb.DuckDBPyConnection, only_changed: bool = False) -> None:
        """raw.documents of the build (`con`): every version, texts copied file to file by DuckDB.

        only_changed: the build file is the one the last refresh built (storage.build_file_kept):
        copy the rows this refresh changed, and when each was seen.
        """
        con.execute("create schema if not exists raw")
        con.execute("set preserve_insertion_order = false")  # texts streamed in, not held in order
        with _attached(con, self.path):
            if not only_changed:
                con.execute(f"create or replace table raw.documents ({RAW_DDL['documents']})")
                con.execute("insert into raw.documents select * from state.versions")
                return
            con.execute("delete from raw.documents where document_id in (select * from state.changed)"
                        " or document_id not in (select document_id from state.versions)")
            con.execute("insert into raw.documents select * from state.versions"
                        " where document_id in (select * from state.changed) order by document_id")
            con.execute("""
                update raw.documents set last_seen_at = v.last_seen_at, ingested_at = v.ingested_at
                from state.versions v
                where raw.documents.document_id = v.document_id
                    and raw.documents.last_seen_at is distinct from v.last_seen_at""")

    def extracted(self, cache_keys: dict[str, str]) -> set[str]:
        """Documents whose facts were extracted under their current cache key (context, extractor)."""
        keys = pd.DataFrame(list(cache_keys.items()), columns=["document_id", "cache_key"])  # noqa: F841
        with connect(self.path) as con:
            rows = con.execute(
                "select document_id from extractions join keys using (document_id, cache_key)"
            ).fetchall()
        return {document_id for (document_id,) in rows}

    def copy_facts(
        self, con: duckdb.DuckDBPyConnection, cache_keys: dict[str, str], only_changed: bool = False
    ) -> FactsCopied:
        """raw.facts of the build (`con`): the facts of each current document under its cache key, and the
        last facts of superseded and withdrawn ones. Figures without a province are left out and
        counted per document (`FactsCopied.without_province`).

        only_changed: as for copy_versions, only the facts of documents this refresh changed.
        raw.changed_documents lists those documents in either case, and raw.changed_cells the
        (province_code, year, metric_code) their facts had or have: what dbt's incremental models
        build again (dbt/macros/changed.sql).
        """
        keys = pd.DataFrame(list(cache_keys.items()), columns=["document_id", "cache_key"])  # noqa: F841
        scope = "where document_id in (select * from state.changed)" if only_changed else ""
        with _attached(con, self.path):
            # and documents no longer in raw.documents at all, whose facts go too
            gone = ("union select document_id from raw.facts where document_id not in"
                    " (select document_id from raw.documents)") if only_changed else ""
            con.execute("create or replace table raw.changed_documents as"
                        f" select document_id from state.changed {gone} order by document_id")
            con.execute(f"create or replace table raw.changed_cells ({CELL_DDL})")
            if only_changed:
                _add_changed_cells(con)
                con.execute("delete from raw.facts"
                            " where document_id in (select document_id from raw.changed_documents)")
            else:
                con.execute(f"create or replace table raw.facts ({RAW_DDL['facts']})")
            con.execute(f"""
                insert into raw.facts
                select f.{', f.'.join(_FACT_COLUMNS)}
                from (select * from state.facts {scope}) f
                left join keys k using (document_id, cache_key)
                join raw.documents d using (document_id)
                where (k.document_id is not null or d.status <> 'current') and f.province_code is not null
                order by f.document_id, f.span_start, f.fact_id""")
            if only_changed:
                _add_changed_cells(con)
            counts = con.execute("""
                select count(*) filter (where d.status = 'current'),
                    count(*) filter (where d.status <> 'current')
                from raw.facts f join raw.documents d using (document_id)""").fetchone()
            orphans = con.execute("""
                select document_id, count(*) filter (where province_code is null), count(*)
                from state.facts join keys using (document_id, cache_key) group by document_id
                having count(*) filter (where province_code is null) > 0 order by document_id""").fetchall()
        return FactsCopied(counts[0], counts[1], {doc: (lost, total) for doc, lost, total in orphans})

    def save_facts(self, facts_by_key: dict[tuple[str, str], list[dict]]) -> None:
        """Replace the facts of each (document id, cache key): one set per document is kept."""
        if not facts_by_key:
            return
        frame = pd.DataFrame.from_records(  # noqa: F841 - read by DuckDB
            [{**fact, "cache_key": key} for (_, key), facts in facts_by_key.items() for fact in facts],
            columns=column_names(_DDL["facts"]),
        )
        done = pd.DataFrame(list(facts_by_key), columns=["document_id", "cache_key"])  # noqa: F841
        with connect(self.path) as con:
            con.execute("begin")
            con.execute("delete from facts where document_id in (select document_id from done)")
            con.execute("insert into facts select * from frame")
            con.execute("delete from extractions where document_id in (select document_id from done)")
            con.execute("insert into extractions select * from done")
            con.execute("insert into changed select document_id from done"
                        " where document_id not in (select document_id from changed)")
            con.execute("commit")


@dataclasses.dataclass(frozen=True)
class FactsCopied:
    current: int  # facts of current documents
    history: int  # facts of superseded and withdrawn documents
    without_province: dict[str, tuple[int, int]]  # document id -> (figures left out, all figures)


@contextlib.contextmanager
def _attached(con: duckdb.DuckDBPyConnection, state_path: Path) -> Iterator[None]:
    quoted = str(state_path).replace("'", "''")
    con.execute(f"attach '{quoted}' as state (read_only)")
    try:
        yield
    finally:
        con.execute("detach state")


def _paths(row: dict) -> set[str]:
    return {row["file_path"], *(row["aliases"] or "").split(",")}

def _version_row(document: Document, status: str, first_seen: datetime, seen_at: datetime) -> dict:
    row = {key: value for key, value in document.__dict__.items() if key != "table_facts"}
    return {
        **row, "char_count": len(document.text), "ingested_at": seen_at, "status": status,
        "first_seen_at": first_seen, "last_seen_at": seen_at,
    }


def _dump_parse(result: Parsed | Rejected) -> str:
    kind = "rejected" if isinstance(result, Rejected) else "parsed"
    return json.dumps({"kind": kind, **dataclasses.asdict(result)}, default=_json_default, ensure_ascii=False)


def _load_parse(payload: str) -> Parsed | Rejected:
    data = json.loads(payload)
    if data.pop("kind") == "rejected":
        return Rejected(**data)
    published = data.pop("published")
    return Parsed(
        **{key: value for key, value in data.items() if key not in ("notes", "table_facts", "row_errors")},
        published=date.fromisoformat(published) if published else None,
        notes=tuple(data["notes"]),
        table_facts=tuple(TableFact(**fact) for fact in data["table_facts"]),
        row_errors=tuple(RowError(**error) for error in data["row_errors"]),
    )


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in the ingest state")
