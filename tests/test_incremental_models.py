"""dbt's incremental models: a refresh on the kept build file builds again only the cells the
changed documents touch, and gives the marts a full refresh of the same folder gives."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project import build_file
from dagster_project.cli import main
from dagster_project.defs.quality.checks import FOUND, quality_dir
from dagster_project.settings import PROJECT_ROOT, Settings

BUNDLED_REPORTS = PROJECT_ROOT / "seeds" / "reports"
# When each row was read: differs between two refreshes of the same folder.
READ_AT = ("ingested_at", "first_seen_at", "last_seen_at", "recorded_at", "detected_at")
NEW_REPORT = ("Báo cáo kết quả cải cách hành chính năm 2024 của tỉnh Lai Châu.\n"
              "Toàn tỉnh có 1.234 TTHC, trong đó 456 TTHC cấp tỉnh.\n")
ADDED_SENTENCE = "\nNăm 2023, toàn tỉnh có 1.777 TTHC.\n"
# Left as they are between the refreshes: a fact table, a report without a year, and a manifest row
# with a malformed date (its document kept, the date recorded as an ingest error).
TABLE = "province,year,metric_code,value\nLai Châu,2023,par_index_score,85.78\nLai Châu,2023,x,1\n"
NO_YEAR = "Báo cáo cải cách hành chính của tỉnh Lai Châu.\nToàn tỉnh có 1.500 TTHC.\n"
# A finding in a province no change touches (3.000 of 4.000 is 75 %, not 90 %): kept, not looked for again.
MISMATCH = ("Báo cáo kết quả cải cách hành chính năm 2024 của tỉnh Sơn La.\n"
            "Kế hoạch vốn đầu tư công năm 2024 của tỉnh Sơn La là 4.000 tỷ đồng; đến hết năm đã giải ngân"
            " 3.000 tỷ đồng, đạt 90% kế hoạch.\n")

# Analysts' corrections of documents no change touches: the second refresh lifts a reject, changes
# a set value and adds a figure, and must build those cells again all the same.
CORRECTIONS_HEADER = "action,document,metric_code,province,year,period,value,reason,author,date\n"
CORRECTIONS_BEFORE = (
    "reject,001_6c47741fdee8e241.txt,gov_tasks_assigned,Hòa Bình,2022,ytd,,Kiểm tra lại,An,2026-12-01\n"
    "set,001_6c47741fdee8e241.txt,dossiers_received,Hòa Bình,2022,ytd,336000,Làm tròn,An,2026-12-01\n"
)
CORRECTIONS_AFTER = (
    "set,001_6c47741fdee8e241.txt,dossiers_received,Hòa Bình,2022,ytd,336500,Số đúng,An,2026-12-02\n"
    "add,002_82e24b4d84f06bb5.txt,dossiers_received,Lai Châu,2016,year,99000,Bổ sung,An,2026-12-02\n"
)


def refresh(reports: Path, warehouse: Path, *extra: str) -> None:
    assert main(["refresh", "--reports", str(reports), "--warehouse", str(warehouse), *extra]) == 0


def marts(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of the served file's main schema, rows sorted, without the columns of when."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [name for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' order by 1").fetchall()]
        rows = {}
        for table in tables:
            columns = [name for (name,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'main' and table_name = ?"
                " order by column_index", [table]).fetchall() if name not in READ_AT]
            select = f"select {', '.join(columns)} from main.{table} order by all"
            rows[table] = con.execute(select).fetchall()
    return rows


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A warehouse refreshed, then refreshed again after one report was added, one changed and
    one removed, and the corrections changed; and the folder it read."""
    root = tmp_path_factory.mktemp("incremental_models")
    reports = root / "reports"
    shutil.copytree(BUNDLED_REPORTS, reports)
    (reports / "par_index.csv").write_text(TABLE, encoding="utf-8")
    (reports / "no_year.txt").write_text(NO_YEAR, encoding="utf-8")
    (reports / "son_la_2024.txt").write_text(MISMATCH, encoding="utf-8")
    with (reports / "manifest.csv").open("a", encoding="utf-8") as manifest:
        manifest.write("par_index.csv,,,,,,,31/12/2023\n")
    (reports / "corrections.csv").write_text(CORRECTIONS_HEADER + CORRECTIONS_BEFORE, encoding="utf-8")
    warehouse = root / "incremental" / "cchc.duckdb"
    refresh(reports, warehouse)
    (reports / "corrections.csv").write_text(CORRECTIONS_HEADER + CORRECTIONS_AFTER, encoding="utf-8")
    (reports / "new_lai_chau_2024.txt").write_text(NEW_REPORT, encoding="utf-8")
    with (reports / "003_cc1c09ca5be40117.txt").open("a", encoding="utf-8") as changed:
        changed.write(ADDED_SENTENCE)
    (reports / "000_5523bcf3cc09a271.txt").unlink()
    refresh(reports, warehouse)
    return reports, warehouse


