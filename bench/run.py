"""`make bench`: what the warehouse costs, measured against its targets (issue #7).

Figures:

1. extraction throughput on one core (bench/extraction.py);
2. a full refresh (`cchc refresh --full`, a fresh warehouse each time) of corpora of N documents:
   wall time, peak memory of the refresh's process tree (dbt runs as a grandchild) and the seconds
   of each stage from `<warehouse dir>/build/last_refresh.json`;
3. an incremental refresh (`cchc refresh`) after adding one new report to the largest corpus, and
   its share of the full refresh; then the same in the warm worker (`cchc serve --interval 2`,
   started on that corpus and warehouse): the wall time from writing a new report to the worker's
   line saying it published, polling included;
4. BI latency: the ten scorecard queries of bench/bi_queries.sql on the published file of the
   largest warehouse, a fresh read-only connection per batch of ten, p50 and p95;
5. the cost curve: a least-squares line, full-refresh wall time = fixed + slope × N;
6. the targets, each with its measured value and whether it is met.

Each refresh is measured `--repeats` times (default 3) and its median run is the figure: a full
refresh each time into a fresh warehouse, an incremental one each time after one more new report.
A single run of the full refresh at 5,000 documents varies by a few seconds, which moves the
incremental share by about a point. Every run is kept in the results (`samples`); the peak memory
is the largest of them.

It writes bench/results.json (`--out`), rewrites the table in README.md between
`<!-- bench:start -->` and `<!-- bench:end -->` (`--no-readme` to leave it), prints progress to
stderr and the results as JSON to stdout. Corpora and warehouses live in a temporary folder that
is removed afterwards.

    .venv/bin/python bench/run.py                  # N = 100, 1,000, 5,000 (a few minutes)
    .venv/bin/python bench/run.py --quick --out /tmp/bench.json   # smoke run: N = 20, 50, one run each
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.cli import CLOSED_SETTLE_SECONDS

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))  # bench is not a package: its modules are imported by name

import corpus  # noqa: E402  (bench/corpus.py)
import extraction  # noqa: E402  (bench/extraction.py)

CCHC = Path(sys.executable).with_name("cchc")
README = ROOT / "README.md"
QUERIES = BENCH / "bi_queries.sql"
BUNDLED = ROOT / "seeds" / "reports"
DEFAULT_SIZES = (100, 1_000, 5_000)
QUICK_SIZES = (20, 50)
DEFAULT_REPEATS = 3  # runs of each refresh measured; the median is the figure
WORKER_IDLE_SECONDS = 1.0  # between the worker's measured refreshes: each new report finds it idle
TARGET_DOCUMENTS = 5_000  # the size the refresh and BI targets are set for
MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")
MIB = 2**20
WORKER_INTERVAL = 2.0  # `cchc serve`'s default: it is told of the new file (inotify), not polling for it
WORKER_TIMEOUT = 600  # seconds to wait for any one line of the worker

# Step keys of last_refresh.json, by the name of the stage they time, in pipeline order.
STAGES = {
    "raw_reports": "ingest",
    "raw__facts": "extraction",
    "cchc_dbt_models": "dbt_build",
    "blocking_expectations": "blocking_checks",
    "data_quality_issues": "findings",
    "published_warehouse": "publication",
}
STAGE_LABELS = {
    "ingest": "ingest (read and parse files)",
    "extraction": "extraction",
    "dbt_build": "dbt build (models and tests)",
    "blocking_checks": "blocking checks (Great Expectations)",
    "findings": "findings (data_quality_issues)",
    "publication": "publication (Data Docs rendered meanwhile)",
    "definitions": "Dagster: loading definitions",
    "orchestration": "Dagster: between stages",
    "startup": "process start-up, imports, summary",
    "noticing": f"worker: noticing the file (told of it and of its close, then {CLOSED_SETTLE_SECONDS:g} s"
                " without change)",
}


# --- corpus -----------------------------------------------------------------------------------


GENERATE: Callable[..., corpus.Corpus] = corpus.generate


def make_corpus(out: Path, documents: int) -> tuple[corpus.Corpus, float]:
    """A corpus of `documents` reports written into `out` (which must not exist yet), and the
    seconds it took to write."""
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the results
        written = GENERATE(out, documents, seed=0)
    return written, round(time.perf_counter() - started, 3)


def add_new_report(
    reports: Path, prefix: str = "bench_new", closing: str = "Bản bổ sung cho phép đo làm mới gia tăng."
) -> Path:
    """One new report: a bundled one with a closing line that makes its content (sha256) new."""
    source = sorted(BUNDLED.glob("*.txt"))[0]
    target = reports / f"{prefix}_{source.name}"
    text = source.read_text(encoding="utf-8")
    target.write_text(f"{text}\n{closing}\n", encoding="utf-8")
    return target


# --- one refresh, timed, with the peak memory of its process tree --------------------------------


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# ru_maxrss is in kilobytes on Linux, in bytes on macOS.
MAXRSS_BYTES = 1 if sys.platform == "darwin" else 1024


def process_table(proc: Path = Path("/proc")) -> dict[int, tuple[int, int]]:
    """pid → (parent pid, resident bytes) of every process (Linux; empty elsewhere)."""
    table: dict[int, tuple[int, int]] = {}
    if not proc.is_dir():
        return table
    for entry in os.scandir(proc):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # it ended while we looked
        # The command name is in parentheses and may hold spaces: count fields after its ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), int(fields[21]) * PAGE_SIZE)
    return table


def tree_rss(root: int, table: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """Resident bytes of `root` and all its descendants, and how many processes that is."""
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _) in table.items():
        children[parent].append(pid)
    total = count = 0
    pending = [root]
    while pending:
        pid = pending.pop()
        if pid in table:
            total += table[pid][1]
            count += 1
            pending.extend(children[pid])
    return total, count


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process tree, since processes that run at once add up."""

    # A scan of /proc takes a millisecond or two: every 0.1 s it costs the refresh about 1 % of a core.
    def __init__(self, root: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_bytes = self.peak_processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total, count = tree_rss(self.root, process_table())
            self.peak_bytes = max(self.peak_bytes, total)
            self.peak_processes = max(self.peak_processes, count)
            self.done.wait(self.interval)


def measure_process(command: Sequence[str], log: Path) -> dict:
    """Run `command` (output to `log`) and measure it: exit code, wall time, peak memory.

    Peak memory is the larger of two views of its process tree (for a refresh: cchc, its workers,
    dbt): the sampled sum of the RSS of its processes, which catches them running at once, and
    the exact peak of its largest process (os.wait4's ru_maxrss covers every descendant reaped
    below it), which catches a peak shorter than the sampling interval.
    """
    with log.open("w", encoding="utf-8") as output:
        started = time.perf_counter()
        # Its own session, so that an interrupted benchmark can end the whole tree (dbt too).
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=quiet_env(),
                                 start_new_session=True)
        sampler = TreeSampler(child.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, not the sum of all
        except BaseException:  # interrupted: end the refresh and dbt before the folder goes
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
            child.wait()
            raise
        finally:
            sampler.done.set()
            sampler.join()
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    largest = usage.ru_maxrss * MAXRSS_BYTES
    return {
        "exit_code": child.returncode,
        "wall_seconds": round(wall, 2),
        "peak_rss_mib": round(max(largest, sampler.peak_bytes) / MIB, 1),
        "largest_process_rss_mib": round(largest / MIB, 1),
        "sampled_tree_rss_mib": round(sampler.peak_bytes / MIB, 1),
        "processes_in_tree": sampler.peak_processes,
    }


def quiet_env() -> dict[str, str]:
    return {**os.environ, "GX_ANALYTICS_ENABLED": "False", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}


def cchc_refresh(reports: Path, warehouse: Path, *, full: bool, log: Path) -> dict:
    """Run `cchc refresh` and measure it: wall time, peak memory, stages, documents published."""
    command = [str(CCHC), "refresh", "--reports", str(reports), "--warehouse", str(warehouse)]
    measured = measure_process([*command, *(["--full"] if full else [])], log)
    if measured.pop("exit_code") != 0:
        tail = "".join(log.read_text(encoding="utf-8", errors="replace").splitlines(True)[-30:])
        raise BenchError(f"cchc refresh failed ({reports} → {warehouse}); the end of its output:\n{tail}")
    timings = json.loads((warehouse.parent / "build" / "last_refresh.json").read_text(encoding="utf-8"))
    return {
        **measured,
        "refresh_seconds": timings["seconds"],
        "stages": stage_seconds(timings, measured["wall_seconds"]),
        "current_documents": current_documents(warehouse),
    }


def stage_seconds(timings: dict, wall_seconds: float, outside: str = "startup") -> dict[str, float]:
    """Seconds per stage, by stage name, plus what the stages do not account for: loading the
    definitions, the rest of the refresh's own time (`seconds`: Dagster between steps) and the rest
    of the wall time, named `outside` (for `cchc refresh`: starting Python, imports, printing the
    summary; for the worker: noticing the new file)."""
    steps = timings["steps"]
    stages = {STAGES.get(key, key): seconds for key, seconds in steps.items()}
    stages["definitions"] = timings["definitions_seconds"]
    stages["orchestration"] = round(timings["seconds"] - stages["definitions"] - sum(steps.values()), 3)
    stages[outside] = round(wall_seconds - timings["seconds"], 3)
    return stages


def current_documents(warehouse: Path) -> int:
    """Report documents in the published file: shows that the refresh read what it was given."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select count(*) from dim_document where status = 'current' and sha256 is not null"
        ).fetchone()[0]


class BenchError(RuntimeError):
    pass


def median_sample(samples: list[dict]) -> dict:
    """The run of median wall time (the lower middle of an even count)."""
    if not samples:
        raise ValueError("median of no runs")
    return sorted(samples, key=lambda sample: sample["wall_seconds"])[(len(samples) - 1) // 2]


def median_run(samples: list[dict]) -> dict:
    """The median run (median_sample), with every run under `samples` and the largest peak memory
    of them all."""
    kept = ("wall_seconds", "refresh_seconds", "peak_rss_mib")
    return {
        **median_sample(samples),
        "peak_rss_mib": max(sample["peak_rss_mib"] for sample in samples),
        "samples": [{key: sample[key] for key in kept if key in sample} for sample in samples],
    }


# --- the warm worker (`cchc serve`) ---------------------------------------------------------------


PUBLISHED_LINE = re.compile(r"refresh (\d+): published in ([\d.]+) s \((\d+) current documents")


class LineReader(threading.Thread):
    """The lines a process prints, each with the moment it was read."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream, self.lines = stream, queue.Queue()
        self.seen: list[str] = []

    def run(self) -> None:
        for line in self.stream:
            self.lines.put((time.perf_counter(), line.rstrip("\n")))
        self.lines.put((time.perf_counter(), None))  # the process closed its output

    def published(self, number: int, timeout: float = WORKER_TIMEOUT) -> tuple[float, re.Match]:
        """When the worker said its refresh `number` published, and that line."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise BenchError(f"cchc serve: no refresh {number} within {timeout} s: {self.seen}") from None
            if line is None:
                raise BenchError(f"cchc serve ended before its refresh {number}: {self.seen}")
            self.seen.append(line)
            if line.startswith(f"refresh {number}: "):
                match = PUBLISHED_LINE.match(line)
                if match is None:
                    raise BenchError(f"cchc serve: {line}")
                return at, match


def stop(worker: subprocess.Popen) -> int:
    """SIGTERM: the worker finishes what it is doing and exits; its exit code."""
    worker.send_signal(signal.SIGTERM)
    try:
        return worker.wait(timeout=WORKER_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        raise BenchError(f"cchc serve did not stop within {WORKER_TIMEOUT} s of SIGTERM") from None


def worker_refresh(reports: Path, warehouse: Path, full: dict, repeats: int = DEFAULT_REPEATS) -> dict:
    """`cchc serve` on the corpus and warehouse the incremental refresh left: once its first
    refresh published, `repeats` new reports one at a time, each timed from writing it to the
    worker's line; the median of them."""
    command = [str(CCHC), "serve", "--reports", str(reports), "--warehouse", str(warehouse),
               "--interval", str(WORKER_INTERVAL)]
    progress(f"warm worker (cchc serve --interval {WORKER_INTERVAL}): {full['documents']:,} documents"
             f" + 1 more new, {repeats} times")
    build = warehouse.parent / "build" / "last_refresh.json"
    samples = []
    with (warehouse.parent / "worker.log").open("w", encoding="utf-8") as errors:
        worker = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True,
                                  env=quiet_env(), start_new_session=True)
        sampler, reader = TreeSampler(worker.pid), LineReader(worker.stdout)
        sampler.start()
        reader.start()
        try:
            _, first = reader.published(1)
            for number in range(2, repeats + 2):
                time.sleep(WORKER_IDLE_SECONDS)
                written = time.perf_counter()
                closing = f"Bản bổ sung thứ {number}, cho tiến trình thường trực."
                add_new_report(reports, f"bench_worker_new{number}", closing)
                seen, line = reader.published(number)
                wall = round(seen - written, 2)
                timings = json.loads(build.read_text(encoding="utf-8"))  # the worker is idle: it wrote them
                samples.append({"wall_seconds": wall, "refresh_seconds": float(line[2]),
                                "stages": stage_seconds(timings, wall, outside="noticing")})
        finally:
            exit_code = stop(worker)
            sampler.done.set()
            sampler.join()
    run = median_sample(samples)
    share = run["wall_seconds"] / full["wall_seconds"]
    walls = ", ".join(f"{sample['wall_seconds']} s" for sample in samples)
    progress(f"  {walls} from writing the file to the worker's line; median {run['wall_seconds']} s"
             f" ({100 * share:.1f} % of full); first refresh: {first[2]} s")
    return {
        "documents": full["documents"], "new_documents": 1, "interval_seconds": WORKER_INTERVAL,
        "wall_seconds": run["wall_seconds"], "refresh_seconds": run["refresh_seconds"],
        "first_refresh_seconds": float(first[2]), "stages": run["stages"],
        "current_documents": current_documents(warehouse), "peak_rss_mib": round(sampler.peak_bytes / MIB, 1),
        "exit_code": exit_code, "share_of_full": round(share, 4),
        "samples": [{key: sample[key] for key in ("wall_seconds", "refresh_seconds")} for sample in samples],
    }


