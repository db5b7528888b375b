"""Blocking checks: the Great Expectations suites of the marts (expectations/<table>.json), each
its table's asset check `great_expectations`, run on a pandas frame read from the build.

GX's SQL datasource does not work with DuckDB, so each table is read into pandas first, with only
the columns its suite names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dagster_project.quality.suites import import_gx, load_suites, pandas_source, validate_frame

if TYPE_CHECKING:
    from collections.abc import Collection

    import duckdb
    from great_expectations import ExpectationSuite

MART_CHECK = "great_expectations"
SAMPLE_SIZE = 5  # failing values quoted per message
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
PARAMETERS = ("min_value", "max_value", "value", "regex")


@dataclass
class CheckResult:
    check_name: str  # the asset check, MART_CHECK
    table_name: str  # the asset it belongs to
    passed: bool
    failures: list[str] = field(default_factory=list)
    observed: dict[str, Any] = field(default_factory=dict)
    validations: list[Any] = field(default_factory=list)  # the GX validation results (Data Docs)


def run_blocking_checks(
    con: duckdb.DuckDBPyConnection, tables: Collection[str] | None = None
) -> list[CheckResult]:
    """Validate the marts (all by default) that have a suite in expectations/; one result each."""
    gx = import_gx()
    source = pandas_source(gx, "marts")
    columns = table_columns(con)
    return [
        _validate_mart(source, con, suite, columns.get(suite.name, []))
        for suite in load_suites(gx)
        if tables is None or suite.name in tables
    ]


def _validate_mart(
    source: Any, con: duckdb.DuckDBPyConnection, suite: ExpectationSuite, columns: list[str]
) -> CheckResult:
    table = suite.name
    if not columns:
        return CheckResult(MART_CHECK, table, False, [f"table main.{table} does not exist"])
    read = ", ".join(f'"{column}"' for column in _columns_read(columns, suite))
    frame = con.sql(f'select {read} from main."{table}"').df()
    outcome = validate_frame(source, table, frame, suite, RESULT_FORMAT)
    return _check_result(MART_CHECK, table, outcome, len(frame))


def table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The columns of each table of schema main, in order."""
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from duckdb_columns()"
        " where schema_name = 'main' and database_name = current_database() order by table_name, column_index"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    return columns


def _check_result(check_name: str, table: str, outcome: Any, rows: int) -> CheckResult:
    failures = [
        describe_failure(outcome.suite_name, result) for result in outcome.results if not result.success
    ]
    observed = {
        "rows": rows,
        "expectations": outcome.statistics["evaluated_expectations"],
        "failed_expectations": outcome.statistics["unsuccessful_expectations"],
    }
    return CheckResult(check_name, table, not failures, failures, observed, [outcome])


def _columns_read(columns: list[str], suite: ExpectationSuite) -> list[str]:
    """Of a table's columns, those the suite's expectations name (a mart's text columns need not
    reach pandas); every column if one of them is unknown (GX then says which) or the suite checks
    the table as a whole."""
    named: set[str] = set()
    for expectation in suite.expectations:
        config = expectation.configuration
        if config.type.startswith("expect_table_"):
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
        values = ", ".join(_show(value) for value in details["partial_unexpected_list"])
        count = f"{details['unexpected_count']} of {details['element_count']}"
        return f"{head}: {count} values fail, e.g. {values}"
    return f"{head}: observed {_show(details.get('observed_value'))}"


def _target(table: str, kwargs: dict[str, Any]) -> str:
    if "column" in kwargs:
        target = f"{table}.{kwargs['column']}"
    elif "column_A" in kwargs:
        target = f"{table}.({kwargs['column_A']}, {kwargs['column_B']})"
    else:
        target = table
    if kwargs.get("row_condition"):
        target += f" where {_condition(kwargs['row_condition'])}"
    return target


def _condition(condition: Any) -> str:
    """A row condition as the suites' JSON states it: 'unit IN [...]'; another kind as stated."""
    if isinstance(condition, dict) and condition.get("type") == "comparison":
        return f"{condition['column']['name']} {condition['operator']} {condition['parameter']!r}"
    return str(condition)


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
    """Plain Python rendering of numpy scalars and tuples: 120 rather than np.float64(120.0)."""
    if isinstance(value, tuple):
        return f"({', '.join(_show(item) for item in value)})"
    value = value.item() if hasattr(value, "item") else value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"'{value}'" if isinstance(value, str) else str(value)
