"""Consistency findings: places where the reports disagree with themselves.

Each rule reads one wide mart; every finding quotes the selected source sentences
(fct_report_facts) for the metrics it involves, so a reader can see both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from dagster_project.quality.issues import Finding, issue_id, utc_now

if TYPE_CHECKING:
    from collections.abc import Iterable

    import duckdb

FLOAT_NOISE = 1e-9
Row = dict[str, float | None]


@dataclass(frozen=True)
class SumRule:
    """Parts that must add up to a total."""

    name: str
    table_name: str
    label: str
    total: str
    parts: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.total, *self.parts)

    def check(self, row: Row) -> Problem | None:
        return check_sum(self, row)


@dataclass(frozen=True)
class Base:
    """One way to recompute a reported share: numerator / sum of denominator columns."""

    label: str
    numerator: str
    denominator: tuple[str, ...]


@dataclass(frozen=True)
class ShareRule:
    """A reported percentage that must match one of its bases."""

    name: str
    table_name: str
    share: str
    bases: tuple[Base, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return _unique((self.share, *_base_columns(self.bases)))

    def check(self, row: Row) -> Problem | None:
        return check_share(self, row)


@dataclass(frozen=True)
class Problem:
    """What a rule found in one province x period row, before provenance is attached."""

    check_name: str
    metrics: tuple[str, ...]
    expected_value: float
    observed_value: float
    message: str


SUM_RULES = (
    SumRule(
        "procedures_by_level",
        "fct_procedures",
        "procedures by level (province + district + commune)",
        "procedures_total",
        ("procedures_province_level", "procedures_district_level", "procedures_commune_level"),
    ),
    SumRule(
        "tasks_by_status",
        "fct_tasks",
        "assigned tasks by status (on time + late + in progress + overdue)",
        "gov_tasks_assigned",
        (
            "gov_tasks_completed_on_time",
            "gov_tasks_completed_late",
            "gov_tasks_in_progress",
            "gov_tasks_overdue",
        ),
    ),
)

SHARE_RULES = (
    ShareRule(
        "state_revenue_pct_of_plan",
        "fct_budget",
        "state_revenue_pct_of_plan",
        (
            Base(
                "revenue / plan",
                "state_revenue_million_vnd",
                ("state_revenue_plan_million_vnd",),
            ),
        ),
    ),
    ShareRule(
        "public_investment_disbursed_pct",
        "fct_budget",
        "public_investment_disbursed_pct",
        (
            Base(
                "disbursed / plan",
                "public_investment_disbursed_million_vnd",
                ("public_investment_plan_million_vnd",),
            ),
        ),
    ),
    # Reports use either base for the on-time rate; either one matching is consistent.
    ShareRule(
        "gov_tasks_completed_on_time_pct",
        "fct_tasks",
        "gov_tasks_completed_on_time_pct",
        (
            Base("on time / assigned", "gov_tasks_completed_on_time", ("gov_tasks_assigned",)),
            Base(
                "on time / (on time + late)",
                "gov_tasks_completed_on_time",
                ("gov_tasks_completed_on_time", "gov_tasks_completed_late"),
            ),
        ),
    ),
)


def find_inconsistencies(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    detected_at = utc_now()
    evidence = _selected_facts(con)
    findings = []
    for rule in (*SUM_RULES, *SHARE_RULES):
        for province_period_id, row in _read_rows(con, rule.table_name, rule.columns):
            problem = rule.check(row)
            if problem:
                finding = _to_finding(
                    problem, rule.table_name, province_period_id, row, evidence, detected_at
                )
                findings.append(finding)
    return findings


def check_sum(rule: SumRule, row: Row) -> Problem | None:
    """Parts above the total, or all parts stated and not adding up, contradict the total.

    Parts short of the total with some part unstated is an incomplete breakdown; it needs at
    least two stated parts, since one part alone ("of which 1,612 at province level") is a
    subset, not a breakdown.
    """
    total = row[rule.total]
    stated = [part for part in rule.parts if row[part] is not None]
    if total is None or not stated:
        return None
    parts_sum = sum(row[part] for part in stated)
    missing = [part for part in rule.parts if part not in stated]
    addition = f"{' + '.join(_fmt(row[part]) for part in stated)} = {_fmt(parts_sum)}"
    if parts_sum > total + FLOAT_NOISE:
        kind, text = "contradiction", f"exceeds {rule.total} = {_fmt(total)}"
    elif not missing and abs(parts_sum - total) > FLOAT_NOISE:
        kind, text = "contradiction", f"differs from {rule.total} = {_fmt(total)}"
    elif missing and len(stated) >= 2 and parts_sum < total - FLOAT_NOISE:
        kind = "incomplete_breakdown"
        text = f"falls short of {rule.total} = {_fmt(total)}; not stated: {', '.join(missing)}"
    else:
        return None
    heading = kind.replace("_", " ").capitalize()
    return Problem(
        check_name=f"{rule.name}_{kind}",
        metrics=(rule.total, *stated),
        expected_value=total,
        observed_value=parts_sum,
        message=f"{heading}: {rule.label}: {addition} {text}.",
    )


def check_share(rule: ShareRule, row: Row) -> Problem | None:
    """The reported share must equal a base within the rounding of its stated precision."""
    reported = row[rule.share]
    if reported is None:
        return None
    recomputed = {
        base: share for base in rule.bases if (share := _recompute(base, row)) is not None
    }
    if not recomputed:
        return None
    tolerance = rounding_tolerance(reported)
    if any(abs(reported - share) <= tolerance for share in recomputed.values()):
        return None
    closest = min(recomputed, key=lambda base: abs(reported - recomputed[base]))
    workings = "; ".join(
        f"{base.label}: {_fmt(row[base.numerator])} / "
        f"{_fmt(sum(row[c] for c in base.denominator))} = {share:.2f}%"
        for base, share in recomputed.items()
    )
    return Problem(
        check_name=f"{rule.name}_mismatch",
        metrics=_unique((rule.share, *_base_columns(recomputed))),
        expected_value=round(recomputed[closest], 6),
        observed_value=reported,
        message=(
            f"Contradiction: {rule.share} is reported as {_fmt(reported)}% but {workings}"
            f" (tolerance ±{tolerance:.3g} pp for the stated precision)."
        ),
    )


def rounding_tolerance(reported: float) -> float:
    """Half a unit of the last stated decimal, plus float noise.

    >>> round(rounding_tolerance(90.79), 6), round(rounding_tolerance(97.3), 6)
    (0.005, 0.05)
    >>> round(rounding_tolerance(100.0), 6)
    0.5
    """
    exponent = Decimal(repr(reported)).normalize().as_tuple().exponent
    return 0.5 * 10.0 ** min(int(exponent), 0) + FLOAT_NOISE


def _recompute(base: Base, row: Row) -> float | None:
    values = [row[column] for column in (base.numerator, *base.denominator)]
    if any(value is None for value in values):
        return None
    denominator = sum(values[1:])
    return None if denominator == 0 else 100 * values[0] / denominator


def _base_columns(bases: Iterable[Base]) -> tuple[str, ...]:
    return tuple(column for base in bases for column in (base.numerator, *base.denominator))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _read_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]
) -> list[tuple[str, Row]]:
    """Rows of a wide mart as floats; none when a column is absent (the blocking suite says so)."""
    present = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'main' and table_name = ?",
            [table],
        ).fetchall()
    }
    if not set(columns) <= present:
        return []
    selected = ", ".join(f'cast("{column}" as double)' for column in columns)
    records = con.execute(
        f'select province_period_id, {selected} from main."{table}" order by province_period_id'
    ).fetchall()
    return [(record[0], dict(zip(columns, record[1:], strict=True))) for record in records]


def _selected_facts(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(province_period_id, metric_code) -> [(document_id, evidence)] of the selected facts."""
    records = con.execute(
        "select province_id || '|' || period_id, metric_code, document_id, evidence "
        "from main.fct_report_facts where is_selected order by fact_id"
    ).fetchall()
    facts: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for province_period_id, metric_code, document_id, evidence in records:
        facts.setdefault((province_period_id, metric_code), []).append((document_id, evidence))
    return facts


def _to_finding(
    problem: Problem,
    table: str,
    province_period_id: str,
    row: Row,
    facts: dict[tuple[str, str], list[tuple[str, str]]],
    detected_at: datetime,
) -> Finding:
    province_id, _, period_id = province_period_id.partition("|")
    sources = [
        fact for metric in problem.metrics for fact in facts.get((province_period_id, metric), [])
    ]
    return Finding(
        issue_id=issue_id(problem.check_name, table, province_period_id),
        check_name=problem.check_name,
        severity="finding",
        table_name=table,
        province_id=province_id,
        province_code=province_id.partition("-")[2],
        period_id=period_id,
        metric_codes=",".join(problem.metrics),
        observed_values="; ".join(f"{metric}={_fmt(row[metric])}" for metric in problem.metrics),
        expected_value=problem.expected_value,
        observed_value=problem.observed_value,
        message=problem.message,
        document_ids=",".join(_unique(document_id for document_id, _ in sources)) or None,
        evidence=" | ".join(_unique(sentence for _, sentence in sources)) or None,
        detected_at=detected_at,
    )


def _fmt(value: float) -> str:
    """Whole numbers without '.0', others as stated: 2046, 90.79."""
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"
