"""`cchc`: refresh the warehouse (once, or whenever reports change), roll it back, or extract facts
from documents."""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import gc
import json
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_project.extraction import DocumentContext, Fact, explain, extract_facts, normalize_text
from dagster_project.extraction.attribution import province_name_of
from dagster_project.extraction.extractor import MERGER, period_end
from dagster_project.ingest.documents import Rejected, parse_bytes
from dagster_project.ingest.metadata import infer, parse_published
from dagster_project.postgres import PostgresUnavailable, redacted
from dagster_project.postgres_publication import PostgresPublicationError, schema_problem
from dagster_project.postgres_publication import rollback as rollback_postgres
from dagster_project.postgres_raw import stage_raw
from dagster_project.publication import (
    NothingToRollBack,
    WarehouseBusy,
    current_version,
    published_versions,
    refresh_lock,
    rollback,
)
from dagster_project.quality.catalog import load_catalog
from dagster_project.settings import REFERENCE_DIR, Settings, load_settings
from dagster_project.summary import published_summary

if TYPE_CHECKING:
    from dagster import JobDefinition

# Warnings and errors only: the summary says what was built, `make dev` shows the full run.
# A failed stage is said in one line on stderr, its trace written to refresh.log beside the build.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
EXIT_BUSY = 75  # sysexits EX_TEMPFAIL: another process is writing the warehouse, try again later


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cchc", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    refresh = commands.add_parser("refresh", help="run the whole pipeline and publish")
    refresh.add_argument("--reports", help="reports folder (env CCHC_REPORTS_DIR)")
    refresh.add_argument("--warehouse", help="published DuckDB file (env CCHC_WAREHOUSE)")
    refresh.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                         help="if another refresh is writing the warehouse, wait up to SECONDS for it"
                              " (default: exit at once)")
    refresh.add_argument("--full", action="store_true",
                         help="read and extract every report again, not only new or changed ones")
    _postgres_options(refresh, "once the DuckDB file is published, publish its tables to this PostgreSQL"
                               " server too (env CCHC_POSTGRES_URL), replacing the schema readers see in"
                               " one transaction; if that fails, the DuckDB file stays published, the"
                               " server serves what it served, and the refresh exits 1")
    back = commands.add_parser("rollback", help="serve the previously published version again")
    back.add_argument("--warehouse", help="published DuckDB file (env CCHC_WAREHOUSE)")
    _postgres_options(back, "roll this PostgreSQL server back too (env CCHC_POSTGRES_URL), to the version"
                            " the DuckDB file goes back to: NAME and NAME__previous swap in one"
                            " transaction (nothing to do if the server serves that version already)."
                            " Both go back, or neither does and the exit status is 1: when the DuckDB file"
                            " has no older version, or the server is down, has no NAME__previous, or"
                            " holds another version there (it keeps one version before, the DuckDB file"
                            " three)")
    stage = commands.add_parser(
        "stage-raw", help="copy the last build's raw tables to PostgreSQL, for dbt build --target postgres")
    stage.add_argument("--warehouse", help="published DuckDB file (env CCHC_WAREHOUSE), beside its build")
    stage.add_argument("--postgres", metavar="URL",
                       help="the server (env CCHC_POSTGRES_URL); its schema raw is replaced in one"
                            " transaction")
    extract = commands.add_parser("extract", help="print the facts of documents as JSON lines")
    extract.add_argument("files", nargs="*", type=Path)
    extract.add_argument("--manifest", type=Path, help="manifest CSV giving province/year/period")
    extract.add_argument("--province", help="province name or 2-digit code")
    extract.add_argument("--year", type=int)
    extract.add_argument("--explain", action="store_true",
                         help="list every number in the documents and why it was or was not taken")
    args = parser.parse_args(argv)
    if args.command == "refresh":
        return run_refresh(args.reports, args.warehouse, args.wait, args.full, args.postgres,
                           args.postgres_schema)
    if args.command == "rollback":
        return run_rollback(args.warehouse, args.postgres, args.postgres_schema)
    if args.command == "stage-raw":
        return run_stage_raw(args.warehouse, args.postgres)
    return run_extract(args.files, args.manifest, args.province, args.year, args.explain)


