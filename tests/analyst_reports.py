"""A reports folder for the analysts' tables: the bundled reports, a 2024 reform plan of Lai Châu
stating targets, 2023 results of Hà Giang and Tuyên Quang, which merged into the Tuyên Quang of
1 July 2025, and a corrections.csv with good and bad rows. Every sentence here was written for the
tests.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from dagster_project.settings import PROJECT_ROOT

BUNDLED_REPORTS = PROJECT_ROOT / "seeds" / "reports"
ADDED = {
    "plan_lai_chau_2024.txt": (
        "Lai Châu,2024,year,plan,Kế hoạch cải cách hành chính năm 2024",
        "Kế hoạch cải cách hành chính năm 2024 của tỉnh Lai Châu\n"
        "Năm 2024, phấn đấu tỷ lệ hồ sơ trực tuyến mức độ 4 đạt trên 80%.\n"
        "Phấn đấu cắt giảm tối thiểu 50% thời gian giải quyết thủ tục hành chính.\n"
        "Phấn đấu 100% nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao được hoàn thành đúng hạn.\n"
        "Năm 2024, tỉnh phấn đấu tinh giản 80 biên chế công chức.\n",
    ),
    "ha_giang_2023.txt": (
        "Hà Giang,2023,year,news,Kết quả cải cách hành chính năm 2023",
        "Hà Giang: kết quả cải cách hành chính năm 2023\n"
        "Năm 2023, tỉnh Hà Giang đã tiếp nhận 120.500 hồ sơ thủ tục hành chính.\n"
        # the same figure stated again with another value: a correction of it matches two facts
        "Theo số liệu cập nhật, trong năm 2023 tỉnh đã tiếp nhận 121.000 hồ sơ thủ tục hành chính.\n"
        "Tổng thu ngân sách nhà nước trên địa bàn năm 2023 đạt 3.100.000 triệu đồng, bằng 103,33% kế"
        " hoạch; kế hoạch thu ngân sách năm 2023 là 3.000.000 triệu đồng.\n",
    ),
    "tuyen_quang_2023.txt": (
        "Tuyên Quang,2023,year,news,Kết quả cải cách hành chính năm 2023",
        "Tuyên Quang: kết quả cải cách hành chính năm 2023\n"
        "Năm 2023, tỉnh Tuyên Quang đã tiếp nhận 98.300 hồ sơ thủ tục hành chính.\n"
        "Tổng thu ngân sách nhà nước trên địa bàn năm 2023 đạt 2.900.000 triệu đồng, bằng 96,67% kế"
        " hoạch; kế hoạch thu ngân sách năm 2023 là 3.000.000 triệu đồng.\n",
    ),
}


LAI_CHAU_2024 = "000_5523bcf3cc09a271.txt"  # bundled: Lai Châu's results of 2024
VINH_LONG_2023 = "003_cc1c09ca5be40117.txt"  # bundled: Vĩnh Long's of 2023
CORRECTIONS = [  # action, document, metric_code, province, year, period, value, reason
    ("reject", LAI_CHAU_2024, "public_assets_arranged", "Lai Châu", "2024", "year", "",
     "Số tài sản công của cả giai đoạn 2021-2024, không phải của năm 2024"),
    ("set", LAI_CHAU_2024, "video_conference_points", "12", "2024", "year", "195",
     "Báo cáo chính thức của Sở Nội vụ ghi 195 điểm cầu"),
    ("add", VINH_LONG_2023, "dossiers_received", "Vĩnh Long", "2023", "year", "250000",
     "Phụ lục của báo cáo ghi 250.000 hồ sơ tiếp nhận"),
    # not applied, each saying why
    ("reject", LAI_CHAU_2024, "procedures_total", "Lai Châu", "2023", "year", "", "Không có số này"),
    ("set", "missing.txt", "procedures_total", "Lai Châu", "2024", "year", "2000", "Tệp không tồn tại"),
    ("set", LAI_CHAU_2024, "procedures_total", "Lai Châu", "2024", "year", "2,046", "Dấu phẩy"),
    ("add", LAI_CHAU_2024, "procedures_total", "Lai Châu", "2024", "year", "2046", "Đã có"),
    ("set", "ha_giang_2023.txt", "dossiers_received", "Hà Giang", "2023", "year", "120000", "Hai câu"),
    ("discard", LAI_CHAU_2024, "procedures_total", "Lai Châu", "2024", "year", "", "Sai thao tác"),
]


def corrections_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["action", "document", "metric_code", "province", "year", "period", "value", "reason",
                     "author", "date"])
    writer.writerows([*row, "Nguyễn Thị Test", "2026-12-01"] for row in CORRECTIONS)
    return out.getvalue()


def write_reports(folder: Path) -> Path:
    """The bundled reports, the added ones (in the manifest) and corrections.csv, in folder."""
    shutil.copytree(BUNDLED_REPORTS, folder, dirs_exist_ok=True)
    manifest = (folder / "manifest.csv").read_text(encoding="utf-8")
    for name, (row, text) in ADDED.items():
        (folder / name).write_text(text, encoding="utf-8")
        manifest += f"{name},{row},,\n"
    (folder / "manifest.csv").write_text(manifest, encoding="utf-8")
    (folder / "corrections.csv").write_text(corrections_csv(), encoding="utf-8")
    return folder
