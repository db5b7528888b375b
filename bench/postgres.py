"""Serving from PostgreSQL, measured: how long publishing a served file takes, and what readers see
while it happens.

    .venv/bin/python bench/postgres.py --warehouse warehouse/cchc.duckdb [--publications 3] [--readers 4]

Starts a throwaway PostgreSQL 16 (tests/postgres_server.py: the pgserver wheel's binaries, with fsync
off, so a production server writes more slowly), then:

1. latency: the scorecard queries of bench/bi_queries.sql that PostgreSQL accepts (those in DuckDB's
   dialect are named and skipped), each `--repetitions` times on a fresh connection, p50 and p95;
2. publication: the served file published `--publications` times (dagster_project.postgres_publication,
   as `cchc refresh --postgres` does) while `--readers` connections poll, each in a loop: every
   table's row count and every accepted query. Counted: queries, errors, and row counts other than
   the served file's (every publication publishes the same file: an empty or half-copied table).

Prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import psycopg2
from run import load_queries, percentile

from dagster_project.postgres_publication import publish
from dagster_project.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))
from tests import postgres_server  # noqa: E402  (the tests' server, from the repository root)

SCHEMA = "cchc"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, required=True, help="a published (served) DuckDB file")
    parser.add_argument("--publications", type=int, default=3)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--repetitions", type=int, default=20)
    args = parser.parse_args()
    server = postgres_server.start()
    try:
        print(json.dumps(measure(args, server.url), indent=2))
    finally:
        server.stop()


def measure(args: argparse.Namespace, url: str) -> dict:
    first = publish(args.warehouse, url, SCHEMA, "bench-0")
    reader_url = f"{url}?options=-csearch_path%3D{SCHEMA}"
    queries, skipped = accepted_queries(reader_url)
    latency = {name: latency_ms(reader_url, sql, args.repetitions) for name, sql in queries.items()}
    polls = [Poll() for _ in range(args.readers)]
    stop = threading.Event()
    threads = [threading.Thread(target=poll.run, args=(reader_url, first.tables, queries, stop))
               for poll in polls]
    for thread in threads:
        thread.start()
    seconds = []
    try:
        for number in range(1, args.publications + 1):
            time.sleep(1)  # readers in full swing
            started = time.perf_counter()
            publish(args.warehouse, url, SCHEMA, f"bench-{number}")
            seconds.append(round(time.perf_counter() - started, 2))
        time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return {
        "served_file": str(args.warehouse),
        "served_file_mb": round(args.warehouse.stat().st_size / 2**20, 1),
        "tables": len(first.tables),
        "rows": sum(first.tables.values()),
        "publish_seconds": seconds,
        "publish_seconds_median": statistics.median(seconds) if seconds else None,
        "readers": {"connections": args.readers, "queries": sum(poll.queries for poll in polls),
                    "errors": sum(len(poll.errors) for poll in polls), "first_errors": [
                        error for poll in polls for error in poll.errors][:3],
                    "wrong_counts": sum(poll.wrong_counts for poll in polls)},
        "query_latency_ms": {name: {"p50": round(statistics.median(times), 2),
                                    "p95": round(percentile(times, 95), 2)}
                             for name, times in latency.items()},
        "queries_in_duckdb_dialect": skipped,
    }


def accepted_queries(url: str) -> tuple[dict[str, str], list[str]]:
    accepted, skipped = {}, []
    for name, sql in load_queries().items():
        try:
            rows(url, sql)
            accepted[name] = sql
        except psycopg2.Error:
            skipped.append(name)
    return accepted, skipped


def latency_ms(url: str, sql: str, repetitions: int) -> list[float]:
    times = []
    for _ in range(repetitions):
        with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return times


def rows(url: str, sql: str) -> list[tuple]:
    with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


class Poll:
    """One reader: every table's count and every query, over and over, in autocommit."""

    def __init__(self) -> None:
        self.queries = 0
        self.wrong_counts = 0
        self.errors: list[str] = []

    def run(self, url: str, tables: dict[str, int], queries: dict[str, str], stop: threading.Event) -> None:
        counts = {f'select count(*) from "{table}"': rows for table, rows in tables.items()}
        with closing(psycopg2.connect(url)) as connection:
            connection.autocommit = True
            cursor = connection.cursor()
            while not stop.is_set():
                for sql in [*counts, *queries.values()]:
                    result = self.read(cursor, sql)
                    if sql in counts and result is not None and result[0][0] != counts[sql]:
                        self.wrong_counts += 1

    def read(self, cursor, sql: str) -> list[tuple] | None:
        self.queries += 1
        try:
            cursor.execute(sql)
            return cursor.fetchall()
        except psycopg2.Error as error:
            self.errors.append(str(error).splitlines()[0])
            return None


if __name__ == "__main__":
    main()
