import os

import dagster as dg

from dagster_project.defs.publish.schedules import refresh
from dagster_project.fingerprint import fingerprint
from dagster_project.settings import load_settings


@dg.sensor(
    job=refresh,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when reports are added, changed or removed; the refresh reads only "
                "what changed. The nightly schedule reconciles everything.",
)
def reports_folder_changed(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    reports_dir = str(load_settings().reports_dir)
    if not os.path.isdir(reports_dir):
        return dg.SkipReason(f"reports folder not found: {reports_dir}")
    current = fingerprint(reports_dir)
    if current == context.cursor:
        return dg.SkipReason("no report added, changed or removed")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=current)], cursor=current)
