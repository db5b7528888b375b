"""Blocking checks: Great Expectations suites run on pandas frames read from the build.

GX's SQL datasource does not work with DuckDB, so each table or derived frame is read into pandas
first. A mart's own suite (expectations/<table>.json) is its asset check `great_expectations`;
the reconciliation suites (expectations/reconciliation/) are checks of fct_report_facts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb

from dagster_project.quality.catalog import load_catalog
from dagster_project.quality.reconciliation import (
    RECONCILED_TABLE,
    RECONCILIATIONS,
    Reconciliation,
    table_columns,
    unpivoted,
)
from dagster_project.quality.suites import (
    RECONCILIATION_DIR,
    Ranges,
    catalog_ranges,
    catalog_suite,
    import_gx,
    load_suite,
    load_suites,
    pandas_source,
    validate_frame,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    import pandas as pd
    from great_expectations import ExpectationSuite

MART_CHECK = "great_expectations"
SAMPLE_SIZE = 5  # failing values quoted per message
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
# A failing cell is quoted with its row and metric.
CELLS_FORMAT = {**RESULT_FORMAT, "unexpected_index_column_names": ["province_period_id", "metric_code"]}
PARAMETERS = ("min_value", "max_value", "value", "regex")


@dataclass
class CheckResult:
    check_name: str  # the asset check: MART_CHECK or a reconciliation's name
    table_name: str  # the asset it belongs to
    passed: bool
    failures: list[str] = field(default_factory=list)
    observed: dict[str, Any] = field(default_factory=dict)
    validations: list[Any] = field(default_factory=list)  # the GX validation results (Data Docs)


def run_blocking_checks(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Every mart suite, then the reconciliations."""
    return [*run_mart_checks(con), *run_reconciliation_checks(con)]


def run_mart_checks(
    con: duckdb.DuckDBPyConnection, tables: Collection[str] | None = None
) -> list[CheckResult]:
    """Validate the marts (all by default) that have a suite in expectations/; one result each."""
    gx = import_gx()
    source = pandas_source(gx, "marts")
    catalog = load_catalog()
    columns = table_columns(con)
    results = []
    for suite in load_suites(gx):
        if tables is None or suite.name in tables:
            ranges = catalog_ranges(catalog, suite.name)
            cells = catalog_suite(gx, ranges, suite.name)
            results.append(_validate_mart(source, con, suite, columns.get(suite.name, []), cells, ranges))
    return results


def run_reconciliation_checks(
    con: duckdb.DuckDBPyConnection, names: Collection[str] | None = None
) -> list[CheckResult]:
    """No fact lost between raw.facts, fct_report_facts and the wide tables (every reconciliation
    by default, else those named)."""
    gx = import_gx()
    source = pandas_source(gx, "reconciliations")
    return [
        _reconcile(source, con, load_suite(gx, RECONCILIATION_DIR / f"{check.name}.json"), check)
        for check in RECONCILIATIONS
        if names is None or check.name in names
    ]


def _validate_mart(
    source: Any, con: duckdb.DuckDBPyConnection, suite: ExpectationSuite, columns: list[str],
    cells: ExpectationSuite | None, ranges: Ranges,
) -> CheckResult:
    """The table's own suite on its rows, and the ranges of its catalog metrics on its cells."""
    table = suite.name
    if not columns:
        return CheckResult(MART_CHECK, table, False, [f"table main.{table} does not exist"])
    rows, outcomes = con.sql(f'select count(*) from main."{table}"').fetchone()[0], []
    if suite.expectations:
        read = ", ".join(f'"{column}"' for column in _columns_read(columns, suite))
        frame = con.sql(f'select {read} from main."{table}"').df()
        outcomes.append(validate_frame(source, table, frame, suite, RESULT_FORMAT))
    present = {column: [code for code in codes if code in columns] for column, (*_, codes) in ranges.items()}
    if any(present.values()):
        outcomes.append(validate_frame(source, cells.name, _cells(con, table, present), cells, CELLS_FORMAT))
    missing = [
        f"catalog metric {code} has no column in main.{table}"
        for *_, codes in ranges.values() for code in codes if code not in columns
    ]
    return _check_result(MART_CHECK, table, outcomes, rows, missing)


def _cells(con: duckdb.DuckDBPyConnection, table: str, ranges: dict[str, list[str]]) -> pd.DataFrame:
    """The filled cells of a wide table's metric columns: (province_period_id, metric_code, then
    one column per range, which holds the value of the cells of its metrics)."""
    by_range = ", ".join(
        f"case when metric_code in ({', '.join(map(_literal, codes))}) then value end as \"{column}\""
        if codes else f'cast(null as double) as "{column}"'  # every metric of the range is missing
        for column, codes in ranges.items()
    )
    cells = unpivoted(table, [code for codes in ranges.values() for code in codes], "value")
    return con.sql(f"select province_period_id, metric_code, {by_range} from ({cells})").df()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reconcile(
    source: Any, con: duckdb.DuckDBPyConnection, suite: ExpectationSuite, check: Reconciliation
) -> CheckResult:
    try:
        frame = check.frame(con, load_catalog())
    except duckdb.Error as error:
        return CheckResult(check.name, RECONCILED_TABLE, False, [f"could not read: {error}"])
    result_format = {**RESULT_FORMAT, "unexpected_index_column_names": list(check.key_columns)}
    outcome = validate_frame(source, check.name, frame, suite, result_format)
    return _check_result(check.name, RECONCILED_TABLE, [outcome], len(frame))


