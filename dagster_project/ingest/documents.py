"""Read a reports folder: every document with its provenance, every rejected input with a reason."""

from __future__ import annotations

import csv
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dagster_project.extraction import normalize_text
from dagster_project.ingest.provinces import province_code

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md"})
SKIPPED_NAMES = frozenset({"manifest.csv", "readme.md", "readme.txt"})
PERIODS = frozenset({"year", "H1", "9M", "Q1", "Q2", "Q3", "Q4", "ytd"})
DOC_TYPES = frozenset({"report", "news", "directive", "plan", "table", "other"})
MAX_BYTES = 20 * 1024 * 1024
_YEAR = re.compile(r"\bnăm (20\d\d|19\d\d)\b", re.IGNORECASE)
_PROVINCE_IN_TEXT = re.compile(r"\b(?:tỉnh|thành phố)\s+((?:[A-ZĐ][\wà-ỹ]*\s?){1,4})")


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


def scan_reports(reports_dir: Path) -> Scan:
    """Every readable report in the folder; the manifest, when present, gives what it knows."""
    scan = Scan([], [])
    manifest = _read_manifest(reports_dir, scan)
    seen: set[str] = set()
    for path in sorted(p for p in reports_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(reports_dir).as_posix()
        if path.name.lower() in SKIPPED_NAMES or path.name.startswith("."):
            continue
        document = _read_document(path, relative, manifest.get(relative, {}), scan)
        if document is None:
            continue
        if document.document_id in seen:
            _reject(scan, relative, "duplicate", "same content as another file in the folder")
            continue
        seen.add(document.document_id)
        scan.documents.append(document)
    return scan


def _reject(scan: Scan, file_path: str, reason: str, detail: str, stage: str = "ingest") -> None:
    log.warning("%s: %s (%s)", file_path, reason, detail)
    scan.errors.append(IngestError(file_path, stage, reason, detail))


def _read_manifest(reports_dir: Path, scan: Scan) -> dict[str, dict[str, str]]:
    path = reports_dir / "manifest.csv"
    if not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (UnicodeDecodeError, csv.Error) as error:
        _reject(scan, "manifest.csv", "unreadable manifest", str(error))
        return {}
    entries = {}
    for number, row in enumerate(rows, start=2):
        name = (row.get("file") or "").strip()
        if not name:
            _reject(scan, "manifest.csv", "manifest row without file", f"line {number}")
        elif not (reports_dir / name).is_file():
            _reject(scan, name, "missing file", f"named in manifest.csv line {number}")
        else:
            entries[Path(name).as_posix()] = {k: (v or "").strip() for k, v in row.items() if k}
    return entries


def _read_document(path: Path, relative: str, meta: dict[str, str], scan: Scan) -> Document | None:
    if path.suffix.lower() not in TEXT_SUFFIXES:
        _reject(scan, relative, "unsupported format", f"extension {path.suffix or '(none)'}")
        return None
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        _reject(scan, relative, "oversized", f"{len(raw)} bytes > {MAX_BYTES}")
        return None
    text = _decode(raw)
    if text is None:
        _reject(scan, relative, "undecodable", "not UTF-8 or UTF-16 text (binary or legacy encoding)")
        return None
    if not text.strip():
        _reject(scan, relative, "empty", "no text")
        return None
    digest = hashlib.sha256(raw).hexdigest()
    title = meta.get("title") or _first_line(text)
    province = _province(meta, relative, title, text)
    year = _year(meta, relative, title, text)
    if meta.get("province") and province is None:
        _reject(scan, relative, "unknown province", f"manifest province {meta['province']!r}")
        return None
    if year is None:
        _reject(scan, relative, "no period", "the year could not be determined")
        return None
    return Document(
        document_id=digest[:16],
        file_path=relative,
        sha256=digest,
        province_code=province,
        year=year,
        period=meta.get("period") if meta.get("period") in PERIODS else "year",
        doc_type=meta.get("doc_type") if meta.get("doc_type") in DOC_TYPES else "other",
        title=title,
        source_url=meta.get("source_url") or None,
        published=_published(meta.get("published"), relative, scan),
        text=text,
    )


def _decode(raw: bytes) -> str | None:
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return normalize_text(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    return None


def _first_line(text: str) -> str | None:
    return next((line.strip()[:300] for line in text.splitlines() if line.strip()), None)


def _province(meta: dict[str, str], relative: str, title: str | None, text: str) -> str | None:
    if meta.get("province"):
        return province_code(meta["province"])
    for part in Path(relative).parts[:-1]:
        if code := province_code(part):
            return code
    for source in (title or "", text[:2000]):
        for match in _PROVINCE_IN_TEXT.finditer(source):
            words = match.group(1).split()
            for size in range(len(words), 0, -1):
                if code := province_code(" ".join(words[:size])):
                    return code
    return None


def _year(meta: dict[str, str], relative: str, title: str | None, text: str) -> int | None:
    if meta.get("year", "").isdigit():
        return int(meta["year"])
    for part in Path(relative).parts[:-1]:
        if re.fullmatch(r"(19|20)\d\d", part):
            return int(part)
    for source in (title or "", text[:1000]):
        if match := _YEAR.search(source):
            return int(match.group(1))
    return None


def _published(value: str | None, relative: str, scan: Scan) -> date | None:
    """The manifest's publication date; a malformed one is recorded, and the document kept."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _reject(scan, relative, "invalid published date", f"{value!r} is not YYYY-MM-DD; kept without it")
        return None
