"""`make bench`: what the warehouse costs, measured against its targets (issue #7).

Figures:

1. extraction throughput on one core (bench/extraction.py);
2. a full refresh (`cchc refresh --full`, a fresh warehouse each time) of corpora of N documents
   (default 100, 1,000, 5,000 and 50,000): wall time, peak memory of the refresh's process tree
   (dbt runs as a grandchild) and the seconds of each stage from `<warehouse dir>/build/last_refresh.json`;
3. the yardstick (bench/yardstick.py): a plain script, no Dagster, dbt or Great Expectations, that
   reads the same reports, extracts their facts on every core and pivots them into DuckDB; measured
   as the refresh is, at 5,000 documents, alternating with the full refreshes of that corpus
   (yardstick, refresh, yardstick, refresh, ...): the full refresh's time and memory as multiples
   of the yardstick's;
4. an incremental refresh: one new report added to the largest corpus, then `cchc refresh` (a new
   process: cold), and its share of the full refresh of that corpus;
5. BI latency: the ten scorecard queries of bench/bi_queries.sql on the published file of the
   largest warehouse, a fresh read-only connection per batch of ten, p50 and p95;
6. the cost curve: a least-squares line, full-refresh wall time = fixed + slope × N;
7. the targets, each with its measured value and whether it is met. A target is set for a corpus
   size: when that size was not measured (`--sizes`, `--quick`) it shows "not measured".

Each refresh up to 5,000 documents is measured `--repeats` times (default 3), above that
`--large-repeats` times (default 1: a full refresh of 50,000 takes minutes); the median run is the
figure (the lower middle of an even count): a full refresh each time into a fresh warehouse, an
incremental one each time after one more new report. Every run is kept in the results
(`samples`); the peak memory is the largest of them. The README line says how many runs each size had.

It writes bench/results.json (`--out`), rewrites the table in README.md between
`<!-- bench:start -->` and `<!-- bench:end -->` (`--no-readme` to leave it), prints progress to
stderr and the results as JSON to stdout. Corpora and warehouses live in a temporary folder that
is removed afterwards (50,000 documents: about 1 GB of reports).

    .venv/bin/python bench/run.py                  # N = 100, 1,000, 5,000, 50,000 (tens of minutes)
    .venv/bin/python bench/run.py --sizes 5000 --repeats 1 --no-readme --out /tmp/b5k.json  # one pair
    .venv/bin/python bench/run.py --quick --out /tmp/bench.json   # smoke run: N = 20, 50, one run each
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
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

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))  # bench is not a package: its modules are imported by name

import corpus  # noqa: E402  (bench/corpus.py)
import extraction  # noqa: E402  (bench/extraction.py)

CCHC = Path(sys.executable).with_name("cchc")
YARDSTICK = BENCH / "yardstick.py"
README = ROOT / "README.md"
QUERIES = BENCH / "bi_queries.sql"
BUNDLED = ROOT / "seeds" / "reports"
DEFAULT_SIZES = (100, 1_000, 5_000, 50_000)
QUICK_SIZES = (20, 50)
DEFAULT_REPEATS = 3  # runs of each refresh measured up to LARGE_ABOVE documents; the median is the figure
DEFAULT_LARGE_REPEATS = 1  # runs of each refresh of more than LARGE_ABOVE documents
LARGE_ABOVE = 5_000
YARDSTICK_DOCUMENTS = 5_000  # the size the yardstick is paired with the full refresh at
MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")
MIB = 2**20

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


def stage_seconds(timings: dict, wall_seconds: float) -> dict[str, float]:
    """Seconds per stage, by stage name, plus what the stages do not account for: loading the
    definitions, the rest of the refresh's own time (`seconds`: Dagster between steps) and the rest
    of the wall time (starting Python, imports, printing the summary)."""
    steps = timings["steps"]
    stages = {STAGES.get(key, key): seconds for key, seconds in steps.items()}
    stages["definitions"] = timings["definitions_seconds"]
    stages["orchestration"] = round(timings["seconds"] - stages["definitions"] - sum(steps.values()), 3)
    stages["startup"] = round(wall_seconds - timings["seconds"], 3)
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
    kept = ("wall_seconds", "refresh_seconds", "seconds", "peak_rss_mib")
    return {
        **median_sample(samples),
        "peak_rss_mib": max(sample["peak_rss_mib"] for sample in samples),
        "samples": [{key: sample[key] for key in kept if key in sample} for sample in samples],
    }


# --- the yardstick (bench/yardstick.py) -----------------------------------------------------------


def yardstick_run(reports: Path, out: Path, log: Path) -> dict:
    """Run bench/yardstick.py in a process of its own, measured as a refresh is (wall time, peak
    memory of its process tree), with what it says of itself: its seconds, facts and wide tables."""
    measured = measure_process([sys.executable, str(YARDSTICK), str(reports), str(out)], log)
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    said = next((line for line in reversed(lines) if line.startswith("{")), None)
    if measured.pop("exit_code") != 0 or said is None:
        tail = "\n".join(lines[-30:])
        raise BenchError(f"bench/yardstick.py failed ({reports} → {out}); the end of its output:\n{tail}")
    figures = json.loads(said)
    said_of_itself = ("seconds", "steps", "workers", "facts", "wide_tables")
    return {**measured, **{key: figures[key] for key in said_of_itself}}


def paired(yardsticks: list[dict], refreshes: list[dict], documents: int) -> dict:
    """The yardstick's median run, and the full refresh's as multiples of it: the median wall time
    over the yardstick's, the largest peak memory over the yardstick's largest. The runs alternated
    (yardstick, refresh, yardstick, ...), so a slow moment of the machine weighs on both; the ratio
    of each pair is kept too."""
    yardstick, refresh = median_run(yardsticks), median_run(refreshes)
    kept = ("wall_seconds", "peak_rss_mib", "largest_process_rss_mib", "seconds", "steps", "workers", "facts",
            "wide_tables", "samples")
    return {
        "documents": documents,
        "runs": len(yardsticks),
        **{key: yardstick[key] for key in kept},
        "refresh_wall_seconds": refresh["wall_seconds"],
        "refresh_peak_rss_mib": refresh["peak_rss_mib"],
        "time_ratio": round(refresh["wall_seconds"] / yardstick["wall_seconds"], 3),
        "memory_ratio": round(refresh["peak_rss_mib"] / yardstick["peak_rss_mib"], 3),
        "pair_time_ratios": [round(r["wall_seconds"] / y["wall_seconds"], 3)
                             for y, r in zip(yardsticks, refreshes, strict=True)],
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
    documents: int | None  # the corpus size it is set for: judged only when measured at it (None: any)


TARGETS = (
    Target("full_refresh_5000_seconds", "Full refresh of 5,000 documents ≤ 30 s", "<=", 30, "s", 5_000),
    Target("full_refresh_50000_seconds", "Full refresh of 50,000 documents ≤ 5 min", "<=", 300, "s", 50_000),
    Target("full_refresh_50000_peak_rss_mib", "Peak memory of that refresh ≤ 1.5 GiB", "<=", 1536, "MiB",
           50_000),
    Target("incremental_share_of_full",
           "One new report added to 50,000, cold `cchc refresh` ≤ 15 % of the full refresh",
           "<=", 0.15, "ratio", 50_000),
    Target("yardstick_time_ratio",
           "Full refresh of 5,000 documents ≤ 2.5 × the yardstick (bench/yardstick.py; paired runs, medians)",
           "<=", 2.5, "ratio", YARDSTICK_DOCUMENTS),
    Target("extraction_documents_per_second", "Extraction ≥ 500 documents/s (one core, 10 kB each)",
           ">=", 500, "docs/s", None),
    Target("bi_p95_ms_5000", "BI scorecard queries: p95 ≤ 20 ms (the 5,000-document warehouse)", "<=", 20,
           "ms", YARDSTICK_DOCUMENTS),
    Target("bi_p95_ms", "BI scorecard queries: p95 ≤ 20 ms (the 50,000-document warehouse)", "<=", 20, "ms",
           50_000),
)


def full_run(results: dict, documents: int) -> dict:
    """The full refresh of that many documents; empty when that size was not measured."""
    return next((run for run in results["full_refresh"] if run["documents"] == documents), {})


def measured_values(results: dict) -> dict[str, tuple[float | None, int | None]]:
    """Each target's measured value and the corpus size it was measured at (None: none or any)."""
    small, large = full_run(results, 5_000), full_run(results, 50_000)
    incremental = results.get("incremental_refresh") or {}
    yardstick = results.get("yardstick") or {}
    bi = results.get("bi_queries") or {}
    bi_reference = results.get("bi_queries_reference") or {}
    return {
        "full_refresh_5000_seconds": (small.get("wall_seconds"), small.get("documents")),
        "full_refresh_50000_seconds": (large.get("wall_seconds"), large.get("documents")),
        "full_refresh_50000_peak_rss_mib": (large.get("peak_rss_mib"), large.get("documents")),
        "incremental_share_of_full": (incremental.get("share_of_full"), incremental.get("documents")),
        "yardstick_time_ratio": (yardstick.get("time_ratio"), yardstick.get("documents")),
        "extraction_documents_per_second": (results["extraction"]["documents_per_second"], None),
        "bi_p95_ms_5000": (bi_reference.get("p95_ms"), bi_reference.get("documents")),
        "bi_p95_ms": (bi.get("p95_ms"), bi.get("documents")),
    }


