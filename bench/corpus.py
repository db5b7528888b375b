"""Deterministic benchmark corpus: synthetic provincial CCHC reports and the facts they state.

    python bench/corpus.py --documents 1000 --out /tmp/cchc-corpus [--seed 0] [--evaluate]

or, from Python, ``generate(out, documents, seed) -> Corpus`` and ``evaluate(corpus) -> dict``.

What is written
  OUT/reports/     N report files and manifest.csv
  OUT/gold.jsonl   one JSON line per fact (fields below)
  OUT/documents.csv what each document is (province, year, period, doc_type, format), manifest or not
  OUT/corpus.json  what was generated (documents, seed, formats, kinds); marks OUT as ours, so a
                   second run may replace OUT/reports, and nothing else is ever deleted

Layout. About 80% of the reports lie flat in reports/ (``00042_9f3a61c2.txt``) with a manifest
row (province as a name, or as the 2-digit code where a post-merger name is ambiguous, year,
period, doc_type, title, source_url, published). The other 20% have no manifest row: they lie
in ``<province name>/<year>/`` folders (the Vietnamese or the ASCII name), so the reader takes
province and year from the folder and the period from the title; only provinces whose name
resolves to one code are filed there.

Kinds. Years 2016-2025; reports (annual, H1, 9M, Q1-Q4), news, directives and plans (annual).
Periods ending before 1 July 2025 belong to the 63 provinces; the 2025 annual, 9M, Q3 and Q4
reports and the 2025 directives and plans to the 34 provinces formed by the merger.
Formats: 70% .txt (some with a BOM, some news copied from a web page with its menu and related
links), 12% .html (a news site page: menu, "Tin liên quan", footer with address and phone), 10%
.docx (paragraphs; a report has a table of headline figures, a plan or directive lists), 8% .pdf
(text layer, DejaVu Sans, page numbers). Without /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
the PDFs are written as .txt (said on stderr); nothing is downloaded. The same N and seed give
byte-identical files with the same library versions (docx and pdf carry the publication date,
not the time of writing), and the first N documents of a larger corpus are the same documents.

Figures come from a "world": every metric of every province-period is a deterministic function
of (seed, province, year, period), so two documents about one province-period agree, parts add
up to their totals, percentages match their numerator and denominator, a PAR INDEX or SIPAS
figure the official tables (seeds/reference) hold is the official one, and a count changes by
far less than tenfold from one year to the next: the warehouse's consistency findings have
nothing to find. The prose around them is varied on purpose: thousands dots and decimal commas,
fractions ("60/78 nhiệm vụ"), totals with breakdowns, ranks, money in triệu, tỷ, nghìn tỷ or
đồng, qualifiers; and figures that are not the province's facts: document numbers and dates,
changes ("tăng 5 bậc"), districts', departments' and cumulative figures, targets, page furniture.

Gold (gold.jsonl): file (relative to reports/), province_code, year, period, metric_code, value
(in the catalog unit: "5,2 tỷ đồng" = 5200 million_vnd), qualifier (exact | more_than: hơn,
trên, "từ ... trở lên" | about: khoảng, gần, xấp xỉ | less_than: dưới, chưa đến), fact_kind,
stated (the figure as written, "%" and money unit included), scope.
- fact_kind "actual": the province's own figures, in prose or in a table. scope "report_period"
  for the report's period; "named_period" where the sentence names another period an analyst
  would file the figure under: the PAR INDEX and SIPAS of the previous year (published the year
  after), prior-year levels in parentheses ("(năm 2023 là 31 TTHC)") and a directive's or plan's
  look back ("Năm 2023, tỷ lệ ... đạt 98,3%"); such facts carry that year and period.
- fact_kind "target": a stated goal ("Phấn đấu ... đạt trên 98%"), for the year it names. Mostly
  in directives and plans, which carry few actual figures (0-6); reports and news carry 8-25.
- Not gold: everything listed above as "not the province's facts".

evaluate() reads the corpus with the project's own reader and extractor, as the pipeline does,
and matches actual facts on (file, metric, value, province, year); targets are scored apart.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import re
import shutil
import struct
import sys
import tempfile
import time
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "seeds" / "reference"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
GENERATOR_VERSION = "1"

YEARS = tuple(range(2016, 2026))
FORMAT_SHARES = (("txt", 0.70), ("html", 0.12), ("docx", 0.10), ("pdf", 0.08))
FOLDER_SHARE = 0.20  # reports without a manifest row, in <province>/<year>/ folders
# Which document kinds each format carries (a news site publishes news; signed documents are PDFs).
DOC_TYPE_WEIGHTS = {
    "txt": {"report": 0.5, "news": 0.3, "directive": 0.1, "plan": 0.1},
    "html": {"news": 0.85, "report": 0.15},
    "docx": {"report": 0.6, "plan": 0.25, "directive": 0.15},
    "pdf": {"report": 0.6, "directive": 0.2, "plan": 0.2},
}
PERIOD_WEIGHTS = {
    "report": {"year": 0.35, "H1": 0.2, "9M": 0.15, "Q1": 0.075, "Q2": 0.075, "Q3": 0.075, "Q4": 0.075},
    "news": {"year": 0.45, "H1": 0.2, "9M": 0.1, "Q1": 0.0625, "Q2": 0.0625, "Q3": 0.0625, "Q4": 0.0625},
    "directive": {"year": 1.0},
    "plan": {"year": 1.0},
}
AFTER_MERGER = frozenset({"year", "9M", "Q3", "Q4"})  # 2025 periods that end after 30 June 2025
QUARTERS = {"Q1": "I", "Q2": "II", "Q3": "III", "Q4": "IV"}
# Share of a year's flow (dossiers, tasks, recruitment) that falls in the period.
FLOW = {"year": 1.0, "9M": 0.74, "H1": 0.48, "Q1": 0.22, "Q2": 0.26, "Q3": 0.25, "Q4": 0.27}
# Share of the year's plan done by the end of the period (plan completion, disbursement).
PROGRESS = {"Q1": 0.2, "Q2": 0.47, "H1": 0.47, "Q3": 0.72, "9M": 0.72, "Q4": 0.97, "year": 0.97}


# --- Reference data ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Province:
    code: str
    name: str
    ascii_name: str
    generation: int  # 63 before 1 July 2025, 34 after
    municipality: bool

    @property
    def key(self) -> str:
        return f"{self.generation}-{self.code}"

    @property
    def unit(self) -> str:
        return "thành phố" if self.municipality else "tỉnh"

    @property
    def full(self) -> str:
        return f"{self.unit} {self.name}"


@cache
def provinces(generation: int) -> tuple[Province, ...]:
    with (REFERENCE / f"provinces_{generation}.csv").open(encoding="utf-8") as handle:
        return tuple(
            Province(row["province_code"], row["name_vi"], row["name_ascii"], generation,
                     row["unit_type"] == "municipality")
            for row in csv.DictReader(handle)
        )


@cache
def metric_units() -> dict[str, str]:
    with (REFERENCE / "metric_catalog.csv").open(encoding="utf-8") as handle:
        return {row["metric_code"]: row["unit"] for row in csv.DictReader(handle)}


@cache
def fact_tables() -> dict[str, str]:
    with (REFERENCE / "metric_catalog.csv").open(encoding="utf-8") as handle:
        return {row["metric_code"]: row["fact_table"] for row in csv.DictReader(handle)}


@cache
def unambiguous_names() -> frozenset[tuple[int, str]]:
    """(generation, code) of provinces whose name means one code in both generations: only these
    are filed in folders, where the name alone must tell the province."""
    codes: dict[str, set[str]] = defaultdict(set)
    for generation in (63, 34):
        for province in provinces(generation):
            codes[province.name].add(province.code)
    return frozenset((p.generation, p.code) for g in (63, 34) for p in provinces(g)
                     if len(codes[p.name]) == 1)


@cache
def merged_into() -> dict[str, list[str]]:
    """New (34) code -> old (63) codes."""
    result: dict[str, list[str]] = defaultdict(list)
    with (REFERENCE / "province_merger_2025.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            result[row["new_province_code"]].append(row["old_province_code"])
    return dict(result)


@cache
def official_index(name: str) -> dict[tuple[int, str], tuple[float | None, int | None]]:
    """(year, code) -> (score, rank) of the official PAR INDEX or SIPAS table."""
    column = "score" if name == "par_index" else "score_pct"
    table = {}
    with (REFERENCE / f"{name}.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            score = float(row[column]) if row[column] else None
            rank = int(row["rank"]) if row["rank"] else None
            table[(int(row["year"]), row["province_code"])] = (score, rank)
    return table


# --- The world: one consistent set of figures per province-period -------------------------------------

def _rng(*parts: object) -> random.Random:
    # Seeding with a string hashes it with SHA-512: the same in every process, unlike hash().
    return random.Random("|".join(map(str, parts)))


def _rounded(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


@dataclass(frozen=True)
class Index:
    par_score: float | None
    par_rank: int | None
    sipas_score: float | None
    sipas_rank: int | None


class World:
    """Figures as a function of (seed, province, year, period); cached, since documents share them."""

    def __init__(self, seed: int):
        self.seed = seed
        self._figures: dict[tuple[str, int, str], dict[str, float]] = {}
        self._level_cache: dict[str, dict[str, float]] = {}

    def size(self, province: Province) -> float:
        """How big the province's flows are: merged provinces are the sum of their parts."""
        if province.generation == 34:
            return sum(self.size(Province(c, "", "", 63, False)) for c in merged_into()[province.code])
        rng = _rng(self.seed, "size", province.code)
        big = 3.5 if province.code in ("01", "79") else 1.0
        return big * math.exp(rng.uniform(-0.6, 0.7))

    def figures(self, province: Province, year: int, period: str) -> dict[str, float]:
        key = (province.key, year, period)
        if key not in self._figures:
            self._figures[key] = {**self._annual(province, year), **self._period(province, year, period)}
        return self._figures[key]

    def index(self, province: Province, year: int) -> Index:
        """PAR INDEX and SIPAS of a 63-province year: the official figure where the tables have it."""
        rng = _rng(self.seed, "index", province.code, year)
        par = official_index("par_index").get((year, province.code), (None, None))
        sipas = official_index("sipas").get((year, province.code), (None, None))
        known = (year, province.code) in official_index("par_index")
        par_score = par[0] if known else round(rng.uniform(76, 92), 2)
        par_rank = par[1] if known else rng.randint(1, 63)
        known = (year, province.code) in official_index("sipas")
        sipas_score = sipas[0] if known else round(rng.uniform(78, 92), 2)
        sipas_rank = sipas[1] if known else rng.randint(1, 63)
        return Index(par_score, par_rank, sipas_score if year >= 2017 else None,
                     sipas_rank if year >= 2017 else None)

    def _annual(self, province: Province, year: int) -> dict[str, float]:
        """Figures fixed for the year: plans, stocks."""
        rng = _rng(self.seed, "annual", province.key, year)
        base = _rng(self.seed, "base", province.key)
        size, t = self.size(province), year - 2016
        money_step = rng.choice((1, 100, 100, 1000))  # how round the province's budget figures are
        f: dict[str, float] = {"_money_step": money_step}
        f["cchc_plan_tasks"] = rng.randint(22, 60)
        f["cchc_plan_activities"] = f["cchc_plan_tasks"] + rng.randint(8, 70)
        total = rng.randint(1550, 2150)
        f["procedures_total"] = total
        f["procedures_commune_level"] = round(total * rng.uniform(0.055, 0.085))
        if province.generation == 34 and year >= 2025:  # no district level after 1 July 2025
            f["procedures_province_level"] = total - f["procedures_commune_level"]
        else:
            f["procedures_district_level"] = round(total * rng.uniform(0.12, 0.17))
            f["procedures_province_level"] = (total - f["procedures_commune_level"]
                                              - f["procedures_district_level"])
        revenue_base = base.uniform(1.5e6, 5e6) * size ** 0.8
        investment_base = base.uniform(1.2e6, 4e6) * size ** 0.7
        f["state_revenue_plan_million_vnd"] = _rounded(revenue_base * 1.07 ** t * rng.uniform(0.92, 1.08),
                                                       money_step)
        f["public_investment_plan_million_vnd"] = _rounded(
            investment_base * 1.08 ** t * rng.uniform(0.9, 1.1), money_step)
        online_total = round(min(2150, max(200, 250 + 230 * t)) * rng.uniform(0.85, 1.05))
        full_share = min(0.75, max(0.08, 0.1 + 0.07 * t)) * rng.uniform(0.8, 1.15)
        f["online_services_total"] = online_total
        f["online_services_full"] = round(online_total * full_share)
        f["online_services_partial"] = online_total - f["online_services_full"]
        if year >= 2020:  # the National Public Service Portal opened in December 2019
            f["online_services_on_national_portal"] = round(online_total * rng.uniform(0.45, 0.95))
        if year >= 2019:
            f["lgsp_connected_systems"] = max(2, round((3 + 2.2 * (year - 2019)) * rng.uniform(0.7, 1.3)))
        f["video_conference_points"] = max(8, round(size ** 0.5 * (25 + 30 * t) * rng.uniform(0.8, 1.2)))
        f["public_service_units"] = round(size ** 0.6 * base.uniform(380, 800) * 0.975 ** t
                                          * rng.uniform(0.97, 1.03))
        f["public_assets_arranged"] = round(size ** 0.6 * base.uniform(700, 2800) * rng.uniform(0.9, 1.1))
        return f

    def _levels(self, province: Province) -> dict[str, float]:
        """The province's usual yearly level of each flow: years differ from it by noise only, so no
        count jumps tenfold from one year to the next (the warehouse flags that as implausible)."""
        if province.key not in self._level_cache:
            rng = _rng(self.seed, "levels", province.key)
            self._level_cache[province.key] = {name: rng.uniform(*bounds) for name, bounds in LEVELS.items()}
        return self._level_cache[province.key]

    def _period(self, province: Province, year: int, period: str) -> dict[str, float]:
        """Flows of the period, and the shares worked out from them."""
        rng = _rng(self.seed, "period", province.key, year, period)
        level = self._levels(province)
        size, t = self.size(province), year - 2016
        flow = FLOW[period] * rng.uniform(0.92, 1.08)
        progress = PROGRESS[period]
        annual = self._annual(province, year)
        f: dict[str, float] = {}

        def noise() -> float:
            return rng.uniform(0.8, 1.25)

        def count(name: str, scale: float = 1.0, floor: int = 1, exponent: float = 1.0) -> int:
            return max(floor, round(level[name] * noise() * scale * flow ** exponent))

        self._tasks(f, rng, level, count("tasks", size ** 0.25, floor=6), progress)
        f["cchc_plan_completion_pct"] = (100.0 if period in ("year", "Q4") and rng.random() < 0.6
                                         else round(min(100, 100 * progress * rng.uniform(0.9, 1.05)), 1))
        f["directive_documents_issued"] = count("directives", size ** 0.3, floor=3)
        f["cchc_inspected_units"] = count("inspected", floor=2, exponent=0.5)
        f["legal_docs_issued_province"] = count("legal", size ** 0.4, floor=2)
        if province.generation == 63:
            f["legal_docs_issued_district"] = count("legal_district", size ** 0.4)
        f["procedure_publication_decisions"] = count("decisions", floor=3)
        f["procedures_new"] = count("new", floor=2)
        f["procedures_abolished"] = count("abolished", floor=2)
        f["procedures_simplified"] = count("simplified", floor=2, exponent=0.7)
        f["simplification_savings_million_vnd"] = round(f["procedures_simplified"] * level["saving"]
                                                        * noise())
        f["simplification_cost_saving_pct"] = round(rng.uniform(18, 55), 2)
        f["simplification_time_cut_pct"] = round(rng.uniform(20, 60), 2)
        received = max(500, round(size * level["dossiers"] * (1 + 0.12 * t) * flow * rng.uniform(0.9, 1.1)))
        resolved = round(received * rng.uniform(0.93, 0.99))
        late = max(1, round(resolved * level["late_dossiers"] * rng.uniform(0.7, 1.4)))
        f["dossiers_received"] = received
        f["_dossiers_resolved"] = resolved
        f["_dossiers_on_time"] = resolved - late
        f["dossiers_late"] = late
        f["dossiers_on_time_pct"] = 100 * (resolved - late) / resolved
        f["online_dossier_rate_pct"] = min(96.0, max(1.5, (2 + 7.5 * t) * rng.uniform(0.7, 1.3)))
        if year <= 2022:
            f["online_dossier_rate_level3_pct"] = rng.uniform(35, 92)
            f["online_dossier_rate_level4_pct"] = rng.uniform(40, 95)
        step = int(annual["_money_step"])
        revenue = _rounded(annual["state_revenue_plan_million_vnd"] * flow * rng.uniform(0.92, 1.2), step)
        f["state_revenue_million_vnd"] = revenue
        f["state_revenue_pct_of_plan"] = 100 * revenue / annual["state_revenue_plan_million_vnd"]
        f["local_budget_revenue_million_vnd"] = _rounded(revenue * rng.uniform(1.4, 3.2), step)
        invested = annual["public_investment_plan_million_vnd"]
        disbursed = _rounded(invested * progress * rng.uniform(0.75, 1.03), step)
        f["public_investment_disbursed_million_vnd"] = disbursed
        f["public_investment_disbursed_pct"] = 100 * disbursed / annual["public_investment_plan_million_vnd"]
        f["public_service_units_reduced"] = count("units_reduced", exponent=0.5)
        f["organizations_reduced"] = count("organizations_reduced", exponent=0.5)
        f["civil_servant_positions_reduced"] = count("servants_reduced", size ** 0.4)
        f["public_employee_positions_reduced"] = count("employees_reduced", size ** 0.4, floor=3)
        f["staff_streamlined"] = count("streamlined", size ** 0.4, floor=2)
        f["civil_servants_recruited"] = count("servants_recruited", size ** 0.4, floor=2)
        f["public_employees_recruited"] = count("employees_recruited", size ** 0.4, floor=3)
        return f

    @staticmethod
    def _tasks(f: dict[str, float], rng: random.Random, level: dict[str, float], assigned: int,
               progress: float) -> None:
        """Assigned tasks split by status (the parts add up), and the on-time and late shares."""
        # Little noise on the share done: the open remainder is small by the year's end, and must not
        # swing tenfold from one year to the next.
        done = max(1, round(assigned * progress * level["done"] * rng.uniform(0.95, 1.05)))
        not_done = assigned - done
        late = round(done * level["late_tasks"] * rng.uniform(0.8, 1.25))
        overdue = 0
        if level["overdue_habit"] < 0.4:  # most provinces finish or report tasks as still in time
            overdue = round(not_done * level["overdue"] * rng.uniform(0.8, 1.25))
        f["gov_tasks_assigned"] = assigned
        f["gov_tasks_completed_on_time"] = done - late
        f["gov_tasks_completed_late"] = late
        f["gov_tasks_overdue"] = overdue
        f["gov_tasks_in_progress"] = not_done - overdue
        # One base per province-period, so shares from two documents never mix bases. A share of
        # the completed tasks is checkable only with the late ones stated, so it needs some.
        of_completed = late > 0 and rng.random() < 0.5
        base = done if of_completed else assigned
        f["_tasks_share_of_completed"] = float(of_completed)
        f["gov_tasks_completed_on_time_pct"] = 100 * (done - late) / base
        f["gov_tasks_completed_late_pct"] = 100 * late / base


