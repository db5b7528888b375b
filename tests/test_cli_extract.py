"""`cchc extract`: the manifest beside a file, `--explain` blocks, and what the warehouse leaves out."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from dagster_project.cli import left_out_of_marts, main, province_name
from dagster_project.extraction import DocumentContext, Fact

REPORT = "Năm 2023, toàn tỉnh tiếp nhận 12.345 hồ sơ. Huyện Vị Xuyên tiếp nhận 2.000 hồ sơ.\n"
TARGET = "Phấn đấu tỷ lệ hồ sơ trực tuyến đạt 80%."
COLUMNS = "province,year,period,doc_type,published"  # after the file or doc_id column


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def manifest(folder: Path, column: str, *rows: str) -> Path:
    """A manifest whose first column is `column` (file or doc_id), then COLUMNS."""
    return write(folder, "manifest.csv", "\n".join([f"{column},{COLUMNS}", *rows]) + "\n")


def facts_printed(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_the_manifest_beside_the_file_gives_its_province(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = write(tmp_path, "hg.txt", REPORT)
    manifest(tmp_path, "file", "hg.txt,Hà Giang,2023,year,report,2024-01-15")
    assert main(["extract", str(report)]) == 0
    (fact,) = facts_printed(capsys.readouterr().out)
    assert (fact["province_code"], fact["province"], fact["year"], fact["value"]) == (
        "02", "Hà Giang", 2023, 12345.0)


def test_an_evaluation_set_manifest_names_docs_by_doc_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = write(tmp_path, "docs/hg_2023.txt", REPORT)
    manifest(tmp_path, "doc_id", "hg_2023,02,2023,year,report,2024-01")
    assert main(["extract", str(report), "--explain"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.startswith(f"{report}: province 02 Hà Giang, year 2023, period year;")
    assert "manifest.csv line 2 (province=02" in header


def test_without_a_manifest_the_header_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = write(tmp_path, "hg.txt", REPORT)
    assert main(["extract", str(report), "--explain", "--province", "Hà Giang"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("; no manifest")


@pytest.mark.parametrize(("column", "name", "where"), [
    ("file", "reports/hg.txt", "reports/hg.txt"),
    ("doc_id", "hg", "docs/hg.txt"),
    ("doc_id", "hg", "hg.txt"),
])
def test_a_manifest_alone_extracts_every_file_it_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, name: str, where: str
) -> None:
    write(tmp_path, where, REPORT)
    listing = manifest(tmp_path, column, f"{name},Hà Giang,2023,year,report,")
    assert main(["extract", "--manifest", str(listing)]) == 0
    (fact,) = facts_printed(capsys.readouterr().out)
    assert (fact["file"], fact["province_code"]) == (str(tmp_path / where), "02")


def test_a_missing_file_is_named_and_the_others_are_still_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "hg.txt", REPORT)
    listing = manifest(tmp_path, "file", "gone.txt,Hà Giang,2023,year,report,",
                       "hg.txt,Hà Giang,2023,year,report,")
    assert main(["extract", "--manifest", str(listing)]) == 1
    out, err = capsys.readouterr()
    assert [fact["value"] for fact in facts_printed(out)] == [12345.0]
    assert err.strip() == f"cchc: {tmp_path / 'gone.txt'}: missing file, named in {listing} line 2"


def test_a_bad_published_date_is_a_note_not_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = write(tmp_path, "hg.txt", REPORT)
    manifest(tmp_path, "file", "hg.txt,Hà Giang,2023,year,report,15/01/2024")
    assert main(["extract", str(report)]) == 0
    out, err = capsys.readouterr()
    assert len(facts_printed(out)) == 1
    assert len(err.splitlines()) == 1 and "'15/01/2024'" in err


def test_explain_shows_every_number_with_its_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = write(tmp_path, "hg.txt", REPORT)
    manifest(tmp_path, "file", "hg.txt,Hà Giang,2023,year,report,")
    assert main(["extract", str(report), "--explain"]) == 0
    blocks = _blocks(capsys.readouterr().out)
    assert blocks["12.345"][0].split()[2] == "TAKEN"
    assert blocks["12.345"][1].strip() == "Năm 2023, toàn tỉnh tiếp nhận 12.345 hồ sơ."
    assert blocks["2.000"][0].split()[2] == "-"  # a district's figure
    assert blocks["2.000"][1].strip() == "Huyện Vị Xuyên tiếp nhận 2.000 hồ sơ."
    assert not any("LEFT OUT" in line for block in blocks.values() for line in block)


def test_explain_says_a_target_is_left_out_of_the_wide_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = write(tmp_path, "hg.txt", REPORT + TARGET)
    manifest(tmp_path, "file", "hg.txt,Hà Giang,2023,year,report,")
    assert main(["extract", str(report), "--explain"]) == 0
    number, sentence, note = _blocks(capsys.readouterr().out)["80"]
    assert number.split()[2] == "TAKEN" and sentence.strip() == TARGET
    assert note.strip().startswith("LEFT OUT: a target") and "fct_online_services" in note


def test_a_long_sentence_is_cut_around_its_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    filler = "trong đó có nhiều thủ tục liên thông giữa các cấp chính quyền, " * 8
    report = write(tmp_path, "hg.txt", f"Năm 2023, {filler}tỉnh có 77 điểm {filler}kết thúc.")
    assert main(["extract", str(report), "--explain", "--province", "Hà Giang"]) == 0
    sentence = _blocks(capsys.readouterr().out)["77"][1].strip()
    assert sentence.startswith("…") and sentence.endswith("…") and "tỉnh có 77 điểm" in sentence
    assert len(sentence) <= 2 * 150 + 10


def test_json_names_the_unit_in_force_at_the_end_of_the_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "a.txt", REPORT)
    write(tmp_path, "b.txt", REPORT.replace("2023", "2025"))
    listing = manifest(tmp_path, "file", "a.txt,82,2023,year,report,", "b.txt,82,2025,year,report,")
    assert main(["extract", "--manifest", str(listing)]) == 0
    names = [fact["province"] for fact in facts_printed(capsys.readouterr().out)]
    assert names == ["Tiền Giang", "Đồng Tháp"]


def _blocks(out: str) -> dict[str, list[str]]:
    """The blocks of `--explain` by the number as written: its line, its sentence, any note."""
    blocks: list[list[str]] = []
    for line in out.splitlines()[1:]:
        if line.startswith(" " * 11):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return {block[0].split()[1]: block for block in blocks}


# --- left_out_of_marts: one test per rule --------------------------------------------------------

CONTEXT = DocumentContext("02", 2023, "year", "report", date(2024, 1, 15))
FACT = Fact("procedures_total", 1650.0, "count", "exact", "actual", "02", 2023, "year",
            "Toàn tỉnh có 1.650 TTHC.", 13, 18, "rule", 0.9, "1.650")


def test_an_actual_figure_of_a_known_province_is_shown() -> None:
    assert left_out_of_marts(FACT, CONTEXT, [FACT]) is None


def test_a_document_of_an_unknown_province_is_rejected() -> None:
    context = dataclasses.replace(CONTEXT, province_code=None)
    assert "unknown" in left_out_of_marts(FACT, context, named_province="Xứ Đoài")
    national = dataclasses.replace(context, national=True)
    assert left_out_of_marts(FACT, national, named_province="national") is None


def test_a_document_without_a_year_is_rejected() -> None:
    assert "no year" in left_out_of_marts(FACT, dataclasses.replace(CONTEXT, year=None))


def test_a_figure_without_a_province_is_left_out() -> None:
    assert "no province" in left_out_of_marts(dataclasses.replace(FACT, province_code=None), CONTEXT)


def test_a_code_that_is_no_unit_has_no_wide_table() -> None:
    why = left_out_of_marts(dataclasses.replace(FACT, province_code="99"), CONTEXT)
    assert "99" in why and "fct_procedures" in why


def test_a_target_is_only_in_fct_report_facts() -> None:
    why = left_out_of_marts(dataclasses.replace(FACT, fact_kind="target"), CONTEXT)
    assert "target" in why and "fct_procedures" in why


def test_the_official_index_table_is_shown_before_a_report() -> None:
    score = dataclasses.replace(FACT, metric_code="par_index_score", value=91.5, province_code="22")
    quang_ninh = dataclasses.replace(CONTEXT, province_code="22")
    why = left_out_of_marts(score, quang_ninh)  # seeds/reference/par_index.csv: 2023, 22, 92.18
    assert "par_index.csv: 92.18" in why and "fct_reform_index" in why
    assert left_out_of_marts(dataclasses.replace(score, year=2015), quang_ninh) is None  # not in the table
    assert left_out_of_marts(dataclasses.replace(score, period="H1"), quang_ninh) is None


@pytest.mark.parametrize(("other", "wins"), [
    ({"qualifier": "about", "value": 1651.0}, False),  # exact before about
    ({"qualifier": "more_than"}, False),
    ({"value": 1640.0}, True),  # as many digits: the smaller fact_id, "120:…" < "13:…" as text
    ({"value": 1640.0, "span_start": 5}, False),  # "5:…" > "13:…"
    ({"value": 1652.0, "span_start": 5}, True),  # more significant digits
    ({"value": 1600.0}, False),  # fewer significant digits
    ({"value": 1652.0, "year": 2022}, False),  # another cell
    ({"value": 1652.0, "fact_kind": "target"}, False),
])
def test_one_figure_per_cell_of_a_document_is_selected(other: dict, wins: bool) -> None:
    rival = dataclasses.replace(FACT, **{"span_start": 120, "stated": "x", **other})
    why = left_out_of_marts(FACT, CONTEXT, [FACT, rival])
    assert (why is not None) == wins
    if wins:
        assert "(x at " in why and "fct_procedures" in why


def test_province_names_follow_the_generation_in_force() -> None:
    assert province_name("82", 2024, "year", None) == "Tiền Giang"
    assert province_name("82", 2025, "year", None) == "Đồng Tháp"
    assert province_name("82", 2025, "ytd", date(2025, 5, 1)) == "Tiền Giang"  # published before the merger
    assert province_name("17", 2025, "year", None) == "Hòa Bình"  # no 34-unit 17: the 63-unit
    assert province_name("99", 2023, "year", None) is None