def passes(target: Target, value: float) -> bool:
    return value <= target.limit if target.comparison == "<=" else value >= target.limit


def check_targets(results: dict) -> dict[str, dict]:
    """Each target with its measured value and pass (true), fail (false) or not judged (null): a
    target set for a corpus size is judged only on that size (a smoke run's figures judge nothing)."""
    measured = measured_values(results)
    checked = {}
    for target in TARGETS:
        value, documents = measured[target.key]
        judged = value is not None and (target.documents is None or documents == target.documents)
        checked[target.key] = {
            "label": target.label, "comparison": target.comparison, "limit": target.limit,
            "unit": target.unit, "target_documents": target.documents, "measured": value,
            "documents": documents, "passed": passes(target, value) if judged else None,
        }
    return checked


# --- README table --------------------------------------------------------------------------------


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def verdict(check: dict) -> str:
    if check["passed"] is None:
        if check["measured"] is None:
            return "not measured"
        return f"not measured at {check['target_documents']:,} documents"
    return "pass" if check["passed"] else "**FAIL**"


def target_rows(results: dict) -> list[str]:
    checks = results["targets"]
    small, large = full_run(results, 5_000), full_run(results, 50_000)
    incremental = results.get("incremental_refresh") or {}
    yardstick = results.get("yardstick") or {}
    extraction_figures = results["extraction"]
    bi = results.get("bi_queries") or {}
    bi_reference = results.get("bi_queries_reference") or {}
    measured = {
        "full_refresh_5000_seconds": f"{number(small['wall_seconds'])} s" if small else "—",
        "full_refresh_50000_seconds": f"{number(large['wall_seconds'])} s" if large else "—",
        "full_refresh_50000_peak_rss_mib": f"{number(large['peak_rss_mib'], 0)} MiB" if large else "—",
        "incremental_share_of_full": (
            f"{number(100 * incremental['share_of_full'])} % ({number(incremental['wall_seconds'])} s of"
            f" {number(incremental['full_wall_seconds'])} s; {incremental['documents']:,} + 1 documents)"
            if incremental else "—"
        ),
        "yardstick_time_ratio": (
            f"{number(yardstick['time_ratio'], 2)} × ({number(yardstick['refresh_wall_seconds'])} s over"
            f" {number(yardstick['wall_seconds'])} s; {yardstick['documents']:,} documents); memory"
            f" {number(yardstick['memory_ratio'], 2)} × ({number(yardstick['refresh_peak_rss_mib'], 0)} MiB"
            f" over {number(yardstick['peak_rss_mib'], 0)} MiB), no target" if yardstick else "—"
        ),
        "extraction_documents_per_second": (
            f"{number(extraction_figures['documents_per_second'], 0)} documents/s"
            f" ({number(extraction_figures['megabytes_per_second'], 2)} MB/s)"
        ),
        "bi_p95_ms_5000": latency_cell(bi_reference),
        "bi_p95_ms": latency_cell(bi),
    }
    return [f"| {check['label']} | {measured[key]} | {verdict(check)} |" for key, check in checks.items()]