# --- BI latency -----------------------------------------------------------------------------------


def parse_queries(text: str) -> dict[str, str]:
    """The queries of bi_queries.sql by name: each starts at a line `-- query: <name>`."""
    parts = re.split(r"^-- query: *(\S+) *$", text, flags=re.MULTILINE)
    queries: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in queries:
            raise ValueError(f"query {name!r} appears twice")
        queries[name] = body.strip().rstrip(";").strip()
    return queries


def load_queries(path: Path = QUERIES) -> dict[str, str]:
    return parse_queries(path.read_text(encoding="utf-8"))


def time_queries(database: Path, queries: dict[str, str], repetitions: int) -> dict[str, list[float]]:
    """Milliseconds of each execution of each query (fetching every row), per query name.

    Each repetition is one batch, as a dashboard opening: a fresh read-only connection that runs
    the ten queries once. Opening the connection is not part of a query's time.
    """
    times: dict[str, list[float]] = {name: [] for name in queries}
    for _ in range(repetitions):
        with duckdb.connect(str(database), read_only=True) as con:
            for name, sql in queries.items():
                started = time.perf_counter()
                con.execute(sql).fetchall()
                times[name].append((time.perf_counter() - started) * 1000)
    return times


def latency_summary(times: dict[str, list[float]]) -> dict:
    every = [ms for runs in times.values() for ms in runs]
    return {
        "queries": len(times),
        "executions": len(every),
        "p50_ms": round(percentile(every, 50), 2),
        "p95_ms": round(percentile(every, 95), 2),
        "per_query": {
            name: {"p50_ms": round(percentile(runs, 50), 2), "p95_ms": round(percentile(runs, 95), 2)}
            for name, runs in times.items()
        },
    }


