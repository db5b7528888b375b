"""bench/run.py: its statistics, targets, README table and queries; one measured refresh and one run of
the yardstick (bench/yardstick.py) on a tiny corpus, no benchmark."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy
import pytest

from dagster_project.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))  # bench is not a package
import run  # noqa: E402  (bench/run.py)

BUNDLED_REPORTS = PROJECT_ROOT / "seeds" / "reports"


# --- statistics -----------------------------------------------------------------------------------


def test_linear_fit_recovers_a_line() -> None:
    fit = run.linear_fit([100, 1_000, 5_000], [20 + 0.015 * n for n in (100, 1_000, 5_000)])
    assert fit == pytest.approx({"fixed": 20.0, "slope": 0.015, "r_squared": 1.0})


def test_linear_fit_of_scattered_points() -> None:
    # Worked by hand: slope 1/2, intercept 2/3, residuals -1/6, 1/3, -1/6, so R² = 1 - (1/6)/(2/3).
    fit = run.linear_fit([1, 2, 3], [1, 2, 2])
    assert fit == pytest.approx({"fixed": 2 / 3, "slope": 0.5, "r_squared": 0.75})


def test_linear_fit_needs_two_sizes() -> None:
    assert run.linear_fit([500], [30.0]) is None
    assert run.linear_fit([500, 500], [30.0, 31.0]) is None


def test_cost_curve_reports_seconds_per_thousand_documents() -> None:
    runs = [{"documents": n, "wall_seconds": 25 + 0.02 * n, "corpus_seconds": 0.1} for n in (100, 1000, 5000)]
    curve = run.cost_curve(runs)
    assert curve["fixed_seconds"] == 25.0
    assert curve["seconds_per_1000_documents"] == 20.0
    assert curve["r_squared"] == 1.0
    assert curve["corpus_generation_seconds"] == {"100": 0.1, "1000": 0.1, "5000": 0.1}


def test_the_median_run_is_the_figure_with_every_run_kept_and_the_largest_peak() -> None:
    runs = [{"wall_seconds": wall, "peak_rss_mib": peak, "stages": {"run": number}}
            for number, (wall, peak) in enumerate(((27.1, 900.0), (24.0, 1200.0), (25.3, 1000.0)))]
    median = run.median_run(runs)
    assert (median["wall_seconds"], median["stages"], median["peak_rss_mib"]) == (25.3, {"run": 2}, 1200.0)
    assert median["samples"] == [{"wall_seconds": r["wall_seconds"], "peak_rss_mib": r["peak_rss_mib"]}
                                 for r in runs]
    assert run.median_run(runs[:2])["wall_seconds"] == 24.0  # an even count: the lower middle
    with pytest.raises(ValueError):
        run.median_run([])


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([1, 2, 3, 4, 5], 50, 3), ([1, 2, 3, 4, 5], 95, 4.8), ([5, 1, 4, 2, 3], 0, 1), ([1, 2], 50, 1.5),
     ([7.0], 95, 7.0), ([3, 1, 2, 10], 100, 10)],
)
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert run.percentile(values, q) == pytest.approx(expected)


def test_percentile_agrees_with_numpy() -> None:
    values = numpy.random.default_rng(7).lognormal(size=200).tolist()
    for q in (50, 90, 95, 99):
        assert run.percentile(values, q) == pytest.approx(numpy.percentile(values, q))


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        run.percentile([], 50)


# --- process tree and stages ----------------------------------------------------------------------


def test_tree_rss_sums_a_process_and_its_descendants_only() -> None:
    table = {1: (0, 100), 10: (1, 5), 11: (10, 7), 12: (11, 11), 20: (1, 1000), 13: (10, 3)}
    assert run.tree_rss(10, table) == (5 + 7 + 11 + 3, 4)
    assert run.tree_rss(99, table) == (0, 0)


def test_process_table_knows_this_process() -> None:
    parent, resident = run.process_table()[os.getpid()]
    assert parent == os.getppid()
    assert resident > 1_000_000


HOLD = "import time; block = b'x' * (300 * 2**20); time.sleep(1)"  # written, so resident
GRANDCHILD = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {HOLD!r}], check=True)"


def test_memory_of_a_grandchild_counts(tmp_path: Path) -> None:
    # As dbt, a child of cchc: the measured process only waits while its child holds 300 MiB.
    measured = run.measure_process([sys.executable, "-c", GRANDCHILD], tmp_path / "log")
    assert measured["exit_code"] == 0
    assert measured["processes_in_tree"] == 2
    assert measured["largest_process_rss_mib"] >= 300  # ru_maxrss, through the child's wait
    assert measured["sampled_tree_rss_mib"] >= 300  # /proc, while it ran
    assert measured["peak_rss_mib"] >= 300
    assert measured["wall_seconds"] >= 1


def test_a_failing_command_is_measured_with_its_exit_code(tmp_path: Path) -> None:
    log = tmp_path / "log"
    measured = run.measure_process([sys.executable, "-c", "print('said'); raise SystemExit(3)"], log)
    assert measured["exit_code"] == 3
    assert log.read_text(encoding="utf-8") == "said\n"


def test_stage_seconds_names_the_steps_and_what_they_leave_out() -> None:
    timings = {"seconds": 20.0, "definitions_seconds": 1.5,
               "steps": {"raw_reports": 1.0, "cchc_dbt_models": 15.0, "new_step": 2.0}}
    stages = run.stage_seconds(timings, wall_seconds=26.0)
    assert stages == {"ingest": 1.0, "dbt_build": 15.0, "new_step": 2.0, "definitions": 1.5,
                      "orchestration": 0.5, "startup": 6.0}


# --- sizes, runs and the yardstick's pairing ----------------------------------------------------


def test_sizes_above_five_thousand_run_large_repeats_times() -> None:
    assert [run.repeats_for(n, 3, 1) for n in (20, 5_000, 5_001, 50_000)] == [3, 3, 1, 1]
    assert run.DEFAULT_SIZES == (100, 1_000, 5_000, 50_000)
    assert run.arguments([]).large_repeats == 1
    assert run.arguments(["--large-repeats", "2", "--sizes", "5000,50_000"]).sizes == [5_000, 50_000]


def test_the_yardstick_is_paired_at_five_thousand_else_the_largest_size_below() -> None:
    assert run.reference_size([100, 1_000, 5_000, 50_000]) == 5_000
    assert run.reference_size([20, 50]) == 50  # a smoke run: its figures judge nothing
    assert run.reference_size([50_000]) is None


def yardstick_sample(wall: float, peak: float) -> dict:
    return {"wall_seconds": wall, "peak_rss_mib": peak, "largest_process_rss_mib": peak / 2,
            "seconds": wall - 1, "workers": 2, "facts": 66_000,
            "steps": {"read_and_extract": wall - 1.5, "load": 0.2, "pivot": 0.3},
            "wide_tables": {"wide_tasks": 1_800}}


def test_paired_runs_give_the_refresh_as_multiples_of_the_yardstick() -> None:
    yardsticks = [yardstick_sample(8.0, 170.0), yardstick_sample(7.0, 180.0), yardstick_sample(7.6, 160.0)]
    refreshes = [{"wall_seconds": wall, "peak_rss_mib": peak} for wall, peak in
                 ((40.0, 780.0), (38.0, 800.0), (39.0, 790.0))]
    pair = run.paired(yardsticks, refreshes, 5_000)
    assert (pair["documents"], pair["runs"]) == (5_000, 3)
    assert (pair["wall_seconds"], pair["peak_rss_mib"]) == (7.6, 180.0)  # the median run, the largest peak
    assert (pair["refresh_wall_seconds"], pair["refresh_peak_rss_mib"]) == (39.0, 800.0)
    assert pair["time_ratio"] == pytest.approx(39.0 / 7.6, abs=1e-3)  # medians over medians
    assert pair["memory_ratio"] == pytest.approx(800.0 / 180.0, abs=1e-3)  # largest peaks
    assert pair["pair_time_ratios"] == pytest.approx([5.0, 38 / 7, 39 / 7.6], abs=1e-3)
    assert [sample["wall_seconds"] for sample in pair["samples"]] == [8.0, 7.0, 7.6]


# --- targets and the README table ---------------------------------------------------------------


STAGES = {"ingest": 1.0, "extraction": 2.0, "dbt_build": 60.0, "blocking_checks": 10.0,
          "findings": 1.0, "publication": 0.5, "orchestration": 1.0, "startup": 5.0}


def sample_results(sizes: tuple[int, ...] = (100, 1_000, 5_000, 50_000), full_seconds: float = 25.0,
                   large_seconds: float = 250.0, large_peak: float = 1_400.0,
                   incremental_seconds: float = 30.0, yardstick_seconds: float = 10.0,
                   bi_p95: float = 12.5) -> dict:
    """Made-up results of a bench over `sizes`: 5,000 documents refresh in `full_seconds`, the largest
    size in `large_seconds`; the yardstick runs at 5,000, else the largest size below it."""
    def seconds(n: int) -> float:
        return full_seconds if n == 5_000 else large_seconds if n == max(sizes) else 12.0 + n / 1_000

    full = [
        {"documents": n, "runs": run.repeats_for(n, 3, 1), "corpus_seconds": 0.5, "wall_seconds": seconds(n),
         "peak_rss_mib": large_peak if n == max(sizes) else 900.0, "stages": STAGES}
        for n in sizes
    ]
    largest = full[-1]
    reference = run.reference_size(sizes)
    results = {
        "generated_at": "2026-12-05T08:00:00Z",
        "git": {"commit": "5ddda7f33457ebf8de48212b146bba27fa6608d7", "dirty": False},
        "machine": {"cores": 2, "cpu": "Test CPU", "memory_gib": 16.0, "python": "3.11.9", "duckdb": "1.5.6"},
        "corpus": {"generator": "test corpus"},
        "repeats": 3,
        "large_repeats": 1,
        "extraction": {"documents_per_second": 450.0, "megabytes_per_second": 4.5, "facts_per_document": 9},
        "full_refresh": full,
        "yardstick": None if reference is None else {
            **run.paired([yardstick_sample(yardstick_seconds, 170.0)] * 3,
                         [{"wall_seconds": seconds(reference), "peak_rss_mib": 900.0}] * 3, reference),
        },
        "incremental_refresh": {
            "documents": largest["documents"], "new_documents": 1, "runs": largest["runs"],
            "wall_seconds": incremental_seconds, "peak_rss_mib": 700.0, "stages": STAGES,
            "full_wall_seconds": largest["wall_seconds"],
            "share_of_full": incremental_seconds / largest["wall_seconds"],
        },
        "bi_queries": bi_sample(largest["documents"], bi_p95),
        "bi_queries_reference": None if reference is None else bi_sample(reference, bi_p95),
        "cost_curve": run.cost_curve(full),
    }
    results["targets"] = run.check_targets(results)
    return results


def bi_sample(documents: int, p95: float) -> dict:
    return {"documents": documents, "repetitions": 20, "queries": 10, "p50_ms": 3.0, "p95_ms": p95,
            "per_query": {"par_index_rank_over_years": {"p50_ms": 2.0, "p95_ms": 2.5}}}


def passed(results: dict) -> dict[str, bool | None]:
    return {key: check["passed"] for key, check in results["targets"].items()}


def test_targets_are_those_of_the_issue() -> None:
    targets = {target.key: (target.comparison, target.limit, target.documents) for target in run.TARGETS}
    assert targets == {
        "full_refresh_5000_seconds": ("<=", 30, 5_000),
        "full_refresh_50000_seconds": ("<=", 300, 50_000),
        "full_refresh_50000_peak_rss_mib": ("<=", 1536, 50_000),
        "incremental_share_of_full": ("<=", 0.15, 50_000),
        "yardstick_time_ratio": ("<=", 2.5, 5_000),
        "extraction_documents_per_second": (">=", 500, None),
        "bi_p95_ms_5000": ("<=", 20, 5_000),
        "bi_p95_ms": ("<=", 20, 50_000),
    }


def test_targets_exactly_at_their_limits_pass() -> None:
    # 25 s over 10 s: 2.5 ×; 45 s of 300 s: 15 %.
    results = sample_results(full_seconds=25.0, large_seconds=300.0, large_peak=1536.0,
                             incremental_seconds=45.0, yardstick_seconds=10.0, bi_p95=20.0)
    assert results["targets"]["incremental_share_of_full"]["measured"] == pytest.approx(0.15)
    assert results["targets"]["yardstick_time_ratio"]["measured"] == 2.5
    assert passed(results) == {
        "full_refresh_5000_seconds": True, "full_refresh_50000_seconds": True,
        "full_refresh_50000_peak_rss_mib": True, "incremental_share_of_full": True,
        "yardstick_time_ratio": True, "extraction_documents_per_second": False,  # 450 < 500
        "bi_p95_ms_5000": True, "bi_p95_ms": True,
    }
    assert run.check_targets({**results, "extraction": {"documents_per_second": 500.0}})[
        "extraction_documents_per_second"]["passed"] is True


def test_targets_above_their_limits_fail() -> None:
    results = sample_results(full_seconds=30.1, large_seconds=300.5, large_peak=1537.0,
                             incremental_seconds=45.2, yardstick_seconds=12.0, bi_p95=20.01)  # 2.51 ×
    assert set(passed(results).values()) == {False}
    assert results["targets"]["full_refresh_5000_seconds"] | {"label": None} == {
        "label": None, "comparison": "<=", "limit": 30, "unit": "s", "target_documents": 5_000,
        "measured": 30.1, "documents": 5_000, "passed": False,
    }


def test_a_size_not_measured_leaves_its_targets_not_measured() -> None:
    results = sample_results(sizes=(100, 1_000, 5_000), full_seconds=25.0, large_seconds=25.0)
    assert passed(results) == {
        "full_refresh_5000_seconds": True, "full_refresh_50000_seconds": None,
        "full_refresh_50000_peak_rss_mib": None, "incremental_share_of_full": None,
        "yardstick_time_ratio": True, "extraction_documents_per_second": False, "bi_p95_ms_5000": True,
        "bi_p95_ms": None,
    }
    rows = {line.split(" | ")[0]: line for line in run.target_rows(results)}
    assert rows["| Full refresh of 50,000 documents ≤ 5 min"].endswith("| — | not measured |")
    assert rows["| Peak memory of that refresh ≤ 1.5 GiB"].endswith("| — | not measured |")
    # Measured, but on 5,000 documents: shown, not judged against the 50,000 target.
    incremental = rows["| One new report added to 50,000, cold `cchc refresh` ≤ 15 % of the full refresh"]
    assert incremental.endswith("| 120.0 % (30.0 s of 25.0 s; 5,000 + 1 documents) | not measured at 50,000"
                                " documents |")


def test_a_smoke_run_judges_no_target_set_for_a_size() -> None:
    results = sample_results(sizes=(20, 50), large_seconds=20.0)
    assert {key: value for key, value in passed(results).items() if value is not None} == {
        "extraction_documents_per_second": False}
    assert results["yardstick"]["documents"] == 50
    table = run.render_table(results)
    assert "| Full refresh of 5,000 documents ≤ 30 s | — | not measured |" in table
    assert "(20.0 s over 10.0 s; 50 documents)" in table
    assert "not measured at 5,000 documents" in table
    assert "**FAIL**" in table  # extraction only
    assert table.count("**FAIL**") == 1


def test_readme_table_shows_targets_stages_yardstick_and_cost() -> None:
    table = run.render_table(sample_results(full_seconds=26.0, large_seconds=320.0))
    assert "commit 5ddda7f" in table
    assert "| Full refresh of 5,000 documents ≤ 30 s | 26.0 s | pass |" in table
    assert "| Full refresh of 50,000 documents ≤ 5 min | 320.0 s | **FAIL** |" in table
    assert "| Peak memory of that refresh ≤ 1.5 GiB | 1,400 MiB | pass |" in table
    assert ("| One new report added to 50,000, cold `cchc refresh` ≤ 15 % of the full refresh |"
            " 9.4 % (30.0 s of 320.0 s; 50,000 + 1 documents) | pass |") in table
    assert ("| Full refresh of 5,000 documents ≤ 2.5 × the yardstick (bench/yardstick.py; paired runs,"
            " medians) | 2.60 × (26.0 s over 10.0 s; 5,000 documents); memory 5.29 × (900 MiB over 170 MiB),"
            " no target | **FAIL** |") in table
    assert "| BI scorecard queries: p95 ≤ 20 ms (the 50,000-document warehouse) | 12.50 ms" in table
    assert "| BI scorecard queries: p95 ≤ 20 ms (the 5,000-document warehouse) | 12.50 ms" in table
    assert ("| query (bench/bi_queries.sql) | p50 ms, 5,000 | p95 ms, 5,000 | p50 ms, 50,000 |"
            " p95 ms, 50,000 |") in table
    assert ("| seconds | full, 100 | full, 1,000 | full, 5,000 | full, 50,000 |"
            " incremental (cold), 50,000 + 1 |") in table
    assert "| dbt build (models and tests) | 60.00 | 60.00 | 60.00 | 60.00 | 60.00 |" in table
    assert "worker" not in table and "serve" not in table and "noticing" not in table
    assert ("Runs of each full refresh: 3 at 100, 1,000, 5,000 documents; 1 at 50,000 documents."
            " The yardstick: 3 at 5,000, alternating with the full refreshes."
            " The incremental refresh: 1 at 50,000 + 1.") in table
    assert "Yardstick (`bench/yardstick.py`: no Dagster, dbt or Great Expectations" in table
    assert "10.0 s and 170 MiB" in table
    assert "Run 3 times, each just before a full refresh of the same corpus" in table
    assert "pair by pair: 2.60 ×, 2.60 ×, 2.60 ×." in table
    cost = r"Full refresh ≈ [\d.]+ s fixed \+ [\d.]+ s per 1,000 documents \(least squares over 100, 1,000,"
    assert re.search(cost + r" 5,000, 50,000 documents; R² 0\.\d{3}\)", table)
    rows = [line for line in table.splitlines() if line.startswith("|")]
    assert all(line.endswith("|") for line in rows)
    assert "| par_index_rank_over_years | 2.00 | 2.50 |" in table


def test_cost_line_of_a_falling_fit_of_two_sizes() -> None:
    runs = [{"documents": 20, "wall_seconds": 23.0, "corpus_seconds": 0.0},
            {"documents": 50, "wall_seconds": 22.0, "corpus_seconds": 0.01}]
    line = run.cost_lines(run.cost_curve(runs))[0]
    assert "Full refresh ≈ 23.7 s fixed − 33.3 s per 1,000 documents" in line
    assert "two sizes: R² is 1 by construction" in line
    assert "0.00 s, 0.01 s" in line


def test_table_replaces_only_what_lies_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    before = "# Title\n\nIntro.\n\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n\n## Next\n"
    readme.write_text(before, encoding="utf-8")
    assert run.update_readme("| new | table |\n", readme)
    expected = "# Title\n\nIntro.\n\n<!-- bench:start -->\n| new | table |\n<!-- bench:end -->\n\n## Next\n"
    assert readme.read_text(encoding="utf-8") == expected
    assert run.update_readme("| new | table |\n", readme)  # again: the same text
    assert readme.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize(
    "text",
    ["no markers at all\n", "<!-- bench:start -->\nonly the start\n",
     "<!-- bench:end -->\n<!-- bench:start -->\n"],
)
def test_without_both_markers_nothing_is_replaced(tmp_path: Path, text: str) -> None:
    assert run.replace_between_markers(text, "table") is None
    readme = tmp_path / "README.md"
    readme.write_text(text, encoding="utf-8")
    assert not run.update_readme("table", readme)
    assert readme.read_text(encoding="utf-8") == text


# --- the queries ----------------------------------------------------------------------------------


def test_bi_queries_file_holds_ten_named_queries() -> None:
    queries = run.load_queries()
    assert len(queries) == 10
    assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in queries)
    assert all(sql.lower().lstrip().startswith(("select", "with")) for sql in queries.values())


def test_first_five_queries_are_the_scorecard_of_the_bi_guide() -> None:
    guide = (PROJECT_ROOT / "docs" / "bi.md").read_text(encoding="utf-8")
    guide = guide.split("## Five scorecard queries")[1].split("\n## ")[0]
    scorecard = [block.strip() for block in re.findall(r"```sql\n(.*?)```", guide, flags=re.DOTALL)]
    assert list(run.load_queries().values())[:5] == scorecard


def test_parse_queries_splits_on_the_marker_lines() -> None:
    text = ("-- header comment\n\n-- query: first\nselect 1;\n\n"
            "-- query: second\nwith a as (select 2)\nselect * from a\n")
    assert run.parse_queries(text) == {"first": "select 1", "second": "with a as (select 2)\nselect * from a"}
    with pytest.raises(ValueError, match="twice"):
        run.parse_queries("-- query: same\nselect 1\n-- query: same\nselect 2\n")


# --- one measured refresh of the bundled reports, and the queries on it ----------------------------


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    folder = tmp_path_factory.mktemp("bench")
    warehouse = folder / "warehouse" / "cchc.duckdb"
    measurement = run.cchc_refresh(BUNDLED_REPORTS, warehouse, full=True, log=folder / "refresh.log")
    return measurement, warehouse


def test_measured_refresh_has_stages_memory_and_documents(measured: tuple[dict, Path]) -> None:
    measurement, _ = measured
    assert measurement["current_documents"] == 5
    outside_the_steps = {"definitions", "orchestration", "startup"}
    assert set(run.STAGES.values()) | outside_the_steps <= set(measurement["stages"])
    assert measurement["stages"]["definitions"] > 0
    assert measurement["stages"]["startup"] > 0
    assert measurement["wall_seconds"] >= measurement["refresh_seconds"]
    assert measurement["processes_in_tree"] >= 1
    assert measurement["peak_rss_mib"] >= measurement["largest_process_rss_mib"] > 100


def test_every_query_runs_on_a_published_warehouse(measured: tuple[dict, Path]) -> None:
    _, warehouse = measured
    queries = run.load_queries()
    times = run.time_queries(warehouse, queries, repetitions=2)
    assert {name: len(runs) for name, runs in times.items()} == dict.fromkeys(queries, 2)
    summary = run.latency_summary(times)
    assert (summary["queries"], summary["executions"]) == (10, 20)
    assert summary["p50_ms"] <= summary["p95_ms"]


def test_every_query_finds_rows_in_the_bundled_reports(measured: tuple[dict, Path]) -> None:
    import duckdb

    _, warehouse = measured
    with duckdb.connect(str(warehouse), read_only=True) as con:
        empty = [name for name, sql in run.load_queries().items() if not con.execute(sql).fetchall()]
    assert empty == []


# --- the yardstick on a tiny corpus ---------------------------------------------------------------


def test_the_yardstick_reads_a_corpus_into_facts_and_wide_tables(tmp_path: Path) -> None:
    import csv

    import duckdb

    written = run.corpus.generate(tmp_path / "corpus", 24, seed=0)  # .txt, .html, .docx, .pdf, folders
    out = tmp_path / "yardstick.duckdb"
    measured = run.yardstick_run(Path(written.reports_dir), out, tmp_path / "yardstick.log")
    assert measured["wall_seconds"] >= measured["seconds"] > 0
    assert measured["peak_rss_mib"] > 50
    assert measured["workers"] >= 1
    with (PROJECT_ROOT / "seeds" / "reference" / "metric_catalog.csv").open(encoding="utf-8") as handle:
        catalog = list(csv.DictReader(handle))
    with duckdb.connect(str(out), read_only=True) as con:
        facts, documents, tables = con.execute(
            "select count(*), count(distinct file), count(distinct fact_kind) from facts").fetchone()
        assert (facts, documents) == (measured["facts"], 24) and facts > 24 * 3
        assert tables == 2  # actual and target figures
        for table in {row["fact_table"] for row in catalog}:
            columns = [row[0] for row in con.execute(f'describe "wide_{table}"').fetchall()]
            metrics = [row["metric_code"] for row in catalog if row["fact_table"] == table]
            assert columns == ["province_code", "year", "period", *metrics]
            rows = con.execute(f'select count(*) from "wide_{table}"').fetchone()[0]
            assert rows == measured["wide_tables"][f"wide_{table}"]
        # A cell for each province-period with an actual figure of the metric, holding one of them.
        stated = con.execute(
            "select count(distinct (province_code, year, period)) from facts where fact_kind = 'actual'"
            " and metric_code = 'online_services_total' and province_code is not null and period is not null"
        ).fetchone()[0]
        cells, foreign = con.execute(
            "select count(*), count(*) filter (where not exists (select 1 from facts f where"
            " f.fact_kind = 'actual' and f.metric_code = 'online_services_total'"
            " and (f.province_code, f.year, f.period) = (w.province_code, w.year, w.period)"
            " and f.value = w.online_services_total))"
            " from wide_online_services w where online_services_total is not null").fetchone()
        assert (cells, foreign) == (stated, 0) and cells > 0
    assert sum(measured["wide_tables"].values()) > 0


def test_a_failing_yardstick_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(run.BenchError, match="yardstick.py failed"):
        run.yardstick_run(tmp_path / "absent", tmp_path / "out.duckdb", tmp_path / "log")


# --- bench/postgres.py ----------------------------------------------------------------------------


def test_the_postgres_bench_publishes_while_readers_poll(tmp_path: Path) -> None:
    """One publication of a small served file, one reader: the figures are there, and no read failed."""
    served = tmp_path / "cchc.duckdb"
    with duckdb.connect(str(served)) as connection:
        connection.execute("create table fct_tasks as select range as id from range(500)")
        connection.execute("create table dim_metric as select range as id from range(7)")
    measured = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / "postgres.py"), "--warehouse", str(served),
         "--publications", "1", "--readers", "1", "--repetitions", "2"],
        capture_output=True, text=True, timeout=300, check=True,
    )
    figures = json.loads(measured.stdout)
    assert (figures["tables"], figures["rows"], len(figures["publish_seconds"])) == (2, 507, 1)
    assert figures["readers"]["queries"] > 0
    assert (figures["readers"]["errors"], figures["readers"]["wrong_counts"]) == (0, 0)
    # the scorecard needs the marts: every query fails on two bare tables, and says so
    assert figures["query_latency_ms"] == {} and len(figures["queries_in_duckdb_dialect"]) == 10
