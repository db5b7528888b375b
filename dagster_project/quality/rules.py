"""Consistency rules: the frames the findings suites in expectations/findings/ validate.

A rule turns published figures into one row per comparison, with the columns its suite compares
(gap, deviation and tolerance, factor), and words a row the suite rejects as a Problem. The
arithmetic is here; what counts as consistent is the suite's. A frame is indexed by what its rows
are about (a province-period, a fact). Which metrics a rule compares is the metric catalog's
(catalog_rules): a metric joins a check by its catalog row alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import duckdb

    from dagster_project.quality.catalog import Metric

FLOAT_NOISE = 1e-9
SUBJECT = "subject"  # the index of every frame; GX names unexpected rows by it
OFFICIAL_TABLES = {"ref_par_index": "PAR INDEX", "ref_sipas": "SIPAS"}  # document_id -> name


@dataclass(frozen=True)
class Problem:
    """What a rule found in one frame row, before the source sentences are attached."""

    check_name: str
    table_name: str
    province_id: str
    period_id: str
    subject: str  # the frame row's index: keeps the issue id stable across refreshes
    metrics: tuple[str, ...]
    observed_values: str  # 'metric=value; ...'
    expected_value: float
    observed_value: float
    message: str
    fact_ids: tuple[str, ...]  # the facts quoted as evidence
    severity: str = "finding"  # "error": a figure the source cannot mean


class Rule(Protocol):
    suite: str  # its file in expectations/findings/
    name: str

    def frame(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame: ...

    def problem(self, row: pd.Series, kind: str) -> Problem: ...


@dataclass(frozen=True)
class Base:
    """One way to recompute a reported share: numerator / sum of denominator columns."""

    numerator: str
    denominator: tuple[str, ...]

    @property
    def label(self) -> str:
        """'a / b', 'a / (a + b)'."""
        denominator = " + ".join(self.denominator)
        return f"{self.numerator} / {denominator if len(self.denominator) == 1 else f'({denominator})'}"

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.numerator, *self.denominator)

    def share(self, frame: pd.DataFrame) -> pd.Series:
        """Percentage per row; missing where a figure is missing or the base is zero."""
        denominator = sum(frame[column] for column in self.denominator)
        return 100 * frame[self.numerator] / denominator.where(denominator != 0)


@dataclass(frozen=True)
class SumRule:
    """Parts that must add up to a total.

    Parts above the total contradict it; so do all parts stated and not adding up. Parts short
    of the total with some part unstated are an incomplete breakdown, which needs two stated
    parts: one part alone ("of which 1,612 at province level") is a subset, not a breakdown.
    """

    suite: ClassVar[str] = "parts_against_total"
    name: str
    table_name: str
    total: str
    parts: tuple[str, ...]

    def frame(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        frame = read_wide(con, self.table_name, (self.total, *self.parts))
        parts = frame[list(self.parts)]
        stated = parts.notna().sum(axis=1)
        frame["parts_sum"] = parts.sum(axis=1)
        frame["gap"] = frame[self.total] - frame["parts_sum"]
        frame["breakdown"] = np.select(
            [stated == len(self.parts), stated >= 2], ["full", "partial"], "subset"
        )
        return frame[frame[self.total].notna() & (stated > 0)]

    def problem(self, row: pd.Series, kind: str) -> Problem:
        stated = [part for part in self.parts if pd.notna(row[part])]
        unstated = [part for part in self.parts if part not in stated]
        total = f"{self.total} = {fmt(row[self.total])}"
        if row["gap"] < 0:
            text = f"exceeds {total}"
        elif kind == "contradiction":
            text = f"differs from {total}"
        else:
            text = f"falls short of {total}; not stated: {', '.join(unstated)}"
        addition = (f"{' + '.join(stated)} = {' + '.join(fmt(row[part]) for part in stated)}"
                    f" = {fmt(row['parts_sum'])}")
        heading = kind.replace("_", " ").capitalize()
        return wide_problem(
            f"{self.name}_{kind}",
            self.table_name,
            row,
            (self.total, *stated),
            expected=row[self.total],
            observed=row["parts_sum"],
            message=f"{heading}: {self.name}: {addition} {text}.",
        )


@dataclass(frozen=True)
class ShareRule:
    """A reported percentage that must match one of its bases within its stated precision."""

    suite: ClassVar[str] = "share_against_base"
    share: str
    table_name: str
    bases: tuple[Base, ...]

    @property
    def name(self) -> str:
        return self.share

    def frame(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        columns = unique((self.share, *(c for base in self.bases for c in base.columns)))
        frame = read_wide(con, self.table_name, columns)
        for base in self.bases:
            frame[base.label] = base.share(frame)
        recomputed = frame[[base.label for base in self.bases]]
        frame["deviation"] = recomputed.sub(frame[self.share], axis=0).abs().min(axis=1)
        frame = frame[frame["deviation"].notna()].copy()
        frame["tolerance"] = tolerances(frame[self.share])
        return frame

    def problem(self, row: pd.Series, kind: str) -> Problem:
        reported = row[self.share]
        recomputed = {base: row[base.label] for base in self.bases if pd.notna(row[base.label])}
        closest = min(recomputed, key=lambda base: abs(reported - recomputed[base]))
        workings = "; ".join(
            f"{base.label}: {fmt(row[base.numerator])} / "
            f"{fmt(sum(row[c] for c in base.denominator))} = {share:.2f}%"
            for base, share in recomputed.items()
        )
        return wide_problem(
            f"{self.name}_{kind}",
            self.table_name,
            row,
            unique((self.share, *(c for base in recomputed for c in base.columns))),
            expected=round(recomputed[closest], 6),
            observed=reported,
            message=(
                f"Contradiction: {self.share} is reported as {fmt(reported)}% but {workings}"
                f" (tolerance ±{row['tolerance']:.3g} pp for the stated precision)."
            ),
        )


@dataclass(frozen=True)
class SharesSumRule:
    """Shares of one base that split it, as on time and late split the completed tasks.

    They add up to 100 when the first share is of the whole they split (`whole`: the sum of their
    numerators, worked out from the counts as the share check does); of a larger base (all
    assigned tasks) or of an unknown one they add up to at most 100. Each share may be off by the
    rounding of its precision.
    """

    suite: ClassVar[str] = "shares_add_up"
    name: str
    table_name: str
    shares: tuple[str, ...]
    whole: Base

    def frame(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        frame = read_wide(con, self.table_name, unique((*self.shares, *self.whole.columns)))
        frame = frame[frame[list(self.shares)].notna().all(axis=1)].copy()
        first = frame[self.shares[0]]
        frame["share_sum"] = frame[list(self.shares)].sum(axis=1)
        frame["excess"] = frame["share_sum"] - 100
        frame["deviation"] = frame["excess"].abs()
        frame["tolerance"] = sum(tolerances(frame[share]) for share in self.shares)
        frame["share_of_whole"] = self.whole.share(frame)
        frame["splits_whole"] = (frame["share_of_whole"] - first).abs() <= tolerances(first)
        return frame

    def problem(self, row: pd.Series, kind: str) -> Problem:
        addition = (
            f"{' + '.join(self.shares)} = {' + '.join(fmt(row[s]) for s in self.shares)}"
            f" = {fmt(row['share_sum'])}%"
        )
        if row["splits_whole"]:
            whole = f"{self.whole.label} = {row['share_of_whole']:.2f}%"
            text = f"but {self.shares[0]} is a share of {whole}, so they add up to 100"
        else:
            text = "more than 100"
        return wide_problem(
            f"{self.name}_{kind}",
            self.table_name,
            row,
            unique((*self.shares, *(c for c in self.whole.columns if pd.notna(row[c])))),
            expected=100,
            observed=row["share_sum"],
            message=(
                f"Contradiction: {addition}, {text}"
                f" (tolerance ±{row['tolerance']:.3g} pp for the stated precisions)."
            ),
        )


@dataclass(frozen=True)
class OfficialTableRule:
    """A figure a report states against the official table (PAR INDEX, SIPAS) for the same
    province, year and metric. Every exact actual fact is compared, selected or not: the table
    wins the selection. A qualified figure ("hơn", "khoảng") is a bound, not a restatement."""

    suite: ClassVar[str] = "report_against_official"
    name: str = "report_vs_official_table"
    table_name: str = "fct_report_facts"

    def frame(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        frame = con.execute(
            """
            select report.fact_id, official.fact_id as official_fact_id, report.province_id,
                report.period_id, report.metric_code, report.document_id,
                official.document_id as official_document_id,
                report.value as stated_value, official.value as official_value
            from main.fct_report_facts as report
            join main.fct_report_facts as official
                on report.province_id = official.province_id
                and report.period_id = official.period_id
                and report.metric_code = official.metric_code
            where list_contains($official, official.document_id)
                and not list_contains($official, report.document_id)
                and report.fact_kind = 'actual' and report.qualifier = 'exact'
            order by report.fact_id
            """,
            {"official": list(OFFICIAL_TABLES)},
        ).df().set_index("fact_id", drop=False).rename_axis(SUBJECT)
        frame["deviation"] = (frame["stated_value"] - frame["official_value"]).abs()
        frame["tolerance"] = np.maximum(
            tolerances(frame["stated_value"]), tolerances(frame["official_value"])
        )
        return frame

    def problem(self, row: pd.Series, kind: str) -> Problem:
        metric, stated, official = row["metric_code"], row["stated_value"], row["official_value"]
        table = OFFICIAL_TABLES[row["official_document_id"]]
        return Problem(
            check_name=f"{self.name}_{kind}",
            table_name=self.table_name,
            province_id=row["province_id"],
            period_id=row["period_id"],
            subject=row.name,
            metrics=(metric,),
            observed_values=(
                f"{metric}={fmt(stated)} ({row['document_id']});"
                f" {metric}={fmt(official)} ({row['official_document_id']})"
            ),
            expected_value=official,
            observed_value=stated,
            message=(
                f"Contradiction: the report states {metric} = {fmt(stated)} but the official"
                f" {table} table has {fmt(official)}"
                f" (tolerance ±{row['tolerance']:.3g} for the stated precision)."
            ),
            fact_ids=(row["fact_id"], row["official_fact_id"]),
        )


@dataclass(frozen=True)
class YearOverYearRule:
    """A published count or amount against the same province, metric and period a year before.

    A change from or to zero has no factor and is left out.
    """

    suite: ClassVar[str] = "year_over_year"
    name: str = "year_over_year"
    units: tuple[str, ...] = ("count", "million_vnd")

    def frame(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        return con.execute(
            """
            with facts as (
                select fact_id, fact_table, province_id, period_id, period_code, year, metric_code, value
                from main.fct_report_facts
                where is_selected and province_id is not null and list_contains($units, unit)
                    and value > 0
            )
            select this_year.fact_id, last_year.fact_id as previous_fact_id,
                'fct_' || this_year.fact_table as table_name, this_year.province_id,
                this_year.period_id, last_year.period_id as previous_period_id,
                this_year.metric_code, last_year.value as previous_value, this_year.value,
                greatest(this_year.value / last_year.value, last_year.value / this_year.value)
                    as factor
            from facts as this_year
            join facts as last_year
                on this_year.province_id = last_year.province_id
                and this_year.metric_code = last_year.metric_code
                and this_year.period_code = last_year.period_code
                and this_year.year = last_year.year + 1
            order by this_year.fact_id
            """,
            {"units": list(self.units)},
        ).df().set_index("fact_id", drop=False).rename_axis(SUBJECT)

    def problem(self, row: pd.Series, kind: str) -> Problem:
        metric, before, now = row["metric_code"], row["previous_value"], row["value"]
        return fact_problem(
            f"{self.name}_{kind}",
            row,
            observed_values=(
                f"{metric} {row['previous_period_id']}={fmt(before)};"
                f" {metric} {row['period_id']}={fmt(now)}"
            ),
            expected_value=before,
            observed_value=now,
            message=(
                f"Implausible jump: {metric} is {fmt(before)} in {row['previous_period_id']} and"
                f" {fmt(now)} in {row['period_id']}, a factor of {row['factor']:.1f}."
            ),
            fact_ids=(row["previous_fact_id"], row["fact_id"]),
        )


@dataclass(frozen=True)
class SelfContradictionRule:
    """One document stating one province's figure for one period twice, exactly, with two values
    ("1.796 TTHC" in its summary, "1.769 TTHC" in its body). A qualified figure ("khoảng", "hơn")
    is a bound, not a restatement."""

    suite: ClassVar[str] = "document_against_itself"
    name: str = "document_self_contradiction"

    def frame(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        frame = con.execute(
            """
            with stated as (
                select fact_id, document_id, province_id, period_id, metric_code, fact_table, value
                from main.fct_report_facts
                where fact_kind = 'actual' and qualifier = 'exact' and invalid_reason is null
                    and province_id is not null
            ),

            -- the few cells stated twice first: listing every cell's facts takes hundreds of MB
            twice as (
                select document_id, province_id, period_id, metric_code
                from stated
                group by document_id, province_id, period_id, metric_code
                having count(*) > 1
            )

            select document_id || '|' || province_id || '|' || period_id || '|' || metric_code
                    as subject,
                document_id, 'fct_' || any_value(fact_table) as table_name, province_id, period_id,
                metric_code, min(value) as low, max(value) as high,
                list(fact_id order by value, fact_id) as fact_ids
            from stated
            semi join twice using (document_id, province_id, period_id, metric_code)
            group by document_id, province_id, period_id, metric_code
            order by subject
            """
        ).df().set_index(SUBJECT)
        frame["deviation"] = frame["high"] - frame["low"]
        frame["tolerance"] = np.maximum(tolerances(frame["low"]), tolerances(frame["high"]))
        return frame

    def problem(self, row: pd.Series, kind: str) -> Problem:
        metric, low, high = row["metric_code"], row["low"], row["high"]
        return fact_problem(
            f"{self.name}_{kind}",
            row,
            observed_values=f"{metric}={fmt(low)}; {metric}={fmt(high)} ({row['document_id']})",
            expected_value=low,
            observed_value=high,
            message=(f"Contradiction within one document: {metric} is stated as {fmt(low)} and as"
                     f" {fmt(high)} for {row['period_id']}."),
            fact_ids=tuple(row["fact_ids"]),
        )


# Labels a frame of every fact holds, as categories: few distinct values in many rows.
FACT_LABELS = dict.fromkeys(("province_id", "period_id", "invalid_reason"), "category")


@dataclass(frozen=True)
class InvalidFigureRule:
    """A figure its metric cannot take (a share above 100, a rank beyond the provinces): dbt
    marks it (fct_report_facts.invalid_reason, from the catalog's valid_min and valid_max) and
    keeps it out of the wide tables; the source's error is reported here, and the refresh goes on."""

    suite: ClassVar[str] = "valid_figures"
    name: str = "invalid_figure"
    table_name: str = "fct_report_facts"

    def frame(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        """Every fact, by id, with its province-period and reason; what a finding quotes (table,
        metric, value) only for the facts that have a reason: 645,000 facts' labels would take
        hundreds of megabytes, in DuckDB and in pandas, for the few findings that quote them."""
        return con.execute(
            """
            select fact_id, province_id, period_id, invalid_reason,
                case when invalid_reason is not null then 'fct_' || fact_table end as table_name,
                case when invalid_reason is not null then metric_code end as metric_code,
                case when invalid_reason is not null then value end as value
            from main.fct_report_facts
            order by fact_id
            """
        ).df().astype(FACT_LABELS).set_index("fact_id", drop=False).rename_axis(SUBJECT)

    def problem(self, row: pd.Series, kind: str) -> Problem:
        metric, value = row["metric_code"], row["value"]
        return fact_problem(
            f"{self.name}_{kind}",
            row,
            observed_values=f"{metric}={fmt(value)}",
            expected_value=float("nan"),
            observed_value=value,
            message=f"Impossible figure: {metric} = {fmt(value)} is {row['invalid_reason']}; left out"
                    " of the wide tables.",
            fact_ids=(row["fact_id"],),
            severity="error",
        )


def catalog_rules(catalog: Sequence[Metric]) -> tuple[Rule, ...]:
    """The rules of the catalog's memberships, then those every fact is checked by."""
    return (
        *sum_rules(catalog),
        *share_rules(catalog),
        *shares_sum_rules(catalog),
        OfficialTableRule(),
        YearOverYearRule(),
        SelfContradictionRule(),
        InvalidFigureRule(),
    )


def sum_rules(catalog: Sequence[Metric]) -> list[SumRule]:
    """One per total with parts (`part_of`), named after its `breakdown`; parts in catalog order."""
    return [
        SumRule(total.breakdown, total.table_name, total.code,
                tuple(part.code for part in catalog if part.part_of == total.code))
        for total in catalog if total.breakdown
    ]


def share_rules(catalog: Sequence[Metric]) -> list[ShareRule]:
    """One per share with a numerator, against each of its alternative bases."""
    return [
        ShareRule(share.code, share.table_name,
                  tuple(Base(share.share_numerator, base) for base in share.share_bases))
        for share in catalog if share.share_numerator
    ]


def shares_sum_rules(catalog: Sequence[Metric]) -> list[SharesSumRule]:
    """One per shares_sum_group, `<group>_sum`: its shares in catalog order, the whole they split
    the sum of their numerators."""
    groups: dict[str, list[Metric]] = {}
    for metric in catalog:
        if metric.shares_sum_group:
            groups.setdefault(metric.shares_sum_group, []).append(metric)
    return [
        SharesSumRule(
            f"{group}_sum",
            shares[0].table_name,
            tuple(share.code for share in shares),
            Base(shares[0].share_numerator, tuple(share.share_numerator for share in shares)),
        )
        for group, shares in groups.items()
    ]


def read_wide(
    con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]
) -> pd.DataFrame:
    """A wide mart's rows with the given metrics as doubles and `fact_ids`: the selected facts
    behind those cells, in column order (the evidence a finding quotes)."""
    selected = ", ".join(f'cast(wide."{column}" as double) as "{column}"' for column in columns)
    return con.execute(
        f"""
        with cell_facts as (
            select province_id, period_id,
                list(fact_id order by list_position($columns, metric_code)) as fact_ids
            from main.fct_report_facts
            where is_selected and list_contains($columns, metric_code)
            group by province_id, period_id
        )
        select wide.province_period_id, wide.province_id, wide.period_id, {selected},
            coalesce(cell_facts.fact_ids, []) as fact_ids
        from main."{table}" as wide
        left join cell_facts
            on cell_facts.province_id = wide.province_id and cell_facts.period_id = wide.period_id
        order by wide.province_period_id
        """,
        {"columns": list(columns)},
    ).df().set_index("province_period_id", drop=False).rename_axis(SUBJECT)


def wide_problem(
    check_name: str,
    table: str,
    row: pd.Series,
    metrics: tuple[str, ...],
    expected: float,
    observed: float,
    message: str,
) -> Problem:
    """A problem in one province x period row of a wide mart."""
    return Problem(
        check_name=check_name,
        table_name=table,
        province_id=row["province_id"],
        period_id=row["period_id"],
        subject=row.name,
        metrics=metrics,
        observed_values="; ".join(f"{metric}={fmt(row[metric])}" for metric in metrics),
        expected_value=expected,
        observed_value=observed,
        message=message,
        fact_ids=tuple(row["fact_ids"]),
    )


def fact_problem(check_name: str, row: pd.Series, **rest: object) -> Problem:
    """A problem about one fact of fct_report_facts (a frame row with its table, province, period
    and metric)."""
    return Problem(
        check_name=check_name,
        table_name=row["table_name"],
        province_id=row["province_id"],
        period_id=row["period_id"],
        subject=row.name,
        metrics=(row["metric_code"],),
        **rest,
    )


def rounding_tolerance(reported: float) -> float:
    """Half a unit of the last stated decimal, plus float noise.

    >>> round(rounding_tolerance(90.79), 6), round(rounding_tolerance(97.3), 6)
    (0.005, 0.05)
    >>> round(rounding_tolerance(100.0), 6)
    0.5
    """
    exponent = Decimal(repr(float(reported))).normalize().as_tuple().exponent
    return 0.5 * 10.0 ** min(int(exponent), 0) + FLOAT_NOISE


def tolerances(values: pd.Series) -> pd.Series:
    return values.map(rounding_tolerance).astype(float)


def unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def fmt(value: float) -> str:
    """Whole numbers without '.0', others as stated: 2046, 90.79."""
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"
