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
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_project.extraction import DocumentContext, explain, extract_facts
from dagster_project.fingerprint import fingerprint
from dagster_project.ingest.documents import Rejected, parse_bytes
from dagster_project.ingest.metadata import infer, parse_published
from dagster_project.ingest.provinces import province_code
from dagster_project.publication import NothingToRollBack, WarehouseBusy, refresh_lock, rollback
from dagster_project.settings import Settings, load_settings
from dagster_project.storage import files_kept_open
from dagster_project.summary import published_counts, published_summary

if TYPE_CHECKING:
    from dagster import DagsterInstance, JobDefinition

# Warnings and errors only: the summary says what was built, `make dev` shows the full run.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
EXIT_BUSY = 75  # sysexits EX_TEMPFAIL: another process is writing the warehouse, try again later
DBT_STEP = "cchc_dbt_models"


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
    serve = commands.add_parser(
        "serve", help="keep running: refresh whenever reports are added, changed or removed"
    )
    serve.add_argument("--reports", help="reports folder (env CCHC_REPORTS_DIR)")
    serve.add_argument("--warehouse", help="published DuckDB file (env CCHC_WAREHOUSE)")
    serve.add_argument("--interval", type=float, default=2.0, metavar="SECONDS",
                       help="how often to look at the reports folder (default 2)")
    back = commands.add_parser("rollback", help="serve the previously published version again")
    back.add_argument("--warehouse", help="published DuckDB file (env CCHC_WAREHOUSE)")
    extract = commands.add_parser("extract", help="print the facts of documents as JSON lines")
    extract.add_argument("files", nargs="*", type=Path)
    extract.add_argument("--manifest", type=Path, help="manifest CSV giving province/year/period")
    extract.add_argument("--province", help="province name or 2-digit code")
    extract.add_argument("--year", type=int)
    extract.add_argument("--explain", action="store_true",
                         help="list every number in the documents and why it was or was not taken")
    args = parser.parse_args(argv)
    if args.command == "refresh":
        return run_refresh(args.reports, args.warehouse, args.wait, args.full)
    if args.command == "serve":
        return run_serve(args.reports, args.warehouse, args.interval)
    if args.command == "rollback":
        return run_rollback(args.warehouse)
    return run_extract(args.files, args.manifest, args.province, args.year, args.explain)


def run_refresh(
    reports: str | None, warehouse: str | None, wait_seconds: float = 0.0, full: bool = False
) -> int:
    settings = load_settings(reports, warehouse)
    if _reports_missing(settings):
        return 2
    try:
        with refresh_lock(settings.warehouse_path, wait_seconds):
            started = time.perf_counter()
            job = load_refresh_job(settings)
            # The loaded libraries and definitions live until exit: the collector need not scan them again.
            gc.freeze()
            if not refresh(job, settings, full, time.perf_counter() - started).published:
                return 1
            print(published_summary(settings.warehouse_path))
            return 0
    except WarehouseBusy as busy:
        print(f"cchc: {busy}; the published warehouse is unchanged."
              " Try again later, or pass --wait SECONDS.", file=sys.stderr)
        return EXIT_BUSY


def _reports_missing(settings: Settings) -> bool:
    if settings.reports_dir.is_dir():
        return False
    print(f"cchc: reports folder not found: {settings.reports_dir}", file=sys.stderr)
    return True


def load_refresh_job(settings: Settings) -> JobDefinition:
    """The Dagster definitions, loaded for these settings, and their `refresh` job without the dbt
    tests' asset checks: the tests still run and gate the refresh, and are listed on their assets'
    materialisations (in_process.TESTS_METADATA) rather than stored as 200 check events in a run
    log nobody reads."""
    # The Dagster resources read these when the definitions load.
    os.environ["CCHC_REPORTS_DIR"] = str(settings.reports_dir)
    os.environ["CCHC_WAREHOUSE"] = str(settings.warehouse_path)
    from dagster_project.definitions import defs
    from dagster_project.defs.warehouse.assets import cchc_dbt_models

    job = defs().resolve_job_def("refresh")
    graph = job.asset_layer.asset_graph
    return job.get_subset(
        asset_selection=set(job.asset_layer.executable_asset_keys),
        asset_check_selection=set(graph.asset_check_keys) - set(cchc_dbt_models.check_keys),
    )


@dataclasses.dataclass(frozen=True)
class Refreshed:
    published: bool
    seconds: float  # loading the definitions (if this refresh did) and running the job
    failures: list[str]
    dbt: str  # how the dbt stage ran: "dbt replayed", or "dbt built: <why not replayed>"