# A province's usual yearly level of each flow is drawn from these ranges (counts, or rates).
LEVELS = {
    "tasks": (60, 200), "done": (0.8, 0.92), "late_tasks": (0.0, 0.1), "overdue": (0.05, 0.25),
    "overdue_habit": (0, 1), "directives": (18, 70), "inspected": (7, 30), "legal": (30, 110),
    "legal_district": (8, 80), "decisions": (35, 130), "new": (25, 260), "abolished": (15, 200),
    "simplified": (8, 60), "saving": (60, 420), "dossiers": (90e3, 350e3), "late_dossiers": (0.0008, 0.03),
    "units_reduced": (3, 35), "organizations_reduced": (4, 60), "servants_reduced": (6, 80),
    "employees_reduced": (40, 600), "streamlined": (10, 150), "servants_recruited": (10, 150),
    "employees_recruited": (50, 900),
}


# --- Vietnamese numbers ------------------------------------------------------------------------------

def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def thousands(number: int) -> str:
    """1044 -> '1.044'."""
    return f"{number:,}".replace(",", ".")


def decimal_text(value: float, decimals: int) -> str:
    """85.78 -> '85,78'; trailing zeros dropped ('98,50' -> '98,5'), as reports write them."""
    whole, _, fraction = f"{value:.{decimals}f}".partition(".")
    fraction = fraction.rstrip("0")
    return f"{thousands(int(whole))},{fraction}" if fraction else thousands(int(whole))


def parse_stated(stated: str) -> float:
    """The value of a figure as written, in the catalog unit: '5,2 tỷ đồng' -> 5200."""
    number, _, unit = stated.rstrip("%").partition(" ")
    value = Decimal(number.replace(".", "").replace(",", "."))  # exact: 8.308,592 tỷ is 8308592, not ...001
    scale = {"": "1", "triệu đồng": "1", "tỷ đồng": "1e3", "nghìn tỷ đồng": "1e6", "đồng": "1e-6"}[unit]
    return float(value * Decimal(scale))


def money_forms(million: int) -> list[tuple[str, float]]:
    """Every exact way to write an amount of million đồng, with how often reports use it."""
    forms = [(f"{thousands(million)} triệu đồng", 0.45)]
    whole, rest = divmod(million, 1000)
    if rest == 0:
        forms.append((f"{thousands(whole)} tỷ đồng", 0.45))
    else:
        digits = f"{rest:03d}".rstrip("0")
        forms.append((f"{thousands(whole)},{digits} tỷ đồng", 0.35 if len(digits) < 3 else 0.12))
    if million >= 1_000_000 and million % 10_000 == 0:
        whole, rest = divmod(million, 1_000_000)
        digits = f"{rest // 10_000:02d}".rstrip("0")
        forms.append((f"{whole},{digits} nghìn tỷ đồng" if digits else f"{whole} nghìn tỷ đồng", 0.15))
    if million < 100_000:
        forms.append((f"{thousands(million * 1_000_000)} đồng", 0.05))
    return forms


def round_below(value: float) -> int | None:
    """A round number below the value, as "hơn 330.000" says of 336.418."""
    if value < 20:
        return None
    step = 10 if value < 100 else 10 ** (len(str(int(value))) - 2)
    below = int(value) // step * step
    return below - step if below >= value else below


