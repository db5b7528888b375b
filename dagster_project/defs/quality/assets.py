import dagster as dg

from dagster_project.defs.quality.checks import CHECKED_TABLES
from dagster_project.defs.resources import WarehouseResource
from dagster_project.storage import connect


@dg.asset(deps=CHECKED_TABLES, group_name="quality")
def data_quality_issues(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Figures the sources disagree on (parts vs totals, percentages vs their base), flagged."""
    from dagster_project.quality import find_inconsistencies, write_quality_issues

    with connect(warehouse.settings.build_path) as con:
        findings = find_inconsistencies(con)
        written = write_quality_issues(con, [], findings)
    return dg.MaterializeResult(metadata={"findings": written})