def latency_cell(bi: dict) -> str:
    if not bi:
        return "—"
    return (f"{number(bi['p95_ms'], 2)} ms (p50 {number(bi['p50_ms'], 2)} ms; {bi['queries']} queries ×"
            f" {bi['repetitions']}; {bi['documents']:,} documents)")


def stage_rows(results: dict) -> list[str]:
    runs = list(results["full_refresh"])
    headers = [f"full, {run['documents']:,}" for run in runs]
    if results.get("incremental_refresh"):
        incremental = results["incremental_refresh"]
        runs.append(incremental)
        headers.append(f"incremental (cold), {incremental['documents']:,} + {incremental['new_documents']}")
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


def yardstick_lines(yardstick: dict | None) -> list[str]:
    """What the yardstick is and what it took."""
    if not yardstick:
        return []
    steps = yardstick["steps"]
    pairs = ", ".join(f"{number(ratio, 2)} ×" for ratio in yardstick["pair_time_ratios"])
    return [
        f"Yardstick (`bench/yardstick.py`: no Dagster, dbt or Great Expectations; it reads the same"
        f" {yardstick['documents']:,} reports with the project's reader, extracts them on"
        f" {yardstick['workers']} cores and pivots the {yardstick['facts']:,} facts into DuckDB, one wide"
        f" table per fact table): {number(yardstick['wall_seconds'])} s and"
        f" {number(yardstick['peak_rss_mib'], 0)} MiB (its own steps: read and extract"
        f" {number(steps['read_and_extract'], 2)} s, load {number(steps['load'], 2)} s, pivot"
        f" {number(steps['pivot'], 2)} s; the rest is starting Python and imports)."
        f" {runs_of(yardstick['runs'])}, {'each ' if yardstick['runs'] > 1 else ''}just before a full refresh"
        f" of the same corpus; the full refresh over the yardstick, pair by pair: {pairs}.",
        "",
    ]


