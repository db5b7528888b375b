"""Great Expectations suites: JSON files in expectations/ plus value ranges from the catalog.

expectations/*.json validate the marts (one suite per table), expectations/reconciliation/ and
expectations/findings/ validate frames derived from them (see reconciliation.py and rules.py).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from dagster_project.quality.catalog import Metric
from dagster_project.settings import EXPECTATIONS_DIR

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations import ExpectationSuite
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.data_context import EphemeralDataContext

RECONCILIATION_DIR = EXPECTATIONS_DIR / "reconciliation"
CELLS_SUFFIX = " cells"  # a wide table's catalog metrics, one row per filled cell (catalog_suite)
FINDINGS_DIR = EXPECTATIONS_DIR / "findings"

def import_gx() -> ModuleType:
    """Import Great Expectations on first use: it takes seconds and must not phone home.

    GX fingerprints every frame it validates with an md5 of all its values (below HASH_THRESHOLD
    bytes): a tenth of a second per refresh for a batch marker no one reads. The frames come from
    the build file, which the manifest names; GX is told to fingerprint none.
    """
    os.environ["GX_ANALYTICS_ENABLED"] = "False"  # read at import time
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0
    return gx


def ephemeral_context(gx: ModuleType) -> EphemeralDataContext:
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


@functools.cache
def pandas_source(gx: ModuleType, name: str) -> Any:
    """The pandas data source `name` of the process's one ephemeral context for validations: a
    long-lived worker sets its sources and frame assets up once, not at every refresh."""
    return _validation_context(gx).data_sources.add_pandas(name)


@functools.cache
def _validation_context(gx: ModuleType) -> EphemeralDataContext:
    return ephemeral_context(gx)


def load_suites(gx: ModuleType, directory: Path = EXPECTATIONS_DIR) -> list[ExpectationSuite]:
    """One suite per JSON file; a suite is named after the mart table it validates."""
    return [load_suite(gx, path) for path in sorted(directory.glob("*.json"))]


def load_suite(gx: ModuleType, path: Path) -> ExpectationSuite:
    from great_expectations.core.expectation_suite import ExpectationSuiteSchema

    data = ExpectationSuiteSchema().loads(path.read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(**data)
    # GX only logs an expectation it cannot build; a silently shorter suite must not pass.
    if len(suite.expectations) != len(data["expectations"]):
        raise ValueError(f"{path.name}: some expectations could not be built (see the log)")
    return suite


def validate_frame(
    source: Any, name: str, frame: pd.DataFrame, suite: ExpectationSuite, result_format: dict
) -> ExpectationSuiteValidationResult:
    """Validate a suite on a whole pandas frame, registered in the source as asset `name`.

    GX's own `Batch.validate` loads the batch twice (it gets the batch, then its validator gets it
    again), fingerprinting the frame each time: its validator is given the batch definition here.
    """
    from great_expectations.validator.v1_validator import Validator

    key = (id(source), name)
    if key not in _whole_frames:  # the source is kept with it, so its id is not reused
        definition = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole frame")
        _whole_frames[key] = source, definition
    definition = _whole_frames[key][1]
    validator = Validator(definition, result_format=result_format, batch_parameters={"dataframe": frame})
    return validator.validate_expectation_suite(suite)


_whole_frames: dict[tuple[int, str], tuple[Any, Any]] = {}  # (source, asset) -> its batch definition


# A wide table's catalog metrics by value range: column of its cells -> (low, high, metric codes).
Ranges = dict[str, tuple[float | None, float | None, list[str]]]


def catalog_ranges(catalog: list[Metric], table_name: str) -> Ranges:
    """A wide table's catalog metrics by value range: (low, high, metric codes), keyed by the
    column that holds the cells of that range (see catalog_suite)."""
    by_range: dict[tuple[float | None, float | None], list[str]] = {}
    for metric in catalog:
        if metric.table_name == table_name:
            by_range.setdefault(metric_bounds(metric), []).append(metric.code)
    return {range_column(low, high): (low, high, codes) for (low, high), codes in by_range.items()}


def range_column(low: float | None, high: float | None) -> str:
    """value_0_to_100, value_0_and_up: the cells column of a range."""
    ends = [f"{low:g}" if low is not None else "any", f"to_{high:g}" if high is not None else "and_up"]
    return "_".join(["value", *ends])


def catalog_suite(gx: ModuleType, ranges: Ranges, table_name: str) -> ExpectationSuite | None:
    """Value ranges of a wide table's catalog metrics, checked on its filled cells as rows
    (province_period_id, metric_code, then the value in its range's column, empty in the others):
    one expectation per range, naming its metrics. One expectation per metric column would cost a
    refresh about 4 ms each, for 100 columns; a row condition per range, a pandas query for each
    metric GX computes. None if the catalog gives the table no metric.

    Integrality is checked on fct_report_facts: the wide tables cast counts to bigint.
    """
    if not ranges:
        return None
    suite = gx.ExpectationSuite(name=f"{table_name}{CELLS_SUFFIX}")
    for column, (low, high, codes) in ranges.items():
        suite.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(
            column=column, min_value=low, max_value=high, meta={"metrics": codes},
        ))
    return suite


def metric_bounds(metric: Metric) -> tuple[float | None, float | None]:
    """The catalog's valid_min and valid_max: dbt keeps figures outside them out of the wide
    tables (int_facts_selected.invalid_reason), so a cell outside them is the warehouse's fault."""
    return metric.valid_min, metric.valid_max
