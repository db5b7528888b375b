"""Blocking checks: Great Expectations suites run on pandas frames read from the marts.

GX's SQL datasource does not work with DuckDB, so each table is read into pandas first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dagster_project.quality.catalog import load_catalog
from dagster_project.quality.suites import ephemeral_context, import_gx, load_suites

if TYPE_CHECKING:
    import duckdb
    from great_expectations import ExpectationSuite

SAMPLE_SIZE = 5  # failing values quoted per message
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
PARAMETERS = ("min_value", "max_value", "value", "regex")


@dataclass
class CheckResult:
    check_name: str
    table_name: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    observed: dict[str, Any] = field(default_factory=dict)


def run_blocking_checks(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Validate every mart that has a suite in expectations/; one result per suite."""
    gx = import_gx()
    source = ephemeral_context(gx).data_sources.add_pandas("marts")
    return [_validate(source, con, suite) for suite in load_suites(gx, load_catalog())]


def _validate(source: Any, con: duckdb.DuckDBPyConnection, suite: ExpectationSuite) -> CheckResult:
    table = suite.name
    check_name = f"gx_{table}"
    if not _table_exists(con, table):
        return CheckResult(check_name, table, False, [f"table main.{table} does not exist"])
    frame = con.sql(f'select * from main."{table}"').df()
    batch = (
        source.add_dataframe_asset(table)
        .add_batch_definition_whole_dataframe("whole table")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    outcome = batch.validate(suite, result_format=RESULT_FORMAT)
    failures = [describe_failure(table, result) for result in outcome.results if not result.success]
    observed = {
        "rows": len(frame),
        "expectations": outcome.statistics["evaluated_expectations"],
        "failed_expectations": outcome.statistics["unsuccessful_expectations"],
    }
    return CheckResult(check_name, table, outcome.success, failures, observed)


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    query = (
        "select count(*) from information_schema.tables "
        "where table_schema = 'main' and table_name = ?"
    )
    return con.execute(query, [table]).fetchone()[0] > 0


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
        return (
            f"{head}: {details['unexpected_count']} of {details['element_count']} values fail,"
            f" e.g. {values}"
        )
    return f"{head}: observed {_show(details.get('observed_value'))}"


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
    """Plain Python rendering of numpy scalars and tuples: 120 rather than np.float64(120.0)."""
    if isinstance(value, tuple):
        return f"({', '.join(_show(item) for item in value)})"
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"'{value}'" if isinstance(value, str) else str(value)
