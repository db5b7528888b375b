from pathlib import Path

import dagster as dg

from dagster_project.defs.resources import WarehouseResource
from dagster_project.quality.blocking import MART_CHECK
from dagster_project.quality.catalog import load_catalog
from dagster_project.settings import EXPECTATIONS_DIR, Settings

# One blocking check per mart that has a suite in expectations/ (file name = table name).
CHECKED_TABLES = sorted(path.stem for path in EXPECTATIONS_DIR.glob("*.json"))
# What the findings read: the long fact table and the catalog's wide tables.
FINDINGS_TABLES = sorted({"fct_report_facts", *(metric.table_name for metric in load_catalog())})
BLOCKING_RESULTS = "blocking.json"
FOUND = "findings.pickle"  # found with the blocking checks, written by data_quality_issues
FINDINGS_RESULTS = "findings.json"
# Written once data_quality_issues holds a refresh's findings: the next may look only where it changed.
FINDINGS_WRITTEN = "findings.written"


def quality_dir(settings: Settings) -> Path:
    """This build's GX artefacts: validation results handed from step to step, and Data Docs."""
    return settings.build_dir / f"{settings.warehouse_path.stem}.quality"


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(MART_CHECK, asset=table, blocking=True,
                          description=f"Great Expectations suite expectations/{table}.json")
        for table in CHECKED_TABLES
    ],
)
def blocking_expectations(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Blocking suites: a failure stops the run before anything is published. The findings are
    found in the same reading of the build (quality/stage.py) and written by data_quality_issues."""
    from dagster_project.quality import check_build, save_found, save_validations

    folder = quality_dir(warehouse.settings)
    scoped = (folder / FINDINGS_WRITTEN).is_file()
    (folder / FINDINGS_WRITTEN).unlink(missing_ok=True)
    results, consistency = check_build(warehouse.settings.build_path, scoped)  # and the findings
    save_found(consistency, folder / FOUND, context.run.run_id)
    validations = [validation for result in results for validation in result.validations]
    save_validations(validations, folder / BLOCKING_RESULTS)
    for result in results:
        for failure in result.failures:
            context.log.error(f"{result.table_name} {result.check_name}: {failure}")
        yield dg.AssetCheckResult(
            asset_key=result.table_name,
            check_name=result.check_name,
            passed=result.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={**result.observed, "failures": "\n".join(result.failures) or "none"},
        )
