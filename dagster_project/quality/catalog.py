"""Metric catalog: each metric's wide table, unit and valid range, and the memberships the
consistency checks are built from (seeds/reference/NOTES.md, "metric_catalog.csv").

A membership names other metrics by code: the total a part adds up to (`part_of`), the numerator
and alternative bases of a share (`share_numerator`, `share_base`), the shares that add up to 100
(`shares_sum_group`). load_catalog refuses a catalog whose memberships cannot be checked, rather
than leaving a check silently out.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from dagster_project.settings import CATALOG_PATH

BASE_SEPARATOR = "|"  # between alternative bases of a share
TERM_SEPARATOR = "+"  # between the metrics a base adds up
BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class Metric:
    code: str
    table_name: str  # the wide mart, e.g. fct_budget
    unit: str  # count | pct | million_vnd | points | rank
    valid_min: float | None = None  # the values the metric can take; None leaves that side open
    valid_max: float | None = None
    part_of: str | None = None  # the total this metric is one part of
    breakdown: str | None = None  # of a total with parts: the name of the check adding them up
    share_numerator: str | None = None  # of a share: the count or amount it is a percentage of...
    share_bases: tuple[tuple[str, ...], ...] = ()  # ...over one of these bases, each a sum of metrics
    shares_sum_group: str | None = None  # shares of one whole, which add up to 100
    additive: bool = False  # adds up across provinces (counts of events, money; no shares, ranks)


def load_catalog(path: Path = CATALOG_PATH) -> list[Metric]:
    """The catalog's metrics, in its row order; a ValueError naming every row it cannot use."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    problems = [
        f"{row['metric_code']}: additive must be true or false, not {row.get('additive')!r}"
        for row in rows if _text(row.get("additive")) not in BOOLEANS
    ]
    catalog = [] if problems else [_metric(row) for row in rows]
    problems += membership_problems(catalog)
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return catalog


def _metric(row: dict[str, str]) -> Metric:
    return Metric(
        row["metric_code"], f"fct_{row['fact_table']}", row["unit"],
        _bound(row.get("valid_min")), _bound(row.get("valid_max")),
        part_of=_text(row.get("part_of")),
        breakdown=_text(row.get("breakdown")),
        share_numerator=_text(row.get("share_numerator")),
        share_bases=_bases(row.get("share_base")),
        shares_sum_group=_text(row.get("shares_sum_group")),
        additive=BOOLEANS[_text(row["additive"])],
    )


def membership_problems(catalog: list[Metric]) -> list[str]:
    """What keeps a membership from being checked: a metric it names that is not in the catalog
    or not in the member's wide table (a check reads one table), a total without the name of its
    check or a name without parts, a share without both numerator and base, a share of a group
    without a numerator, a group over two tables."""
    tables = {metric.code: metric.table_name for metric in catalog}
    totals = {metric.part_of for metric in catalog if metric.part_of}
    group_tables: dict[str, set[str]] = {}
    problems = []
    for metric in catalog:
        named = [metric.part_of, metric.share_numerator, *(c for base in metric.share_bases for c in base)]
        problems += [
            f"{metric.code} names {code}, which is not a metric of {metric.table_name}"
            for code in named if code and tables.get(code) != metric.table_name
        ]
        if (metric.code in totals) != bool(metric.breakdown):
            problems.append(f"{metric.code} needs both parts and a breakdown name, or neither")
        if bool(metric.share_numerator) != bool(metric.share_bases):
            problems.append(f"{metric.code} needs both share_numerator and share_base, or neither")
        if metric.shares_sum_group:
            group_tables.setdefault(metric.shares_sum_group, set()).add(metric.table_name)
            if not metric.share_numerator:
                problems.append(f"{metric.code} is in a shares_sum_group without a share_numerator")
    problems += [
        f"shares_sum_group {group} spans {', '.join(sorted(spanned))}"
        for group, spanned in group_tables.items() if len(spanned) > 1
    ]
    return problems


def _text(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def _bound(text: str | None) -> float | None:
    return float(text) if _text(text) else None


def _bases(text: str | None) -> tuple[tuple[str, ...], ...]:
    """'a|b+c' -> (('a',), ('b', 'c')): a over a, or a over b + c."""
    if not _text(text):
        return ()
    return tuple(
        tuple(term.strip() for term in base.split(TERM_SEPARATOR)) for base in text.split(BASE_SEPARATOR)
    )