def round_above(value: float) -> int:
    step = 10 if value < 100 else 10 ** (len(str(int(value))) - 2)
    return (int(value) // step + 1) * step


# --- Phrasing: sentences that state figures, and record the facts they state -------------------------

MARK = re.compile(r"\x01(\d+)\x02")
QUALIFIER_WORDS = {"more_than": ("hơn", "trên"), "about": ("khoảng", "gần", "xấp xỉ"),
                   "less_than": ("dưới", "chưa đến")}
DISTRICT_NAMES = (
    "Tân Phú", "Yên Lập", "Mường Tè", "Phong Thổ", "Bảo Lâm", "Hòa An", "Thạch Thành", "Quỳnh Lưu",
    "Đức Thọ", "Hải Lăng", "Phú Lộc", "Thăng Bình", "Sơn Tịnh", "Krông Pắc", "Đức Trọng", "Châu Thành",
    "Cái Bè", "Tân Hồng", "Thới Bình", "Vĩnh Thạnh", "Lục Ngạn", "Tiên Du", "Kim Bảng", "Giao Thủy",
    "Tiền Hải", "Văn Lâm", "Lương Sơn", "Bình Xuyên", "Định Hóa", "Chợ Mới", "Hàm Thuận Bắc", "Ninh Hải",
)
DEPARTMENTS_BEFORE_2025 = ("Sở Tài nguyên và Môi trường", "Sở Kế hoạch và Đầu tư", "Sở Giao thông vận tải",
                           "Sở Lao động - Thương binh và Xã hội", "Sở Tư pháp", "Sở Công Thương")
DEPARTMENTS_SINCE_2025 = ("Sở Nông nghiệp và Môi trường", "Sở Tài chính", "Sở Xây dựng", "Sở Tư pháp",
                          "Sở Công Thương", "Sở Y tế")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Lò")
GIVEN = ("Văn Hùng", "Thị Mai", "Đức Thắng", "Thị Hồng Nhung", "Minh Tuấn", "Quang Huy", "Thị Lan",
         "Văn Thành", "Hữu Phước", "Thị Thu Hà", "Công Định", "Ngọc Anh")
STREAMLINING_DECREE = {2016: "108/2014/NĐ-CP", 2023: "29/2023/NĐ-CP", 2025: "178/2024/NĐ-CP"}


class Phrase:
    """One document's words about its province and period, and the facts its sentences state.

    `say` does not write a figure: it returns a marker. `render` replaces the markers that made it
    into the final text and keeps their facts as gold, so a sentence dropped or an alternative not
    picked never leaves a fact behind, and every gold fact is in the text as written.
    """

    def __init__(self, spec: Spec, world: World):
        self.spec, self.world = spec, world
        self.rng = _rng(world.seed, "doc", spec.index)
        self.province, self.year, self.period = spec.province, spec.year, spec.period
        self.fig = world.figures(spec.province, spec.year, spec.period)
        self.pending: list[dict] = []
        self.pad_small = spec.doc_type != "news" and self.rng.random() < 0.5  # "09 nghị quyết"
        self.when = self._when()
        # A cumulative figure (not the period's): one per document, however often it is quoted.
        self.units_cut_since_2015 = int(self.fig["public_service_units_reduced"]) * self.rng.randint(6, 12)

    # words ---------------------------------------------------------------------------------------
    @property
    def unit(self) -> str:
        return self.province.unit

    @property
    def Unit(self) -> str:  # noqa: N802 - the capitalised word, as a sentence starts with it
        return self.unit.capitalize()

    @property
    def name(self) -> str:
        return self.province.name

    @property
    def full(self) -> str:
        return self.province.full

    @property
    def committee(self) -> str:
        return f"UBND {self.unit}"

    @property
    def party(self) -> str:
        return "Thành ủy" if self.province.municipality else "Tỉnh ủy"

    @property
    def merged(self) -> bool:
        return self.province.generation == 34

    @property
    def localities(self) -> str:
        if self.merged:
            return "UBND các xã, phường"
        return "UBND các quận, huyện, thị xã" if self.province.municipality else \
            "UBND các huyện, thị xã, thành phố"

    def _when(self) -> str:
        year, period = self.year, self.period
        if period == "year":
            return f"năm {year}"
        if period == "H1":
            return f"6 tháng đầu năm {year}"
        if period == "9M":
            return self.pick(f"9 tháng đầu năm {year}", f"9 tháng năm {year}")
        return self.pick(f"quý {QUARTERS[period]}/{year}", f"quý {QUARTERS[period]} năm {year}")

    def pick(self, *options):
        return self.rng.choice(options)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def district(self) -> str:
        place = self.pick(*DISTRICT_NAMES)
        if self.merged:
            return self.pick(f"xã {place}", f"phường {place}")
        return self.pick(f"huyện {place}", f"huyện {place}", f"thị xã {place}")

    def department(self) -> str:
        return self.pick(*(DEPARTMENTS_SINCE_2025 if self.year >= 2025 else DEPARTMENTS_BEFORE_2025))

    def person(self) -> str:
        given = self.pick(*GIVEN)
        title = "bà" if given.startswith("Thị") else "ông"
        role = self.pick(f"Giám đốc Sở Nội vụ {self.unit}", f"Phó Chủ tịch {self.committee}",
                         f"Phó Giám đốc Sở Nội vụ {self.unit}", "Chánh Văn phòng UBND")
        return f"{title} {self.pick(*SURNAMES)} {given}, {role}"

    def date(self, year: int, first_month: int, last_month: int, words: bool = False) -> str:
        month, day = self.rng.randint(first_month, last_month), self.rng.randint(1, 28)
        if words:
            return f"ngày {day:02d} tháng {month:02d} năm {year}"
        return f"ngày {day:02d}/{month:02d}/{year}"

    def docno(self, kind: str) -> str:
        top = 3200 if kind.startswith("QĐ") else 480
        return f"{self.rng.randint(1, top)}/{kind}"

    def num(self, number: int) -> str:
        """A figure that is not a fact (a district's, a change, a sub-total)."""
        return f"{number:02d}" if number < 10 and self.pad_small else thousands(number)

    def pct_text(self, value: float) -> str:
        return decimal_text(value, self.pick(1, 2)) + "%"

    def money_text(self, million: int) -> str:
        forms, weights = zip(*money_forms(million), strict=True)
        return self.rng.choices(forms, weights)[0]

    # figures -------------------------------------------------------------------------------------
    def has(self, *metrics: str) -> bool:
        return all(metric in self.fig for metric in metrics)

    def maybe(self, qualifier: str, probability: float) -> str:
        return qualifier if self.chance(probability) else "exact"

    def loose(self, more_than: float, about: float) -> str:
        """How loosely a figure is stated: "hơn 40", "gần 40", or exactly."""
        draw = self.rng.random()
        return "more_than" if draw < more_than else "about" if draw < more_than + about else "exact"

    def say(self, metric: str, value: float | None = None, *, qualifier: str = "exact",
            year: int | None = None, period: str | None = None, kind: str = "actual", word: str | None = None,
            bare: bool = False, pad: bool = True) -> str:
        """A marker for the figure as the document writes it; see the class docstring."""
        unit = metric_units()[metric]
        rounds = value is None and qualifier != "exact"  # a world figure stated loosely
        value = self.fig[metric] if value is None else value
        if rounds:
            value, qualifier, word = self._loosely(unit, value, qualifier)
        if qualifier != "exact" and word is None:
            word = self.pick(*QUALIFIER_WORDS[qualifier])
        stated, value = self._written(unit, value, bare, pad)
        year, period = year or self.year, period or self.period
        scope = "report_period" if (year, period) == (self.year, self.period) else "named_period"
        self.pending.append({"metric_code": metric, "value": value, "qualifier": qualifier, "fact_kind": kind,
                             "year": year, "period": period, "stated": stated, "scope": scope})
        mark = f"\x01{len(self.pending) - 1}\x02"
        return f"{word} {mark}" if word else mark

    def _loosely(self, unit: str, value: float, qualifier: str) -> tuple[float, str, str | None]:
        """A rounder figure and the word that says so: 336.418 -> 'hơn 330.000', 97,6% -> 'gần 98%'."""
        if unit == "pct":
            if qualifier == "more_than":
                below = math.floor(value * 10) / 10
                return (below - 0.1 if below >= value else below), qualifier, None
            return float(math.ceil(value)), "about", "gần"
        if qualifier == "more_than":
            below = round_below(value)
            return (value, "exact", None) if below is None else (below, qualifier, None)
        if qualifier == "less_than":
            return round_above(value), qualifier, None
        if self.chance(0.5):
            return round_above(value), "about", "gần"
        step_value = round_below(value) or value
        return step_value, "about", self.pick("khoảng", "xấp xỉ")

    def _written(self, unit: str, value: float, bare: bool, pad: bool) -> tuple[str, float]:
        """The figure as written, and the value it says (rounded as written)."""
        if unit == "million_vnd":
            text = self.money_text(int(round(value)))
            return text, parse_stated(text)
        if unit == "pct":
            text = self._percent(value)
            return (text if bare else f"{text}%"), parse_stated(text)
        if unit == "points":
            text = decimal_text(value, 2)
            return text, parse_stated(text)
        number = int(round(value))
        if unit == "count" and pad:
            return self.num(number), float(number)
        return thousands(number), float(number)

    def _percent(self, value: float) -> str:
        for decimals in (self.pick(2, 2, 1, 1, 0), 1, 2):
            text = decimal_text(value, decimals)
            if parse_stated(text) < 100 or value >= 100:  # never round 99,96% up to 100%
                return text
        return decimal_text(value, 2)

    def previous(self, metric: str, template: str) -> str:
        """The same figure a year before, for a parenthesis: template holds {when} and {figure}."""
        if self.merged or self.spec.doc_type in ("directive", "plan"):
            return ""
        before = self.world.figures(self.province, self.year - 1, self.period)
        if metric not in before:
            return ""
        when = f"năm {self.year - 1}" if self.period == "year" else f"cùng kỳ năm {self.year - 1}"
        figure = self.say(metric, before[metric], year=self.year - 1)
        return template.format(when=when, figure=figure)

    def render(self, text: str, used: dict[int, dict]) -> str:
        """The text with its figures written out; the facts of the figures it holds go to `used`."""
        def write(match: re.Match[str]) -> str:
            index = int(match.group(1))
            used[index] = self.pending[index]
            return self.pending[index]["stated"]
        return MARK.sub(write, text)


Builder = Callable[[Phrase], "str | None"]


# Each builder returns one sentence (or None where the figure does not exist for this province-period).
# Alternatives are written as separate f-strings: only the one picked reaches the text.

def plan_tasks(ph: Phrase) -> str:
    year, number = ph.year, ph.docno("KH-UBND")
    issued = ph.date(year, 1, 1) if not ph.merged else ph.date(year, 7, 8)
    tasks, activities = ph.say("cchc_plan_tasks"), ph.say("cchc_plan_activities")
    return ph.pick(
        f"{ph.committee} ban hành Kế hoạch số {number} {issued} về cải cách hành chính năm {year}, với "
        f"{tasks} nhiệm vụ và {activities} hoạt động cụ thể, phân công rõ cơ quan chủ trì và thời hạn hoàn "
        "thành.",
        f"Kế hoạch cải cách hành chính năm {year} của {ph.unit} đề ra {tasks} nhiệm vụ, {activities} hoạt "
        f"động, giao các sở, ban, ngành và {ph.localities} tổ chức thực hiện.",
        f"Ngay từ đầu năm, {ph.committee} đã ban hành Kế hoạch CCHC năm {year} (Kế hoạch số {number}) gồm "
        f"{tasks} nhiệm vụ với {activities} hoạt động.",
    )


def plan_completion(ph: Phrase) -> str:
    done = ph.say("cchc_plan_completion_pct")
    if ph.period == "year":
        return ph.pick(
            f"Kết quả thực hiện Kế hoạch cải cách hành chính năm {ph.year} đạt {done}.",
            f"Tỷ lệ hoàn thành Kế hoạch CCHC năm {ph.year} của {ph.unit} đạt {done}, bảo đảm đúng tiến độ "
            "đề ra.",
        )
    return ph.pick(
        f"Đến hết {ph.when}, tỷ lệ hoàn thành Kế hoạch CCHC năm {ph.year} đạt {done}.",
        f"Tính đến thời điểm báo cáo, các cơ quan, đơn vị đã hoàn thành {done} khối lượng nhiệm vụ của Kế "
        f"hoạch CCHC năm {ph.year}.",
    )


def directive_documents(ph: Phrase) -> str:
    issued = ph.say("directive_documents_issued", qualifier=ph.loose(0.25, 0.1))
    others = ph.num(ph.rng.randint(60, 420))
    return ph.pick(
        f"Trong {ph.when}, {ph.committee} đã ban hành {issued} văn bản chỉ đạo, điều hành, đôn đốc triển "
        "khai công tác CCHC.",
        f"{ph.committee}, Chủ tịch {ph.committee} đã ban hành {issued} văn bản để chỉ đạo, hướng dẫn các cơ "
        f"quan, đơn vị thực hiện nhiệm vụ CCHC; các sở, ngành, địa phương ban hành {others} văn bản triển "
        "khai.",
        f"Công tác chỉ đạo, điều hành được thực hiện quyết liệt với {issued} văn bản chỉ đạo về cải cách "
        f"hành chính do {ph.committee} ban hành.",
    )


def inspections(ph: Phrase) -> str:
    inspected = ph.say("cchc_inspected_units", qualifier=ph.maybe("more_than", 0.1))
    own = ph.num(ph.rng.randint(20, 140))
    return ph.pick(
        f"{ph.committee} tổ chức kiểm tra công tác CCHC tại {inspected} cơ quan, đơn vị, địa phương; qua "
        "kiểm tra đã kịp thời chấn chỉnh những tồn tại, hạn chế.",
        f"Đoàn kiểm tra CCHC của {ph.unit} đã kiểm tra {inspected} cơ quan, đơn vị, địa phương; các sở, "
        f"ngành tự kiểm tra {own} phòng, ban và đơn vị trực thuộc.",
        f"Trong {ph.when}, đã tiến hành kiểm tra công tác cải cách hành chính tại {inspected} cơ quan, đơn "
        "vị, trong đó có kiểm tra đột xuất việc chấp hành kỷ luật, kỷ cương hành chính.",
    )


def government_tasks(ph: Phrase) -> str:
    f = ph.fig
    with_shares = ph.chance(0.4)
    on_time = f"hoàn thành đúng hạn {ph.say('gov_tasks_completed_on_time')} nhiệm vụ"
    if with_shares:
        on_time += f" (đạt {ph.say('gov_tasks_completed_on_time_pct')})"
    parts = [on_time]
    if f["gov_tasks_completed_late"]:
        late = f"hoàn thành nhưng trễ hạn {ph.say('gov_tasks_completed_late')} nhiệm vụ"
        parts.append(late + (f" ({ph.say('gov_tasks_completed_late_pct')})" if with_shares else ""))
    if f["gov_tasks_in_progress"]:
        parts.append(f"đang thực hiện trong hạn {ph.say('gov_tasks_in_progress')} nhiệm vụ")
    if f["gov_tasks_overdue"]:
        parts.append(f"quá hạn chưa hoàn thành {ph.say('gov_tasks_overdue')} nhiệm vụ")
    assigned = ph.say("gov_tasks_assigned")
    letters = ph.num(ph.rng.randint(20, 90))
    simple = not f["gov_tasks_completed_late"] and not f["gov_tasks_overdue"]
    if simple and not with_shares and ph.chance(0.5):
        done = ph.say("gov_tasks_completed_on_time", pad=False)
        total = ph.say("gov_tasks_assigned", pad=False)
        fraction = f"{done}/{total}"
        rest = (f", còn {ph.say('gov_tasks_in_progress')} nhiệm vụ đang thực hiện, trong hạn"
                if f["gov_tasks_in_progress"] else "")
        return ("Về nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao, đến nay đã hoàn thành đúng hạn "
                f"{fraction} nhiệm vụ{rest}.")
    return ph.pick(
        f"Trong {ph.when}, {ph.unit} được Chính phủ, Thủ tướng Chính phủ giao {assigned} nhiệm vụ; đã "
        + "; ".join(parts) + ".",
        f"Tổng số nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao cho {ph.unit} là {assigned} nhiệm vụ, trong "
        "đó: "
        + "; ".join(parts) + ".",
        f"{ph.committee} đã nhận {letters} văn bản của Chính phủ, Thủ tướng Chính phủ với {assigned} nhiệm "
        "vụ "
        f"giao cho {ph.unit} thực hiện. Đến thời điểm báo cáo, đã " + "; ".join(parts) + ".",
    )


def task_share(ph: Phrase) -> str | None:
    if ph.fig["_tasks_share_of_completed"]:  # alone, a share of the completed tasks has no base to check
        return None
    share = ph.say("gov_tasks_completed_on_time_pct")
    return ph.pick(
        f"Tỷ lệ nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao được hoàn thành đúng hạn đạt {share}.",
        "Các nhiệm vụ được Chính phủ, Thủ tướng Chính phủ giao cơ bản bảo đảm tiến độ, tỷ lệ hoàn thành "
        f"đúng hạn đạt {share}.",
    )


def reform_index(ph: Phrase) -> str | None:
    """Last year's PAR INDEX and SIPAS (published in spring), with the change from the year before."""
    if ph.merged or ph.period == "Q1":
        return None
    year = ph.year - 1
    now, before = ph.world.index(ph.province, year), ph.world.index(ph.province, year - 1)
    sentences = []
    if now.par_rank is not None:
        rank = ph.say("par_index_rank", now.par_rank, year=year, period="year")
        change = ""
        if before.par_rank is not None and ph.chance(0.6):
            moved = before.par_rank - now.par_rank
            change = (f", tăng {moved} bậc so với năm {year - 1}" if moved > 0 else
                      f", giảm {-moved} bậc so với năm {year - 1}" if moved < 0 else ", giữ nguyên thứ hạng")
        if now.par_score is None:
            sentences.append(f"Chỉ số cải cách hành chính năm {year} của {ph.full} xếp thứ {rank}/63 tỉnh, "
                             f"thành phố{change}.")
        else:
            score = ph.say("par_index_score", now.par_score, year=year, period="year")
            if before.par_score is not None and ph.chance(0.25):
                points = now.par_score - before.par_score
                trend = "tăng" if points >= 0 else "giảm"
                change = f", {trend} {decimal_text(abs(points), 2)} điểm so với năm trước"
            sentences.append(ph.pick(
                f"Chỉ số cải cách hành chính (PAR INDEX) năm {year} của {ph.unit} đạt {score} điểm, xếp thứ "
                f"{rank}/63 tỉnh, thành phố{change}.",
                f"Theo kết quả Bộ Nội vụ công bố, Chỉ số CCHC năm {year} của {ph.full} đạt {score} điểm, "
                f"đứng thứ {rank} cả nước{change}.",
                f"Năm {year}, {ph.name} xếp vị trí thứ {rank}/63 về Chỉ số CCHC với {score} điểm{change}.",
                f"Chỉ số CCHC năm {year} của {ph.unit} đạt {score}/100 điểm, xếp hạng {rank}/63{change}.",
            ))
    if now.sipas_rank is not None and now.sipas_score is not None and ph.chance(0.7):
        score = ph.say("sipas_score_pct", now.sipas_score, year=year, period="year")
        rank = ph.say("sipas_rank", now.sipas_rank, year=year, period="year")
        sentences.append(ph.pick(
            "Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước "
            f"(SIPAS) năm {year} đạt {score}, xếp thứ {rank}/63.",
            f"Chỉ số SIPAS năm {year} của {ph.unit} đạt {score}, đứng thứ {rank} toàn quốc.",
        ))
    return " ".join(sentences) or None


def legal_documents(ph: Phrase) -> str:
    total = int(ph.fig["legal_docs_issued_province"])
    resolutions = ph.rng.randint(0, total // 3)
    issued = ph.say("legal_docs_issued_province")
    options = [
        f"Trong {ph.when}, HĐND, UBND {ph.unit} đã ban hành {issued} văn bản quy phạm pháp luật (gồm "
        f"{ph.num(resolutions)} nghị quyết và {ph.num(total - resolutions)} quyết định).",
        f"Công tác xây dựng, ban hành văn bản QPPL được thực hiện đúng quy trình; {ph.when}, {ph.unit} đã "
        f"ban hành {issued} VBQPPL thuộc thẩm quyền.",
        f"{ph.Unit} đã ban hành {issued} văn bản QPPL cấp "
        f"tỉnh{ph.previous('legal_docs_issued_province', ' ({when} là {figure} văn bản)')}.",
    ]
    options.append(f"Tham mưu HĐND {ph.unit} ban hành {ph.num(resolutions)} nghị quyết và UBND {ph.unit} "
                   f"ban hành {ph.num(total - resolutions)} quyết định quy phạm pháp luật, tổng cộng "
                   f"{issued} văn bản.")
    if ph.has("legal_docs_issued_district"):
        district = ph.say("legal_docs_issued_district")
        options.append(f"Cấp tỉnh ban hành {issued} văn bản QPPL; cấp huyện ban hành {district} văn bản "
                       "QPPL.")
        options.append(f"Trong {ph.when}, cấp tỉnh đã ban hành {issued} văn bản quy phạm pháp luật, UBND "
                       f"cấp huyện ban hành {district} văn bản quy phạm pháp luật.")
    return ph.pick(*options)


def procedures_by_level(ph: Phrase) -> str:
    total, province, commune = (ph.say(m) for m in ("procedures_total", "procedures_province_level",
                                                    "procedures_commune_level"))
    if not ph.has("procedures_district_level"):
        return ph.pick(
            "Sau khi sắp xếp đơn vị hành chính, tổng số TTHC thuộc thẩm quyền giải quyết trên địa bàn "
            f"{ph.unit} là {total} thủ tục, trong đó cấp tỉnh {province} TTHC, cấp xã {commune} TTHC.",
            f"Bộ TTHC của {ph.unit} hiện có {total} thủ tục (cấp tỉnh: {province}; cấp xã: {commune}).",
        )
    district = ph.say("procedures_district_level")
    return ph.pick(
        f"Tổng số TTHC thuộc thẩm quyền giải quyết trên địa bàn {ph.unit} là {total} thủ tục, trong đó cấp "
        f"tỉnh {province} TTHC, cấp huyện {district} TTHC, cấp xã {commune} TTHC.",
        f"Đến thời điểm báo cáo, toàn {ph.unit} có {total} TTHC (cấp tỉnh: {province}; cấp huyện: "
        f"{district}; cấp xã: {commune}).",
        f"Bộ TTHC của {ph.unit} hiện có {total} thủ tục, gồm: {province} TTHC cấp tỉnh, {district} TTHC cấp "
        f"huyện và {commune} TTHC cấp xã.",
        f"Hiện nay, {ph.unit} đang thực hiện {total} TTHC thuộc thẩm quyền giải quyết của các cấp chính "
        "quyền.",
        f"Bộ thủ tục hành chính áp dụng trên địa bàn {ph.unit} gồm {province} TTHC cấp tỉnh; {district} "
        f"TTHC cấp huyện; {commune} TTHC cấp xã, tổng cộng {total} TTHC.",
    )


def procedure_publication(ph: Phrase) -> str:
    new, abolished = int(ph.fig["procedures_new"]), int(ph.fig["procedures_abolished"])
    amended = ph.rng.randint(20, 300)
    decisions = ph.say("procedure_publication_decisions")
    return ph.pick(
        f"Chủ tịch {ph.committee} đã ban hành {decisions} quyết định công bố danh mục TTHC, trong đó công "
        f"bố mới {ph.say('procedures_new')} TTHC, sửa đổi, bổ sung {ph.num(amended)} TTHC và bãi bỏ "
        f"{ph.say('procedures_abolished')} TTHC.",
        f"Trong {ph.when}, {ph.unit} ban hành {decisions} quyết định công bố, công khai danh mục TTHC với "
        f"tổng số {ph.num(new + amended + abolished)} TTHC được công bố (ban hành mới "
        f"{ph.say('procedures_new')}, bãi bỏ {ph.say('procedures_abolished')}).",
        f"Đã công bố mới {ph.say('procedures_new')} TTHC, bãi bỏ {ph.say('procedures_abolished')} TTHC "
        "thuộc thẩm quyền giải quyết của các cấp chính quyền trên địa bàn.",
        f"Chủ tịch {ph.committee} ký ban hành {decisions} quyết định công bố danh mục thủ tục hành chính "
        "mới ban hành, sửa đổi, bổ sung, thay thế và bãi bỏ.",
    )


def simplification(ph: Phrase) -> str:
    simplified = ph.say("procedures_simplified")
    savings = ph.say("simplification_savings_million_vnd")
    cost, time_cut = ph.say("simplification_cost_saving_pct"), ph.say("simplification_time_cut_pct")
    before = ph.previous("procedures_simplified", " ({when} là {figure} TTHC)")
    return ph.pick(
        f"Chủ tịch {ph.committee} đã phê duyệt phương án đơn giản hóa {simplified} TTHC{before}, ước tính "
        f"tiết kiệm chi phí tuân thủ {savings}/năm, tỷ lệ chi phí tiết kiệm trung bình đạt {cost}, thời "
        f"gian giải quyết cắt giảm trung bình {time_cut}.",
        f"Thông qua phương án đơn giản hóa đối với {simplified} thủ tục hành chính, chi phí tiết kiệm được "
        f"là {savings}{ph.previous('simplification_savings_million_vnd', ' ({when} tiết kiệm {figure})')}.",
        f"Về rà soát, đơn giản hóa TTHC, đã phê duyệt phương án đơn giản hóa {simplified} TTHC; tỷ lệ cắt "
        f"giảm thời gian giải quyết đạt {time_cut}, tỷ lệ cắt giảm chi phí tuân thủ đạt {cost}.",
    )


def dossiers(ph: Phrase) -> str:
    f = ph.fig
    resolved, on_time = ph.num(int(f["_dossiers_resolved"])), ph.num(int(f["_dossiers_on_time"]))
    received, late = ph.say("dossiers_received"), ph.say("dossiers_late")
    online = ph.num(round(f["dossiers_received"] * f["online_dossier_rate_pct"] / 100))
    share = ph.say("dossiers_on_time_pct")
    return ph.pick(
        f"Trong {ph.when}, toàn {ph.unit} tiếp nhận {received} hồ sơ TTHC; đã giải quyết {resolved} hồ sơ, "
        f"trong đó đúng hạn {on_time} hồ sơ, đạt {share}; trễ hạn {late} hồ sơ.",
        f"Các cơ quan, đơn vị trên địa bàn {ph.unit} đã tiếp nhận "
        f"{ph.say('dossiers_received', qualifier=ph.loose(0.0, 0.3))} hồ "
        f"sơ{ph.previous('dossiers_received', ' ({when}: {figure} hồ sơ)')}, tỷ lệ giải quyết trước và đúng "
        f"hạn đạt {share}.",
        f"Hệ thống thông tin giải quyết TTHC của {ph.unit} đã tiếp nhận "
        f"{ph.say('dossiers_received', qualifier=ph.pick('more_than', 'about'))} hồ sơ; tỷ lệ hồ sơ giải "
        f"quyết đúng hạn đạt {ph.say('dossiers_on_time_pct', qualifier=ph.maybe('more_than', 0.5))}.",
        f"Tổng số hồ sơ tiếp nhận trong {ph.when} là {received} hồ sơ, số hồ sơ giải quyết quá hạn là "
        f"{late} hồ sơ, chiếm {ph.pct_text(100 - f['dossiers_on_time_pct'])} số hồ sơ đã giải quyết.",
        f"Kết quả giải quyết hồ sơ TTHC {ph.when}: tổng số hồ sơ tiếp nhận {received} (trực tuyến {online} "
        f"hồ sơ); số hồ sơ đã giải quyết {resolved}, trong đó đúng hạn {on_time} hồ sơ ({share}), trễ hạn "
        f"{late} hồ sơ.",
        f"{share} hồ sơ TTHC được giải quyết đúng hạn; chưa đến "
        f"{ph.say('dossiers_late', round_above(f['dossiers_late']), qualifier='less_than', word='')} hồ sơ "
        "trễ hạn.",
    )


def online_services(ph: Phrase) -> str:
    total, full, partial = (ph.say(m) for m in ("online_services_total", "online_services_full",
                                                "online_services_partial"))
    if ph.year >= 2023:
        return ph.pick(
            f"{ph.Unit} đang cung cấp {total} dịch vụ công trực tuyến, trong đó có {full} DVCTT toàn trình "
            f"và {partial} DVCTT một phần.",
            f"Cổng Dịch vụ công của {ph.unit} cung cấp {total} DVCTT ({full} dịch vụ toàn trình, {partial} "
            "dịch vụ một phần).",
            f"Số dịch vụ công trực tuyến toàn trình là {full} dịch vụ, một phần là {partial} dịch vụ.",
            f"{ph.Unit} có {total} dịch vụ công trực tuyến đang được cung cấp, gồm {full} dịch vụ toàn "
            f"trình và {partial} dịch vụ một phần.",
        )
    return ph.pick(
        f"Tổng số dịch vụ công trực tuyến của {ph.unit} là {total} dịch vụ, trong đó mức độ 4 "
        f"là {full} dịch vụ, mức độ 3 là {partial} dịch vụ.",
        f"{ph.Unit} đã cung cấp {full} dịch vụ công trực tuyến mức độ 4 và {partial} dịch vụ công trực "
        "tuyến mức độ 3.",
        f"Đã cung cấp {total} DVCTT, trong đó: mức độ 3: {partial} dịch vụ; mức độ 4: {full} dịch vụ.",
    )


def portal_services(ph: Phrase) -> str | None:
    if not ph.has("online_services_on_national_portal"):
        return None
    portal = ph.say("online_services_on_national_portal")
    return ph.pick(
        f"Có {portal} DVCTT của {ph.unit} đã được tích hợp, cung cấp trên Cổng Dịch vụ công quốc gia.",
        f"Số dịch vụ công trực tuyến của {ph.unit} tích hợp trên Cổng Dịch vụ công quốc gia là {portal}.",
    )


def online_rate(ph: Phrase) -> str:
    rate = ph.say("online_dossier_rate_pct", qualifier=ph.maybe("more_than", 0.2))
    options = [
        f"Tỷ lệ hồ sơ TTHC được tiếp nhận, xử lý trực tuyến đạt {rate}.",
        "Tỷ lệ hồ sơ nộp trực tuyến trên tổng số hồ sơ tiếp nhận đạt "
        f"{rate}{ph.previous('online_dossier_rate_pct', ' ({when} đạt {figure})')}.",
    ]
    if ph.has("online_dossier_rate_level3_pct"):
        level3, level4 = ph.say("online_dossier_rate_level3_pct"), ph.say("online_dossier_rate_level4_pct")
        options.append(f"Tỷ lệ hồ sơ xử lý trực tuyến mức độ 3 đạt {level3} và mức độ 4 đạt {level4}.")
    return ph.pick(*options)


def integration(ph: Phrase) -> str | None:
    sentences = []
    if ph.has("lgsp_connected_systems") and ph.chance(0.6):
        systems = ph.say("lgsp_connected_systems")
        sentences.append(ph.pick(
            f"Nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh (LGSP) đã kết nối với {systems} hệ thống thông "
            "tin.",
            f"Có {systems} hệ thống thông tin, cơ sở dữ liệu được kết nối, chia sẻ qua nền tảng LGSP của "
            f"{ph.unit}.",
        ))
    points = ph.say("video_conference_points", qualifier=ph.loose(0.15, 0.15))
    sentences.append(ph.pick(
        f"Hệ thống hội nghị truyền hình trực tuyến được triển khai đến {points} điểm cầu.",
        f"{ph.Unit} đã đầu tư hệ thống họp trực tuyến với {points} điểm cầu từ tỉnh đến cấp xã.",
        f"Số điểm cầu hội nghị truyền hình trực tuyến đến nay là {points}.",
    ))
    return " ".join(sentences)


def revenue(ph: Phrase) -> str:
    plan, collected = ph.say("state_revenue_plan_million_vnd"), ph.say("state_revenue_million_vnd")
    share = ph.say("state_revenue_pct_of_plan")
    before = ph.world.figures(ph.province, ph.year - 1, ph.period)["state_revenue_million_vnd"]
    growth = ph.pct_text(abs(ph.fig["state_revenue_million_vnd"] / before - 1) * 100)
    trend = "tăng" if ph.fig["state_revenue_million_vnd"] >= before else "giảm"
    change = f", {trend} {growth} so với cùng kỳ"
    return ph.pick(
        f"Thu ngân sách nhà nước trên địa bàn {ph.when} ước đạt {collected}, bằng {share} dự toán được giao.",
        f"Dự toán thu ngân sách nhà nước năm {ph.year} được giao là {plan}; {ph.when} ước thực hiện "
        f"{collected}, đạt {share} so với dự toán{'' if ph.merged else change}.",
        f"Tổng thu NSNN trên địa bàn {ph.when} đạt {collected}, đạt {share} kế hoạch.",
    )


def local_budget(ph: Phrase) -> str:
    amount = ph.say("local_budget_revenue_million_vnd", qualifier=ph.loose(0.15, 0.15))
    return ph.pick(f"Tổng thu ngân sách địa phương {ph.when} đạt {amount}.",
                   f"Tổng thu ngân sách địa phương là {amount}, trong đó thu bổ sung từ ngân sách trung "
                   "ương chiếm tỷ trọng lớn.")


def investment(ph: Phrase) -> str:
    plan = ph.say("public_investment_plan_million_vnd")
    spent = ph.say("public_investment_disbursed_million_vnd")
    share = ph.say("public_investment_disbursed_pct")
    end = {"year": (12, 12), "H1": (6, 6), "9M": (9, 9)}.get(ph.period, (3, 12))
    return ph.pick(
        f"Kế hoạch vốn đầu tư công năm {ph.year} được giao là {plan}; đến {ph.date(ph.year, *end)}, đã giải "
        f"ngân {spent}, đạt {share} kế hoạch.",
        f"Tỷ lệ giải ngân vốn đầu tư công {ph.when} đạt {share}.",
        f"Giải ngân vốn đầu tư công đạt {spent}, bằng {share} kế hoạch vốn được giao.",
    )


def public_assets(ph: Phrase) -> str:
    sites = ph.say("public_assets_arranged", qualifier=ph.loose(0.1, 0.15))
    return ph.pick(
        f"Đã phê duyệt phương án sắp xếp lại, xử lý nhà, đất đối với {sites} cơ sở nhà, đất.",
        f"Đến thời điểm báo cáo, {ph.unit} đã phê duyệt phương án sắp xếp cho {sites} cơ sở nhà đất, đạt "
        f"{ph.pct_text(ph.rng.uniform(80, 99.5))} tổng số cơ sở trên địa bàn.",
    )


def service_units(ph: Phrase) -> str:
    units = int(ph.fig["public_service_units"])
    provincial = round(units * ph.rng.uniform(0.15, 0.3))
    lower = "cấp xã" if ph.merged else "cấp huyện"
    said = ph.say("public_service_units")
    return ph.pick(
        f"Toàn {ph.unit} hiện có {said} đơn vị sự nghiệp công lập (cấp tỉnh {ph.num(provincial)} đơn vị, "
        f"{lower} {ph.num(units - provincial)} đơn vị).",
        f"Tổng số đơn vị sự nghiệp công lập trên địa bàn {ph.unit} là {said} đơn vị.",
    )


def units_reduced(ph: Phrase) -> str:
    reduced = ph.say("public_service_units_reduced")
    cumulative = ph.num(ph.units_cut_since_2015)
    return ph.pick(
        f"Trong {ph.when}, đã sắp xếp, giảm {reduced} đơn vị sự nghiệp công lập; lũy kế từ năm 2015 đến nay "
        f"giảm {cumulative} đơn vị.",
        f"Thực hiện sắp xếp, tổ chức lại, giảm {reduced} đơn vị sự nghiệp và "
        f"{ph.say('organizations_reduced')} tổ chức, đầu mối bên trong các cơ quan, đơn vị.",
        f"Toàn {ph.unit} đã giảm {ph.say('organizations_reduced')} tổ chức, đơn vị, đầu mối thông qua sắp "
        "xếp, kiện toàn tổ chức bộ máy.",
    )


def positions_reduced(ph: Phrase) -> str:
    servants = ph.say("civil_servant_positions_reduced")
    employees = ph.say("public_employee_positions_reduced")
    return ph.pick(
        f"Trong {ph.when}, {ph.unit} đã cắt giảm {servants} biên chế công chức và {employees} người làm "
        "việc hưởng lương từ ngân sách nhà nước.",
        f"Giảm {servants} biên chế công chức, {employees} người làm việc trong các đơn vị sự nghiệp công "
        "lập hưởng lương từ ngân sách nhà nước.",
    )


def streamlining(ph: Phrase) -> str:
    people = int(ph.fig["staff_streamlined"])
    decree = STREAMLINING_DECREE[max(y for y in STREAMLINING_DECREE if y <= ph.year)]
    servants = ph.rng.randint(0, people // 3)
    employees = ph.rng.randint(0, people - servants)
    split = (f" (cán bộ, công chức {ph.num(servants)}; viên chức {ph.num(employees)}; người lao động "
             f"{ph.num(people - servants - employees)})")
    total = ph.num(people * ph.rng.randint(5, 11))
    said = ph.say("staff_streamlined", qualifier=ph.loose(0.1, 0.15))
    return ph.pick(
        f"Giải quyết chính sách tinh giản biên chế theo Nghị định số {decree} cho "
        f"{ph.say('staff_streamlined')} người{split}, nâng tổng số người tinh giản biên chế từ năm 2015 đến "
        f"nay lên {total} người.",
        f"Trong {ph.when}, đã thực hiện tinh giản biên chế đối với {said} trường hợp.",
    )


def recruitment(ph: Phrase) -> str:
    servants, employees = ph.say("civil_servants_recruited"), ph.say("public_employees_recruited")
    return ph.pick(
        f"Công tác tuyển dụng được thực hiện công khai, minh bạch; {ph.when} đã tuyển dụng {servants} công "
        f"chức và {employees} viên chức.",
        f"Tổ chức thi tuyển, xét tuyển {servants} công chức; các đơn vị sự nghiệp công lập tuyển dụng "
        f"{employees} viên chức.",
        f"Trong {ph.when}, {ph.unit} đã tuyển dụng mới {servants} công chức (qua thi tuyển và xét tuyển) và "
        f"{employees} viên chức.",
    )


# Not facts: the province's figures these sentences hold belong to someone else, another time, or
# are changes; each is written as reports write them.
def distractor(ph: Phrase, section: str) -> str:
    n = ph.rng.randint
    options = {
        "direction": [
            f"Các sở, ngành, địa phương đã ban hành {ph.num(n(80, 400))} văn bản triển khai nhiệm vụ CCHC.",
            f"Thực hiện Quyết định số {ph.docno('QĐ-UBND')} {ph.date(ph.year, 1, 3)} của {ph.committee} về "
            "việc ban hành Kế hoạch tuyên truyền cải cách hành chính, các cơ quan đã đăng tải "
            f"{ph.num(n(50, 900))} tin, bài.",
            f"{ph.committee} tổ chức {ph.num(n(1, 6))} hội nghị đối thoại giữa lãnh đạo {ph.unit} với người "
            "dân, doanh nghiệp.",
        ],
        "institution": [
            f"Sở Tư pháp đã thẩm định {ph.num(n(40, 160))} dự thảo văn bản QPPL, tự kiểm tra "
            f"{ph.num(n(20, 90))} văn bản.",
            f"Qua rà soát, đã kiến nghị bãi bỏ {ph.num(n(2, 25))} văn bản không còn phù hợp; 100% dự thảo "
            "văn bản QPPL được thẩm định trước khi ban hành.",
        ],
        "procedures": [
            f"Riêng {ph.district()} tiếp nhận {ph.num(n(1200, 30000))} hồ sơ, tỷ lệ giải quyết đúng hạn đạt "
            f"{ph.pct_text(ph.rng.uniform(95, 99.9))}.",
            f"{ph.department()} là đơn vị có nhiều hồ sơ trễ hạn nhất với {ph.num(n(15, 400))} hồ sơ.",
            f"Trung tâm Phục vụ hành chính công {ph.unit} tiếp nhận {ph.num(n(8000, 60000))} hồ sơ, tăng "
            f"{ph.pct_text(ph.rng.uniform(3, 25))} so với cùng kỳ năm trước.",
            f"Bộ phận một cửa của {ph.district()} đã trả kết quả {ph.num(n(2000, 20000))} hồ sơ qua dịch vụ "
            "bưu chính công ích.",
        ],
        "organization": [
            f"Lũy kế từ năm 2015 đến nay, toàn {ph.unit} giảm {ph.num(ph.units_cut_since_2015)} đơn vị sự "
            f"nghiệp công lập, đạt {ph.pct_text(ph.rng.uniform(10, 28))} so với năm 2015.",
            f"{upper_first(ph.district())} đã sáp nhập {ph.num(n(3, 40))} thôn, tổ dân phố có quy mô nhỏ.",
        ],
        "civil_service": [
            f"Bổ nhiệm, bổ nhiệm lại {ph.num(n(20, 120))} công chức lãnh đạo, quản lý; cử "
            f"{ph.num(n(200, 2500))} lượt cán bộ, công chức tham gia các lớp đào tạo, bồi dưỡng.",
            f"Tổ chức thi nâng ngạch công chức cho {ph.num(n(30, 300))} người và xét thăng hạng cho "
            f"{ph.num(n(100, 900))} viên chức.",
        ],
        "finance": [
            f"Các cơ quan, đơn vị đã tiết kiệm {ph.money_text(n(500, 90000))} chi thường xuyên để tạo nguồn "
            "cải cách tiền lương.",
            f"Có {ph.num(n(20, 200))} đơn vị sự nghiệp công lập tự bảo đảm chi thường xuyên.",
        ],
        "digital": [
            f"Có {ph.num(n(4, 20))}/{ph.num(n(21, 40))} ứng dụng có dữ liệu dùng chung được kết nối, chia "
            "sẻ; 100% cơ quan nhà nước từ cấp xã trở lên có mạng LAN và kết nối Internet.",
            f"Đã số hóa {ph.num(n(20000, 900000))} hồ sơ, kết quả giải quyết TTHC; kích hoạt "
            f"{ph.num(n(100000, 900000))} tài khoản định danh điện tử.",
        ],
    }
    return ph.pick(*options[section]) if section in options else ""


def last_year(ph: Phrase) -> str | None:
    """A directive's or plan's look back: last year's actual results, filed under last year."""
    if ph.merged:
        return None
    year = ph.year - 1
    before = ph.world.figures(ph.province, year, "year")
    on_time = ph.say("dossiers_on_time_pct", before["dossiers_on_time_pct"], year=year, period="year")
    online = ph.say("online_dossier_rate_pct", before["online_dossier_rate_pct"], year=year, period="year")
    received = ph.say("dossiers_received", before["dossiers_received"], year=year, period="year")
    return ph.pick(
        f"Năm {year}, tỷ lệ hồ sơ TTHC được giải quyết đúng hạn trên địa bàn {ph.unit} đạt {on_time}; tỷ lệ "
        f"hồ sơ tiếp nhận trực tuyến đạt {online}.",
        f"Trong năm {year}, các cơ quan, đơn vị trên địa bàn {ph.unit} đã tiếp nhận {received} hồ sơ TTHC, "
        f"tỷ lệ giải quyết đúng hạn đạt {on_time}.",
    )


def targets(ph: Phrase, year: int, count: int) -> list[str]:
    """Goals for `year`: facts of kind "target", and some goals that state no catalog figure."""
    def target(metric: str, value: float, qualifier: str = "exact", word: str | None = None) -> str:
        return ph.say(metric, float(value), qualifier=qualifier, kind="target", year=year, period="year",
                      word=word)

    online = min(90, 5 * round((ph.fig["online_dossier_rate_pct"] + 12) / 5))
    options: list[Callable[[], str]] = [
        lambda: "Phấn đấu tỷ lệ hồ sơ TTHC được giải quyết đúng hạn đạt "
                f"{target('dossiers_on_time_pct', ph.pick(95, 97, 98, 99), 'more_than')}.",
        lambda: "Phấn đấu tỷ lệ hồ sơ TTHC được tiếp nhận, giải quyết trực tuyến đạt "
                f"{target('online_dossier_rate_pct', online, 'more_than', 'từ')} trở lên.",
        lambda: f"Phấn đấu Chỉ số cải cách hành chính năm {year} của {ph.unit} đạt "
                f"{target('par_index_score', ph.pick(85, 87, 88, 90), 'more_than')} điểm.",
        lambda: f"Mục tiêu Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) năm {year} đạt "
                f"{target('sipas_score_pct', ph.pick(85, 88, 90), 'more_than')}.",
        lambda: f"Phấn đấu hoàn thành {target('cchc_plan_completion_pct', 100)} nhiệm vụ trong Kế hoạch cải "
                f"cách hành chính năm {year}.",
        lambda: f"Phấn đấu giải ngân {target('public_investment_disbursed_pct', 100)} kế hoạch vốn đầu tư "
                f"công năm {year} được giao.",
        lambda: f"Phấn đấu Chỉ số cải cách hành chính năm {year} thuộc nhóm 20 tỉnh, thành phố dẫn đầu cả "
                "nước.",
        lambda: "100% thủ tục hành chính đủ điều kiện được cung cấp dưới hình thức dịch vụ công trực tuyến "
                "toàn trình.",
        lambda: "100% hồ sơ, kết quả giải quyết thủ tục hành chính được số hóa theo quy định.",
        lambda: f"Cắt giảm tối thiểu {ph.pick(10, 15, 20)}% thời gian giải quyết thủ tục hành chính so với "
                "quy định.",
    ]
    return [option() for option in ph.rng.sample(options, min(count, len(options)))]


# --- Prose without figures ---------------------------------------------------------------------------

FILLER = {
    "opening": (
        "Công tác cải cách hành chính tiếp tục được {party}, HĐND, {committee} xác định là nhiệm vụ trọng "
        "tâm, xuyên suốt, gắn với thực hiện các nhiệm vụ phát triển kinh tế - xã hội của địa phương.",
        "Người đứng đầu các cơ quan, đơn vị, địa phương đã quan tâm chỉ đạo, đề cao trách nhiệm trong "
        "triển khai các nhiệm vụ cải cách hành chính được giao.",
        "Nhận thức của đội ngũ cán bộ, công chức, viên chức về vai trò, ý nghĩa của cải cách hành chính "
        "tiếp tục được nâng lên; tinh thần, thái độ phục vụ người dân, doanh nghiệp có nhiều chuyển biến "
        "tích cực.",
        "Các nhiệm vụ cải cách hành chính được triển khai đồng bộ trên các lĩnh vực, trọng tâm là cải cách "
        "thủ tục hành chính, xây dựng chính quyền số và nâng cao chất lượng phục vụ.",
        "Với sự vào cuộc của cả hệ thống chính trị, môi trường đầu tư, kinh doanh của {unit} tiếp tục được "
        "cải thiện, tạo thuận lợi cho người dân và doanh nghiệp.",
    ),
    "direction": (
        "Công tác thông tin, tuyên truyền về cải cách hành chính được đổi mới về nội dung và hình thức, "
        "chú trọng tuyên truyền trên các nền tảng số và mạng xã hội.",
        "{committee} chỉ đạo gắn kết quả thực hiện nhiệm vụ cải cách hành chính với công tác thi đua, khen "
        "thưởng và đánh giá, xếp loại người đứng đầu.",
        "Việc theo dõi, đánh giá, xác định Chỉ số cải cách hành chính của các sở, ban, ngành và địa phương "
        "được thực hiện nghiêm túc, khách quan.",
        "Các cơ quan, đơn vị đã chủ động xây dựng kế hoạch cải cách hành chính, bố trí nguồn lực và phân "
        "công cụ thể cho từng bộ phận.",
        "Công tác phối hợp giữa các cơ quan trong triển khai nhiệm vụ cải cách hành chính ngày càng chặt "
        "chẽ, hiệu quả.",
        "Hội đồng thẩm định Chỉ số cải cách hành chính của {unit} đã thẩm định kết quả tự chấm điểm của "
        "các cơ quan, đơn vị, bảo đảm đúng quy trình.",
        "Những tồn tại, hạn chế được chỉ ra qua kiểm tra đã được các cơ quan, đơn vị tiếp thu, khắc phục "
        "kịp thời.",
        "Việc khảo sát, đo lường sự hài lòng của người dân, tổ chức được triển khai định kỳ, làm cơ sở để "
        "các cơ quan, đơn vị cải thiện chất lượng phục vụ.",
    ),
    "institution": (
        "Công tác xây dựng, ban hành văn bản quy phạm pháp luật được thực hiện chặt chẽ, đúng thẩm quyền, "
        "trình tự, thủ tục theo quy định của Luật Ban hành văn bản quy phạm pháp luật.",
        "Việc lấy ý kiến của cơ quan, tổ chức, cá nhân đối với dự thảo văn bản được thực hiện nghiêm túc, "
        "đặc biệt là các văn bản có tác động đến người dân, doanh nghiệp.",
        "Công tác rà soát, hệ thống hóa văn bản được tiến hành thường xuyên, kịp thời phát hiện các quy "
        "định chồng chéo, không còn phù hợp để sửa đổi, bổ sung hoặc bãi bỏ.",
        "Công tác theo dõi tình hình thi hành pháp luật được triển khai trên các lĩnh vực trọng tâm, gắn "
        "với kiểm tra việc xử lý vi phạm hành chính.",
        "Công tác phổ biến, giáo dục pháp luật được đổi mới theo hướng ứng dụng công nghệ thông tin, tổ "
        "chức nhiều cuộc thi tìm hiểu pháp luật trực tuyến.",
        "Các văn bản sau khi ban hành đều được đăng tải trên Cơ sở dữ liệu quốc gia về pháp luật và Cổng "
        "thông tin điện tử của {unit}.",
    ),
    "procedures": (
        "Việc thực hiện cơ chế một cửa, một cửa liên thông tiếp tục được duy trì ổn định tại Trung tâm "
        "Phục vụ hành chính công và bộ phận một cửa các cấp.",
        "Các thủ tục hành chính sau khi công bố đều được cập nhật, công khai đầy đủ trên Cơ sở dữ liệu "
        "quốc gia về thủ tục hành chính và tại nơi tiếp nhận hồ sơ.",
        "Việc tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức về quy định hành chính được thực "
        "hiện kịp thời, đúng quy định.",
        "Các cơ quan, đơn vị đã thực hiện xin lỗi người dân, tổ chức đối với các trường hợp giải quyết hồ "
        "sơ quá hạn theo quy định.",
        "Dịch vụ bưu chính công ích trong tiếp nhận hồ sơ và trả kết quả giải quyết thủ tục hành chính "
        "tiếp tục được mở rộng.",
        "Việc số hóa hồ sơ, kết quả giải quyết thủ tục hành chính được đẩy mạnh, tạo điều kiện tái sử dụng "
        "dữ liệu, giảm giấy tờ cho người dân.",
        "Công tác rà soát, đánh giá thủ tục hành chính được thực hiện theo kế hoạch, tập trung vào các "
        "lĩnh vực có nhiều hồ sơ phát sinh như đất đai, xây dựng, đầu tư.",
        "Quy trình nội bộ giải quyết thủ tục hành chính được chuẩn hóa, điện tử hóa, góp phần rút ngắn "
        "thời gian và giảm chi phí cho người dân, doanh nghiệp.",
    ),
    "organization": (
        "Việc sắp xếp tổ chức bộ máy được thực hiện theo đúng chủ trương của Trung ương, bảo đảm tinh gọn, "
        "hoạt động hiệu lực, hiệu quả.",
        "Các cơ quan chuyên môn đã rà soát, ban hành quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ "
        "chức theo hướng dẫn của các bộ, ngành.",
        "Việc quản lý biên chế được thực hiện chặt chẽ, gắn với vị trí việc làm và tinh giản biên chế theo "
        "lộ trình.",
        "Việc phân cấp, phân quyền giữa cấp tỉnh và cấp cơ sở tiếp tục được đẩy mạnh, đi đôi với kiểm tra, "
        "giám sát.",
        "Công tác đánh giá chất lượng hoạt động của tổ chức bộ máy được gắn với kết quả thực hiện nhiệm vụ "
        "chính trị của từng cơ quan, đơn vị.",
    ),
    "civil_service": (
        "Công tác quản lý đội ngũ cán bộ, công chức, viên chức được thực hiện theo vị trí việc làm đã được "
        "phê duyệt.",
        "Việc đánh giá, xếp loại cán bộ, công chức, viên chức được thực hiện thực chất hơn, gắn với kết "
        "quả thực hiện nhiệm vụ được giao.",
        "Công tác đào tạo, bồi dưỡng được chú trọng, nội dung gắn với yêu cầu vị trí việc làm và kỹ năng số.",
        "Kỷ luật, kỷ cương hành chính được siết chặt; việc kiểm tra công vụ được tiến hành thường xuyên và "
        "đột xuất.",
        "Chính sách thu hút, trọng dụng người có tài năng tiếp tục được triển khai, tạo nguồn cán bộ có "
        "chất lượng cho các cơ quan.",
        "Công tác bổ nhiệm, điều động, luân chuyển cán bộ được thực hiện đúng quy trình, công khai, minh "
        "bạch.",
    ),
    "finance": (
        "Cơ chế tự chủ tài chính tại các đơn vị sự nghiệp công lập tiếp tục được đẩy mạnh theo lộ trình.",
        "Công tác quản lý, sử dụng tài sản công được thực hiện chặt chẽ, đúng tiêu chuẩn, định mức.",
        "{committee} chỉ đạo quyết liệt các giải pháp tăng thu, chống thất thu, nuôi dưỡng nguồn thu ngân "
        "sách.",
        "Việc thực hành tiết kiệm, chống lãng phí trong chi thường xuyên được các cơ quan, đơn vị thực "
        "hiện nghiêm túc.",
        "Các chủ đầu tư được yêu cầu đẩy nhanh tiến độ thực hiện dự án, tháo gỡ khó khăn trong giải phóng "
        "mặt bằng để giải ngân vốn.",
    ),
    "digital": (
        "Hạ tầng công nghệ thông tin phục vụ chính quyền số tiếp tục được đầu tư, nâng cấp, bảo đảm kết "
        "nối thông suốt từ cấp tỉnh đến cấp xã.",
        "Việc gửi, nhận văn bản điện tử giữa các cơ quan nhà nước được thực hiện trên môi trường mạng, có "
        "sử dụng chữ ký số.",
        "Công tác bảo đảm an toàn, an ninh thông tin mạng được quan tâm, các hệ thống thông tin được phân "
        "loại cấp độ theo quy định.",
        "Các cơ sở dữ liệu chuyên ngành được xây dựng, cập nhật và từng bước kết nối, chia sẻ với cơ sở dữ "
        "liệu quốc gia.",
        "Người dân được hướng dẫn sử dụng tài khoản định danh điện tử để thực hiện dịch vụ công trực tuyến.",
        "Cổng thông tin điện tử và các kênh mạng xã hội của {unit} được sử dụng để cung cấp thông tin và "
        "tiếp nhận phản ánh của người dân.",
    ),
    "assessment": (
        "Bên cạnh kết quả đạt được, công tác cải cách hành chính vẫn còn một số tồn tại, hạn chế.",
        "Một số cơ quan, đơn vị chưa thực sự quan tâm đến công tác cải cách hành chính; việc triển khai "
        "nhiệm vụ còn chậm, chưa đạt yêu cầu.",
        "Tình trạng hồ sơ giải quyết quá hạn vẫn còn xảy ra ở một số lĩnh vực, nhất là đất đai.",
        "Tỷ lệ hồ sơ nộp trực tuyến ở một số địa phương còn thấp; người dân chưa quen sử dụng dịch vụ công "
        "trực tuyến.",
        "Hạ tầng công nghệ thông tin ở cấp cơ sở còn thiếu đồng bộ, một số phần mềm chưa được kết nối, "
        "liên thông.",
        "Năng lực của một bộ phận cán bộ, công chức chưa đáp ứng yêu cầu nhiệm vụ trong bối cảnh chuyển "
        "đổi số.",
        "Nguyên nhân chủ yếu là do khối lượng công việc lớn, nhiều văn bản của Trung ương ban hành chậm "
        "hoặc thay đổi, trong khi nguồn lực còn hạn chế.",
    ),
    "outlook": (
        "Tiếp tục quán triệt, triển khai đồng bộ các nhiệm vụ, giải pháp cải cách hành chính theo chương "
        "trình, kế hoạch đã đề ra.",
        "Đẩy mạnh cải cách thủ tục hành chính, tập trung cắt giảm, đơn giản hóa các quy định liên quan đến "
        "hoạt động kinh doanh.",
        "Nâng cao chất lượng cung cấp dịch vụ công trực tuyến, tăng cường tái sử dụng dữ liệu đã được số "
        "hóa.",
        "Tăng cường kỷ luật, kỷ cương hành chính, xử lý nghiêm các trường hợp nhũng nhiễu, gây phiền hà "
        "cho người dân, doanh nghiệp.",
        "Tiếp tục rà soát, sắp xếp tổ chức bộ máy gắn với tinh giản biên chế và cơ cấu lại đội ngũ cán bộ, "
        "công chức, viên chức.",
        "Nâng cao chất lượng công tác kiểm tra, theo dõi, đánh giá kết quả thực hiện nhiệm vụ cải cách "
        "hành chính của các cơ quan, đơn vị.",
    ),
    "news": (
        "Ghi nhận tại Trung tâm Phục vụ hành chính công {unit}, không khí làm việc diễn ra khẩn trương, "
        "người dân được hướng dẫn tận tình.",
        "Nhiều người dân cho biết việc làm thủ tục nay đã thuận tiện hơn, không phải đi lại nhiều lần.",
        "Theo {person}, trong thời gian tới, {unit} tiếp tục lấy sự hài lòng của người dân, doanh nghiệp "
        "làm thước đo chất lượng phục vụ.",
        "“Chúng tôi xác định cải cách hành chính phải thực chất, lấy người dân làm trung tâm”, {person} "
        "nhấn mạnh.",
        "Đây là kết quả của sự vào cuộc quyết liệt của cả hệ thống chính trị và sự đồng thuận của người dân.",
    ),
}
SECTION_HEADINGS = {
    "direction": "Công tác chỉ đạo, điều hành cải cách hành chính",
    "institution": "Cải cách thể chế",
    "procedures": "Cải cách thủ tục hành chính",
    "organization": "Cải cách tổ chức bộ máy hành chính nhà nước",
    "civil_service": "Cải cách chế độ công vụ",
    "finance": "Cải cách tài chính công",
    "digital": "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
}
SECTION_BUILDERS: dict[str, tuple[Builder, ...]] = {
    "direction": (plan_tasks, plan_completion, directive_documents, inspections, government_tasks, task_share,
                  reform_index),
    "institution": (legal_documents,),
    "procedures": (procedures_by_level, procedure_publication, simplification, dossiers),
    "organization": (service_units, units_reduced),
    "civil_service": (positions_reduced, streamlining, recruitment),
    "finance": (revenue, local_budget, investment, public_assets),
    "digital": (online_services, portal_services, online_rate, integration),
}
QUARTER_SECTIONS = ("direction", "procedures", "civil_service", "digital")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
# Facts a document states (min, max), and its size in kB, by kind.
FACTS = {"year": (14, 25), "H1": (11, 20), "9M": (11, 20), "Q": (8, 14), "news": (8, 14)}
SIZE_KB = {"year": (7, 12), "H1": (5, 10), "9M": (5, 10), "Q": (3, 6), "news": (3, 6), "directive": (5, 10),
           "plan": (4, 8)}


@dataclass
class Block:
    kind: str  # heading | para | line | table | list
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Draft:
    """A document before it takes a format: title, body blocks, and for web pages their furniture."""

    title: str
    blocks: list[Block]
    lead: str = ""
    byline: str = ""
    related: list[str] = field(default_factory=list)  # "Tin liên quan": headlines, not facts


def fill(ph: Phrase, key: str, count: int) -> list[str]:
    words = {"party": ph.party, "committee": ph.committee, "unit": ph.unit}
    chosen = ph.rng.sample(FILLER[key], min(count, len(FILLER[key])))
    return [text.format(**words, person=ph.person()) if "{person}" in text else text.format(**words)
            for text in chosen]


def paragraphs(ph: Phrase, sentences: list[str]) -> list[Block]:
    blocks, start = [], 0
    while start < len(sentences):
        size = ph.rng.randint(2, 4)
        blocks.append(Block("para", " ".join(sentences[start:start + size])))
        start += size
    return blocks


def choose_facts(ph: Phrase, sections: Iterable[str], budget: tuple[int, int],
                 per_section: int) -> dict[str, list[str]]:
    """Sentences with figures, section by section, until the document states about `budget` facts.

    Builders are tried in rounds (every section's first pick before any second one), so a
    document's facts spread over its sections, and over the fact tables.
    """
    wanted = ph.rng.randint(*budget)
    queues = {section: ph.rng.sample(SECTION_BUILDERS[section], len(SECTION_BUILDERS[section]))
              for section in sections}
    rounds = [[(section, queue[i]) for section, queue in queues.items() if i < len(queue)]
              for i in range(per_section)]
    chosen: dict[str, list[tuple[int, str]]] = {section: [] for section in sections}
    stated: set[tuple] = set()
    for candidates in rounds:
        for section, builder in ph.rng.sample(candidates, len(candidates)):
            if len(stated) >= wanted:
                break
            sentence = builder(ph)
            if not sentence:
                continue
            facts = {_fact_key(ph.pending[int(m)]) for m in MARK.findall(sentence)}
            if stated and len(stated | facts) > budget[1]:
                continue
            stated |= facts
            chosen[section].append((SECTION_BUILDERS[section].index(builder), sentence))
    return {section: [s for _, s in sorted(items)] for section, items in chosen.items()}


def _fact_key(fact: dict) -> tuple:
    return fact["metric_code"], fact["value"], fact["year"], fact["period"], fact["fact_kind"]


def heading(ph: Phrase, style: str, number: int, text: str) -> Block:
    if style == "roman":
        return Block("heading", f"{ROMAN[number]}. {text.upper()}")
    if style == "arabic":
        return Block("heading", f"{number + 1}. {text}")
    return Block("heading", f"Về {text[0].lower()}{text[1:]}")


def report_title(ph: Phrase) -> str:
    year = ph.year
    if ph.period == "year":
        return ph.pick(f"Báo cáo kết quả công tác cải cách hành chính năm {year}",
                       f"Báo cáo công tác cải cách hành chính năm {year} của {ph.full}",
                       f"Báo cáo kết quả thực hiện Kế hoạch cải cách hành chính năm {year}")
    if ph.period == "H1":
        return ph.pick(f"Báo cáo công tác cải cách hành chính 6 tháng đầu năm {year}",
                       f"Báo cáo kết quả cải cách hành chính 6 tháng đầu năm {year} của {ph.full}")
    if ph.period == "9M":
        return f"Báo cáo kết quả thực hiện công tác cải cách hành chính 9 tháng đầu năm {year}"
    return ph.pick(f"Báo cáo công tác cải cách hành chính quý {QUARTERS[ph.period]} năm {year}",
                   f"Báo cáo kết quả cải cách hành chính quý {QUARTERS[ph.period]}/{year}")


def sized_fill(ph: Phrase, body: dict[str, list[str]], extra: dict[str, int],
               size_kb: tuple[int, int]) -> None:
    """Filler sentences, spread over the sections, until the document has its size."""
    target = ph.rng.randint(*size_kb) * 1000
    size = sum(len(s.encode()) for sentences in body.values() for s in sentences) + 600
    pools = {key: fill(ph, key, len(FILLER[key])) for key in body}
    for key, count in extra.items():  # fixed minimums (opening, assessment)
        for _ in range(count):
            if pools.get(key):
                sentence = pools[key].pop()
                body[key].append(sentence)
                size += len(sentence.encode())
    while size < target and any(pools.values()):
        for key in body:
            if pools.get(key) and size < target:
                sentence = pools[key].pop()
                body[key].insert(ph.rng.randint(0, len(body[key])), sentence)
                size += len(sentence.encode())


def report_draft(ph: Phrase) -> Draft:
    quarterly = ph.period.startswith("Q")
    sections = QUARTER_SECTIONS if quarterly else tuple(SECTION_BUILDERS)
    budget = FACTS["Q" if quarterly else ph.period]
    body = choose_facts(ph, sections, budget, per_section=3 if quarterly else 4)
    for section in body:
        if ph.chance(0.45):
            body[section].insert(ph.rng.randint(0, len(body[section])), distractor(ph, section))
    body = {"opening": [], **body, "assessment": [], "outlook": []}
    size = SIZE_KB["Q" if quarterly else ph.period]
    sized_fill(ph, body, {"opening": 2, "assessment": 2, "outlook": 1}, size)
    blocks = [Block("line", f"Số: {ph.docno('BC-UBND')}"),
              Block("line", f"{ph.name}, {ph.date(ph.year, *published_months(ph.spec), words=True)}")]
    source = (f"Kế hoạch số {ph.docno('KH-UBND')} {ph.date(ph.year, 1, 1)} của {ph.committee} về cải cách "
              f"hành chính năm {ph.year}")
    blocks.append(Block("para", f"Thực hiện {source}, {ph.committee} báo cáo kết quả công tác cải cách "
                                f"hành chính {ph.when} như sau:"))
    blocks += paragraphs(ph, body.pop("opening"))
    style = ph.pick("roman", "arabic", "about")
    number = 0
    for section, sentences in body.items():
        if section in ("assessment", "outlook") or not sentences:
            continue
        blocks.append(heading(ph, style, number, SECTION_HEADINGS[section]))
        blocks += paragraphs(ph, sentences)
        number += 1
    blocks.append(heading(ph, style, number, "Tồn tại, hạn chế"))
    blocks += paragraphs(ph, body["assessment"])
    next_year = ph.year + 1 if ph.period in ("year", "Q4") else ph.year
    later = f"năm {next_year}" if next_year > ph.year else "thời gian tới"
    blocks.append(heading(ph, style, number + 1, f"Phương hướng, nhiệm vụ {later}"))
    goals = targets(ph, next_year, ph.rng.randint(1, 3)) if ph.chance(0.7) else []
    blocks += paragraphs(ph, body["outlook"] + goals)
    blocks.append(Block("para", f"Trên đây là báo cáo kết quả công tác cải cách hành chính {ph.when} của "
                                f"{ph.committee}./."))
    return Draft(report_title(ph), blocks)


def news_draft(ph: Phrase) -> Draft:
    sections = ph.rng.sample(tuple(SECTION_BUILDERS), ph.rng.randint(3, 5))
    sections = [s for s in SECTION_BUILDERS if s in sections]
    body = choose_facts(ph, sections, FACTS["news"], per_section=3)
    if ph.chance(0.5):
        section = ph.pick(*sections)
        body[section].append(distractor(ph, section))
    body = {**body, "news": []}
    sized_fill(ph, body, {"news": 2}, SIZE_KB["news"])
    lead = (f"{ph.when[0].upper()}{ph.when[1:]}, công tác cải cách hành chính của {ph.full} tiếp tục có "
            "nhiều chuyển biến tích cực, chất lượng phục vụ người dân, doanh nghiệp được nâng lên.")
    blocks = []
    for sentences in body.values():
        if sentences:
            blocks += paragraphs(ph, sentences)
    source = ph.pick(f"Sở Nội vụ {ph.unit} {ph.name}", f"Báo {ph.name}", f"Cổng TTĐT {ph.unit}")
    author = f"{ph.pick(*GIVEN).split()[-1]} {ph.pick('Anh', 'Minh', 'Hòa', 'Dũng', 'Thảo')}"
    related = [related_headline(ph) for _ in range(ph.rng.randint(3, 6))]
    return Draft(news_title(ph), blocks, lead=lead, byline=f"{author} ({source})", related=related)


def news_title(ph: Phrase) -> str:
    if ph.period == "year":
        return ph.pick(f"{ph.name}: Kết quả cải cách hành chính năm {ph.year}",
                       f"{ph.name} đẩy mạnh cải cách hành chính, nâng cao chất lượng phục vụ người dân",
                       f"Cải cách hành chính ở {ph.name} năm {ph.year}: nhiều chuyển biến tích cực")
    if ph.period == "H1":
        return f"{ph.name}: Cải cách hành chính 6 tháng đầu năm {ph.year} có nhiều chuyển biến"
    if ph.period == "9M":
        return f"{ph.name}: Kết quả cải cách hành chính 9 tháng đầu năm {ph.year}"
    return f"Quý {QUARTERS[ph.period]}/{ph.year}: {ph.name} tiếp tục đẩy mạnh cải cách thủ tục hành chính"


def related_headline(ph: Phrase) -> str:
    """A "related news" link: figures of other periods and places, which are page furniture."""
    n = ph.rng.randint
    year = n(max(2014, ph.year - 3), ph.year)  # older news, never news from the future
    return ph.pick(
        f"Năm {year}: {ph.name} giải quyết {ph.pct_text(ph.rng.uniform(95, 99.9))} hồ sơ đúng hạn",
        f"Tiếp nhận hơn {thousands(n(10, 90) * 1000)} hồ sơ trực tuyến trong quý {ROMAN[n(0, 3)]}/{year}",
        f"Công bố Chỉ số CCHC năm {year}: {n(1, 63)}/63 tỉnh, thành phố đạt trên {n(80, 88)} điểm",
        f"{upper_first(ph.district())} cắt giảm {n(20, 60)}% thời gian giải quyết TTHC",
        f"Hội nghị tổng kết công tác cải cách hành chính năm {year}",
        f"Khai trương Trung tâm Phục vụ hành chính công {ph.unit} với {n(15, 40)} quầy giao dịch",
    )


def header_lines(ph: Phrase, kind: str) -> list[Block]:
    return [Block("line", f"ỦY BAN NHÂN DÂN {ph.full.upper()}"),
            Block("line", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            Block("line", "Độc lập - Tự do - Hạnh phúc"),
            Block("line", f"Số: {ph.docno(kind)}"),
            Block("line", f"{ph.name}, {ph.date(ph.year, *published_months(ph.spec), words=True)}")]


def directive_draft(ph: Phrase) -> Draft:
    subject = ph.pick(f"Về việc đẩy mạnh công tác cải cách hành chính trên địa bàn {ph.full}",
                      "Về tăng cường kỷ luật, kỷ cương hành chính và nâng cao chất lượng giải quyết thủ "
                      f"tục hành chính năm {ph.year}")
    title = f"Chỉ thị {subject[0].lower()}{subject[1:]}"
    blocks = header_lines(ph, "CT-UBND") + [Block("heading", "CHỈ THỊ"), Block("heading", subject)]
    looking_back = fill(ph, "opening", 2)
    if ph.chance(0.6) and (sentence := reform_index(ph)):
        looking_back.append(sentence)
    if ph.chance(0.5) and (sentence := last_year(ph)):
        looking_back.append(sentence)
    looking_back += fill(ph, "assessment", ph.rng.randint(3, 5))
    blocks += paragraphs(ph, looking_back)
    blocks.append(Block("para", f"Để khắc phục những tồn tại, hạn chế nêu trên, Chủ tịch {ph.committee} "
                                "yêu cầu:"))
    orders = fill(ph, "outlook", 6) + targets(ph, ph.year, ph.rng.randint(2, 4)) + fill(ph, "procedures", 3)
    orders += fill(ph, "civil_service", ph.rng.randint(2, 4)) + fill(ph, "digital", ph.rng.randint(2, 4))
    blocks.append(Block("list", rows=[[f"{i + 1}. {order}"] for i, order in enumerate(orders)]))
    blocks.append(Block("para", "Giao Sở Nội vụ theo dõi, đôn đốc việc thực hiện Chỉ thị này, định kỳ "
                                f"tổng hợp, báo cáo Chủ tịch {ph.committee}."))
    return Draft(title, blocks)


def plan_draft(ph: Phrase) -> Draft:
    title = f"Kế hoạch cải cách hành chính năm {ph.year} của {ph.full}"
    blocks = header_lines(ph, "KH-UBND") + [Block("heading", "KẾ HOẠCH"),
                                           Block("heading", f"Cải cách hành chính năm {ph.year}")]
    blocks.append(Block("heading", "I. MỤC ĐÍCH, YÊU CẦU"))
    blocks += paragraphs(ph, fill(ph, "opening", 3) + fill(ph, "direction", ph.rng.randint(2, 4)))
    blocks.append(Block("heading", "II. MỤC TIÊU"))
    blocks.append(Block("list", rows=[[f"- {goal}"] for goal in targets(ph, ph.year, ph.rng.randint(3, 5))]))
    blocks.append(Block("heading", "III. NHIỆM VỤ"))
    tasks = ph.say("cchc_plan_tasks")
    activities = ph.say("cchc_plan_activities")
    intro = [f"Kế hoạch gồm {tasks} nhiệm vụ với {activities} hoạt động cụ thể trên các lĩnh vực cải cách "
             "hành "
             f"chính, giao các cơ quan, đơn vị chủ trì thực hiện."]
    if ph.chance(0.7) and (sentence := last_year(ph)):
        intro.append(sentence)
    blocks += paragraphs(ph, intro + fill(ph, "outlook", 4))
    blocks.append(Block("list", rows=[[f"- {text}"] for text in fill(ph, "procedures", ph.rng.randint(2, 4))
                                      + fill(ph, "digital", ph.rng.randint(2, 4))]))
    blocks.append(Block("heading", "IV. KINH PHÍ THỰC HIỆN"))
    blocks.append(Block("para", "Kinh phí thực hiện Kế hoạch được bố trí từ nguồn ngân sách nhà nước theo "
                                f"phân cấp, dự kiến {ph.money_text(ph.rng.randint(8, 60) * 100)}."))
    blocks.append(Block("heading", "V. TỔ CHỨC THỰC HIỆN"))
    blocks += paragraphs(ph, fill(ph, "direction", 3) + fill(ph, "civil_service", 2))
    return Draft(title, blocks)


def summary_table(ph: Phrase) -> Block:
    """A docx table of headline figures (facts: a careful analyst reads tables too)."""
    rows = [
        ("Tổng số TTHC thuộc thẩm quyền giải quyết", "Thủ tục", "procedures_total"),
        ("Số hồ sơ TTHC tiếp nhận", "Hồ sơ", "dossiers_received"),
        ("Tỷ lệ hồ sơ giải quyết đúng hạn", "%", "dossiers_on_time_pct"),
        ("Số dịch vụ công trực tuyến", "Dịch vụ", "online_services_total"),
        ("Tỷ lệ hồ sơ tiếp nhận trực tuyến", "%", "online_dossier_rate_pct"),
        ("Số văn bản QPPL cấp tỉnh ban hành", "Văn bản", "legal_docs_issued_province"),
        ("Số người được giải quyết tinh giản biên chế", "Người", "staff_streamlined"),
    ]
    chosen = sorted(ph.rng.sample(range(len(rows)), ph.rng.randint(3, 5)))
    table = [["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"]]
    for number, i in enumerate(chosen, start=1):
        label, unit, metric = rows[i]
        table.append([str(number), label, unit, ph.say(metric, bare=True, pad=False)])
    return Block("table", rows=table)


def published_months(spec: Spec) -> tuple[int, int]:
    return published_months_of(spec.doc_type, spec.period, spec.province.generation)


def draft(ph: Phrase) -> Draft:
    kind = ph.spec.doc_type
    result = {"report": report_draft, "news": news_draft, "directive": directive_draft,
              "plan": plan_draft}[kind](ph)
    if ph.spec.fmt == "docx" and kind == "report":  # a plan has no results yet
        first = next(i for i, block in enumerate(result.blocks) if block.kind == "heading")
        result.blocks[first:first] = [Block("para", "Một số chỉ tiêu chủ yếu như sau:"), summary_table(ph)]
    return result


# --- What to write: one spec per document ------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    index: int
    province: Province
    year: int
    period: str
    doc_type: str
    fmt: str
    in_manifest: bool
    file: str  # relative to reports/
    published: date


def _spread(index: int, step: float, offset: float) -> float:
    """A low-discrepancy point in [0, 1): any run of documents gets close to the target shares."""
    return (offset + index * step) % 1.0


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def plan_spec(index: int, seed: int, pdf_ok: bool) -> Spec:
    """Document `index` of the corpus, whatever its size: the first N of a larger corpus are the same."""
    rng = _rng(seed, "spec", index)
    point, fmt = _spread(index, 0.6180339887498949, seed * 0.1234567), "txt"
    for name, share in FORMAT_SHARES:
        if point < share:
            fmt = name
            break
        point -= share
    in_folder = _spread(index, 0.41421356237309503, seed * 0.7654321) < FOLDER_SHARE
    doc_type = _weighted(rng, DOC_TYPE_WEIGHTS[fmt])
    period = _weighted(rng, PERIOD_WEIGHTS[doc_type])
    year = rng.choice(YEARS)
    generation = 34 if year == 2025 and (period in AFTER_MERGER or doc_type in ("directive", "plan")) else 63
    choices = provinces(generation)
    if in_folder:
        choices = tuple(p for p in choices if (p.generation, p.code) in unambiguous_names())
    province = rng.choice(choices)
    if fmt == "pdf" and not pdf_ok:
        fmt = "txt"
    name = f"{index:05d}_{rng.getrandbits(32):08x}.{fmt}"
    if in_folder:
        name = f"{rng.choice((province.name, province.ascii_name))}/{year}/{name}"
    month = rng.randint(*published_months_of(doc_type, period, generation))
    published = date(year, month, rng.randint(1, 28))
    return Spec(index, province, year, period, doc_type, fmt, not in_folder, name, published)


def published_months_of(doc_type: str, period: str, generation: int) -> tuple[int, int]:
    if doc_type in ("directive", "plan"):  # plans open the year; directives follow last year's index
        return (7, 9) if generation == 34 else (1, 2) if doc_type == "plan" else (5, 9)
    return {"year": (12, 12), "H1": (6, 7), "9M": (9, 10), "Q1": (3, 4), "Q2": (6, 7), "Q3": (9, 10),
            "Q4": (12, 12)}[period]


# --- Formats ----------------------------------------------------------------------------------------

def write_txt(ph: Phrase, doc: Draft, used: dict[int, dict]) -> bytes:
    lines = []
    scraped = ph.spec.doc_type == "news" and ph.chance(0.4)  # text copied from a web page, menus and all
    if scraped and ph.chance(0.5):
        lines += ["Trang chủ » Tin tức - Sự kiện » Cải cách hành chính", ""]
    lines.append(doc.title)
    if scraped:
        lines.append(f"{ph.spec.published:%d/%m/%Y} {ph.rng.randint(7, 17):02d}:{ph.rng.randint(0, 59):02d}")
    if doc.lead:
        lines.append(doc.lead)
    for block in doc.blocks:
        lines += [row[0] for row in block.rows] if block.kind in ("list", "table") else [block.text]
    if doc.byline:
        lines.append(doc.byline)
    if scraped:
        lines += ["", "Tin liên quan", *doc.related, f"Lượt xem: {thousands(ph.rng.randint(120, 25000))}"]
    text = ph.render("\n".join(lines) + "\n", used)
    bom = b"\xef\xbb\xbf" if ph.chance(0.1) else b""  # Notepad on Windows writes one
    return bom + text.encode("utf-8")


HTML_MENU = ("Trang chủ", "Giới thiệu", "Tin tức - Sự kiện", "Cải cách hành chính", "Văn bản pháp luật",
             "Thủ tục hành chính", "Dịch vụ công", "Liên hệ")


def write_html(ph: Phrase, doc: Draft, used: dict[int, dict]) -> bytes:
    def e(text: str) -> str:
        return escape(ph.render(text, used))

    site = f"Cổng thông tin điện tử {ph.full}"
    domain = f"{ph.province.ascii_name.lower().replace(' ', '')}.gov.vn"
    menu = "".join(f'<li><a href="/{i}">{escape(item)}</a></li>' for i, item in enumerate(HTML_MENU))
    body = []
    for block in doc.blocks:
        if block.kind == "heading":
            body.append(f"<h2>{e(block.text)}</h2>")
        elif block.kind == "list":
            body.append("<ul>" + "".join(f"<li>{e(row[0])}</li>" for row in block.rows) + "</ul>")
        elif block.kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>"
                           for row in block.rows)
            body.append(f"<table>{rows}</table>")
        else:
            body.append(f"<p>{e(block.text)}</p>")
    related = "".join(f'<li><a href="/tin-tuc/{ph.rng.getrandbits(24)}.html">{e(text)}</a></li>'
                      for text in doc.related)
    phone = f"0{ph.rng.randint(203, 299)}.{ph.rng.randint(3000000, 3999999)}"
    posted = f"{ph.spec.published:%d/%m/%Y} {ph.rng.randint(7, 17):02d}:{ph.rng.randint(0, 59):02d}"
    street = ph.pick("Trần Phú", "Lê Lợi", "Hùng Vương", "Nguyễn Huệ")
    ward = ph.pick("Tân Phong", "Đông Kinh", "Phú Hòa", "Quyết Thắng")
    licence = f"{ph.rng.randint(1, 120)}/GP-TTĐT ngày {ph.date(ph.rng.randint(2012, 2020), 1, 12)[5:]}"
    visits = thousands(ph.rng.randint(1_000_000, 90_000_000))
    lead = f'<div class="sapo"><p>{e(doc.lead)}</p></div>' if doc.lead else ""
    page = f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{e(doc.title)} - {escape(site)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
<header><div class="banner">{escape(site.upper())}</div>
<nav class="main-menu"><ul>{menu}</ul></nav>
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/4">Cải cách hành chính</a></div>
</header>
<main>
<article class="news-detail">
<h1 class="title">{e(doc.title)}</h1>
<div class="meta"><span class="date">{posted}</span>
<span class="views">Lượt xem: {thousands(ph.rng.randint(120, 25000))}</span></div>
{lead}
<div class="content">
{chr(10).join(body)}
</div>
<p class="author"><strong>{e(doc.byline)}</strong></p>
</article>
<aside class="related-news"><h3>Tin liên quan</h3><ul>{related}</ul></aside>
</main>
<footer>
<p>Cơ quan chủ quản: {escape(ph.committee)} {escape(ph.name)}</p>
<p>Địa chỉ: Số {ph.rng.randint(1, 250)} đường {street}, phường {ward}. Điện thoại: {phone}.
Email: banbientap@{domain}</p>
<p>Giấy phép số {licence} của Cục Phát thanh, truyền hình và thông tin điện tử.
Tổng lượt truy cập: {visits}</p>
</footer>
</body>
</html>
"""
    return page.encode("utf-8")


W_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@cache
def docx_skeleton() -> tuple[tuple[tuple[str, bytes], ...], str, str]:
    """python-docx's default package, once: its parts, and document.xml around the body's content.

    Building each file with python-docx's object model costs about 15 ms; writing the body XML
    into the same package costs one zip, so the .docx files are the ones python-docx makes.
    """
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as package:
        parts = tuple((info.filename, package.read(info.filename)) for info in package.infolist())
    document = dict(parts)["word/document.xml"].decode("utf-8")
    split = document.index("<w:body>") + len("<w:body>")
    return parts, document[:split], document[document.index("<w:sectPr", split):]


def deflate(content: bytes) -> tuple[bytes, int, int]:
    """Raw deflate, CRC-32 and size of a zip entry's content."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(content) + compressor.flush(), zlib.crc32(content), len(content)


@cache
def _skeleton_deflated() -> dict[str, tuple[bytes, int, int]]:
    return {name: deflate(content) for name, content in docx_skeleton()[0]}


def zip_package(entries: list[tuple[str, tuple[bytes, int, int]]], moment: datetime) -> bytes:
    """A zip of deflated entries, every one stamped `moment`: the same bytes on every run.

    Written by hand rather than with zipfile so the parts every document shares (800 kB of
    styles) are compressed once, not once per document.
    """
    clock = moment.hour << 11 | moment.minute << 5 | moment.second // 2
    day = (moment.year - 1980) << 9 | moment.month << 5 | moment.day
    out, directory = io.BytesIO(), io.BytesIO()
    for name, (data, crc, size) in entries:
        encoded = name.encode("utf-8")
        common = struct.pack("<HHHHHIIIHH", 20, 0, 8, clock, day, crc, len(data), size, len(encoded), 0)
        directory.write(struct.pack("<IH", 0x02014B50, 20) + common
                        + struct.pack("<HHHII", 0, 0, 0, 0, out.tell()) + encoded)
        out.write(struct.pack("<I", 0x04034B50) + common + encoded + data)
    start, listing = out.tell(), directory.getvalue()
    out.write(listing)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(listing), start, 0))
    return out.getvalue()


def _w_paragraph(text: str, style: str | None = None) -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{properties}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _w_table(rows: list[list[str]]) -> str:
    width = 9000 // len(rows[0])
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in rows[0])
    body = "".join(
        "<w:tr>" + "".join(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                           f"{_w_paragraph(cell)}</w:tc>" for cell in row) + "</w:tr>"
        for row in rows)
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>")


def write_docx(ph: Phrase, doc: Draft, used: dict[int, dict]) -> bytes:
    parts, head, tail = docx_skeleton()
    title = ph.render(doc.title, used)
    body = [_w_paragraph(title, "Title")]
    for block in doc.blocks:
        if block.kind == "heading":
            body.append(_w_paragraph(ph.render(block.text, used), "Heading1"))
        elif block.kind == "list":
            body += [_w_paragraph(ph.render(row[0], used), "ListBullet") for row in block.rows]
        elif block.kind == "table":
            body.append(_w_table([[ph.render(cell, used) for cell in row] for row in block.rows]))
        else:
            body.append(_w_paragraph(ph.render(block.text, used)))
    stamp = f"{ph.spec.published.isoformat()}T08:00:00Z"
    core = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>Sở Nội vụ "
        f"{escape(ph.full)}</dc:creator><cp:lastModifiedBy>Văn "
        "thư</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )
    replaced = {"word/document.xml": (head + "".join(body) + tail).encode("utf-8"),
                "docProps/core.xml": core.encode("utf-8")}
    published = ph.spec.published
    moment = datetime(published.year, published.month, published.day, 8)
    static = _skeleton_deflated()
    return zip_package([(name, deflate(replaced[name]) if name in replaced else static[name])
                        for name, _ in parts], moment)


# The characters Vietnamese text needs: ASCII, the Latin-1 and Latin Extended letters with Vietnamese
# diacritics, the Vietnamese block of Latin Extended Additional, and typographic punctuation.
VIETNAMESE_CODEPOINTS = sorted(
    set(range(0x20, 0x7F)) | {ord(c) for c in "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư«»°–—‘’“”…•"}
    | set(range(0x1EA0, 0x1EFA))
)


def subset_font(folder: Path) -> Path | None:
    """DejaVu Sans cut to the Latin and Vietnamese letters: fpdf2 parses a 50 kB font in 3 ms,
    the full 750 kB one in 16 ms, on every document."""
    if not FONT.exists():
        return None
    from fontTools import subset

    options = subset.Options()
    options.layout_features, options.hinting, options.name_IDs = [], False, ["*"]
    options.drop_tables += ["FFTM"]  # FontForge's timestamp table: fontTools warns it cannot subset it
    font = subset.load_font(str(FONT), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=VIETNAMESE_CODEPOINTS)
    subsetter.subset(font)
    path = folder / "DejaVuSans-vi.ttf"
    subset.save_font(font, str(path), options)
    return path


_WIDTHS: dict[tuple[float, str], float] = {}


def _wrap(pdf, text: str, width: float) -> list[str]:
    """Greedy line breaking with cached word widths: fpdf2's multi_cell measures each line again
    for every character, five times slower on a page of text."""
    size, lines, line, used = pdf.font_size_pt, [], [], 0.0
    space = pdf.get_string_width(" ")
    for word in text.split():
        key = (size, word)
        if key not in _WIDTHS:
            _WIDTHS[key] = pdf.get_string_width(word)
        extra = _WIDTHS[key] + (space if line else 0)
        if line and used + extra > width:
            lines.append(" ".join(line))
            line, used = [word], _WIDTHS[key]
        else:
            line.append(word)
            used += extra
    return [*lines, " ".join(line)] if line else lines


def write_pdf(ph: Phrase, doc: Draft, used: dict[int, dict], font: Path) -> bytes:
    from fpdf import FPDF

    class Page(FPDF):
        def footer(self) -> None:  # page numbers: furniture
            self.set_y(-12)
            self.set_font("DejaVu", size=9)
            self.cell(0, 6, f"Trang {self.page_no()}", align="C")

    published = ph.spec.published
    pdf = Page(format="A4")
    pdf.set_creation_date(datetime(published.year, published.month, published.day, 8, tzinfo=UTC))
    title = ph.render(doc.title, used)
    pdf.set_title(title)
    pdf.set_author(ph.committee + " " + ph.name)
    pdf.add_font("DejaVu", "", str(font))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    bottom = pdf.h - 20

    def lines(text: str, size: float, height: float, center: bool = False) -> None:
        # text() at computed positions: cell() lays out each line as styled fragments, 4x slower
        pdf.set_font("DejaVu", size=size)
        for line in _wrap(pdf, ph.render(text, used), pdf.epw):
            if pdf.y + height > bottom:
                pdf.add_page()
            x = pdf.l_margin + ((pdf.epw - pdf.get_string_width(line)) / 2 if center else 0)
            pdf.text(x, pdf.y + height * 0.75, line)
            pdf.set_y(pdf.y + height)

    for block in doc.blocks:
        if block.kind == "heading":
            lines(block.text, 12, 7, center=block.text.isupper())
        elif block.kind in ("list", "table"):
            for row in block.rows:
                lines(" | ".join(row), 11, 6)
        else:
            lines(block.text, 11, 6)
        pdf.ln(1.5)
    if ph.spec.doc_type == "report":
        lines(f"TM. ỦY BAN NHÂN DÂN - CHỦ TỊCH. Nơi nhận: Bộ Nội vụ; Thường trực {ph.party}; Lưu: VT.", 10, 5)
    return bytes(pdf.output())


# --- The corpus --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Corpus:
    out: Path
    reports_dir: Path
    gold_path: Path
    documents: int
    seed: int
    formats: dict[str, int]
    seconds: float

    def gold(self) -> list[dict]:
        with self.gold_path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]