def _postgres_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--postgres", metavar="URL",
                        help=what + ". A password: PGPASSWORD or ~/.pgpass rather than in the URL")
    parser.add_argument("--postgres-schema", metavar="NAME",
                        help="the schema on that server (env CCHC_POSTGRES_SCHEMA, default cchc); beside it"
                             " NAME__previous, the version before, and NAME__staging while publishing")


def run_refresh(
    reports: str | None, warehouse: str | None, wait_seconds: float = 0.0, full: bool = False,
    postgres_url: str | None = None, postgres_schema: str | None = None,
) -> int:
    settings = load_settings(reports, warehouse, postgres_url, postgres_schema)
    if _reports_missing(settings):
        return 2
    if unusable := _warehouse_unusable(settings) or _postgres_unusable(settings):
        print(f"cchc: refresh failed before it started: {unusable}", file=sys.stderr)
        return 1
    try:
        # the server's URL (it may hold a password) is set for the run only, not left to later commands
        with _environment_kept("CCHC_POSTGRES_URL", "CCHC_POSTGRES_SCHEMA"), \
                refresh_lock(settings.warehouse_path, wait_seconds):
            started = time.perf_counter()
            job = load_refresh_job(settings)
            # The loaded libraries and definitions live until exit: the collector need not scan them again.
            gc.freeze()
            if not refresh(job, settings, full, time.perf_counter() - started).published:
                return 1
            print(published_summary(settings.warehouse_path))
            if settings.postgres_url:
                print(f"  PostgreSQL {redacted(settings.postgres_url)}: schema {settings.postgres_schema}"
                      " serves the same tables")
            return 0
    except WarehouseBusy as busy:
        print(f"cchc: {busy}; the published warehouse is unchanged."
              " Try again later, or pass --wait SECONDS.", file=sys.stderr)
        return EXIT_BUSY
    except OSError as error:  # a full disk or a folder turned read-only outside the run's stages
        print(f"cchc: refresh failed writing its records: {error}; the published warehouse is"
              " unchanged.", file=sys.stderr)
        return 1


@contextlib.contextmanager
def _environment_kept(*names: str) -> Iterator[None]:
    """Restore these environment variables as they were on entry."""
    kept = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in kept.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _warehouse_unusable(settings: Settings) -> str | None:
    """Why the warehouse cannot be written where it is asked for, found before any work."""
    path = settings.warehouse_path
    if path.exists() and not path.is_file():
        return f"the warehouse path is not a file: {path}"
    folder = next((parent for parent in path.parents if parent.exists()), None)
    if folder is None or not folder.is_dir():
        return f"the warehouse folder is not a folder: {path.parent}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the warehouse folder cannot be written: {folder}"
    return None


def _postgres_unusable(settings: Settings) -> str | None:
    return schema_problem(settings.postgres_schema) if settings.postgres_url else None


def _reports_missing(settings: Settings) -> bool:
    if settings.reports_dir.is_dir():
        return False
    print(f"cchc: reports folder not found: {settings.reports_dir}", file=sys.stderr)
    return True


def load_refresh_job(settings: Settings) -> JobDefinition:
    """The Dagster definitions, loaded for these settings, and their `refresh` job."""
    # The Dagster resources read these when the definitions load.
    os.environ["CCHC_REPORTS_DIR"] = str(settings.reports_dir)
    os.environ["CCHC_WAREHOUSE"] = str(settings.warehouse_path)
    os.environ["CCHC_POSTGRES_SCHEMA"] = settings.postgres_schema
    if settings.postgres_url:
        os.environ["CCHC_POSTGRES_URL"] = settings.postgres_url
    else:  # nor from an earlier refresh of this process
        os.environ.pop("CCHC_POSTGRES_URL", None)
    from dagster_project.definitions import defs

    return defs().resolve_job_def("refresh")


@dataclasses.dataclass(frozen=True)
class Refreshed:
    published: bool
    seconds: float  # loading the definitions and running the job
    failures: list[str]