def runs_of(count: int) -> str:
    return "Run once" if count == 1 else f"Run {count} times"


def runs_sentence(results: dict) -> str:
    """How many runs each figure is the median of."""
    by_count: dict[int, list[int]] = defaultdict(list)
    for run in results["full_refresh"]:
        by_count[run.get("runs", results.get("repeats", 1))].append(run["documents"])
    counts = "; ".join(f"{count} at {', '.join(f'{size:,}' for size in sizes)} documents"
                       for count, sizes in by_count.items())
    sentence = f" Runs of each full refresh: {counts}."
    if results.get("yardstick"):
        sentence += (f" The yardstick: {results['yardstick']['runs']} at"
                     f" {results['yardstick']['documents']:,}, alternating with the full refreshes.")
    if results.get("incremental_refresh"):
        incremental = results["incremental_refresh"]
        sentence += f" The incremental refresh: {incremental['runs']} at {incremental['documents']:,} + 1."
    return sentence + (" A figure is that of the median run (of an even count, the lower middle), a peak"
                       " the largest.")


def query_rows(results: dict) -> list[str]:
    """Latency per BI query at each size measured, folded away (GitHub renders <details>; a blank
    line must follow)."""
    measured = [bi for bi in (results.get("bi_queries_reference"), results.get("bi_queries"))
                if bi and bi.get("per_query")]
    if not measured:
        return []
    sizes = " and ".join(f"{bi['documents']:,}" for bi in measured)
    return [
        f"<details><summary>BI latency per query ({measured[-1]['repetitions']} runs each,"
        f" {sizes} documents)</summary>",
        "",
        "| query (bench/bi_queries.sql) | " + " | ".join(
            f"p50 ms, {bi['documents']:,} | p95 ms, {bi['documents']:,}" for bi in measured) + " |",
        "|---|" + "---:|---:|" * len(measured),
        *(f"| {name} | " + " | ".join(
            f"{number(bi['per_query'][name]['p50_ms'], 2)} | {number(bi['per_query'][name]['p95_ms'], 2)}"
            for bi in measured) + " |"
          for name in measured[-1]["per_query"]),
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
        f"{runs_sentence(results)} All figures: `bench/results.json`.",
        "",
        "| target | measured | result |",
        "|---|---|---|",
        *target_rows(results),
        "",
        *stage_rows(results),
        "",
        *yardstick_lines(results.get("yardstick")),
        *cost_lines(results["cost_curve"]),
        *recall_lines(results.get("extraction_at_scale")),
        *query_rows(results),
    ]
    return "\n".join(lines).rstrip() + "\n"


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