def _check_result(
    check_name: str, table: str, outcomes: list[Any], rows: int,
    failures: Sequence[str] = (),
) -> CheckResult:
    failures = [*failures, *(
        describe_failure(outcome.suite_name, result) for outcome in outcomes for result in outcome.results
        if not result.success
    )]
    observed = {
        "rows": rows,
        "expectations": sum(outcome.statistics["evaluated_expectations"] for outcome in outcomes),
        "failed_expectations": sum(outcome.statistics["unsuccessful_expectations"] for outcome in outcomes),
    }
    return CheckResult(check_name, table, not failures, failures, observed, outcomes)


def _columns_read(columns: list[str], suite: ExpectationSuite) -> list[str]:
    """Of a table's columns, those the suite's expectations name (a mart's text columns need not
    reach pandas); every column if one of them is unknown (GX then says which) or the suite checks
    the table as a whole; the first column if it only counts rows."""
    named: set[str] = set()
    for expectation in suite.expectations:
        config = expectation.configuration
        if config.type.startswith("expect_table_") and config.type != "expect_table_row_count_to_equal":
            return columns
        named |= _column_names(config.kwargs)
    if named - set(columns) or None in named:
        return columns
    return [column for column in columns if column in named] or columns[:1]


def _column_names(kwargs: Any) -> set[str | None]:
    """Column names in expectation kwargs, row conditions included; None for a condition written
    as a string, whose columns cannot be told."""
    if isinstance(kwargs, list):
        return set().union(*map(_column_names, kwargs))
    if not isinstance(kwargs, dict):
        return set()
    names: set[str | None] = set()
    for key, value in kwargs.items():
        if key in ("column", "column_A", "column_B") and isinstance(value, str):
            names.add(value)
        elif key == "column_list" and isinstance(value, list):
            names |= set(value)
        elif key == "row_condition" and isinstance(value, str):
            names.add(None)
        elif key == "column" and isinstance(value, dict) and isinstance(value.get("name"), str):
            names.add(value["name"])
        else:
            names |= _column_names(value)
    return names


def describe_failure(table: str, result: Any) -> str:
    """'<expectation>(<parameters>) on <table>.<column>: <what failed>'."""
    config = result.expectation_config
    kwargs = config.kwargs
    parameters = ", ".join(f"{name}={_show(kwargs[name])}" for name in PARAMETERS if name in kwargs)
    head = f"{config.type}({parameters}) on {_target(table, kwargs)}"
    errors = _exception_messages(result.exception_info or {})
    if errors:
        return f"{head}: could not run: {'; '.join(errors)}"
    details = result.result
    if "unexpected_count" in details:
        # With key columns, GX quotes the failing rows (key columns first), not bare values.
        keyed = details.get("unexpected_index_column_names")
        if keyed:
            examples = [_keys_first(row, keyed) for row in details["partial_unexpected_index_list"]]
        else:
            examples = details["partial_unexpected_list"]
        values = ", ".join(_show(value) for value in examples)
        noun = "rows" if keyed else "values"
        return (
            f"{head}: {details['unexpected_count']} of {details['element_count']} {noun} fail,"
            f" e.g. {values}"
        )
    return f"{head}: observed {_show(details.get('observed_value'))}"


def _keys_first(row: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    return {key: row[key] for key in keys} | row


def _target(table: str, kwargs: dict[str, Any]) -> str:
    from great_expectations.expectations.row_conditions import deserialize_row_condition

    if "column" in kwargs:
        target = f"{table}.{kwargs['column']}"
    elif "column_A" in kwargs:
        target = f"{table}.({kwargs['column_A']}, {kwargs['column_B']})"
    else:
        target = table
    if kwargs.get("row_condition"):
        target += f" where {deserialize_row_condition(kwargs['row_condition'])!r}"
    return target


def _exception_messages(info: dict[str, Any]) -> list[str]:
    # GX reports one error flat, or several keyed by the metric that raised them.
    if info.get("raised_exception"):
        return [info["exception_message"]]
    return sorted(
        {
            error["exception_message"]
            for error in info.values()
            if isinstance(error, dict) and error.get("raised_exception")
        }
    )


def _show(value: Any) -> str:
    """Plain Python rendering of numpy scalars, tuples and rows: 120 rather than np.float64(120.0)."""
    if isinstance(value, tuple):
        return f"({', '.join(_show(item) for item in value)})"
    if isinstance(value, dict):
        return f"({', '.join(f'{key}={_show(item)}' for key, item in value.items())})"
    value = value.item() if hasattr(value, "item") else value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"'{value}'" if isinstance(value, str) else str(value)
