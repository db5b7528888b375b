"""Great Expectations Data Docs: a static HTML site of one refresh's validation results.

The results of the blocking checks and of the findings are made in two Dagster steps; each step
saves its results as JSON (save_validations) and publication renders them all while it stages
the build.
The pages load their styles from public CDNs; without a network they show unstyled.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_project.quality.suites import ephemeral_context, import_gx

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult

SITE_NAME = "cchc"
RUN_NAME = "refresh"


def render_data_docs(results: Sequence[ExpectationSuiteValidationResult], directory: Path) -> Path:
    """Write the site for these results into `directory` (replaced if present); return index.html."""
    gx = import_gx()
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    shutil.rmtree(directory, ignore_errors=True)
    context = ephemeral_context(gx)
    context.add_data_docs_site(
        SITE_NAME,
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(directory),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    run_id = RunIdentifier(run_name=RUN_NAME, run_time=datetime.now(UTC))
    for result in results:
        asset = result.meta["active_batch_definition"]["data_asset_name"]
        # What the page renderer reads for its title and run line.
        result.meta.update(run_id=run_id, batch_kwargs={"data_asset_name": asset})
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
            run_id=run_id,
            batch_identifier=asset,
        )
        context.validation_results_store.set(key, result)
    context.build_data_docs(site_names=[SITE_NAME])
    # GX logs a page it cannot render and goes on; a silently shorter site must not pass.
    pages = list((directory / "validations").glob("**/*.html"))
    if len(pages) != len(results):
        raise RuntimeError(f"Data Docs: {len(results) - len(pages)} result pages not rendered (see the log)")
    return directory / "index.html"


def save_validations(results: Sequence[ExpectationSuiteValidationResult], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([result.to_json_dict() for result in results]), encoding="utf-8")


def load_validations(path: Path) -> list[ExpectationSuiteValidationResult]:
    import_gx()
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResultSchema,
    )

    schema = ExpectationSuiteValidationResultSchema()
    return [schema.load(item) for item in json.loads(path.read_text(encoding="utf-8"))]
