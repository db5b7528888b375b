import contextlib
import os
from pathlib import Path

import dagster as dg

from dagster_project.defs.publish.schedules import refresh
from dagster_project.fingerprint import fingerprint
from dagster_project.publication import read_manifest
from dagster_project.settings import load_settings


@dg.sensor(
    job=refresh,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when reports are added, changed or removed; the refresh reads only "
                "what changed. The nightly schedule reconciles everything.",
)
def reports_folder_changed(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = load_settings()
    reports_dir = str(settings.reports_dir)
    if not os.path.isdir(reports_dir):
        return dg.SkipReason(f"reports folder not found: {reports_dir}")
    current = fingerprint(reports_dir)
    if current == (context.cursor or published_fingerprint(settings.warehouse_path)):
        return dg.SensorResult(skip_reason="no report added, changed or removed", cursor=current)
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=current)], cursor=current)


def published_fingerprint(warehouse_path: Path) -> str | None:
    """The reports folder as the published warehouse read it: at start, with no cursor yet, the
    sensor refreshes only if the folder changed since."""
    manifest = warehouse_path.parent / "manifest.json"
    with contextlib.suppress(OSError, ValueError):
        return read_manifest(manifest).get("reports_fingerprint")
    return None
