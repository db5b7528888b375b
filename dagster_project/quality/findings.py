"""Consistency findings: figures the sources disagree on, found by Great Expectations.

Each rule (rules.py) derives a frame from the published tables, one row per comparison, and its
suite in expectations/findings/ states what consistent means there: the arithmetic is pandas,
the rule is GX, nothing is decided twice. Every row GX reports as unexpected becomes one finding,
of the kind the failing expectation names in its meta (`finding`), quoting the source sentences.
The validation results are kept for Data Docs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dagster_project.quality.blocking import describe_failure
from dagster_project.quality.catalog import load_catalog
from dagster_project.quality.issues import Finding, issue_id, utc_now
from dagster_project.quality.rules import SUBJECT, Problem, Rule, catalog_rules, unique
from dagster_project.quality.suites import (
    FINDINGS_DIR,
    import_gx,
    load_suite,
    pandas_source,
    validate_frame,
)

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

RESULT_FORMAT = {"result_format": "COMPLETE"}  # every unexpected row, by its subject
Sources = dict[str, tuple[str, str]]  # fact_id -> (document_id, evidence)


@dataclass
class Consistency:
    findings: list[Finding] = field(default_factory=list)
    validations: list[Any] = field(default_factory=list)  # GX results, one per suite
    scope: pd.DataFrame | None = None  # the province-periods compared (changed_scope); None: all


def find_inconsistencies(
    con: duckdb.DuckDBPyConnection, rules: Sequence[Rule] | None = None, scope: pd.DataFrame | None = None
) -> Consistency:
    """Every rule's frame (by default the rules of seeds/reference/metric_catalog.csv); the frames
    of the rules of one suite validated together (one GX validation costs more than most frames),
    each row labelled with its rule.

    scope: (province_id, period_id) pairs (changed_scope); only their rows, and rows without a
    province, are compared, and a suite with no such row is not run."""
    rules = catalog_rules(load_catalog()) if rules is None else rules
    gx = import_gx()
    source = pandas_source(gx, "findings")
    consistency, problems = Consistency(scope=scope), []
    for suite_name, group in _by_suite(rules):
        frames = [_within(rule.frame(con), scope) for rule in group]
        if scope is not None and not any(len(frame) for frame in frames):
            continue
        suite = load_suite(gx, FINDINGS_DIR / f"{suite_name}.json")
        together = _together([rule.name for rule in group], frames)
        validation = validate_frame(source, suite_name, together, suite, RESULT_FORMAT)
        consistency.validations.append(validation)
        problems += _problems(group, frames, validation)
    sources = _fact_sources(con, {fact_id for problem in problems for fact_id in problem.fact_ids})
    detected_at = utc_now()
    consistency.findings = [_to_finding(problem, sources, detected_at) for problem in problems]
    return consistency


def changed_scope(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The province-periods of the cells this refresh changed (raw.changed_cells, before and after),
    and of the year after each: year_over_year compares a year with the one before."""
    return con.execute("""
        with changed as (
            select province_code, year from raw.changed_cells
            union select province_code, year + 1 from raw.changed_cells
        )
        select distinct province.province_id, period.period_id
        from changed
        join main.dim_province as province using (province_code)
        join main.dim_period as period using (year)
        order by all""").df()


def _within(frame: pd.DataFrame, scope: pd.DataFrame | None) -> pd.DataFrame:
    if scope is None:
        return frame
    import pandas as pd

    pairs = pd.MultiIndex.from_frame(frame[["province_id", "period_id"]])
    return frame[pairs.isin(pd.MultiIndex.from_frame(scope)) | frame["province_id"].isna().to_numpy()]


def _by_suite(rules: Sequence[Rule]) -> list[tuple[str, list[Rule]]]:
    groups: dict[str, list[Rule]] = {}
    for rule in rules:
        groups.setdefault(rule.suite, []).append(rule)
    return list(groups.items())


def _together(names: list[str], frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one under the other, each row's subject prefixed with its rule's name."""
    import pandas as pd

    labelled = [
        frame.set_axis([f"{name}|{subject}" for subject in frame.index]).rename_axis(SUBJECT)
        for name, frame in zip(names, frames, strict=True)
    ]
    return pd.concat(labelled) if len(labelled) > 1 else labelled[0]


def _problems(rules: list[Rule], frames: list[pd.DataFrame], validation: Any) -> Iterator[Problem]:
    """The problems of each rule in turn: by expectation, then row, as GX lists them."""
    found: dict[str, list[tuple[str, str]]] = {rule.name: [] for rule in rules}
    for result in validation.results:
        if result.success:
            continue
        if "unexpected_index_list" not in result.result:  # the expectation could not run
            names = ", ".join(rule.name for rule in rules)
            raise RuntimeError(f"{rules[0].suite} on {names}: {describe_failure(names, result)}")
        kind = result.expectation_config.meta["finding"]
        for unexpected in result.result["unexpected_index_list"]:
            name, subject = unexpected[SUBJECT].split("|", 1)
            found[name].append((kind, subject))
    for rule, frame in zip(rules, frames, strict=True):
        for kind, subject in found[rule.name]:
            yield rule.problem(frame.loc[subject], kind)


def _fact_sources(con: duckdb.DuckDBPyConnection, fact_ids: set[str]) -> Sources:
    """Document and sentence of the facts the findings cite (not of every fact: a few hundred)."""
    records = con.execute(
        "select fact_id, document_id, evidence from main.fct_report_facts"
        " where fact_id in (select unnest(?::varchar[]))",
        [sorted(fact_ids)],
    ).fetchall()
    return {fact_id: (document_id, evidence) for fact_id, document_id, evidence in records}


def _to_finding(problem: Problem, sources: Sources, detected_at: datetime) -> Finding:
    facts = [sources[fact_id] for fact_id in problem.fact_ids if fact_id in sources]
    return Finding(
        issue_id=issue_id(problem.check_name, problem.table_name, problem.subject),
        check_name=problem.check_name,
        severity=problem.severity,
        table_name=problem.table_name,
        province_id=problem.province_id,
        province_code=problem.province_id.partition("-")[2] if problem.province_id else None,
        period_id=problem.period_id,
        metric_codes=",".join(problem.metrics),
        observed_values=problem.observed_values,
        expected_value=None if math.isnan(problem.expected_value) else float(problem.expected_value),
        observed_value=float(problem.observed_value),
        message=problem.message,
        document_ids=",".join(unique(document_id for document_id, _ in facts)) or None,
        evidence=" | ".join(unique(sentence for _, sentence in facts)) or None,
        detected_at=detected_at,
    )