def refresh(
    job: JobDefinition, settings: Settings, full: bool, definitions_seconds: float = 0.0
) -> Refreshed:
    """Run the refresh job once on an ephemeral Dagster instance; the caller holds the warehouse lock.

    Writes last_refresh.json, and on failure the report of what failed to stderr.
    """
    import dagster as dg

    from dagster_project.defs.reports.assets import FULL_REFRESH_TAG

    started = time.perf_counter()
    tags = {FULL_REFRESH_TAG: "true"} if full else {}
    # dagster-dbt echoes every dbt line to stdout: keep them in a log beside the build instead.
    log_path = settings.build_dir / "refresh.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        dg.DagsterInstance.ephemeral() as instance,
        log_path.open("w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
    ):
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET, tags=tags)
    seconds = definitions_seconds + time.perf_counter() - started
    _write_timings(settings.build_dir / "last_refresh.json", result, seconds, definitions_seconds, full)
    failures = _failures(result)
    published = result.success and not failures
    if not published:
        _log_traces(result, log_path)
        postgres = _postgres_failure(result)
        if postgres and len(failures) == 1:
            print(f"cchc: refresh failed: published {settings.warehouse_path}, but not to PostgreSQL:"
                  f" {postgres} (trace: {log_path})", file=sys.stderr)
            return Refreshed(False, seconds, failures)
        print("cchc: refresh failed; the published warehouse is unchanged.", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        print(f"  details (dbt's output, traces): {log_path}", file=sys.stderr)
    return Refreshed(published, seconds, failures)


def _postgres_failure(result) -> str | None:
    """Why the publication to PostgreSQL failed, which comes after the DuckDB file's; None if it did not."""
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = _innermost(event.event_specific_data.error)
            if error.cls_name == PostgresPublicationError.__name__:
                return error.message.split(": ", 1)[-1].strip()  # after the class's name
    return None


def _write_timings(path: Path, result, seconds: float, definitions_seconds: float, full: bool) -> None:
    """Seconds per stage of the last refresh: where its time went (`make bench` reads it)."""
    steps = {
        event.step_key: round(event.event_specific_data.duration_ms / 1000, 3)
        for event in result.all_events
        if event.event_type_value == "STEP_SUCCESS"
    }
    timings = {
        "full_refresh": full,
        "seconds": round(seconds, 3),
        "definitions_seconds": round(definitions_seconds, 3),
        "steps": steps,
    }
    path.write_text(json.dumps(timings, indent=2), encoding="utf-8")


def run_rollback(
    warehouse: str | None, postgres_url: str | None = None, postgres_schema: str | None = None
) -> int:
    settings = load_settings(warehouse=warehouse, postgres_url=postgres_url, postgres_schema=postgres_schema)
    warehouse_path = settings.warehouse_path
    swapped = None
    try:
        with refresh_lock(warehouse_path):
            # The server first: its swap is one transaction, so if it fails nothing has changed.
            if settings.postgres_url and (previous := _version_before_served(warehouse_path.parent)):
                swapped = rollback_postgres(settings.postgres_url, settings.postgres_schema, previous)
            restored = rollback(warehouse_path)
    except WarehouseBusy as busy:
        print(f"cchc: {busy}; nothing was rolled back. Try again when it has finished.",
              file=sys.stderr)
        return EXIT_BUSY
    except (NothingToRollBack, PostgresPublicationError) as error:
        print(f"cchc: {error}", file=sys.stderr)
        return 1
    print(
        f"Rolled back {warehouse_path} to version {restored['version']}"
        f" (run {restored['run_id']}, published {restored['published_at']},"
        f" code {restored['code_version']})"
    )
    if settings.postgres_url:
        server = f"PostgreSQL {redacted(settings.postgres_url)}, schema {settings.postgres_schema}"
        print(f"{server}: {'rolled back to' if swapped else 'already served'} that version")
    return 0


def run_stage_raw(warehouse: str | None, postgres_url: str | None) -> int:
    settings = load_settings(warehouse=warehouse, postgres_url=postgres_url)
    if not settings.postgres_url:
        print("cchc: stage-raw needs a server: --postgres URL or CCHC_POSTGRES_URL", file=sys.stderr)
        return 2
    if not settings.build_path.is_file():
        print(f"cchc: no build at {settings.build_path}: run `cchc refresh` first", file=sys.stderr)
        return 1
    try:
        with refresh_lock(settings.warehouse_path):  # no refresh writes the build meanwhile
            rows = stage_raw(settings.build_path, settings.postgres_url)
    except WarehouseBusy as busy:
        print(f"cchc: {busy}; nothing was copied. Try again when it has finished.", file=sys.stderr)
        return EXIT_BUSY
    except PostgresUnavailable as error:
        print(f"cchc: {error}", file=sys.stderr)
        return 1
    print(f"PostgreSQL {redacted(settings.postgres_url)}, schema raw: {len(rows)} tables,"
          f" {sum(rows.values()):,} rows from {settings.build_path}")
    return 0


def _version_before_served(folder: Path) -> str | None:
    """The version `rollback` serves again (publication.rollback), or None: it will say why not."""
    served = current_version(folder)
    earlier = [version for version in published_versions(folder) if served and version < served]
    return earlier[-1] if earlier else None


def _failures(result) -> list[str]:
    """Failed checks with what failed in them, and failed stages other than the checks' own."""
    failed_checks = [
        _check_failure(evaluation)
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    ]
    failed_steps = [
        f"stage failed: {event.step_key}: {_root_cause(event.event_specific_data.error)}"
        for event in result.all_events
        if event.event_type_value == "STEP_FAILURE"
        and "AssetCheckFailed" not in event.event_specific_data.error.cls_name  # said above
    ]
    return failed_checks + failed_steps


def _root_cause(error) -> str:
    """The first line of what went wrong underneath Dagster's wrapping: "IsADirectoryError: …"."""
    error = _innermost(error)
    lines = error.message.strip().splitlines()
    return lines[0] if lines else error.cls_name


def _innermost(error):
    while error.cause is not None:
        error = error.cause
    return error


def _log_traces(result, log_path: Path) -> None:
    with log_path.open("a", encoding="utf-8") as log:
        for event in result.all_events:
            if event.event_type_value == "STEP_FAILURE":
                log.write(f"\n--- {event.step_key} failed\n{event.event_specific_data.error.to_string()}\n")


def _check_failure(evaluation) -> str:
    line = f"blocking check failed: {evaluation.asset_key.to_user_string()} {evaluation.check_name}"
    details = evaluation.metadata.get("failures")
    if details is None or details.value in ("", "none"):
        return line
    return line + "".join(f"\n      {detail}" for detail in str(details.value).splitlines())


# What a manifest row says of its document: the fields the header of `--explain` shows.
CONTEXT_FIELDS = ("province", "year", "period", "doc_type", "published")
SENTENCE_CHARS = 150  # of a number's sentence on either side of it: a few terminal lines at most
_SENTENCE_BREAK = re.compile(r"\.\s|\n")
INDENT = " " * 11  # under the number of a block of `--explain`
# int_facts_selected.sql: exact, then about, then the bounds (more_than, less_than).
_QUALIFIER_RANK = {"exact": 1, "about": 2}
# The official tables every warehouse holds (int_reference_index_facts_unpivoted.sql): the metric
# of each of their columns.
_REFERENCE_TABLES = {
    "par_index.csv": {"score": "par_index_score", "rank": "par_index_rank"},
    "sipas.csv": {"score_pct": "sipas_score_pct", "rank": "sipas_rank"},
}


@dataclasses.dataclass(frozen=True)
class ManifestRow:
    """A row of a manifest.csv: the file it names, where the row stands and what it says."""

    path: Path
    manifest: Path
    line: int
    fields: dict[str, str]

    def __str__(self) -> str:
        said = ", ".join(f"{key}={self.fields[key]}" for key in CONTEXT_FIELDS if self.fields.get(key))
        return f"{self.manifest} line {self.line} ({said})"


def run_extract(
    files: list[Path], manifest: Path | None, province: str | None, year: int | None,
    explain_numbers: bool = False,
) -> int:
    """Print each file's facts as JSON lines, or with `explain_numbers` every number and why it was
    or was not taken; without files, every file the manifest lists. 1 if a file could not be read."""
    if not files and manifest is None:
        print("cchc extract: name files, or a manifest (--manifest)", file=sys.stderr)
        return 2
    manifests: dict[Path, dict[Path, ManifestRow] | None] = {}
    if manifest is not None and _rows_of(manifest, manifests) is None:
        return 1
    status = 0
    for path in files or [row.path for row in manifests[manifest].values()]:
        used = manifest or _manifest_beside(path)
        row = (_rows_of(used, manifests) or {}).get(path.resolve()) if used else None
        source = str(row) if row else f"not listed in {used}" if used else "no manifest"
        if not _extract_one(path, row, source, province, year, explain_numbers):
            status = 1
    return status


def _extract_one(
    path: Path, row: ManifestRow | None, source: str, province: str | None, year: int | None,
    explain_numbers: bool,
) -> bool:
    """Print what one file yields; False if it could not be read (said on stderr)."""
    if row is not None and not path.is_file():
        print(f"cchc: {path}: missing file, named in {row.manifest} line {row.line}", file=sys.stderr)
        return False
    text = _readable_text(path)
    if text is None:
        return False
    meta = row.fields if row else {}
    context = _context(path, text, meta, province, year)
    if explain_numbers:
        print(_explanation(path, text, context, source, province or meta.get("province", "")))
        return True
    for fact in extract_facts(text, context):
        print(json.dumps(_fact_json(path, fact, context.published), ensure_ascii=False))
    return True


def _manifest_beside(path: Path) -> Path | None:
    """manifest.csv in the file's folder, or in the folder above a `docs/` one (the evaluation
    sets' layout)."""
    folder = path.resolve().parent
    for candidate in (folder, folder.parent) if folder.name == "docs" else (folder,):
        if (candidate / "manifest.csv").is_file():
            return candidate / "manifest.csv"
    return None


def _rows_of(
    manifest: Path, read: dict[Path, dict[Path, ManifestRow] | None]
) -> dict[Path, ManifestRow] | None:
    """A manifest's rows, read once per run; None (said on stderr) when it cannot be read."""
    if manifest not in read:
        try:
            read[manifest] = _manifest_entries(manifest)
        except (OSError, UnicodeError, csv.Error, ValueError) as error:
            print(f"cchc: {manifest}: cannot read the manifest ({error})", file=sys.stderr)
            read[manifest] = None
    return read[manifest]


def _readable_text(path: Path) -> str | None:
    """The text of a report in any format the warehouse reads, or None (said on stderr)."""
    try:
        parsed = parse_bytes(path.read_bytes(), path.suffix.lower())
    except OSError as error:
        print(f"cchc: {path}: cannot read ({error})", file=sys.stderr)
        return None
    if isinstance(parsed, Rejected):
        print(f"cchc: {path}: {parsed.reason} ({parsed.detail})", file=sys.stderr)
        return None
    if parsed.is_table:
        print(f"cchc: {path}: a fact table, loaded as it is by `cchc refresh`", file=sys.stderr)
        return None
    return parsed.text


def _context(
    path: Path, text: str, meta: dict[str, str], province: str | None, year: int | None
) -> DocumentContext:
    """The options first, then the manifest row, then what the folder and the text say."""
    try:
        published = parse_published(meta.get("published"))
    except ValueError:
        print(f"cchc: {path}: published {meta['published']!r} is not YYYY-MM-DD or YYYY-MM; read without it",
              file=sys.stderr)
        published = None
    # The options as the manifest row's: a name is then read in the generation of the document.
    options = {"province": province or "", "year": str(year or "")}
    meta = {**meta, **{key: value for key, value in options.items() if value}}
    about = infer(meta, path.as_posix(), None, text, published)
    return DocumentContext(
        province_code=about.province_code,
        year=about.year,
        period=about.period,
        doc_type=meta.get("doc_type") or None,
        published=published,
        national=about.national,
    )


def _explanation(path: Path, text: str, context: DocumentContext, source: str, named_province: str) -> str:
    """A header line, then a block per number: offset, number as written, TAKEN or -, the reason;
    its sentence; and, for a taken figure the wide tables will not show, why."""
    items = explain(text, context)
    facts = [item.fact for item in items if item.fact is not None]
    normalized = normalize_text(text)  # what the spans index
    lines = [_header(path, context, source)]
    for item in items:
        mark = "TAKEN" if item.taken else "-"
        lines.append(f"  {item.span_start:>7}  {item.stated:<14} {mark:<5}  {item.reason}")
        if item.fact:
            sentence = item.fact.evidence
        else:
            sentence = _sentence_around(normalized, item.span_start, item.span_end)
        lines.append(INDENT + " ".join(sentence.split()))
        if item.fact and (why := left_out_of_marts(item.fact, context, facts, named_province)):
            lines.append(f"{INDENT}LEFT OUT: {why}")
    return "\n".join(lines)


def _header(path: Path, context: DocumentContext, source: str) -> str:
    if context.national:
        province = "national (each figure takes the province its clause names)"
    elif context.province_code:
        name = province_name(context.province_code, context.year, context.period, context.published)
        province = f"{context.province_code} {name or '(no such unit)'}"
    else:
        province = "none"
    return f"{path}: province {province}, year {context.year}, period {context.period}; {source}"


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of text[start:end]: from the last ". " or line break before it to the next one
    after it, cut at SENTENCE_CHARS on either side."""
    floor = max(0, start - SENTENCE_CHARS)
    breaks = [match.end() for match in _SENTENCE_BREAK.finditer(text, floor, start)]
    after = _SENTENCE_BREAK.search(text, end, end + SENTENCE_CHARS)
    begin = breaks[-1] if breaks else floor
    finish = after.start() + 1 if after else min(len(text), end + SENTENCE_CHARS)
    return ("…" if begin > 0 and not breaks else "") + text[begin:finish] + (
        "…" if finish < len(text) and not after else "")


def left_out_of_marts(
    fact: Fact, context: DocumentContext, facts: Sequence[Fact] = (), named_province: str = ""
) -> str | None:
    """Why the published warehouse will not show a taken figure in its wide tables (fct_tasks,
    fct_procedures …), or None. Each rule mirrors the pipeline:

    - ingest/documents.py `_document`: a named province that is no unit, or no year, and the whole
      document is rejected (ingest_errors "unknown province", "no period");
    - defs/extraction/assets.py `_without_province` (state.py `copy_facts`): a figure without a
      province is not in raw.facts, only counted in ingest_errors;
    - int_facts_province_resolved.sql: a code that is no unit gets no province_id, and the wide
      tables (marts/fct_<table>.sql) keep only facts with one;
    - int_facts_selected.sql: only actual figures are selected, so a target is in fct_report_facts
      and in no wide table;
    - int_facts_selected.sql over int_reference_index_facts_unpivoted.sql: an official table
      (doc_type table) is selected first, and the bundled PAR INDEX and SIPAS tables give a
      province's score and rank of many years;
    - int_facts_selected.sql: of the figures one document states for a province × period × metric,
      one is selected (exact before about before bounds, more significant digits, smaller fact_id).

    Whether another report's figure for the same cell wins the selection, one file cannot tell.
    """
    if named_province and context.province_code is None and not context.national:
        return f"the warehouse rejects the document: province {named_province!r} is unknown (ingest_errors)"
    if context.year is None:
        return "the warehouse rejects the document: no year in the manifest, folder or text (ingest_errors)"
    if fact.province_code is None:
        return "no province: not in the warehouse, only counted in ingest_errors (stage extract)"
    table = _wide_tables().get(fact.metric_code, "the wide tables")
    if province_name(fact.province_code, fact.year, fact.period, context.published) is None:
        return f"province code {fact.province_code} is no unit: in fct_report_facts only, not in {table}"
    if fact.fact_kind != "actual":
        return f"a {fact.fact_kind}: in fct_report_facts, not in {table} (which shows actual figures only)"
    official = _reference_figures().get((fact.metric_code, fact.province_code, fact.year))
    if official and fact.period == "year" and context.doc_type != "table":
        return (f"{table} shows the official table's figure for this province and year"
                f" ({official[0]}: {official[1]}); this one is in fct_report_facts")
    selected = min([fact, *(other for other in facts if _cell(other) == _cell(fact))], key=_selection_rank)
    if selected != fact:
        return (f"{table} shows the document's other figure for this province, period and metric"
                f" ({selected.stated} at {selected.span_start}); this one is in fct_report_facts")
    return None


def province_name(
    code: str | None, year: int | None, period: str | None, published: date | None
) -> str | None:
    """The official name of the unit a fact's code names, as int_facts_province_resolved.sql resolves
    it: the unit in force at the end of the period (63 or 34 generation), else the 63-unit."""
    if code is None:
        return None
    end = period_end(year, period, published)
    in_force = province_name_of(34 if end is not None and end >= MERGER else 63)
    return in_force.get(code) or province_name_of(63).get(code)


def _cell(fact: Fact) -> tuple:
    """int_facts_selected.sql's partition, within one document (province_id follows from the rest)."""
    return fact.province_code, fact.year, fact.period, fact.metric_code, fact.fact_kind


def _selection_rank(fact: Fact) -> tuple:
    """int_facts_selected.sql's order among one document's figures: its fact_id is
    document_id:span_start:metric_code, compared as text."""
    fact_id_tail = f"{fact.span_start}:{fact.metric_code}"
    return _QUALIFIER_RANK.get(fact.qualifier, 3), -_significant_digits(fact.value), fact_id_tail


def _significant_digits(value: float) -> int:
    """As dbt/macros/significant_digits.sql counts them: 2046 -> 4, 2000 -> 1, 96.62 -> 4."""
    return len(re.sub(r"\.0$", "", str(abs(value))).replace(".", "").strip("0"))


@cache
def _reference_figures() -> dict[tuple[str, str, int], tuple[str, str]]:
    """(metric_code, province_code, year) -> (table, value as written) of the official tables."""
    figures = {}
    for table, columns in _REFERENCE_TABLES.items():
        with (REFERENCE_DIR / table).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for column, metric in columns.items():
                    if row[column].strip():  # a blank cell is no fact
                        figures[metric, row["province_code"], int(row["year"])] = (table, row[column].strip())
    return figures


@cache
def _wide_tables() -> dict[str, str]:
    """metric_code -> the wide table that shows it (fct_<fact_table>)."""
    return {metric.code: metric.table_name for metric in load_catalog()}


def _manifest_entries(manifest: Path) -> dict[Path, ManifestRow]:
    """A manifest's rows by resolved file path. Two shapes: the warehouse's (`file`, relative to the
    manifest's folder) and the evaluation sets' (`doc_id`: docs/<doc_id>.txt or <doc_id>.txt)."""
    with manifest.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        column = next((name for name in ("file", "doc_id") if name in (reader.fieldnames or ())), None)
        if column is None:
            raise ValueError("it has neither a file nor a doc_id column")
        rows = [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]
    entries = [
        ManifestRow(_listed_path(manifest.parent, column, fields[column]), manifest, line, fields)
        for line, fields in enumerate(rows, start=2)
    ]
    return {entry.path.resolve(): entry for entry in entries}


def _listed_path(folder: Path, column: str, name: str) -> Path:
    if column == "file":
        return folder / name
    beside = folder / f"{name}.txt"
    in_docs = folder / "docs" / f"{name}.txt"
    return beside if beside.is_file() and not in_docs.is_file() else in_docs


def _fact_json(path: Path, fact: Fact, published: date | None) -> dict:
    return {
        "file": str(path),
        "province_code": fact.province_code,
        "province": province_name(fact.province_code, fact.year, fact.period, published),
        "year": fact.year,
        "period": fact.period,
        "metric_code": fact.metric_code,
        "value": fact.value,
        "unit": fact.unit,
        "qualifier": fact.qualifier,
        "fact_kind": fact.fact_kind,
        "evidence": fact.evidence,
        "span_start": fact.span_start,
        "span_end": fact.span_end,
    }


if __name__ == "__main__":
    sys.exit(main())
