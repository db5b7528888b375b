from pathlib import Path

import dagster as dg

from dagster_project.defs.quality.checks import (
    BLOCKING_RESULTS,
    FINDINGS_RESULTS,
    FINDINGS_TABLES,
    FINDINGS_WRITTEN,
    FOUND,
    quality_dir,
)
from dagster_project.defs.resources import WarehouseResource
from dagster_project.settings import Settings
from dagster_project.storage import connect


def data_docs_dir(settings: Settings) -> Path:
    """Where this build's Data Docs are rendered; publication copies them beside the warehouse."""
    return quality_dir(settings) / "data_docs"


@dg.asset(deps=FINDINGS_TABLES, group_name="quality")
def data_quality_issues(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Figures the sources disagree on (expectations/findings/), one row per finding: as the
    blocking checks' step found them in this run (on a kept build, only where cells changed:
    quality/stage.py), else found here in every cell."""
    from dagster_project.quality import (
        find_inconsistencies,
        load_found,
        save_validations,
        write_quality_issues,
    )

    settings = warehouse.settings
    consistency = load_found(quality_dir(settings) / FOUND, context.run_id)
    with connect(settings.build_path) as con:
        if consistency is None:
            consistency = find_inconsistencies(con)
        written = write_quality_issues(con, [], consistency.findings, consistency.scope)
        total = con.execute("select count(*) from main.data_quality_issues").fetchone()[0]
    save_validations(consistency.validations, quality_dir(settings) / FINDINGS_RESULTS)
    (quality_dir(settings) / FINDINGS_WRITTEN).write_text(context.run_id)
    scope = "every cell" if consistency.scope is None else f"{len(consistency.scope)} province-periods"
    return dg.MaterializeResult(metadata={"findings": total, "found_now": written, "looked_in": scope})


def render_build_docs(settings: Settings) -> tuple[Path, int] | None:
    """Great Expectations Data Docs (static HTML) of this build's blocking checks and findings:
    their index page and how many validations they show; None if neither ran (a selection made in
    the UI). Publication renders them."""
    from dagster_project.quality import load_validations, render_data_docs

    folder = quality_dir(settings)
    saved = [path for path in (folder / BLOCKING_RESULTS, folder / FINDINGS_RESULTS) if path.is_file()]
    if not saved:
        return None
    results = [result for path in saved for result in load_validations(path)]
    return render_data_docs(results, data_docs_dir(settings)), len(results)
