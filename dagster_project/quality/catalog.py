"""Metric catalog: which typed column each wide table has, and in which unit."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from dagster_project.settings import CATALOG_PATH


@dataclass(frozen=True)
class Metric:
    code: str
    table_name: str  # the wide mart, e.g. fct_budget
    unit: str  # count | pct | million_vnd | points | rank
    valid_min: float | None = None  # the values the metric can take; None leaves that side open
    valid_max: float | None = None


def load_catalog(path: Path = CATALOG_PATH) -> list[Metric]:
    with path.open(encoding="utf-8", newline="") as file:
        return [
            Metric(row["metric_code"], f"fct_{row['fact_table']}", row["unit"],
                   _bound(row.get("valid_min")), _bound(row.get("valid_max")))
            for row in csv.DictReader(file)
        ]


def _bound(text: str | None) -> float | None:
    return float(text) if text and text.strip() else None
