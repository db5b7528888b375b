"""The dbt properties of the wide marts, written from the metric catalog.

A wide mart (`fct_<fact_table>`, macros/wide_mart.sql) has one column per catalog metric of its
fact table: their descriptions follow the catalog row, so a metric added to metric_catalog.csv is
described with no YAML written by hand. The area each fact table covers is the dbt variable
`wide_tables` (dbt_project.yml).

    python -m dagster_project.marts_properties     # `make setup` and the dbt asset run it
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import yaml

from dagster_project.settings import CATALOG_PATH, DBT_PROJECT_DIR

GENERATED_NAME = "_wide_marts__generated.yml"
HEADER = "# Written by dagster_project/marts_properties.py from the metric catalog: do not edit.\n"
UNIT_WORDS = {
    "count": "count",
    "pct": "percent",
    "million_vnd": "million VND (triệu đồng)",
    "points": "points out of 100",
    "rank": "rank out of 63",
}


def generated_path(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "models" / "marts" / GENERATED_NAME


def write_properties(project_dir: Path = DBT_PROJECT_DIR, catalog_path: Path = CATALOG_PATH) -> bool:
    """Write the wide marts' properties; True if the file changed (dbt must parse it again)."""
    text = HEADER + render(wide_tables(project_dir), catalog_rows(catalog_path))
    path = generated_path(project_dir)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def wide_tables(project_dir: Path) -> dict[str, str]:
    """fact_table -> the area it covers, from dbt_project.yml's `wide_tables` variable."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"]["wide_tables"]


def catalog_rows(catalog_path: Path) -> list[dict[str, str]]:
    with catalog_path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def render(areas: dict[str, str], catalog: list[dict[str, str]]) -> str:
    unknown = sorted({row["fact_table"] for row in catalog} - set(areas))
    if unknown:
        raise ValueError(f"metric_catalog.csv: fact_table without a wide mart in dbt_project.yml: {unknown}")
    models = [
        wide_mart(fact_table, area, [row for row in catalog if row["fact_table"] == fact_table])
        for fact_table, area in areas.items()
    ]
    return yaml.safe_dump({"version": 2, "models": models}, allow_unicode=True, sort_keys=False, width=100)


def wide_mart(fact_table: str, area: str, metrics: list[dict[str, str]]) -> dict:
    return {
        "name": f"fct_{fact_table}",
        "description": (
            f"Wide table on {area}: one row per province × period with at least one selected actual"
            f" fact of fact_table '{fact_table}'; one column per catalog metric of that area, holding"
            " the selected value (fct_report_facts.is_selected): the province's scorecard. The same"
            " values, one per row, labelled and with how many sources agree, are fct_metric_values."
            " Columns follow metric_catalog.csv (macros/wide_mart.sql): bigint for count and rank"
            " units, double otherwise."
        ),
        "columns": [
            *KEY_COLUMNS,
            *(metric_column(metric) for metric in metrics),
            *TRAILING_COLUMNS,
        ],
    }


def metric_column(metric: dict[str, str]) -> dict:
    unit = metric["unit"]
    if unit not in UNIT_WORDS:
        raise ValueError(f"metric_catalog.csv: {metric['metric_code']} has unknown unit {unit!r}")
    return {
        "name": metric["metric_code"],
        "description": f"{metric['label_en']} ({metric['label_vi']}); {UNIT_WORDS[unit]}.",
    }


# No dbt tests: each row is a group of fct_report_facts' selected facts by province_id and
# period_id, whose tests (not null, relationships) hold for these columns; the key and the counts
# hold by that construction.
KEY_COLUMNS = (
    {"name": "province_period_id",
     "description": "Key, province_id || '|' || period_id, e.g. \"63-12|2024-year\"."},
    {"name": "province_id",
     "description": "Province unit in force at the end of the period (tỉnh, thành phố), see dim_province."},
    {"name": "province_code", "description": "Two-digit official code (mã tỉnh) of that unit."},
    {"name": "province_name_vi", "description": "Vietnamese name of the unit (tên tỉnh)."},
    {"name": "period_id", "description": "Reporting period (kỳ báo cáo), see dim_period."},
    {"name": "year", "description": "Calendar year of the period (năm)."},
    {"name": "period_code", "description": "year | H1 | 9M | Q1..Q4 | ytd."},
    {"name": "period_start_date", "description": "First day of the period (dim_period.start_date)."},
    {"name": "period_end_date",
     "description": "Last day of the period (dim_period.end_date; 31 Dec for ytd): a chart's time axis."},
    {"name": "period_sort_key",
     "description": "Sorts the periods in time order (dim_period.period_sort_key), e.g. 2023-H1 2023062."},
)
TRAILING_COLUMNS = (
    {"name": "source_document_ids",
     "description": "Comma-separated, sorted, distinct document_ids of the selected facts in the row"
                    " (see dim_document)."},
    {"name": "fact_count", "description": "Number of selected facts in the row (= filled metric columns)."},
    {"name": "conflicting_metrics", "description": "{{ doc('conflicting_metrics') }}"},
)


if __name__ == "__main__":
    changed = write_properties()
    print(f"{generated_path()}: {'written' if changed else 'unchanged'}", file=sys.stderr)