def repeats_for(documents: int, repeats: int, large_repeats: int) -> int:
    """Runs of each refresh of a corpus of that size: `large_repeats` above LARGE_ABOVE documents."""
    return large_repeats if documents > LARGE_ABOVE else repeats


def reference_size(sizes: Iterable[int]) -> int | None:
    """The size the yardstick is paired with the full refresh at, and extraction scored at: 5,000
    documents, else the largest size below (a smoke run's), else none."""
    below = [size for size in sizes if size <= YARDSTICK_DOCUMENTS]
    return max(below) if below else None


@dataclass
class Refreshed:
    runs: list[dict]  # the median full refresh of each size, smallest first
    yardstick: dict | None  # paired(): the yardstick and the full refresh of reference_size()
    extraction_at_scale: dict | None  # against the gold facts of the reference_size() corpus
    bi_reference: dict | None  # bi_latency() on the last warehouse of reference_size()
    reports: Path  # of the largest corpus
    warehouse: Path  # the last warehouse of the largest corpus


def full_refreshes(
    sizes: Iterable[int], scratch: Path, repeats: int = DEFAULT_REPEATS,
    large_repeats: int = DEFAULT_LARGE_REPEATS, repetitions: int = 20,
) -> Refreshed:
    """Full refreshes per size, each of its own corpus into a fresh warehouse, repeats_for() times
    (the median run is the figure). At reference_size(), each refresh follows a run of the
    yardstick on the same corpus, extraction is scored against the gold facts and the BI queries
    are timed (`repetitions` times each). The largest corpus and its last warehouse are kept for
    the incremental refresh and the queries."""
    runs, yardstick, scores, bi_reference = [], None, None, None
    sizes = sorted(sizes)
    reference = reference_size(sizes)
    for documents in sizes:
        folder = scratch / f"n{documents}"
        progress(f"writing a corpus of {documents:,} documents")
        written, corpus_seconds = make_corpus(folder / "corpus", documents)
        reports = Path(written.reports_dir)
        warehouse = folder / "warehouse" / "cchc.duckdb"
        count = repeats_for(documents, repeats, large_repeats)
        samples, yardsticks = [], []
        for number in range(1, count + 1):
            if documents == reference:
                progress(f"yardstick on {documents:,} documents ({number} of {count})")
                yardsticks.append(yardstick_run(reports, folder / "yardstick.duckdb",
                                                folder / f"yardstick{number}.log"))
                progress(f"  {yardsticks[-1]['wall_seconds']} s, peak {yardsticks[-1]['peak_rss_mib']} MiB,"
                         f" {yardsticks[-1]['facts']:,} facts")
            progress(f"full refresh of {documents:,} documents ({number} of {count})")
            shutil.rmtree(warehouse.parent, ignore_errors=True)
            samples.append(cchc_refresh(reports, warehouse, full=True, log=folder / f"full{number}.log"))
            progress(f"  {samples[-1]['wall_seconds']} s, peak {samples[-1]['peak_rss_mib']} MiB,"
                     f" {samples[-1]['current_documents']:,} documents published")
        runs.append({"documents": documents, "runs": count, "corpus_seconds": corpus_seconds,
                     **median_run(samples)})
        if count > 1:
            progress(f"  median {runs[-1]['wall_seconds']} s, largest peak {runs[-1]['peak_rss_mib']} MiB")
        if yardsticks:
            yardstick = paired(yardsticks, samples, documents)
            progress(f"  the full refresh: {yardstick['time_ratio']} × the yardstick's time"
                     f" ({yardstick['wall_seconds']} s), {yardstick['memory_ratio']} × its memory"
                     f" ({yardstick['peak_rss_mib']} MiB)")
            scores = extraction_at_scale(written)
            bi_reference = bi_latency(warehouse, documents, repetitions)
        if documents != sizes[-1]:
            shutil.rmtree(folder)  # disk: only the largest corpus and warehouse are needed further on
    return Refreshed(runs, yardstick, scores, bi_reference, reports, warehouse)


