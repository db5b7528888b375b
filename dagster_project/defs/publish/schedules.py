import dagster as dg

from dagster_project.defs.reports.assets import FULL_REFRESH_TAG

refresh = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,  # one DuckDB writer at a time
    description="Ingest, extract, build, check and publish the whole warehouse.",
)

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags={FULL_REFRESH_TAG: "true"},  # reconcile: read and extract every file again
)