def refresh(
    job: JobDefinition, settings: Settings, full: bool, definitions_seconds: float = 0.0,
    instance: DagsterInstance | None = None,
) -> Refreshed:
    """Run the refresh job once; the caller holds the warehouse lock.

    Writes last_refresh.json, and on failure the report of what failed to stderr. `instance`: an
    ephemeral Dagster instance kept by the caller (`cchc serve`), which keeps no run; by default
    one for this refresh.
    """
    import dagster as dg

    from dagster_project.defs.reports.assets import FULL_REFRESH_TAG, KEEP_BUILD_TAG
    from dagster_project.defs.warehouse import replay
    from dagster_project.defs.warehouse.in_process import replay_key

    started = time.perf_counter()
    if full:
        claim = replay.Claim(False, "a full refresh")
        tags = {FULL_REFRESH_TAG: "true"}
    else:
        claim = replay.claim(replay_key(str(settings.build_path)), settings.state_path)
        tags = {KEEP_BUILD_TAG: "true"} if claim.granted else {}
    # dagster-dbt echoes every dbt line to stdout: keep them in a log beside the build instead.
    log_path = settings.build_dir / "refresh.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    kept = instance is not None
    with (
        contextlib.nullcontext(instance) if kept else dg.DagsterInstance.ephemeral() as run_instance,
        log_path.open("w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
        files_kept_open(),  # closed before the replay's stamp below: as the next refresh finds them
    ):
        result = job.execute_in_process(
            instance=run_instance, raise_on_error=False, run_config=QUIET, tags=tags,
        )
    if kept:
        run_instance.delete_run(result.run_id)  # its events are in `result`; the instance stays small
    replay.left_as(settings.build_path, settings.state_path, built=_step_succeeded(result, DBT_STEP))
    seconds = definitions_seconds + time.perf_counter() - started
    dbt = "replayed" if _replayed(result) else "built"
    # Claimed but not replayed: the dbt stage stopped before its first model (see the failures).
    dbt_reason = claim.reason if (dbt == "replayed") == claim.granted else "the replay did not run"
    _write_timings(settings.build_dir / "last_refresh.json", result, seconds, definitions_seconds, full,
                   {"dbt": dbt, "dbt_reason": dbt_reason})
    failures = _failures(result)
    published = result.success and not failures
    if not published:
        print("cchc: refresh failed; the published warehouse is unchanged.", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        print(f"  dbt's output: {log_path}", file=sys.stderr)
    return Refreshed(published, seconds, failures,
                     "dbt replayed" if dbt == "replayed" else f"dbt built: {dbt_reason}")


def _step_succeeded(result, step_key: str) -> bool:
    return any(
        event.event_type_value == "STEP_SUCCESS" and event.step_key == step_key
        for event in result.all_events
    )


def _replayed(result) -> bool:
    """Whether the dbt stage ran the last build's SQL again (replay.py) rather than dbt."""
    return any(
        "replayed" in event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
        if event.step_key == DBT_STEP
    )


def _write_timings(
    path: Path, result, seconds: float, definitions_seconds: float, full: bool, dbt: dict[str, str]
) -> None:
    """Seconds per stage of the last refresh: where its time went (`make bench` reads it)."""
    steps = {
        event.step_key: round(event.event_specific_data.duration_ms / 1000, 3)
        for event in result.all_events
        if event.event_type_value == "STEP_SUCCESS"
    }
    timings = {
        "full_refresh": full,
        **dbt,
        "seconds": round(seconds, 3),
        "definitions_seconds": round(definitions_seconds, 3),
        "steps": steps,
    }
    path.write_text(json.dumps(timings, indent=2), encoding="utf-8")


def run_serve(reports: str | None, warehouse: str | None, interval: float) -> int:
    """Refresh at once, then whenever the reports folder changed and has stayed unchanged since
    (a file may still be being copied); until SIGINT or SIGTERM.

    The folder is looked at every interval; where the system tells of file changes (inotify), a
    change also wakes the worker at once, and "unchanged since" is SETTLE_SECONDS without news
    (CLOSED_SETTLE_SECONDS once every file written to was closed) rather than one more interval."""
    settings = load_settings(reports, warehouse)
    if _reports_missing(settings):
        return 2
    stopping, changes = threading.Event(), Changes()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: (stopping.set(), changes.nudged.set()))
    worker = Worker(load_refresh_job(settings), settings, interval)
    _warm_up(settings)
    gc.freeze()
    watcher = _watch(settings.reports_dir, changes)
    _say(f"cchc serve: ready; refreshing {settings.warehouse_path} when {settings.reports_dir}"
         f" changes (looking every {interval:g} s{', and when told of a change' if watcher else ''})")
    done = None  # the folder's fingerprint at the start of the last refresh that ran
    seen = current = fingerprint(settings.reports_dir)
    settled = False
    try:
        while not stopping.is_set():
            if current != done and (current == seen or settled) and worker.refresh():
                done = current
            seen = current
            settled = _next_look(stopping, changes, interval)
            if stopping.is_set():
                break
            current = fingerprint(settings.reports_dir)
    finally:
        if watcher is not None:
            watcher.stop()
            watcher.join(timeout=5)
    return 0


# Without news of a change, after one: the files are taken as written. A copy tells of each block
# it writes, and of each file it closes, well within this.
SETTLE_SECONDS = 0.1
# The same once every file written to was closed: a copy of several files opens the next one at
# once after closing one.
CLOSED_SETTLE_SECONDS = 0.02


class Changes:
    """What the system told of the reports folder: that something changed (`nudged`, set by any
    change), and which files are being written (told of a write and not yet of its close)."""

    def __init__(self) -> None:
        self.nudged = threading.Event()
        self._writing: set[str] = set()
        self._lock = threading.Lock()

    def tell(self, event) -> None:
        """A watchdog event."""
        if event.event_type in ("opened", "closed_no_write"):  # reads change nothing
            return
        if not event.is_directory:
            with self._lock:
                if event.event_type in ("created", "modified"):
                    self._writing.add(event.src_path)
                else:  # closed, deleted, or moved (to a name that is then whole)
                    self._writing.discard(event.src_path)
        self.nudged.set()

    def writing(self) -> bool:
        with self._lock:
            return bool(self._writing)

    def settled(self) -> None:
        """The folder is taken as written. A file in a new folder may be told of only as created
        (found when the folder was), never as closed: it must not count as written forever."""
        with self._lock:
            self._writing.clear()


def _next_look(stopping: threading.Event, changes: Changes, interval: float) -> bool:
    """Wait for the next look at the folder: one interval, or less when told of a change. True if
    it was told of changes and then of none for the settling time."""
    if not changes.nudged.wait(interval) or stopping.is_set():
        return False
    while changes.nudged.is_set():
        changes.nudged.clear()
        if stopping.wait(SETTLE_SECONDS if changes.writing() else CLOSED_SETTLE_SECONDS):
            return False
    changes.settled()
    return True


def _watch(folder: Path, changes: Changes):
    """Be told of changes under folder (inotify on Linux); None where the system cannot tell, and
    the worker then only looks every interval."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    class Tell(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            changes.tell(event)

    observer = Observer()
    try:
        observer.schedule(Tell(), str(folder), recursive=True)
        observer.start()
    except OSError as error:  # e.g. the inotify watch limit: looking every interval still works
        _say(f"cchc serve: not told of changes in {folder} ({error}); looking every interval only")
        return None
    return observer


def _warm_up(settings: Settings) -> None:
    """Load what each refresh would otherwise load: Great Expectations, and dbt's parse of the
    project for this build file (the dbt asset sets the same variable)."""
    from dagster_project.defs.warehouse.in_process import parsed_manifest
    from dagster_project.quality.suites import import_gx

    import_gx()
    os.environ["CCHC_BUILD_DB"] = str(settings.build_path)
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):  # dbt's banner
        parsed_manifest()


@dataclasses.dataclass
class Worker:
    """The refreshes of `cchc serve`: one line on stdout each; none of them ends the worker."""

    job: JobDefinition
    settings: Settings
    interval: float
    count: int = 0
    # Dagster replaces the signal handlers only in the main thread: in this one a stop lets the
    # running refresh finish.
    runner: ThreadPoolExecutor = dataclasses.field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="refresh")
    )
    # One Dagster instance for every refresh, made in the runner's thread: its SQLite
    # connections belong to that thread.
    instance: DagsterInstance | None = None

    def refresh(self) -> bool:
        """One refresh; False if it could not start and should be tried at the next look."""
        if not self.settings.reports_dir.is_dir():  # an unmounted share must not withdraw everything
            _say(f"waiting: reports folder not found: {self.settings.reports_dir}")
            return True
        try:
            outcome = self.runner.submit(self._run).result()
        except WarehouseBusy as busy:
            _say(f"waiting: {busy}; trying again in {self.interval:g} s")
            return False
        except Exception as error:  # whatever broke this refresh, the next one may go through
            outcome = f"failed: {type(error).__name__}: {_first_line(str(error))}"
        self.count += 1
        _say(f"refresh {self.count}: {outcome}")
        return True

    def _run(self) -> str:
        """One refresh under the warehouse lock, in the runner's thread; what came of it."""
        if self.instance is None:
            import dagster as dg

            self.instance = dg.DagsterInstance.ephemeral()
        with refresh_lock(self.settings.warehouse_path):
            refreshed = refresh(self.job, self.settings, full=False, instance=self.instance)
        if not refreshed.published:
            reasons = "; ".join(_first_line(failure) for failure in refreshed.failures)
            return (f"failed in {refreshed.seconds:.2f} s: {reasons or 'the run failed (see above)'};"
                    " the published warehouse is unchanged")
        documents, facts, rejected = published_counts(self.settings.warehouse_path)
        return (f"published in {refreshed.seconds:.2f} s ({documents} current documents, {facts} facts,"
                f" {rejected} rejected inputs; {refreshed.dbt})")


def _say(line: str) -> None:
    print(line, flush=True)


def _first_line(text: str) -> str:
    return next(iter(text.strip().splitlines()), "")


def run_rollback(warehouse: str | None) -> int:
    warehouse_path = load_settings(warehouse=warehouse).warehouse_path
    try:
        with refresh_lock(warehouse_path):
            restored = rollback(warehouse_path)
    except WarehouseBusy as busy:
        print(f"cchc: {busy}; nothing was rolled back. Try again when it has finished.",
              file=sys.stderr)
        return EXIT_BUSY
    except NothingToRollBack as error:
        print(f"cchc: {error}", file=sys.stderr)
        return 1
    print(
        f"Rolled back {warehouse_path} to version {restored['version']}"
        f" (run {restored['run_id']}, published {restored['published_at']},"
        f" code {restored['code_version']})"
    )
    return 0


def _failures(result) -> list[str]:
    """Failed checks with what failed in them, and failed stages other than the checks' own."""
    failed_checks = [
        _check_failure(evaluation)
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    ]
    failed_steps = [
        f"stage failed: {event.step_key}: {event.event_specific_data.error.message.strip()}"
        for event in result.all_events
        if event.event_type_value == "STEP_FAILURE"
        and "AssetCheckFailed" not in event.event_specific_data.error.cls_name  # said above
    ]
    return failed_checks + failed_steps


def _check_failure(evaluation) -> str:
    line = f"blocking check failed: {evaluation.asset_key.to_user_string()} {evaluation.check_name}"
    details = evaluation.metadata.get("failures")
    if details is None or details.value in ("", "none"):
        return line
    return line + "".join(f"\n      {detail}" for detail in str(details.value).splitlines())


def run_extract(
    files: list[Path], manifest: Path | None, province: str | None, year: int | None,
    explain_numbers: bool = False,
) -> int:
    entries = _manifest_entries(manifest) if manifest else {}
    if manifest and not files:
        files = [manifest.parent / name for name in entries]
    status = 0
    for path in files:
        text = _readable_text(path)
        if text is None:
            status = 1
            continue
        context = _context(path, text, entries.get(path.resolve(), {}), province, year)
        if explain_numbers:
            print(_explanation(path, text, context))
            continue
        for fact in extract_facts(text, context):
            print(json.dumps(_fact_json(path, fact), ensure_ascii=False))
    return status


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
    about = infer(meta, path.as_posix(), None, text)
    try:
        published = parse_published(meta.get("published"))
    except ValueError:
        print(f"cchc: {path}: published {meta['published']!r} is not YYYY-MM-DD; ignored", file=sys.stderr)
        published = None
    return DocumentContext(
        province_code=province_code(province) if province else about.province_code,
        year=year or about.year,
        period=about.period,
        doc_type=meta.get("doc_type") or None,
        published=published,
    )


def _explanation(path: Path, text: str, context: DocumentContext) -> str:
    lines = [f"{path}: province {context.province_code}, year {context.year}, period {context.period}"]
    for item in explain(text, context):
        mark = "TAKEN" if item.taken else "-"
        lines.append(f"  {item.span_start:>6}  {item.stated:>14}  {mark:<5}  {item.reason}")
    return "\n".join(lines)


def _manifest_entries(manifest: Path) -> dict[Path, dict[str, str]]:
    with manifest.open(encoding="utf-8-sig", newline="") as handle:
        return {(manifest.parent / row["file"]).resolve(): row for row in csv.DictReader(handle)}


def _fact_json(path: Path, fact) -> dict:
    row = dataclasses.asdict(fact)
    return {
        "file": str(path),
        "province_code": row["province_code"],
        "year": row["year"],
        "period": row["period"],
        "metric_code": row["metric_code"],
        "value": row["value"],
        "unit": row["unit"],
        "qualifier": row["qualifier"],
        "fact_kind": row["fact_kind"],
        "evidence": row["evidence"],
        "span_start": row["span_start"],
        "span_end": row["span_end"],
    }


if __name__ == "__main__":
    sys.exit(main())