def extraction_at_scale(written: corpus.Corpus) -> dict:
    """Precision and recall of extraction against the corpus's gold facts."""
    progress(f"extraction against the gold facts of {written.documents:,} documents")
    scores = corpus.evaluate(written)
    progress(f"  precision {scores['overall']['precision']}, recall {scores['overall']['recall']}")
    return {"documents": written.documents, **scores}


def incremental_refresh(reports: Path, warehouse: Path, full: dict, repeats: int = DEFAULT_REPEATS) -> dict:
    """`cchc refresh` (a new process: cold) after one new report, `repeats` times (one more each
    time); the median run, and its share of the median full refresh of that corpus."""
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
    return {"documents": full["documents"], "new_documents": 1, "runs": repeats, **run,
            "full_wall_seconds": full["wall_seconds"], "share_of_full": round(share, 4)}


def bi_latency(warehouse: Path, documents: int, repetitions: int) -> dict:
    queries = load_queries()
    progress(f"BI: {len(queries)} queries × {repetitions} on the published file of {documents:,} documents")
    times = time_queries(warehouse, queries, repetitions)
    summary = {"documents": documents, "repetitions": repetitions, **latency_summary(times)}
    progress(f"  p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms")
    return summary


def run_benchmark(sizes: Sequence[int], scratch: Path, repetitions: int, quick: bool,
                  repeats: int = DEFAULT_REPEATS, large_repeats: int = DEFAULT_LARGE_REPEATS) -> dict:
    results: dict = {
        "schema_version": 2,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "quick": quick,
        "git": git_commit(),
        "machine": machine(),
        "corpus": {"generator": corpus_description(), "seed": 0},
    }
    progress("extraction throughput (one core)")
    results["extraction"] = extraction.measure(seconds=1.0 if quick else 3.0)
    progress(f"  {results['extraction']['documents_per_second']} documents/s")
    results["repeats"], results["large_repeats"] = repeats, large_repeats
    refreshed = full_refreshes(sizes, scratch, repeats, large_repeats, repetitions)
    runs = refreshed.runs
    results["full_refresh"] = runs
    results["yardstick"] = refreshed.yardstick
    results["extraction_at_scale"] = refreshed.extraction_at_scale
    results["bi_queries_reference"] = refreshed.bi_reference
    largest = runs[-1]
    count = repeats_for(largest["documents"], repeats, large_repeats)
    reports, warehouse = refreshed.reports, refreshed.warehouse
    results["incremental_refresh"] = incremental_refresh(reports, warehouse, largest, count)
    results["bi_queries"] = bi_latency(warehouse, largest["documents"], repetitions)
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
                        help="corpus sizes of the full refreshes (default 100,1000,5000,50000); the"
                             " largest also gets the incremental refresh and the BI queries, 5,000 (else"
                             " the largest size below it) the yardstick")
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
                        help=f"runs of each refresh of up to {LARGE_ABOVE:,} documents, and of the"
                             f" yardstick; the median is the figure (default {DEFAULT_REPEATS}, --quick 1)")
    parser.add_argument("--large-repeats", type=positive, default=DEFAULT_LARGE_REPEATS,
                        help=f"runs of each refresh of more than {LARGE_ABOVE:,} documents, full and"
                             f" incremental (default {DEFAULT_LARGE_REPEATS})")
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
        results = run_benchmark(args.sizes, scratch, args.repetitions, args.quick, args.repeats,
                                args.large_repeats)
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