# --- statistics -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile, interpolating linearly between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> dict[str, float] | None:
    """Least squares y = fixed + slope·x, and R²; None without two distinct x."""
    if len(set(xs)) < 2:
        return None
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    fixed = mean_y - slope * mean_x
    residual = sum((y - fixed - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    total = sum((y - mean_y) ** 2 for y in ys)
    r_squared = 1 - residual / total if total else 1.0
    return {"fixed": fixed, "slope": slope, "r_squared": r_squared}


def cost_curve(full_refreshes: list[dict]) -> dict:
    """Full-refresh wall time as fixed cost + cost per 1,000 documents."""
    xs = [run["documents"] for run in full_refreshes]
    fit = linear_fit(xs, [run["wall_seconds"] for run in full_refreshes])
    curve = {
        "sizes": xs,
        "corpus_generation_seconds": {str(run["documents"]): run["corpus_seconds"] for run in full_refreshes},
    }
    if fit is None:
        return {**curve, "fixed_seconds": None, "seconds_per_1000_documents": None, "r_squared": None}
    return {
        **curve,
        "fixed_seconds": round(fit["fixed"], 2),
        "seconds_per_1000_documents": round(fit["slope"] * 1000, 2),
        "r_squared": round(fit["r_squared"], 4),
    }


# --- targets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    key: str
    label: str  # as the README shows it
    comparison: str  # "<=" or ">="
    limit: float
    unit: str
    per_size: bool  # set for TARGET_DOCUMENTS documents: judged only when that size was measured


TARGETS = (
    Target("full_refresh_seconds", "Full refresh of 5,000 documents ≤ 120 s", "<=", 120, "s", True),
    Target("full_refresh_peak_rss_mib", "Peak memory of that refresh ≤ 2 GiB", "<=", 2048, "MiB", True),
    Target("incremental_share_of_full", "Incremental refresh (one new report) ≤ 10 % of full",
           "<=", 0.10, "ratio", True),
    Target("extraction_documents_per_second", "Extraction ≥ 500 documents/s (one core, 10 kB each)",
           ">=", 500, "docs/s", False),
    Target("bi_p95_ms", "BI scorecard queries: p95 ≤ 50 ms", "<=", 50, "ms", True),
)


# The incremental refreshes, by the command measured: each is judged against the target.
INCREMENTAL_RUNS = {"incremental_refresh": "`cchc refresh`", "incremental_refresh_worker": "`cchc serve`"}


def incremental_runs(results: dict) -> dict[str, dict]:
    return {command: results[key] for key, command in INCREMENTAL_RUNS.items() if results.get(key)}


def best_incremental(results: dict) -> tuple[str | None, dict]:
    """The command whose incremental refresh took the smallest share of the full one, and its run."""
    runs = incremental_runs(results)
    if not runs:
        return None, {}
    command = min(runs, key=lambda name: runs[name]["share_of_full"])
    return command, runs[command]


def measured_values(results: dict) -> dict[str, tuple[float | None, int | None]]:
    """Each target's measured value and the corpus size it was measured at (None: any size)."""
    largest = results["full_refresh"][-1] if results["full_refresh"] else {}
    incremental = best_incremental(results)[1]
    bi = results.get("bi_queries") or {}
    return {
        "full_refresh_seconds": (largest.get("wall_seconds"), largest.get("documents")),
        "full_refresh_peak_rss_mib": (largest.get("peak_rss_mib"), largest.get("documents")),
        "incremental_share_of_full": (incremental.get("share_of_full"), incremental.get("documents")),
        "extraction_documents_per_second": (results["extraction"]["documents_per_second"], None),
        "bi_p95_ms": (bi.get("p95_ms"), bi.get("documents")),
    }


def passes(target: Target, value: float) -> bool:
    return value <= target.limit if target.comparison == "<=" else value >= target.limit


def check_targets(results: dict) -> dict[str, dict]:
    """Each target with its measured value and pass (true), fail (false) or not judged (null):
    a target set for 5,000 documents is not judged on a smaller corpus."""
    measured = measured_values(results)
    checked = {}
    for target in TARGETS:
        value, documents = measured[target.key]
        judged = value is not None and (not target.per_size or documents == TARGET_DOCUMENTS)
        checked[target.key] = {
            "label": target.label, "comparison": target.comparison, "limit": target.limit,
            "unit": target.unit, "measured": value, "documents": documents,
            "passed": passes(target, value) if judged else None,
        }
    checked["incremental_share_of_full"]["measured_with"] = best_incremental(results)[0]
    return checked


# --- README table --------------------------------------------------------------------------------


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def verdict(check: dict) -> str:
    if check["passed"] is None:
        if check["measured"] is None:
            return "not measured"
        return f"not judged: measured at {check['documents']:,} documents"
    if not check["passed"]:
        return "**FAIL**"
    return f"pass ({check['measured_with']})" if check.get("measured_with") else "pass"


def target_rows(results: dict) -> list[str]:
    checks = results["targets"]
    full = results["full_refresh"][-1] if results["full_refresh"] else {}
    extraction_figures = results["extraction"]
    bi = results.get("bi_queries") or {}
    size = f" ({full['documents']:,} documents)" if full else ""
    measured = {
        "full_refresh_seconds": f"{number(full.get('wall_seconds'))} s{size}",
        "full_refresh_peak_rss_mib": f"{number(full.get('peak_rss_mib'), 0)} MiB",
        "incremental_share_of_full": "; ".join(
            f"{number(100 * run['share_of_full'])} % ({number(run['wall_seconds'])} s) with {command}"
            for command, run in incremental_runs(results).items()
        ) or "—",
        "extraction_documents_per_second": (
            f"{number(extraction_figures['documents_per_second'], 0)} documents/s"
            f" ({number(extraction_figures['megabytes_per_second'], 2)} MB/s)"
        ),
        "bi_p95_ms": (
            f"{number(bi['p95_ms'], 2)} ms (p50 {number(bi['p50_ms'], 2)} ms;"
            f" {bi['queries']} queries × {bi['repetitions']})" if bi else "—"
        ),
    }
    return [f"| {check['label']} | {measured[key]} | {verdict(check)} |" for key, check in checks.items()]


def stage_rows(results: dict) -> list[str]:
    runs = list(results["full_refresh"])
    headers = [f"full, {run['documents']:,}" for run in runs]
    incremental = ("incremental_refresh", "incremental_refresh_worker_smallest", "incremental_refresh_worker")
    for key, name in zip(incremental, ("incremental", "worker", "worker"), strict=True):
        if results.get(key):
            runs.append(results[key])
            headers.append(f"{name}, {results[key]['documents']:,} + {results[key]['new_documents']}")
    names = list(STAGE_LABELS)
    names += sorted({name for run in runs for name in run["stages"]} - set(names))  # new stages too
    rows = [
        "| seconds | " + " | ".join(headers) + " |",
        "|---|" + "---:|" * len(runs),
        "| **wall time** | " + " | ".join(f"**{number(run['wall_seconds'])}**" for run in runs) + " |",
    ]
    for name in names:
        cells = [number(run["stages"].get(name), 2) for run in runs]
        rows.append(f"| {STAGE_LABELS.get(name, name)} | " + " | ".join(cells) + " |")
    rows.append("| peak memory (MiB) | " + " | ".join(number(run["peak_rss_mib"], 0) for run in runs) + " |")
    return rows


def query_rows(results: dict) -> list[str]:
    """Latency per BI query, folded away (GitHub renders <details>; a blank line must follow)."""
    bi = results.get("bi_queries") or {}
    if not bi.get("per_query"):
        return []
    return [
        f"<details><summary>BI latency per query ({bi['repetitions']} runs each,"
        f" {bi['documents']:,} documents)</summary>",
        "",
        "| query (bench/bi_queries.sql) | p50 ms | p95 ms |",
        "|---|---:|---:|",
        *(f"| {name} | {number(q['p50_ms'], 2)} | {number(q['p95_ms'], 2)} |"
          for name, q in bi["per_query"].items()),
        "",
        "</details>",
        "",
    ]


def render_table(results: dict) -> str:
    """The README block: targets, the seconds of each refresh by stage, the cost curve, BI per query."""
    machine = results["machine"]
    lines = [
        f"`make bench` of {results['generated_at'][:10]} at commit {results['git']['commit'][:7]}"
        f"{' (with local changes)' if results['git']['dirty'] else ''}: {machine['cores']} cores"
        f" ({machine['cpu']}), {number(machine['memory_gib'])} GiB, Python {machine['python']},"
        f" DuckDB {machine['duckdb']}. Corpus: {results['corpus']['generator']}."
        f"{repeats_sentence(results.get('repeats', 1))} All figures: `bench/results.json`.",
        "",
        "| target | measured | result |",
        "|---|---|---|",
        *target_rows(results),
        "",
        *stage_rows(results),
        "",
        *worker_lines(results.get("incremental_refresh_worker"),
                      results.get("incremental_refresh_worker_smallest")),
        *cost_lines(results["cost_curve"]),
        *recall_lines(results.get("extraction_at_scale")),
        *query_rows(results),
    ]
    return "\n".join(lines).rstrip() + "\n"


def repeats_sentence(repeats: int) -> str:
    if repeats < 2:
        return ""
    return (f" Each refresh ran {repeats} times: its figures are those of the median run, its peak memory"
            " the largest.")


def recall_lines(scores: dict | None) -> list[str]:
    """Extraction against the corpus's gold facts, overall and by fact table."""
    if not scores:
        return []
    overall = scores["overall"]
    tables = ", ".join(f"{table} {row['precision']:.3f}/{row['recall']:.3f}"
                       for table, row in scores["by_fact_table"].items())
    return [
        f"Extraction against the gold facts of the {scores['documents']:,}-document corpus: precision"
        f" {overall['precision']:.3f}, recall {overall['recall']:.3f} (by fact table, P/R: {tables}).",
        "",
    ]


def worker_lines(worker: dict | None, smallest: dict | None = None) -> list[str]:
    if not worker:
        return []
    floor = "" if not smallest else (
        f" At {smallest['documents']:,} documents the same takes {number(smallest['wall_seconds'], 2)} s"
        f" (its refresh: {number(smallest['refresh_seconds'], 2)} s): what a refresh costs whatever"
        " the size (Dagster's run and events, the dbt tests, the Great Expectations suites, publication)."
    )
    runs = ", ".join(f"{number(sample['wall_seconds'], 2)} s" for sample in worker.get("samples", []))
    return [
        f"worker: `cchc serve --interval {worker['interval_seconds']:g}` started on the warehouse the"
        " incremental refresh left; wall time from writing a new report to the worker's line"
        f" saying it published (its refresh: {number(worker['refresh_seconds'], 2)} s; the rest: noticing"
        f" the file){f', median of {runs}' if runs else ''}; peak memory over the worker's life.{floor}",
        "",
    ]


def cost_lines(curve: dict) -> list[str]:
    if curve["fixed_seconds"] is None:
        return []
    slope = curve["seconds_per_1000_documents"]
    sizes = ", ".join(f"{size:,}" for size in curve["sizes"])
    fit = f"R² {curve['r_squared']:.3f}" if len(curve["sizes"]) > 2 else "two sizes: R² is 1 by construction"
    writing = ", ".join(f"{seconds:.2f} s" for seconds in curve["corpus_generation_seconds"].values())
    return [
        f"Full refresh ≈ {number(curve['fixed_seconds'])} s fixed {'+' if slope >= 0 else '−'}"
        f" {number(abs(slope))} s per 1,000 documents (least squares over {sizes} documents; {fit})."
        f" Writing the corpus, not part of the refresh: {writing}.",
        "",
    ]


def replace_between_markers(text: str, block: str, markers: tuple[str, str] = MARKERS) -> str | None:
    """`text` with what lies between the markers replaced by `block`; None if a marker is missing."""
    start, end = markers
    begin = text.find(start)
    finish = text.find(end, begin + len(start)) if begin >= 0 else -1
    if finish < 0:
        return None
    return f"{text[: begin + len(start)]}\n{block.rstrip()}\n{text[finish:]}"


def update_readme(block: str, path: Path = README) -> bool:
    """Rewrite the README's benchmark table; False (and nothing written) without the markers."""
    text = path.read_text(encoding="utf-8")
    updated = replace_between_markers(text, block)
    if updated is None:
        return False
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return True


# --- the run -------------------------------------------------------------------------------------


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def git_commit() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD") or "unknown",
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), flags=re.MULTILINE)
        cpu = models[0].strip() if models else cpu
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    return {
        "cores": usable,
        "cpu": cpu,
        "memory_gib": round(memory / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


def full_refreshes(
    sizes: Iterable[int], scratch: Path, repeats: int = DEFAULT_REPEATS
) -> tuple[list[dict], corpus.Corpus, Path, tuple[Path, Path] | None]:
    """Full refreshes per size, each of its own corpus into a fresh warehouse, `repeats` times (the
    median run is the figure); the largest is kept (its corpus and last warehouse are returned) for
    recall, the incremental refresh and the queries, and the smallest (its reports and warehouse)
    for the worker's fixed cost."""
    runs, smallest = [], None
    sizes = sorted(sizes)
    for documents in sizes:
        folder = scratch / f"n{documents}"
        progress(f"writing a corpus of {documents:,} documents")
        written, corpus_seconds = make_corpus(folder / "corpus", documents)
        reports = Path(written.reports_dir)
        warehouse = folder / "warehouse" / "cchc.duckdb"
        samples = []
        for number in range(1, repeats + 1):
            progress(f"full refresh of {documents:,} documents ({number} of {repeats})")
            shutil.rmtree(warehouse.parent, ignore_errors=True)
            samples.append(cchc_refresh(reports, warehouse, full=True, log=folder / f"full{number}.log"))
            progress(f"  {samples[-1]['wall_seconds']} s, peak {samples[-1]['peak_rss_mib']} MiB,"
                     f" {samples[-1]['current_documents']:,} documents published")
        runs.append({"documents": documents, "corpus_seconds": corpus_seconds, **median_run(samples)})
        if repeats > 1:
            progress(f"  median {runs[-1]['wall_seconds']} s, largest peak {runs[-1]['peak_rss_mib']} MiB")
        if documents == sizes[0] and len(sizes) > 1:
            smallest = reports, warehouse
        elif documents != sizes[-1]:
            shutil.rmtree(folder)  # disk: only these two warehouses are needed further on
    return runs, written, warehouse, smallest


def extraction_at_scale(written: corpus.Corpus) -> dict:
    """Precision and recall of extraction against the corpus's gold facts."""
    progress(f"extraction against the gold facts of {written.documents:,} documents")
    scores = corpus.evaluate(written)
    progress(f"  precision {scores['overall']['precision']}, recall {scores['overall']['recall']}")
    return {"documents": written.documents, **scores}


def incremental_refresh(reports: Path, warehouse: Path, full: dict, repeats: int = DEFAULT_REPEATS) -> dict:
    """`cchc refresh` after one new report, `repeats` times (one more each time); the median run."""
    samples = []
    for number in range(1, repeats + 1):
        add_new_report(reports, f"bench_new{number}", f"Bản bổ sung {number} cho phép đo làm mới gia tăng.")
        progress(f"incremental refresh: {full['documents']:,} documents + 1 new ({number} of {repeats})")
        samples.append(cchc_refresh(reports, warehouse, full=False,
                                    log=warehouse.parent / f"incremental{number}.log"))
        progress(f"  {samples[-1]['wall_seconds']} s, peak {samples[-1]['peak_rss_mib']} MiB")
    run = median_run(samples)
    share = run["wall_seconds"] / full["wall_seconds"]
    progress(f"  median {run['wall_seconds']} s ({100 * share:.1f} % of full)")
    return {"documents": full["documents"], "new_documents": 1, **run, "share_of_full": round(share, 4)}


def bi_latency(warehouse: Path, documents: int, repetitions: int) -> dict:
    queries = load_queries()
    progress(f"BI: {len(queries)} queries × {repetitions} on the published file of {documents:,} documents")
    times = time_queries(warehouse, queries, repetitions)
    summary = {"documents": documents, "repetitions": repetitions, **latency_summary(times)}
    progress(f"  p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms")
    return summary


def run_benchmark(sizes: Sequence[int], scratch: Path, repetitions: int, quick: bool,
                  repeats: int = DEFAULT_REPEATS) -> dict:
    results: dict = {
        "schema_version": 1,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "quick": quick,
        "git": git_commit(),
        "machine": machine(),
        "corpus": {"generator": corpus_description(), "seed": 0},
    }
    progress("extraction throughput (one core)")
    results["extraction"] = extraction.measure(seconds=1.0 if quick else 3.0)
    progress(f"  {results['extraction']['documents_per_second']} documents/s")
    results["repeats"] = repeats
    runs, largest, warehouse, smallest = full_refreshes(sizes, scratch, repeats)
    results["full_refresh"] = runs
    results["extraction_at_scale"] = extraction_at_scale(largest)
    reports = Path(largest.reports_dir)
    results["incremental_refresh"] = incremental_refresh(reports, warehouse, runs[-1], repeats)
    results["incremental_refresh_worker"] = worker_refresh(reports, warehouse, runs[-1], repeats)
    if smallest is not None:  # what a new report costs the worker whatever the size: its fixed part
        results["incremental_refresh_worker_smallest"] = worker_refresh(*smallest, runs[0], repeats)
    results["bi_queries"] = bi_latency(warehouse, runs[-1]["documents"], repetitions)
    results["cost_curve"] = cost_curve(runs)
    results["targets"] = check_targets(results)
    return results


def corpus_description() -> str:
    return f"bench/{GENERATE.__module__}.py, {GENERATE.__name__}(seed=0)"


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive numbers of documents, e.g. 100,1000,5000")
    return sizes


def positive(text: str) -> int:
    if int(text) < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return int(text)


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=parse_sizes,
                        help="corpus sizes of the full refreshes (default 100,1000,5000); the largest"
                             " also gets the incremental refresh and the BI queries")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: sizes 20,50, shorter extraction timing; implies --no-readme")
    parser.add_argument("--no-readme", action="store_true", help="leave README.md as it is")
    parser.add_argument("--out", type=Path, default=BENCH / "results.json",
                        help="where to write the results (default bench/results.json)")
    parser.add_argument("--workdir", type=Path,
                        help="make the temporary folder in this one (default: the system's, /tmp)")
    parser.add_argument("--repetitions", type=positive, default=20,
                        help="BI: batches of the ten queries, one connection each (default 20)")
    parser.add_argument("--repeats", type=positive,
                        help=f"runs of each refresh; the median is the figure (default {DEFAULT_REPEATS},"
                             " --quick 1)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (corpora, warehouses, refresh logs)")
    args = parser.parse_args(argv)
    args.sizes = args.sizes or list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    args.repeats = args.repeats or (1 if args.quick else DEFAULT_REPEATS)
    args.no_readme = args.no_readme or args.quick  # smoke figures never replace the real ones
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    if not CCHC.exists():
        print(f"bench: {CCHC} not found; run `make setup` first", file=sys.stderr)
        return 2
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="cchc-bench-", dir=args.workdir))
    progress(f"working in {scratch}")
    try:
        results = run_benchmark(args.sizes, scratch, args.repetitions, args.quick, args.repeats)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            progress(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    write_outputs(results, args.out, readme=not args.no_readme)
    return 0


def write_outputs(results: dict, out: Path, readme: bool) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    progress(f"wrote {out}")
    table = render_table(results)
    if readme and update_readme(table):
        progress(f"rewrote the table in {README}")
    elif readme:
        progress(f"{README} has no {MARKERS[0]} … {MARKERS[1]} markers; the table, to put between them:")
        print(table, file=sys.stderr)
    else:
        progress("README.md left as it is; the table:")
        print(table, file=sys.stderr)
    json.dump(results, sys.stdout, indent=2, ensure_ascii=False)
    print()


if __name__ == "__main__":
    sys.exit(main())
