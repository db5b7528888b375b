"""Great Expectations Data Docs: a static HTML site of one refresh's validation results.

The results of the blocking checks and of the findings are made in two Dagster steps; each step
saves its results as JSON (save_validations) and publication renders them all while it stages
the build.
GX's page templates load their styles and scripts from public CDNs; the site carries copies of
them (offline_assets/, fetched by its fetch.sh) and its pages point at those, so they render where
there is no network, as in a provincial office.
"""

from __future__ import annotations

import json
import os
import re
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
OFFLINE_ASSETS = Path(__file__).with_name("offline_assets")
SITE_ASSETS = Path("static") / "offline"
# Every CDN address in the page templates of great-expectations 1.24, and the copy that replaces it.
OFFLINE_COPIES = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table/bootstrap-table-filter-control.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker/bootstrap-datepicker.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark/bootstrap-prefers-dark.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "fontawesome/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega/vega-embed.min.js",
}
# GX's logo, from its web-assets bucket (a query string may follow); the site has a copy of its own.
GX_LOGO = re.compile(r"https://great-expectations-web-assets\.s3\.[^'\")?]+\.png(\?[^'\")]*)?")
SITE_LOGO = Path("static") / "images" / "logo-long.png"
# Subresource integrity and CORS mode: meant for the CDN; a browser refuses a file:// page's
# copies that carry them.
CDN_ATTRIBUTES = re.compile(r'\s+(integrity="[^"]*"|crossorigin="[^"]*")')


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
    _serve_offline(directory)
    # GX logs a page it cannot render and goes on; a silently shorter site must not pass.
    pages = list((directory / "validations").glob("**/*.html"))
    if len(pages) != len(results):
        raise RuntimeError(f"Data Docs: {len(results) - len(pages)} result pages not rendered (see the log)")
    return directory / "index.html"


def _serve_offline(site: Path) -> None:
    """Point every page of the site at copies in the site instead of CDNs (see OFFLINE_COPIES)."""
    shutil.copytree(OFFLINE_ASSETS, site / SITE_ASSETS,
                    ignore=shutil.ignore_patterns("fetch.sh", "SHA256SUMS"))
    for page in site.rglob("*.html"):
        to_site = Path(os.path.relpath(site, page.parent))
        html = page.read_text(encoding="utf-8")
        for address, copy in OFFLINE_COPIES.items():
            html = html.replace(f'"{address}"', f'"{(to_site / SITE_ASSETS / copy).as_posix()}"')
        html = GX_LOGO.sub((to_site / SITE_LOGO).as_posix(), html)
        page.write_text(CDN_ATTRIBUTES.sub("", html), encoding="utf-8")


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
