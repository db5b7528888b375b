"""The benchmark corpus generator (bench/corpus.py): deterministic, readable, consistent, honest gold."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import re
import subprocess
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from pypdf import PdfReader

from dagster_project.ingest.documents import scan_reports
from dagster_project.ingest.provinces import province_code

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = 30


def _load_corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return corpus.generate(tmp_path_factory.mktemp("corpus"), DOCUMENTS, seed=0)


@pytest.fixture(scope="module")
def scan(generated):
    return scan_reports(generated.reports_dir)


@pytest.fixture(scope="module")
def truth(generated) -> dict[str, dict[str, str]]:
    with (generated.out / "documents.csv").open(encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def report_files(generated) -> list[Path]:
    return [p for p in generated.reports_dir.rglob("*") if p.is_file() and p.name != "manifest.csv"]


# --- Determinism ---------------------------------------------------------------------------------------

def test_same_documents_and_seed_give_the_same_bytes_in_another_process(generated, tmp_path):
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), "--documents", str(DOCUMENTS),
                    "--out", str(tmp_path), "--seed", "0"], check=True, capture_output=True)
    assert digests(tmp_path) == digests(generated.out)


def test_another_seed_gives_another_corpus(generated, tmp_path):
    other = corpus.generate(tmp_path, DOCUMENTS, seed=1)
    assert set(digests(other.reports_dir).values()).isdisjoint(digests(generated.reports_dir).values())


def test_office_files_carry_the_publication_date_not_the_time_of_writing(generated):
    for path in report_files(generated):
        relative = path.relative_to(generated.reports_dir).as_posix()
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as package:
                assert package.testzip() is None
                assert {info.date_time[:3] for info in package.infolist()} \
                    == {tuple(int(x) for x in _published(generated, relative).split("-"))}
        if path.suffix == ".pdf":
            created = str(PdfReader(path).metadata["/CreationDate"])
            assert created.startswith("D:" + _published(generated, relative).replace("-", ""))


def _published(generated, relative: str) -> str:
    with (generated.reports_dir / "manifest.csv").open(encoding="utf-8") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    if relative in rows:
        return rows[relative]["published"]
    spec = corpus.plan_spec(int(Path(relative).name[:5]), 0, True)
    return spec.published.isoformat()


def test_a_corpus_is_a_prefix_of_a_larger_one():
    small = [corpus.plan_spec(i, 0, True) for i in range(10)]
    assert small == [corpus.plan_spec(i, 0, True) for i in range(20)][:10]


# --- Counts, kinds, layout -----------------------------------------------------------------------------

def test_counts_and_format_mix(generated):
    files = report_files(generated)
    assert len(files) == DOCUMENTS == generated.documents
    formats = Counter(p.suffix.lstrip(".") for p in files)
    assert formats == Counter(generated.formats)
    for fmt, share in corpus.FORMAT_SHARES:
        assert abs(formats[fmt] - share * DOCUMENTS) <= 2, formats


def test_mix_over_a_large_corpus():
    specs = [corpus.plan_spec(i, 0, True) for i in range(2000)]
    formats = Counter(spec.fmt for spec in specs)
    for fmt, share in corpus.FORMAT_SHARES:
        assert abs(formats[fmt] / len(specs) - share) < 0.01, formats
    assert abs(sum(not s.in_manifest for s in specs) / len(specs) - corpus.FOLDER_SHARE) < 0.01
    assert {s.doc_type for s in specs} == {"report", "news", "directive", "plan"}
    assert {s.period for s in specs} == {"year", "H1", "9M", "Q1", "Q2", "Q3", "Q4"}
    assert {s.year for s in specs} == set(range(2016, 2026))
    for spec in specs:  # after 1 July 2025 the 34 provinces, before it the 63
        after = spec.year == 2025 and (spec.period in ("year", "9M", "Q3", "Q4")
                                       or spec.doc_type in ("directive", "plan"))
        assert spec.province.generation == (34 if after else 63), spec
    assert len({s.province.code for s in specs if s.province.generation == 63}) == 63
    assert len({s.province.code for s in specs if s.province.generation == 34}) == 34


def test_manifest_rows_name_existing_files_and_resolvable_provinces(generated, truth):
    with (generated.reports_dir / "manifest.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and len(rows) == sum(row["in_manifest"] == "true" for row in truth.values())
    for row in rows:
        assert (generated.reports_dir / row["file"]).is_file()
        expected = truth[row["file"]]
        assert province_code(row["province"]) == expected["province_code"], row
        assert (row["year"], row["period"], row["doc_type"]) == \
            (expected["year"], expected["period"], expected["doc_type"])


def test_reports_without_a_manifest_row_lie_in_province_and_year_folders(generated, truth):
    unlisted = [file for file, row in truth.items() if row["in_manifest"] == "false"]
    assert 0.1 * DOCUMENTS <= len(unlisted) <= 0.3 * DOCUMENTS
    for file in unlisted:
        province, year, _ = file.split("/")
        assert province_code(province) == truth[file]["province_code"]
        assert year == truth[file]["year"]


# --- The project reads it ------------------------------------------------------------------------------

def test_the_project_reader_reads_every_document_of_every_format(generated, scan, truth):
    assert scan.errors == []
    assert len(scan.documents) == DOCUMENTS
    assert {Path(doc.file_path).suffix for doc in scan.documents} == {".txt", ".html", ".docx", ".pdf"}
    for doc in scan.documents:  # manifest or folder and title: the reader knows what each one is
        expected = truth[doc.file_path]
        assert (doc.province_code, doc.year, doc.period) == \
            (expected["province_code"], int(expected["year"]), expected["period"]), doc.file_path
        assert 2_500 <= len(doc.text.encode()) <= 14_000, (doc.file_path, len(doc.text.encode()))


def test_html_page_furniture_is_in_the_page_and_numbers_in_it_are_not_gold(generated):
    gold = generated.gold()
    for path in generated.reports_dir.rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        assert "Tin liên quan" in page and "<nav" in page and "Điện thoại" in page
        footer = page[page.index("<footer>"):]
        relative = path.relative_to(generated.reports_dir).as_posix()
        body = page[page.index("<article"):page.index("</article>")]
        for fact in gold:
            if fact["file"] == relative:
                assert fact["stated"] in body
        assert re.search(r"\d", footer)


# --- Gold ----------------------------------------------------------------------------------------------

UNIT_SCALE = {"": 1, "triệu đồng": 1, "tỷ đồng": 1e3, "nghìn tỷ đồng": 1e6, "đồng": 1e-6}
WRITTEN = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(%?)(?: (.+))?")


def value_as_written(stated: str) -> float:
    """How a reader takes "1.044", "85,78", "98,5%", "5,2 tỷ đồng" (independent of the generator)."""
    match = WRITTEN.fullmatch(stated)
    assert match, stated
    number = float(match.group(1).replace(".", "") + ("." + match.group(2) if match.group(2) else ""))
    return number * UNIT_SCALE[match.group(4) or ""]


def test_gold_facts_are_in_the_text_the_reader_gives_as_written(generated, scan):
    texts = {doc.file_path: " ".join(doc.text.split()) for doc in scan.documents}
    gold = generated.gold()
    assert len(gold) >= 8 * DOCUMENTS
    units = corpus.metric_units()
    for fact in gold:
        assert " ".join(fact["stated"].split()) in texts[fact["file"]], fact
        assert value_as_written(fact["stated"]) == pytest.approx(fact["value"], rel=1e-9), fact
        assert fact["metric_code"] in units
        assert fact["qualifier"] in {"exact", "about", "more_than", "less_than"}
        assert fact["fact_kind"] in {"actual", "target"}
        assert fact["period"] in {"year", "H1", "9M", "Q1", "Q2", "Q3", "Q4"}
        assert 2014 <= fact["year"] <= 2026
        assert re.fullmatch(r"\d\d", fact["province_code"])


def test_gold_covers_every_fact_table_and_reports_state_8_to_25_facts(generated, truth):
    gold = generated.gold()
    tables = {corpus.fact_tables()[fact["metric_code"]] for fact in gold}
    assert tables == {"tasks", "legal_documents", "procedures", "online_services", "budget", "staffing",
                      "reform_index"}
    actual = Counter(fact["file"] for fact in gold if fact["fact_kind"] == "actual")
    for file, row in truth.items():
        if row["doc_type"] in ("report", "news"):
            assert 6 <= actual[file] <= 30, (file, actual[file])
        else:  # directives and plans: targets, and few actual figures
            assert actual[file] <= 6, (file, actual[file])


def test_documents_about_one_province_period_agree(generated):
    values = defaultdict(set)
    for fact in generated.gold():
        if fact["qualifier"] == "exact":
            values[(fact["province_code"], fact["year"], fact["period"], fact["metric_code"],
                    fact["fact_kind"])].add(fact["value"])
    # one value per figure, except a percentage written with fewer decimals in another document
    for key, found in values.items():
        assert max(found) - min(found) <= (0.5 if corpus.metric_units()[key[3]] == "pct" else 0), (key, found)


# --- Consistency (the warehouse's findings must have nothing to find) ---------------------------------------

def _share_tolerance(stated: str) -> float:
    decimals = len(stated.rstrip("%").partition(",")[2])
    return 0.5 * 10 ** -decimals + 1e-9


def test_stated_shares_match_the_stated_counts(generated):
    by_document = defaultdict(dict)
    for fact in generated.gold():
        if fact["fact_kind"] == "actual" and fact["qualifier"] == "exact":
            by_document[(fact["file"], fact["year"], fact["period"])][fact["metric_code"]] = fact
    checked = 0
    for facts in by_document.values():
        for share, numerator, bases in (
            ("state_revenue_pct_of_plan", "state_revenue_million_vnd", ("state_revenue_plan_million_vnd",)),
            ("public_investment_disbursed_pct", "public_investment_disbursed_million_vnd",
             ("public_investment_plan_million_vnd",)),
            ("gov_tasks_completed_on_time_pct", "gov_tasks_completed_on_time", ("gov_tasks_assigned",)),
        ):
            if share in facts and numerator in facts and all(b in facts for b in bases):
                options = [100 * facts[numerator]["value"] / facts[b]["value"] for b in bases]
                if share.startswith("gov_tasks"):
                    late = facts.get("gov_tasks_completed_late", {"value": 0})["value"]
                    options.append(100 * facts[numerator]["value"] / (facts[numerator]["value"] + late))
                deviation = min(abs(o - facts[share]["value"]) for o in options)
                assert deviation <= _share_tolerance(facts[share]["stated"]), (share, facts[share], options)
                checked += 1
        parts = [facts[m]["value"] for m in ("gov_tasks_completed_on_time", "gov_tasks_completed_late",
                                             "gov_tasks_in_progress", "gov_tasks_overdue") if m in facts]
        if "gov_tasks_assigned" in facts and len(parts) >= 2:  # a breakdown states every non-zero part
            assert sum(parts) == facts["gov_tasks_assigned"]["value"]
        levels = [facts[m]["value"] for m in ("procedures_province_level", "procedures_district_level",
                                              "procedures_commune_level") if m in facts]
        if "procedures_total" in facts and len(levels) >= 2:
            assert sum(levels) == facts["procedures_total"]["value"]
    assert checked


def test_the_world_adds_up_and_moves_less_than_tenfold_a_year():
    world = corpus.World(0)
    units = corpus.metric_units()
    for province in corpus.provinces(63)[::4] + corpus.provinces(34)[::5]:
        years = range(2016, 2026) if province.generation == 63 else (2025,)
        for period in ("year", "H1", "9M", "Q1", "Q3"):
            previous = None
            for year in years:
                f = world.figures(province, year, period)
                assert f["gov_tasks_assigned"] == sum(f[m] for m in (
                    "gov_tasks_completed_on_time", "gov_tasks_completed_late", "gov_tasks_in_progress",
                    "gov_tasks_overdue"))
                assert min(f[m] for m in f if not m.startswith("_")) >= 0
                assert f["procedures_total"] == sum(f.get(m, 0) for m in (
                    "procedures_province_level", "procedures_district_level", "procedures_commune_level"))
                assert f["online_services_total"] == f["online_services_full"] + f["online_services_partial"]
                assert f["state_revenue_pct_of_plan"] == pytest.approx(
                    100 * f["state_revenue_million_vnd"] / f["state_revenue_plan_million_vnd"])
                assert 0 < f["dossiers_on_time_pct"] < 100 and 0 < f["online_dossier_rate_pct"] < 100
                if previous:
                    for metric, value in f.items():
                        if units.get(metric) in ("count", "million_vnd") and previous.get(metric) and value:
                            factor = max(value / previous[metric], previous[metric] / value)
                            assert factor < 10, (province, year, period, metric, previous[metric], value)
                previous = f


def test_reform_index_figures_are_the_official_ones_where_the_tables_have_them():
    world = corpus.World(0)
    official = corpus.official_index("par_index")
    for (year, code), (score, rank) in official.items():
        index = world.index(corpus.Province(code, "", "", 63, False), year)
        assert (index.par_score, index.par_rank) == (score, rank)


# --- Evaluation ------------------------------------------------------------------------------------------

def test_evaluation_measures_the_extractor_on_the_corpus(generated, capsys):
    figures = corpus.evaluate(generated)
    with capsys.disabled():
        print(f"\ncorpus of {DOCUMENTS}: precision {figures['overall']['precision']}, recall "
              f"{figures['overall']['recall']}; by fact table: "
              + ", ".join(f"{t} {s['precision']}/{s['recall']}" for t, s in figures["by_fact_table"].items()))
    assert figures["read"] == DOCUMENTS and figures["ingest_errors"] == {}
    assert set(figures["by_fact_table"]) <= set(corpus.fact_tables().values())
    assert figures["overall"]["tp"] + figures["overall"]["fn"] == figures["gold_actual"]
    assert figures["overall"]["precision"] >= 0.8  # loose sanity: the point is to measure, not to fit
    assert figures["overall"]["recall"] >= 0.3


def test_cli_evaluate_prints_json(tmp_path):
    command = [sys.executable, str(ROOT / "bench" / "corpus.py"), "--documents", "4", "--out", str(tmp_path),
               "--evaluate"]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    figures = json.load(io.StringIO(result.stdout))
    assert {"overall", "by_fact_table", "targets", "metadata_correct"} <= set(figures)
    assert "corpus: 4 documents" in result.stderr


def test_a_folder_that_is_not_a_corpus_is_never_replaced(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "mine.txt").write_text("không phải của bộ sinh", encoding="utf-8")
    with pytest.raises(SystemExit):
        corpus.generate(tmp_path, 2)
    assert (tmp_path / "reports" / "mine.txt").exists()
