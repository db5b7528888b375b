import dagster as dg

from dagster_project.defs.resources import WarehouseResource
from dagster_project.settings import EXPECTATIONS_DIR
from dagster_project.storage import connect

# One blocking check per mart that has a suite in expectations/ (file name = table name).
CHECKED_TABLES = sorted(path.stem for path in EXPECTATIONS_DIR.glob("*.json"))
CHECK_NAME = "great_expectations"


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(CHECK_NAME, asset=table, blocking=True,
                          description=f"Great Expectations suite expectations/{table}.json")
        for table in CHECKED_TABLES
    ],
)
def mart_expectations(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Blocking suites: a failure stops the run before anything is published."""
    from dagster_project.quality import run_blocking_checks

    with connect(warehouse.settings.build_path, read_only=True) as con:
        results = run_blocking_checks(con)
    for result in results:
        for failure in result.failures:
            context.log.error(f"{result.table_name}: {failure}")
        yield dg.AssetCheckResult(
            asset_key=result.table_name,
            check_name=CHECK_NAME,
            passed=result.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={**result.observed, "failures": "\n".join(result.failures) or "none"},
        )
