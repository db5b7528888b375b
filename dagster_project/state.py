"""What the warehouse remembers between refreshes: files seen, parses and facts by content, and every
version of every document (current, superseded or withdrawn).

It lives in its own DuckDB file beside the build (`Settings.state_path`), so a refresh builds a fresh
warehouse yet reads and extracts only what changed. Deleting the file costs one full refresh.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.ingest.documents import PARSER_VERSION, Document, FileSeen, Parsed, Rejected
from dagster_project.ingest.tables import RowError, TableFact
from dagster_project.storage import RAW_DDL, connect

log = logging.getLogger(__name__)
STATE_LAYOUT = "1"  # bump when a table below changes: an older state file is then started afresh
_DDL = {
    "files": "file_path varchar, size bigint, mtime_ns bigint, sha256 varchar",
    "parses": "cache_key varchar, parser_version varchar, payload varchar",
    "versions": RAW_DDL["documents"],
    "facts": "cache_key varchar, " + RAW_DDL["facts"],
}
_VERSION_COLUMNS = [c.strip().split()[0] for c in RAW_DDL["documents"].split(",")]


class StateParseCache:
    """Parses of the current parser version; new ones are kept until `IngestState.save_parses`."""

    def __init__(self, stored: dict[str, str]) -> None:
        self._stored = stored
        self._loaded: dict[str, Parsed | Rejected | None] = {}
        self.new: dict[str, Parsed | Rejected] = {}

    def get(self, key: str) -> Parsed | Rejected | None:
        if key in self.new:
            return self.new[key]
        if key not in self._loaded:
            payload = self._stored.get(key)
            self._loaded[key] = None if payload is None else _load_parse(payload)
        return self._loaded[key]

    def put(self, key: str, result: Parsed | Rejected) -> None:
        self.new[key] = result


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
            con.execute("create table if not exists layout (version varchar)")
            stored = con.execute("select version from layout").fetchone()
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
            rows = con.execute("select file_path, size, mtime_ns, sha256 from files").fetchall()
        return {path: FileSeen(size, mtime, sha) for path, size, mtime, sha in rows}

    def parse_cache(self, full: bool = False) -> StateParseCache:
        """Known parses; none on a full refresh, which reads every file again."""
        if full:
            return StateParseCache({})
        with connect(self.path) as con:
            rows = con.execute(
                "select cache_key, payload from parses where parser_version = ?", [PARSER_VERSION]
            ).fetchall()
        return StateParseCache(dict(rows))

    def save_scan(self, files: dict[str, FileSeen], cache: StateParseCache) -> None:
        frame = pd.DataFrame(  # noqa: F841 - read by DuckDB
            [(path, seen.size, seen.mtime_ns, seen.sha256) for path, seen in files.items()],
            columns=["file_path", "size", "mtime_ns", "sha256"],
        )
        new_parses = pd.DataFrame(  # noqa: F841 - read by DuckDB
            [(key, PARSER_VERSION, _dump_parse(result)) for key, result in cache.new.items()],
            columns=["cache_key", "parser_version", "payload"],
        )
        with connect(self.path) as con:
            con.execute("begin")
            con.execute("delete from files")
            con.execute("insert into files select * from frame")
            con.execute("delete from parses where cache_key in (select cache_key from new_parses)")
            con.execute("insert into parses select * from new_parses")
            con.execute("commit")

    def record_versions(
        self, documents: list[Document], present: Iterable[str], seen_at: datetime
    ) -> list[dict]:
        """Every version of every document, with its status after this scan.

        A document read now is current. One that was current before and is not now is superseded
        when its file is still in the folder (its content changed) and withdrawn when it is gone.
        """
        present = set(present)
        with connect(self.path) as con:
            previous = con.execute("select * from versions").df()
        known = {row["document_id"]: row for row in previous.to_dict("records")}
        rows = {}
        for document in documents:
            before = known.get(document.document_id)
            first_seen = before["first_seen_at"] if before is not None else seen_at
            rows[document.document_id] = _version_row(document, "current", first_seen, seen_at)
        for document_id, row in known.items():
            if document_id in rows:
                continue
            if row["status"] == "current":
                paths = [row["file_path"], *_text(row["aliases"]).split(",")]
                row = {**row, "status": "superseded" if present & set(paths) else "withdrawn"}
            rows[document_id] = row
        frame = pd.DataFrame.from_records(list(rows.values()), columns=_VERSION_COLUMNS)  # noqa: F841
        with connect(self.path) as con:
            con.execute("begin")
            con.execute("delete from versions")
            con.execute("insert into versions select * from frame")
            con.execute("commit")
        return list(rows.values())

    def cached_facts(self, cache_keys: dict[str, str]) -> dict[str, list[dict]]:
        """Facts per document id whose cache key (document context and extractor) still matches."""
        keys = pd.DataFrame(list(cache_keys.items()), columns=["document_id", "cache_key"])  # noqa: F841
        with connect(self.path) as con:
            facts = con.execute(
                "select f.* from facts f join keys k using (document_id, cache_key)"
            ).df()
        return _by_document(facts)

    def facts_of(self, document_ids: Iterable[str]) -> dict[str, list[dict]]:
        """The last facts extracted from these documents (superseded and withdrawn ones)."""
        ids = pd.DataFrame({"document_id": list(document_ids)})  # noqa: F841
        with connect(self.path) as con:
            facts = con.execute("select f.* from facts f join ids using (document_id)").df()
        return _by_document(facts)

    def save_facts(self, facts_by_key: dict[tuple[str, str], list[dict]]) -> None:
        """Replace the facts of each (document id, cache key): one set per document is kept."""
        if not facts_by_key:
            return
        columns = [c.strip().split()[0] for c in _DDL["facts"].split(",")]
        frame = pd.DataFrame.from_records(  # noqa: F841 - read by DuckDB
            [{**fact, "cache_key": key} for (_, key), facts in facts_by_key.items() for fact in facts],
            columns=columns,
        )
        ids = pd.DataFrame({"document_id": [document_id for document_id, _ in facts_by_key]})  # noqa: F841
        with connect(self.path) as con:
            con.execute("begin")
            con.execute("delete from facts where document_id in (select document_id from ids)")
            con.execute("insert into facts select * from frame")
            con.execute("commit")


def _version_row(document: Document, status: str, first_seen: datetime, seen_at: datetime) -> dict:
    row = {key: value for key, value in document.__dict__.items() if key != "table_facts"}
    return {
        **row, "char_count": len(document.text), "ingested_at": seen_at, "status": status,
        "first_seen_at": first_seen, "last_seen_at": seen_at,
    }


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""  # None or NaN from a DataFrame


def _by_document(facts: pd.DataFrame) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for fact in facts.drop(columns=["cache_key"]).to_dict("records"):
        grouped.setdefault(fact["document_id"], []).append(fact)
    return grouped


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
