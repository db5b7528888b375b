"""Province names in both generations: a report is read in the units in force when it was written.

Seven names are units both among the 63 provinces (to 30 Jun 2025) and among the 34 (from 1 Jul
2025) under other codes. A report on 2024 means the old unit, one on 2025 published after the
merger the new one; each must keep its province from the title, the manifest and the folder, and
its sentences that say only "Tỉnh …" must keep it too.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from dagster_project.defs.extraction.assets import _cache_key, _task
from dagster_project.extraction import DocumentContext, extract_facts
from dagster_project.ingest.documents import scan_reports
from dagster_project.ingest.metadata import About, infer
from dagster_project.ingest.provinces import province_code
from dagster_project.ingest.tables import read_fact_table
from dagster_project.state import IngestState, VersionsRecorder
from dagster_project.storage import read_document_index

# name, code among the 63, code among the 34
RENUMBERED = [
    ("Đồng Tháp", "87", "82"),
    ("Lào Cai", "10", "15"),
    ("Bắc Ninh", "27", "24"),
    ("Quảng Trị", "45", "44"),
    ("Gia Lai", "64", "52"),
    ("Tây Ninh", "72", "80"),
    ("An Giang", "89", "91"),
]


def when(index: int) -> list[tuple[str, int, str, date]]:
    """(era, year, period, published): a report on 2024, and one on 9M or the year 2025 published
    after the merger (alternating, so both periods are seen)."""
    after = (2025, "9M", date(2025, 10, 8)) if index % 2 else (2025, "year", date(2025, 12, 26))
    return [("before", 2024, "year", date(2024, 12, 20)), ("after", *after)]


CASES = [
    pytest.param(name, year, period, published, old if era == "before" else new, id=f"{name}-{era}")
    for index, (name, old, new) in enumerate(RENUMBERED)
    for era, year, period, published in when(index)
]
PERIOD_WORDS = {"year": "", "9M": "9 tháng đầu "}
BODY = "Tỉnh tiếp nhận 12.345 hồ sơ.\nToàn tỉnh có 1.234 TTHC.\n"


def title_of(name: str, year: int, period: str) -> str:
    return f"Báo cáo kết quả công tác cải cách hành chính {PERIOD_WORDS[period]}năm {year} của tỉnh {name}"


def context_of(about: About, published: date | None) -> DocumentContext:
    return DocumentContext(about.province_code, about.year, about.period, "report", published, about.national)


@pytest.mark.parametrize(("name", "year", "period", "published", "code"), CASES)
def test_the_title_names_the_province_of_its_generation(
    name: str, year: int, period: str, published: date, code: str
) -> None:
    title = title_of(name, year, period)
    about = infer({}, "bao-cao.txt", title, f"{title}\n{BODY}", published)
    assert about == About(code, False, year, period)


@pytest.mark.parametrize(("name", "year", "period", "published", "code"), CASES)
def test_the_manifest_and_folder_name_the_province_of_their_generation(
    name: str, year: int, period: str, published: date, code: str
) -> None:
    text = f"Tình hình giải quyết hồ sơ năm {year}.\n{BODY}"
    meta = {"province": name, "year": str(year), "period": period}
    assert infer(meta, "bao-cao.txt", None, text, published).province_code == code
    folder = f"{name}/{year}/bao-cao.txt"
    assert infer({"period": period}, folder, None, text, published).province_code == code
    assert province_code(name, 63 if year < 2025 else 34) == code


@pytest.mark.parametrize(("name", "year", "period", "published", "code"), CASES)
def test_sentences_saying_only_tinh_keep_the_province(
    name: str, year: int, period: str, published: date, code: str
) -> None:
    title = title_of(name, year, period)
    text = f"{title}\n{BODY}"
    facts = extract_facts(text, context_of(infer({}, "bao-cao.txt", title, text, published), published))
    assert {(fact.metric_code, fact.value) for fact in facts} >= {("procedures_total", 1234)}
    assert {fact.province_code for fact in facts} == {code}


def test_a_scanned_folder_reads_names_by_each_reports_period(tmp_path: Path) -> None:
    """The manifest's publication date reaches the inference: a ytd report published in June is
    about the old unit, the same one published in October about the new one."""
    rows = ["file,province,year,period,published"]
    for index, (name, _, _) in enumerate(RENUMBERED):
        for era, published in (("old", "2025-06-20"), ("new", "2025-10-08")):
            file = f"{index}-{era}.txt"
            (tmp_path / file).write_text(f"Báo cáo {name} {era}.\n{BODY}", encoding="utf-8")
            rows.append(f"{file},{name},2025,ytd,{published}")
    (tmp_path / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    scan = scan_reports(tmp_path)
    found = {doc.file_path: doc.province_code for doc in scan.documents}
    assert found == {f"{index}-{era}.txt": code
                     for index, (_, old, new) in enumerate(RENUMBERED)
                     for era, code in (("old", old), ("new", new))}
    assert not scan.errors


def test_a_two_digit_manifest_code_is_kept_as_given() -> None:
    text = f"Báo cáo năm 2025.\n{BODY}"
    after = date(2025, 12, 26)
    assert infer({"province": "87", "year": "2025"}, "a.txt", None, text, after).province_code == "87"
    assert infer({"province": "82", "year": "2024"}, "a.txt", None, text, None).province_code == "82"
    assert infer({"province": "5", "year": "2025"}, "a.txt", None, text, after).province_code is None


@pytest.mark.parametrize(("name", "year", "published"), [
    ("Thừa Thiên Huế", 2024, date(2024, 12, 20)),
    ("Thừa Thiên Huế", 2025, date(2025, 12, 26)),
    ("Huế", 2025, date(2025, 12, 26)),
    ("TT-Huế", 2023, None),
])
def test_hue_is_46_under_either_name(name: str, year: int, published: date | None) -> None:
    title = f"Báo cáo cải cách hành chính năm {year} của {name}"
    about = infer({}, "a.txt", title, f"{title}\n{BODY}", published)
    assert about.province_code == "46"
    assert infer({"province": name, "year": str(year)}, "a.txt", None, BODY, published).province_code == "46"
    facts = extract_facts(f"{title}\n{BODY}", context_of(about, published))
    assert facts and {fact.province_code for fact in facts} == {"46"}


def test_old_units_stay_old_in_a_report_after_the_merger() -> None:
    """"(cũ)" marks the unit before the merger; a name only the 63 had is that unit."""
    after = date(2025, 12, 26)
    assert province_code("Gia Lai (cũ)", 34) == "64"
    assert province_code("Gia Lai (mới)", 63) == "52"
    assert province_code("Bình Định", 34) == "52"
    assert province_code("Tiền Giang", 34) == "82"
    title = "Báo cáo tổng kết cải cách hành chính năm 2025 của tỉnh Gia Lai (cũ)"
    assert infer({}, "a.txt", title, title, after).province_code == "64"
    merged = ("Báo cáo cải cách hành chính năm 2025.\nTỉnh Gia Lai (mới) được thành lập trên cơ sở hợp nhất"
              " tỉnh Bình Định và tỉnh Gia Lai (cũ). Tỉnh Gia Lai tiếp nhận 12.345 hồ sơ.")
    assert infer({}, "a.txt", None, merged, after).province_code == "52"


def test_a_half_year_report_of_2025_is_before_the_merger() -> None:
    title = "Báo cáo kết quả cải cách hành chính 6 tháng đầu năm 2025 của tỉnh Đồng Tháp"
    assert infer({}, "a.txt", title, title, date(2025, 7, 10)) == About("87", False, 2025, "H1")


def test_without_a_generation_a_name_is_the_unit_before_the_merger() -> None:
    assert [province_code(name) for name, _, _ in RENUMBERED] == [old for _, old, _ in RENUMBERED]
    assert province_code("Hoà Bình", 34) == "17"  # only among the 63: its own code
    assert province_code("Atlantis", 34) is None


def test_fact_table_rows_name_the_unit_of_their_period() -> None:
    table = ("province,year,period,metric_code,value\n"
             "Gia Lai,2024,year,procedures_total,1800\n"
             "Gia Lai,2025,year,procedures_total,2100\n"
             "Gia Lai,2025,H1,procedures_total,1900\n")
    read = read_fact_table(table.encode(), ".csv")
    assert [(fact.year, fact.period, fact.province_code) for fact in read.facts] == [
        (2024, "year", "64"), (2025, "year", "52"), (2025, "H1", "64")]


def test_a_ranking_is_national_in_the_documents_table_and_the_extraction_context(tmp_path: Path) -> None:
    reports, state_path = tmp_path / "reports", tmp_path / "state.duckdb"
    reports.mkdir()
    (reports / "xep-hang.txt").write_text(
        "Bảng xếp hạng Chỉ số cải cách hành chính năm 2024 của 63 tỉnh, thành phố.\n"
        "Hải Phòng đứng thứ nhất, Quảng Ninh đứng thứ hai.\n", encoding="utf-8")
    (reports / "dong-thap.txt").write_text(f"{title_of('Đồng Tháp', 2024, 'year')}\n{BODY}", encoding="utf-8")
    state = IngestState(state_path)
    scan = scan_reports(reports)
    recorder = VersionsRecorder(state, datetime(2025, 1, 1))
    recorder.record(scan.documents)
    recorder.finish(scan.files)
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        state.copy_versions(con)
        index = {doc.file_path: doc for doc in read_document_index(con).itertuples(index=False)}
    ranking, report = index["xep-hang.txt"], index["dong-thap.txt"]
    assert (bool(ranking.national), bool(report.national)) == (True, False)
    assert _task(ranking, "")[2].national and not _task(report, "")[2].national
    assert _task(report, "")[2].province_code == "87"
    flipped = SimpleNamespace(**{**ranking._asdict(), "national": False})
    assert _cache_key(ranking, False) != _cache_key(flipped, False)