def test_the_second_refresh_built_on_the_kept_build_file(refreshed: tuple[Path, Path]) -> None:
    reports, warehouse = refreshed
    settings = Settings(reports, warehouse)
    assert build_file.is_kept(settings)
    log = (settings.build_dir / "refresh.log").read_text(encoding="utf-8")
    assert "OK created sql incremental model main.fct_procedures" in log
    with duckdb.connect(str(settings.build_path), read_only=True) as con:
        cells = con.execute("select count(*) from raw.changed_cells").fetchone()[0]
        facts = con.execute("select count(*) from raw.facts").fetchone()[0]
    assert 0 < cells < facts


def test_findings_were_looked_for_only_where_cells_changed(refreshed: tuple[Path, Path]) -> None:
    reports, warehouse = refreshed
    settings = Settings(reports, warehouse)
    run_id, consistency = pickle.loads((quality_dir(settings) / FOUND).read_bytes())
    scope = set(consistency.scope.itertuples(index=False, name=None))
    assert ("63-86", "2023-year") in scope and ("63-14", "2024-year") not in scope  # Vĩnh Long, Sơn La
    with duckdb.connect(str(warehouse), read_only=True) as con:
        kept = con.execute("select count(*) from data_quality_issues"
                           " where province_id = '63-14' and period_id = '2024-year'").fetchone()[0]
    assert kept == 1


def test_the_marts_equal_those_of_a_full_refresh(
    refreshed: tuple[Path, Path], tmp_path: Path
) -> None:
    """The full refresh runs on a copy of the warehouse folder: the same remembered versions, so
    the same history, and the build file built afresh."""
    reports, warehouse = refreshed
    shutil.copytree(warehouse.parent, tmp_path / "full", symlinks=True)
    fresh = tmp_path / "full" / warehouse.name
    refresh(reports, fresh, "--full")
    incremental, full = marts(warehouse), marts(fresh)
    assert incremental.keys() == full.keys()
    for table in full:
        assert incremental[table] == full[table], table
    selected = [row for row in full["fct_report_facts"] if 1777.0 in row or 1234.0 in row]
    assert selected, "the added and changed figures are in the marts"
    assert any(85.78 in row for row in incremental["fct_report_facts"]), "the unchanged table's row stays"
    reasons = {(row[0], row[2]) for row in incremental["ingest_errors"]}  # what was said of unchanged files
    assert {("no_year.txt", "no period"), ("par_index.csv", "invalid published date")} <= reasons


def test_changed_corrections_alone_are_built_again(refreshed: tuple[Path, Path]) -> None:
    _, warehouse = refreshed
    with duckdb.connect(str(warehouse), read_only=True) as con:
        hoa_binh = [con.execute(f"select {column} from {table} where province_period_id = '63-17|2022-ytd'"
                                ).fetchone() for table, column in [("fct_tasks", "gov_tasks_assigned"),
                                                                   ("fct_procedures", "dossiers_received")]]
        added = con.execute("select dossiers_received from fct_procedures"
                            " where province_period_id = '63-12|2016-year'").fetchall()
        applied = con.execute("select count(*) from fct_corrections where is_applied").fetchone()[0]
    assert hoa_binh == [(78,), (336_500,)]  # the reject lifted, the set value the new one
    assert added == [(99_000,)] and applied == 2


def test_a_build_file_of_other_code_or_never_built_is_not_kept(tmp_path: Path, monkeypatch) -> None:
    settings = Settings(tmp_path / "reports", tmp_path / "cchc.duckdb")
    settings.build_dir.mkdir(parents=True)
    settings.build_path.write_bytes(b"")
    assert not build_file.is_kept(settings)  # no dbt build remembered
    build_file.remember(settings)
    assert build_file.is_kept(settings)
    monkeypatch.setattr(build_file, "build_key", lambda: "other code")
    assert not build_file.is_kept(settings)
    build_file.forget(settings)
    assert not build_file.key_path(settings).exists()
