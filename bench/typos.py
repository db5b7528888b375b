"""A corpus where a few percent of reports state impossible figures still publishes.

    python bench/typos.py --documents 1000 --share 0.03 --out /tmp/cchc-typos

Writes the benchmark corpus (bench/corpus.py), adds that share of reports each stating a share
above 100 % and a PAR INDEX score above 100, refreshes, and prints whether the refresh published,
how many of those figures are findings (severity error) and how many wide-table cells hold a value
beyond 100 (none should). Exits 1 if any of that does not hold.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate  # noqa: E402

from dagster_project.cli import main as cchc  # noqa: E402

PROVINCES = ["Điện Biên", "Lai Châu", "Sơn La", "Hà Giang", "Cao Bằng", "Bắc Kạn", "Lạng Sơn", "Yên Bái",
             "Hòa Bình", "Thái Nguyên", "Bắc Giang", "Phú Thọ", "Vĩnh Phúc", "Hà Nam", "Nam Định"]
TYPO = ("Báo cáo kết quả cải cách hành chính năm 2021 của tỉnh {name}.\n"
        "Năm 2021, tỷ lệ hồ sơ giải quyết đúng hạn của tỉnh đạt 1{n:02d},7%. Chỉ số CCHC năm 2021 của"
        " tỉnh đạt 10{m},78 điểm.\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--share", type=float, default=0.03)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.out, args.documents)
    reports = args.out / "reports"
    typos = max(1, round(args.documents * args.share))
    for number in range(typos):
        name = PROVINCES[number % len(PROVINCES)]
        text = TYPO.format(name=name, n=number % 90 + 10, m=number % 10)
        (reports / f"typo_{number:03d}.txt").write_text(text, encoding="utf-8")
    warehouse = args.out / "warehouse" / "cchc.duckdb"
    published = cchc(["refresh", "--reports", str(reports), "--warehouse", str(warehouse), "--full"]) == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        findings = con.sql("select count(*) from data_quality_issues"
                           " where check_name = 'invalid_figure_impossible'").fetchone()[0]
        in_wide = con.sql("""
            select (select count(*) from fct_procedures where dossiers_on_time_pct > 100)
                + (select count(*) from fct_reform_index where par_index_score > 100)""").fetchone()[0]
    stated = 2 * typos
    print(f"{typos} reports with impossible figures among {args.documents}: published {published},"
          f" findings {findings} of {stated} impossible figures, wide-table cells beyond 100: {in_wide}")
    return 0 if published and findings == stated and in_wide == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