MANIFEST_FIELDS = ("file", "province", "year", "period", "doc_type", "title", "source_url", "published")


def generate(out: Path, documents: int, seed: int = 0) -> Corpus:
    """Write `documents` reports, their manifest and their gold facts under `out` (see the module doc)."""
    started = time.perf_counter()
    out = Path(out)
    reports = out / "reports"
    _clear(out, reports)
    world = World(seed)
    with tempfile.TemporaryDirectory() as scratch:
        font = subset_font(Path(scratch))
        if font is None:
            print(f"corpus: {FONT} not found: PDF reports are written as .txt", file=sys.stderr)
        specs = [plan_spec(index, seed, font is not None) for index in range(documents)]
        manifest, gold, truth = [], [], []
        for spec in specs:
            title, facts = _write_document(reports, spec, world, font)
            gold += facts
            truth.append(_truth_row(spec))
            if spec.in_manifest:
                manifest.append(_manifest_row(spec, title, seed))
    with (reports / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(manifest)
    with (out / "documents.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(truth[0]) if truth else ["file"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(truth)
    gold_path = out / "gold.jsonl"
    with gold_path.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(fact, ensure_ascii=False) + "\n" for fact in gold)
    formats = dict(sorted(Counter(spec.fmt for spec in specs).items()))
    summary = {
        "generator_version": GENERATOR_VERSION, "documents": documents, "seed": seed, "formats": formats,
        "doc_types": dict(sorted(Counter(spec.doc_type for spec in specs).items())),
        "periods": dict(sorted(Counter(spec.period for spec in specs).items())),
        "in_manifest": sum(spec.in_manifest for spec in specs), "gold_facts": len(gold),
    }
    summary_text = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    (out / "corpus.json").write_text(summary_text, encoding="utf-8")
    return Corpus(out, reports, gold_path, documents, seed, formats, round(time.perf_counter() - started, 2))


def _clear(out: Path, reports: Path) -> None:
    """Replace a previous corpus, never a folder someone else made."""
    if reports.exists() and any(reports.iterdir()):
        if not (out / "corpus.json").exists():
            raise SystemExit(f"{reports} exists and is not a generated corpus (no corpus.json): not "
                             "touching it")
        shutil.rmtree(reports)
    reports.mkdir(parents=True, exist_ok=True)


def _write_document(reports: Path, spec: Spec, world: World, font: Path | None) -> tuple[str, list[dict]]:
    ph = Phrase(spec, world)
    doc = draft(ph)
    used: dict[int, dict] = {}
    writer = {"txt": write_txt, "html": write_html, "docx": write_docx}.get(spec.fmt)
    content = writer(ph, doc, used) if writer else write_pdf(ph, doc, used, font)
    path = reports / spec.file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    facts, seen = [], set()
    for index in sorted(used):
        fact = used[index]
        if _fact_key(fact) in seen:
            continue
        seen.add(_fact_key(fact))
        facts.append({"file": spec.file, "province_code": spec.province.code, "year": fact["year"],
                      "period": fact["period"], "metric_code": fact["metric_code"], "value": fact["value"],
                      "qualifier": fact["qualifier"], "fact_kind": fact["fact_kind"],
                      "stated": fact["stated"], "scope": fact["scope"]})
    return ph.render(doc.title, {}), facts


def _truth_row(spec: Spec) -> dict[str, str]:
    """What each document is, manifest or not: for checking what the reader makes of it."""
    return {"file": spec.file, "province_code": spec.province.code,
            "generation": str(spec.province.generation), "year": str(spec.year), "period": spec.period,
            "doc_type": spec.doc_type, "format": spec.fmt, "in_manifest": str(spec.in_manifest).lower()}


def _manifest_row(spec: Spec, title: str, seed: int) -> dict[str, str]:
    rng = _rng(seed, "manifest", spec.index)
    ambiguous = (spec.province.generation, spec.province.code) not in unambiguous_names()
    province = spec.province.code if ambiguous or rng.random() < 0.1 else spec.province.name
    slug = spec.province.ascii_name.lower().replace(" ", "")
    return {"file": spec.file, "province": province, "year": str(spec.year), "period": spec.period,
            "doc_type": spec.doc_type, "title": title,
            "source_url": f"https://{slug}.gov.vn/tin-tuc/{spec.index:05d}" if rng.random() < 0.7 else "",
            "published": spec.published.isoformat()}


# --- Evaluation: the project's reader and extractor against the gold ----------------------------------

Key = tuple[str, str, float, "str | None", "int | None"]  # file, metric, value, province, year


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def figures(self) -> dict[str, float | int]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def _key(file: str, metric: str, value: float, province: str | None, year: int | None) -> Key:
    return file, metric, round(float(value), 6), province, year


def evaluate(corpus: Corpus) -> dict:
    """Precision and recall of the pipeline's reading and extraction on the corpus.

    Documents are read by scan_reports (manifest, folders, formats) and each is extracted with the
    context the pipeline gives it. Actual facts match on (file, metric, value, province, year);
    targets are scored apart, and so is whether the qualifier agrees on the matched facts.
    """
    from dagster_project.extraction import DocumentContext, extract_facts
    from dagster_project.ingest.documents import scan_reports

    started = time.perf_counter()
    scan = scan_reports(corpus.reports_dir)
    read_seconds = time.perf_counter() - started
    predicted: dict[str, dict[Key, set[str]]] = {"actual": defaultdict(set), "target": defaultdict(set)}
    for doc in scan.documents:
        context = DocumentContext(doc.province_code, doc.year, doc.period, doc.doc_type, doc.published,
                                  doc.national)
        for fact in extract_facts(doc.text, context):
            key = _key(doc.file_path, fact.metric_code, fact.value, fact.province_code, fact.year)
            predicted["target" if fact.fact_kind == "target" else "actual"][key].add(fact.qualifier)
    gold: dict[str, dict[Key, dict]] = {"actual": {}, "target": {}}
    for fact in corpus.gold():
        key = _key(fact["file"], fact["metric_code"], fact["value"], fact["province_code"], fact["year"])
        gold[fact["fact_kind"]][key] = fact
    truth = _documents(corpus)
    overall, tables, formats, kinds, scopes = Tally(), defaultdict(Tally), defaultdict(Tally), \
        defaultdict(Tally), defaultdict(Tally)
    agree = 0
    for key in predicted["actual"].keys() | gold["actual"].keys():
        found, expected = key in predicted["actual"], gold["actual"].get(key)
        outcome = "tp" if found and expected else "fp" if found else "fn"
        document = truth.get(key[0], {})
        groups = [overall, tables[fact_tables()[key[1]]], formats[document.get("format", "?")],
                  kinds[document.get("doc_type", "?")]]
        if expected:
            groups.append(scopes[expected["scope"]])
            agree += outcome == "tp" and expected["qualifier"] in predicted["actual"][key]
        for tally in groups:
            setattr(tally, outcome, getattr(tally, outcome) + 1)
    target = Tally()
    for key in predicted["target"].keys() | gold["target"].keys():
        outcome = ("tp" if key in gold["target"] else "fp") if key in predicted["target"] else "fn"
        setattr(target, outcome, getattr(target, outcome) + 1)
    return {
        "documents": corpus.documents,
        "read": len(scan.documents),
        "ingest_errors": dict(Counter(error.reason for error in scan.errors)),
        "metadata_correct": _metadata_accuracy(scan.documents, truth),
        "gold_actual": len(gold["actual"]),
        "overall": overall.figures(),
        "by_fact_table": {name: tally.figures() for name, tally in sorted(tables.items())},
        "by_format": {name: tally.figures() for name, tally in sorted(formats.items())},
        "by_doc_type": {name: tally.figures() for name, tally in sorted(kinds.items())},
        "recall_by_scope": {name: tally.figures()["recall"] for name, tally in sorted(scopes.items())},
        "qualifier_agreement": round(agree / overall.tp, 3) if overall.tp else None,
        "targets": target.figures(),
        "seconds": {"read": round(read_seconds, 1),
                    "read_and_extract": round(time.perf_counter() - started, 1)},
    }


def _documents(corpus: Corpus) -> dict[str, dict[str, str]]:
    with (corpus.out / "documents.csv").open(encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def _metadata_accuracy(documents: Iterable, truth: dict[str, dict[str, str]]) -> dict[str, float]:
    """Share of documents whose province, year and period the reader got right."""
    right: Counter[str] = Counter()
    total = 0
    for doc in documents:
        expected = truth.get(doc.file_path)
        if expected is None:
            continue
        total += 1
        right["province"] += doc.province_code == expected["province_code"]
        right["year"] += doc.year == int(expected["year"])
        right["period"] += doc.period == expected["period"]
    return {name: round(right[name] / total, 3) if total else 1.0 for name in ("province", "year", "period")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, required=True, help="how many reports to write")
    parser.add_argument("--out", type=Path, required=True, help="folder for reports/, gold.jsonl, "
                                                                "corpus.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--evaluate", action="store_true",
                        help="then read and extract the corpus with the project and print precision and "
                             "recall")
    args = parser.parse_args(argv)
    corpus = generate(args.out, args.documents, args.seed)
    facts = sum(1 for _ in corpus.gold_path.open(encoding="utf-8"))
    print(f"corpus: {corpus.documents} documents {corpus.formats}, {facts} gold facts, in {corpus.seconds} s "
          f"-> {corpus.out}", file=sys.stderr)
    if args.evaluate:
        json.dump(evaluate(corpus), sys.stdout, indent=2)
        print()


if __name__ == "__main__":
    main()
