"""`cchc`: refresh the warehouse, roll it back, or extract facts from documents."""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import gc
import json
import os
import sys
import time
from pathlib import Path

from dagster_project.extraction import DocumentContext, explain, extract_facts
from dagster_project.ingest.documents import Rejected, parse_bytes
from dagster_project.ingest.metadata import infer
from dagster_project.ingest.provinces import province_code
from dagster_project.publication import NothingToRollBack, WarehouseBusy, refresh_lock, rollback
from dagster_project.settings import Settings, load_settings
from dagster_project.summary import published_summary

# Warnings and errors only: the summary says what was built, `make dev` shows the full run.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
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
    if args.command == "rollback":
        return run_rollback(args.warehouse)
    return run_extract(args.files, args.manifest, args.province, args.year, args.explain)


def run_refresh(
    reports: str | None, warehouse: str | None, wait_seconds: float = 0.0, full: bool = False
) -> int:
    settings = load_settings(reports, warehouse)
    if not settings.reports_dir.is_dir():
        print(f"cchc: reports folder not found: {settings.reports_dir}", file=sys.stderr)
        return 2
    try:
        with refresh_lock(settings.warehouse_path, wait_seconds):
            return _refresh(settings, full)
    except WarehouseBusy as busy:
        print(f"cchc: {busy}; the published warehouse is unchanged."
              " Try again later, or pass --wait SECONDS.", file=sys.stderr)
        return EXIT_BUSY


def _refresh(settings: Settings, full: bool) -> int:
    # The Dagster resources read these when the definitions load.
    os.environ["CCHC_REPORTS_DIR"] = str(settings.reports_dir)
    os.environ["CCHC_WAREHOUSE"] = str(settings.warehouse_path)
    import dagster as dg

    from dagster_project.definitions import defs
    from dagster_project.defs.reports.assets import FULL_REFRESH_TAG

    started = time.perf_counter()
    job = defs().resolve_job_def("refresh")
    # The loaded libraries and definitions live until exit: the collector need not scan them again.
    gc.freeze()
    # dagster-dbt echoes every dbt line to stdout: keep them in a log beside the build instead.
    log_path = settings.build_dir / "refresh.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, run_config=QUIET,
            tags={FULL_REFRESH_TAG: "true"} if full else None,
        )
    _write_timings(settings.build_dir / "last_refresh.json", result, time.perf_counter() - started, full)
    failures = _failures(result)
    if not result.success or failures:
        print("cchc: refresh failed; the published warehouse is unchanged.", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        print(f"  dbt's output: {log_path}", file=sys.stderr)
        return 1
    print(published_summary(settings.warehouse_path))
    return 0


def _write_timings(path: Path, result, seconds: float, full: bool) -> None:
    """Seconds per stage of the last refresh: where its time went (`make bench` reads it)."""
    steps = {
        event.step_key: round(event.event_specific_data.duration_ms / 1000, 3)
        for event in result.all_events
        if event.event_type_value == "STEP_SUCCESS"
    }
    timings = {"full_refresh": full, "seconds": round(seconds, 3), "steps": steps}
    path.write_text(json.dumps(timings, indent=2), encoding="utf-8")


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
    return DocumentContext(
        province_code=province_code(province) if province else about.province_code,
        year=year or about.year,
        period=about.period,
        doc_type=meta.get("doc_type") or None,
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
