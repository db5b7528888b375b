"""The Dagster definitions load, with the refresh job, its schedule and the quality checks."""

import dagster as dg

from dagster_project.definitions import defs


def test_definitions_load_with_job_schedule_and_checks() -> None:
    definitions = defs()
    job = definitions.resolve_job_def("refresh")
    assert job.name == "refresh"
    schedule = definitions.resolve_schedule_def("nightly_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Asia/Ho_Chi_Minh")
    keys = {key.to_user_string() for key in definitions.resolve_asset_graph().get_all_asset_keys()}
    expected = {
        "raw/documents", "raw/facts", "raw/ingest_errors", "dim_province", "dim_period",
        "dim_metric", "dim_document", "fct_report_facts", "fct_tasks", "fct_procedures",
        "fct_online_services", "fct_budget", "fct_staffing", "fct_reform_index",
        "fct_legal_documents", "ingest_errors", "data_quality_issues", "published_warehouse",
    }
    assert expected <= keys
    check_keys = definitions.resolve_asset_graph().asset_check_keys
    assert dg.AssetCheckKey(dg.AssetKey("fct_tasks"), "great_expectations") in check_keys
