import hashlib
import os

import dagster as dg

from dagster_project.defs.publish.schedules import refresh
from dagster_project.settings import load_settings


def folder_fingerprint(reports_dir: str) -> str:
    """Changes when a file is added, removed, or written to (its size or modification time)."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(reports_dir):
        dirs.sort()
        for name in sorted(files):
            stat = os.stat(os.path.join(root, name))
            digest.update(f"{os.path.join(root, name)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


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
    fingerprint = folder_fingerprint(reports_dir)
    if fingerprint == context.cursor:
        return dg.SkipReason("no report added, changed or removed")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=fingerprint)], cursor=fingerprint)
