"""Great Expectations suites (JSON files in expectations/) and their validation on pandas frames,
through GX's public API.

expectations/*.json validate the marts (one suite per table), expectations/findings/ the frames
of the consistency rules (rules.py).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from dagster_project.settings import EXPECTATIONS_DIR

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations import ExpectationSuite
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.data_context import EphemeralDataContext

FINDINGS_DIR = EXPECTATIONS_DIR / "findings"
WHOLE_FRAME = "whole frame"  # the one batch definition of each frame asset


def import_gx() -> ModuleType:
    """Import Great Expectations on first use: it takes seconds and must not phone home."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"  # read at import time
    import great_expectations as gx

    return gx


def ephemeral_context(gx: ModuleType) -> EphemeralDataContext:
    """An in-memory context that draws no progress bars (they would fill the refresh's log)."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


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
    data = json.loads(path.read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(**data)
    # GX only logs an expectation it cannot build; a silently shorter suite must not pass.
    if len(suite.expectations) != len(data["expectations"]):
        raise ValueError(f"{path.name}: some expectations could not be built (see the log)")
    return suite


def validate_frame(
    source: Any, name: str, frame: pd.DataFrame, suite: ExpectationSuite, result_format: dict
) -> ExpectationSuiteValidationResult:
    """Validate a suite on a whole pandas frame, registered in the source as asset `name`."""
    definition = _whole_frame(source, name)
    return definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format=result_format
    )


def _whole_frame(source: Any, name: str) -> Any:
    """The batch definition of asset `name`, added to the source on first use (an asset name
    can be added once)."""
    if name not in {asset.name for asset in source.assets}:
        source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(WHOLE_FRAME)
    return source.get_asset(name).get_batch_definition(WHOLE_FRAME)
