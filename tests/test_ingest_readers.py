"""Reading report files of every format and encoding provinces publish in; every fixture is built here."""

from __future__ import annotations

import io
import pickle
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import date

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from dagster_project.ingest import encodings, readers
from dagster_project.ingest.encodings import TCVN3_TO_UNICODE, VNI_TO_UNICODE, is_syllable
from dagster_project.ingest.readers import READABLE_SUFFIXES, ReadText, Unreadable, read_text

SENTENCE = (
    "Năm 2023, chỉ số cải cách hành chính của tỉnh đạt 85,78 điểm, tăng 2,15 điểm; "
    "người dân hài lòng với dịch vụ công trực tuyến, tỷ lệ hồ sơ đúng hạn đạt 98,6%."
)
ENGLISH = "The café’s “naïve” résumé costs €5 – see § 2 ½ of the Zürich report."
FRENCH = "Le rapport présenté à l'assemblée générale était très détaillé ; où est la crème brûlée ?"
SYMBOLS = "São Paulo, Ñandú, Œuvre – © ® ° ± µ ¶ § ¼ ½ ¾ and ß: symbols a TCVN3 font shows as letters."
_TONES = "\u0300\u0301\u0303\u0309\u0323"


# --- Encoders for the fixtures -----------------------------------------------------------------------

def cp1258(text: str) -> bytes:
    """Windows-1258 as Word wrote it: precomposed where the code page has the letter, else a tone mark."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            split = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in split if c not in _TONES))
            out += base.encode("cp1258") + "".join(c for c in split if c in _TONES).encode("cp1258")
    return out


def legacy(text: str, table: dict[str, str]) -> str:
    """Unicode text as a TCVN3 or VNI font stores it, seen as Windows-1252 characters."""
    inverse = {letter: code for code, letter in table.items() if code != letter}
    return "".join(inverse.get(ch, ch) for ch in text)


def mojibake(text: str) -> str:
    """UTF-8 read as Windows-1252, as Windows reads it: its five undefined bytes become C1 controls."""
    undefined = b"\x81\x8d\x8f\x90\x9d"
    return "".join(chr(b) if b in undefined else bytes([b]).decode("cp1252") for b in text.encode("utf-8"))


# --- Plain text: encodings ---------------------------------------------------------------------------

PLAIN_CASES = [
    ("utf-8", SENTENCE.encode("utf-8"), SENTENCE, ()),
    ("utf-8 with BOM", SENTENCE.encode("utf-8-sig"), SENTENCE, ()),
    ("utf-16 LE with BOM", b"\xff\xfe" + SENTENCE.encode("utf-16-le"), SENTENCE, ("decoded as UTF-16",)),
    ("utf-16 BE with BOM", b"\xfe\xff" + SENTENCE.encode("utf-16-be"), SENTENCE, ("decoded as UTF-16",)),
    ("utf-16 without BOM", SENTENCE.encode("utf-16-le"), SENTENCE,
     ("decoded as UTF-16 (no byte-order mark)",)),
    ("windows-1258", cp1258(SENTENCE), SENTENCE, ("decoded as Windows-1258 (not UTF-8)",)),
    ("windows-1252 English", ENGLISH.encode("cp1252"), ENGLISH, ("decoded as Windows-1252 (not UTF-8)",)),
    ("windows-1252 French", FRENCH.encode("cp1252"), FRENCH, ("decoded as Windows-1252 (not UTF-8)",)),
    ("windows-1252 symbols", SYMBOLS.encode("cp1252"), SYMBOLS, ("decoded as Windows-1252 (not UTF-8)",)),
    ("utf-8 English", ENGLISH.encode("utf-8"), ENGLISH, ()),
    ("utf-8 symbols", SYMBOLS.encode("utf-8"), SYMBOLS, ()),
    ("NFD Vietnamese", unicodedata.normalize("NFD", SENTENCE).encode("utf-8"), SENTENCE, ()),
    ("mojibake via cp1252", mojibake(SENTENCE).encode("utf-8"), SENTENCE,
     ("repaired mojibake (UTF-8 read as cp1252)",)),
    ("mojibake via latin-1", SENTENCE.encode("utf-8").decode("latin-1").encode("utf-8"), SENTENCE,
     ("repaired mojibake (UTF-8 read as cp1252)",)),
    ("mojibake twice", mojibake(mojibake(SENTENCE)).encode("utf-8"), SENTENCE,
     ("repaired mojibake (UTF-8 read as cp1252)",)),
    ("TCVN3 bytes", legacy(SENTENCE, TCVN3_TO_UNICODE).encode("cp1252"), SENTENCE,
     ("converted from TCVN3 (ABC)",)),
    ("TCVN3 font text saved as UTF-8", legacy(SENTENCE, TCVN3_TO_UNICODE).encode("utf-8"), SENTENCE,
     ("converted from TCVN3 (ABC)",)),
    ("VNI bytes", legacy(SENTENCE, VNI_TO_UNICODE).encode("cp1252"), SENTENCE, ("converted from VNI",)),
    ("VNI font text saved as UTF-8", legacy(SENTENCE, VNI_TO_UNICODE).encode("utf-8"), SENTENCE,
     ("converted from VNI",)),
]


@pytest.mark.parametrize(("raw", "text", "notes"), [case[1:] for case in PLAIN_CASES],
                         ids=[case[0] for case in PLAIN_CASES])
def test_plain_text_is_decoded_to_nfc_unicode(raw: bytes, text: str, notes: tuple[str, ...]) -> None:
    read = read_text(raw, ".txt")
    assert read == ReadText(text=text, notes=notes)
    assert unicodedata.is_normalized("NFC", read.text)


def test_markdown_reads_like_text_with_line_ends_unified() -> None:
    raw = "# Báo cáo\r\n\r\nTỉnh đạt 85,78 điểm.\r\n".encode()
    assert read_text(raw, ".MD").text == "# Báo cáo\n\nTỉnh đạt 85,78 điểm.\n"


@pytest.mark.parametrize(
    ("legacy_text", "unicode_text"),
    [
        # Written by hand, independent of the tables: what these fonts are known to show.
        ("B¸o c¸o kÕt qu¶ c¶i c¸ch hµnh chÝnh n¨m 2023 cña tØnh §iÖn Biªn", None),
        ("B¸O C¸O KÕT QU¶ thùc hiÖn", "BÁO CÁO KẾT QUẢ thực hiện"),
        ("Baùo caùo keát quaû caûi caùch haønh chính naêm 2023 cuûa tænh Ñieän Bieân", None),
        ("BAÙO CAÙO KEÁT QUAÛ thöïc hieän", "BÁO CÁO KẾT QUẢ thực hiện"),
    ],
)
def test_hand_written_legacy_font_text_converts(legacy_text: str, unicode_text: str | None) -> None:
    expected = unicode_text or "Báo cáo kết quả cải cách hành chính năm 2023 của tỉnh Điện Biên"
    assert read_text(legacy_text.encode("cp1252"), ".txt").text == expected


LETTERS = "áàảãạăắằẳẵặâấầẩẫậéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵđĂÂÊÔƠƯĐ"
# The same letters in TCVN 5712 (VN3), as glibc's iconv writes them: a source apart from our table.
TCVN3_LETTERS = bytes.fromhex(
    "b8b5b6b7b9a8bebbbcbdc6a9cac7c8c9cbd0cccecfd1aad5d2d3d4d6ddd7d8dcdee3dfe1e2e4abe8e5e6e7e9acedeaeb"
    "eceef3eff1f2f4adf8f5f6f7f9fdfafbfcfeaea1a2a3a4a5a6a7"
)
# And in VNI-Windows, written out from the font's layout: base letter and a modifier byte.
VNI_LETTERS = (
    "aù aø aû aõ aï aê aé aè aú aü aë aâ aá aà aå aã aä eù eø eû eõ eï eâ eá eà eå eã eä í ì æ ó ò "
    "où oø oû oõ oï oâ oá oà oå oã oä ô ôù ôø ôû ôõ ôï uù uø uû uõ uï ö öù öø öû öõ öï yù yø yû yõ î ñ"
)


def test_every_tcvn3_letter_converts() -> None:
    codes = TCVN3_LETTERS.decode("cp1252")
    assert [encodings.from_tcvn3(code) for code in codes] == list(LETTERS)


@pytest.mark.parametrize("case", [str.lower, str.upper])
def test_every_vni_letter_converts(case: Callable[[str], str]) -> None:
    letters = LETTERS[:LETTERS.index("đ") + 1]
    assert encodings.from_vni(case(VNI_LETTERS)).split() == list(case(letters))


def test_a_few_legacy_looking_words_are_not_enough_to_convert() -> None:
    text = "Report § 4: h¸t and c¸c"  # "hát" and "các" in TCVN3, or just odd symbols
    assert read_text(text.encode("cp1252"), ".txt").text == text


def test_quotes_after_capitals_are_not_taken_for_mojibake() -> None:
    text = "Khẩu hiệu “VÌ NHÂN DÂN PHỤC VỤ, VÌ THỦ ĐÔ” và «LÀ»."  # "Ô”" is the UTF-8 shape of "Ԕ"
    assert read_text(text.encode(), ".txt") == ReadText(text=text)


def test_genuine_vietnamese_without_non_latin1_letters_is_left_alone() -> None:
    # Every letter here is in Latin-1, so a TCVN3 or VNI reading is tried and must not win.
    text = "Báo cáo các tháng: hành chính, tài chính, môi"
    assert read_text(text.encode(), ".txt") == ReadText(text=text)


def test_syllable_shape_separates_vietnamese_from_legacy_noise() -> None:
    words = SENTENCE.replace(",", " ").replace(";", " ").replace(".", " ").replace("%", " ").split()
    assert all(is_syllable(w) for w in words if w.isalpha())
    assert not any(is_syllable(w) for w in ("caûi", "tØnh", "®¹t", "naïve", "Zürich", "résumé"))


# --- Plain text: rejections --------------------------------------------------------------------------

REJECTED_PLAIN = [
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary"),
    ("control characters", bytes(range(1, 9)) * 20 + b"text", "binary"),
    ("empty", b"", "empty"),
    ("blank", b" \r\n\t \n", "empty"),
    ("BOM only", b"\xef\xbb\xbf\n", "empty"),
    # Read with a strict Windows-1252 decoder, "ờ" (E1 BB 9D) loses its last byte.
    ("mojibake with lost bytes", SENTENCE.encode().decode("cp1252", "ignore").encode(), "mojibake"),
    ("mojibake with replaced bytes", SENTENCE.encode().decode("cp1252", "replace").encode(), "mojibake"),
]


@pytest.mark.parametrize(("raw", "reason"), [case[1:] for case in REJECTED_PLAIN],
                         ids=[case[0] for case in REJECTED_PLAIN])
def test_unreadable_plain_text_is_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(Unreadable) as caught:
        read_text(raw, ".txt")
    assert caught.value.reason == reason and caught.value.detail


@pytest.mark.parametrize(("suffix", "detail"), [(".xlsx", "extension .xlsx"), ("", "extension (none)"),
                                                (".doc", "extension .doc")])
def test_unknown_extension_is_unsupported(suffix: str, detail: str) -> None:
    with pytest.raises(Unreadable) as caught:
        read_text(b"some bytes", suffix)
    assert (caught.value.reason, caught.value.detail) == ("unsupported format", detail)


def test_readable_suffixes() -> None:
    assert frozenset({".txt", ".md", ".html", ".htm", ".docx", ".pdf"}) == READABLE_SUFFIXES


def test_unreadable_carries_reason_and_detail_and_pickles() -> None:
    error = pickle.loads(pickle.dumps(Unreadable("binary", "NUL bytes")))
    assert (error.reason, error.detail, str(error)) == ("binary", "NUL bytes", "binary: NUL bytes")


def test_a_library_failure_becomes_corrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(raw: bytes) -> ReadText:
        raise ValueError("bad table")

    monkeypatch.setitem(readers._READERS, ".pdf", explode)
    with pytest.raises(Unreadable) as caught:
        read_text(b"%PDF-1.4", ".pdf")
    assert (caught.value.reason, caught.value.detail) == ("corrupt", "ValueError: bad table")


# --- HTML -------------------------------------------------------------------------------------------

NEWS_PAGE = """<!DOCTYPE html>
<html lang="vi"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>Bắc Ninh đạt 85,78 điểm chỉ số cải cách hành chính năm 2023</title>
<link rel="canonical" href="https://bacninh.gov.vn/tin-tuc/par-index-2023.html">
<meta property="article:published_time" content="2024-03-15T08:30:00+07:00">
</head><body>
<div id="header"><div class="logo">CỔNG THÔNG TIN ĐIỆN TỬ TỈNH BẮC NINH</div>
<ul class="menu"><li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li>
<li><a href="/tin-tuc">Tin tức - Sự kiện</a></li><li><a href="/van-ban">Văn bản chỉ đạo điều hành</a></li>
<li><a href="/lien-he">Liên hệ</a></li></ul></div>
<div class="main"><div class="content-detail">
<h1 class="title">Bắc Ninh đạt 85,78 điểm chỉ số cải cách hành chính năm 2023</h1>
<div class="sapo">Năm 2023, Chỉ số cải cách hành chính (PAR Index) của tỉnh Bắc Ninh đạt 85,78 điểm, tăng 2,15
điểm so với năm 2022, xếp thứ 5/63 tỉnh, thành phố.</div>
<p>Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,6%; toàn tỉnh đã tiếp nhận 1.203.456 hồ sơ thủ tục hành chính,
trong đó 76,4% hồ sơ được nộp trực tuyến.</p>
<p>Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) đạt 87,12%, cao hơn mức trung bình cả nước.</p>
<table><tr><th>Cấp</th><th>Số hồ sơ</th></tr><tr><td>- Cấp tỉnh</td><td>1.203</td></tr>
<tr><td>- Cấp huyện</td><td>4.518</td></tr></table>
<p>Ủy ban nhân dân tỉnh yêu cầu các sở, ngành tiếp tục đẩy mạnh chuyển đổi số trong giải quyết thủ tục
hành chính, phấn đấu năm 2024 giữ vững vị trí trong nhóm 10 tỉnh dẫn đầu.</p>
</div>
<div class="share">Chia sẻ: Facebook | Zalo | In bài viết</div>
<div class="tin-lien-quan"><h3>Tin liên quan</h3><ul>
<li><a href="/tin-tuc/a.html">Bắc Ninh công bố Chỉ số PAR Index năm 2022 đạt 83,63 điểm</a></li>
<li><a href="/tin-tuc/b.html">Hội nghị triển khai nhiệm vụ cải cách hành chính năm 2024</a></li>
<li><a href="/tin-tuc/c.html">Sở Nội vụ kiểm tra công tác cải cách hành chính tại 8 huyện</a></li>
</ul></div></div>
<div class="sidebar"><h3>Xem nhiều</h3><ul>
<li><a href="/tin-tuc/d.html">Lịch tiếp công dân tháng 3 năm 2024 của Chủ tịch UBND tỉnh</a></li>
<li><a href="/tin-tuc/e.html">Thông báo tuyển dụng công chức năm 2024</a></li></ul></div>
<div id="footer"><p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh Bắc Ninh. Địa chỉ: Số 10 Phù Đổng Thiên Vương,
TP. Bắc Ninh. Điện thoại: 0222 3822 569. Email: banbientap@bacninh.gov.vn</p>
<p>Ghi rõ nguồn khi phát hành lại thông tin từ cổng thông tin này.</p></div>
</body></html>"""
ARTICLE = [  # a paragraph per line; the source line breaks inside a paragraph are spaces
    "Bắc Ninh đạt 85,78 điểm chỉ số cải cách hành chính năm 2023",
    "Năm 2023, Chỉ số cải cách hành chính (PAR Index) của tỉnh Bắc Ninh đạt 85,78 điểm, tăng 2,15 điểm "
    "so với năm 2022, xếp thứ 5/63 tỉnh, thành phố.",
    "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,6%; toàn tỉnh đã tiếp nhận 1.203.456 hồ sơ thủ tục hành chính, "
    "trong đó 76,4% hồ sơ được nộp trực tuyến.",
    "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) đạt 87,12%, cao hơn mức trung bình cả nước.",
    "Cấp | Số hồ sơ",
    "- Cấp tỉnh | 1.203",
    "- Cấp huyện | 4.518",
    "Ủy ban nhân dân tỉnh yêu cầu các sở, ngành tiếp tục đẩy mạnh chuyển đổi số trong giải quyết thủ tục "
    "hành chính, phấn đấu năm 2024 giữ vững vị trí trong nhóm 10 tỉnh dẫn đầu.",
]
NOT_ARTICLE = ["Trang chủ", "Tin liên quan", "83,63", "Sở Nội vụ kiểm tra", "Xem nhiều", "Lịch tiếp công dân",
               "Chia sẻ", "Địa chỉ", "0222 3822 569", "Ghi rõ nguồn", "|---"]


@pytest.mark.parametrize(("charset", "encode"), [
    ("utf-8", str.encode),
    ("windows-1258", cp1258),
    ("iso-8859-2", str.encode),  # declared wrongly (any byte is Latin-2): valid UTF-8 is UTF-8
])
def test_html_keeps_the_article_and_drops_menu_related_news_and_footer(
    charset: str, encode: Callable[[str], bytes]
) -> None:
    raw = encode(NEWS_PAGE.replace("{charset}", charset))
    read = read_text(raw, ".html")
    assert not [part for part in NOT_ARTICLE if part in read.text], read.text
    assert read.text.splitlines() == ARTICLE
    assert read.title == "Bắc Ninh đạt 85,78 điểm chỉ số cải cách hành chính năm 2023"
    assert read.published == date(2024, 3, 15)
    assert read.source_url == "https://bacninh.gov.vn/tin-tuc/par-index-2023.html"
    assert read.notes == ()


def test_html_without_main_text_is_rejected() -> None:
    page = "<html><head><title>Trang chủ</title></head><body><ul class='menu'>" + "".join(
        f"<li><a href='/{n}'>Mục {n}</a></li>" for n in range(10)) + "</ul></body></html>"
    with pytest.raises(Unreadable) as caught:
        read_text(page.encode(), ".htm")
    assert caught.value.reason == "no main text"


# --- DOCX -------------------------------------------------------------------------------------------

def make_docx(
    title: str = "", paragraphs_before: tuple[str, ...] = (), rows: tuple[tuple[str, ...], ...] = (),
    paragraphs_after: tuple[str, ...] = (),
) -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    for text in paragraphs_before:
        document.add_paragraph(text)
    if rows:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    for text in paragraphs_after:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_table_rows_in_document_order() -> None:
    raw = make_docx(
        title="Báo cáo CCHC năm 2023",
        paragraphs_before=("BÁO CÁO", "", "Kết quả giải quyết thủ tục hành chính như sau:"),
        rows=(("Cấp", "Số hồ sơ"), ("- Cấp tỉnh", "1.203"), ("- Cấp huyện", "4.518\nhồ sơ")),
        paragraphs_after=("Tỷ lệ đúng hạn đạt 98,6%.",),
    )
    read = read_text(raw, ".docx")
    assert read.text == (
        "BÁO CÁO\nKết quả giải quyết thủ tục hành chính như sau:\nCấp | Số hồ sơ\n- Cấp tỉnh | 1.203\n"
        "- Cấp huyện | 4.518 hồ sơ\nTỷ lệ đúng hạn đạt 98,6%."
    )
    assert read.title == "Báo cáo CCHC năm 2023"


def test_docx_merged_cells_appear_once() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 2))
    merged.text = "Kết quả năm 2023"
    for cell, value in zip(table.rows[1].cells, ("Cấp tỉnh", "1.203", "98,6%"), strict=True):
        cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    read = read_text(buffer.getvalue(), ".docx")
    assert read.text == "Kết quả năm 2023\nCấp tỉnh | 1.203 | 98,6%"
    assert read.title is None


@pytest.mark.parametrize(("title", "expected_title"), [
    ("B¸o c¸o c¶i c¸ch hµnh chÝnh", "Báo cáo cải cách hành chính"),  # taken from the first line
    ("Báo cáo cải cách hành chính", "Báo cáo cải cách hành chính"),  # typed in Unicode
])
def test_docx_typed_in_a_tcvn3_font_is_converted(title: str, expected_title: str) -> None:
    read = read_text(make_docx(title=title, paragraphs_before=(legacy(SENTENCE, TCVN3_TO_UNICODE),)), ".docx")
    assert (read.text, read.title, read.notes) == (SENTENCE, expected_title, ("converted from TCVN3 (ABC)",))


def rezip(edit: Callable[[str, bytes], bytes | None]) -> bytes:
    """A small .docx with its members edited; a member whose edit is None is left out."""
    source, buffer = zipfile.ZipFile(io.BytesIO(make_docx(paragraphs_before=("Tỉnh đạt",)))), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            content = edit(name, source.read(name))
            if content is not None:
                archive.writestr(name, content)
    return buffer.getvalue()


def drop(member: str) -> Callable[[str, bytes], bytes | None]:
    return lambda name, content: None if name == member else content


def as_workbook(name: str, content: bytes) -> bytes:
    """The content types of a workbook: what an .xlsx renamed .docx looks like to python-docx."""
    if name != "[Content_Types].xml":
        return content
    return content.replace(b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml")


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
DOCX_REJECTIONS = [
    ("truncated", make_docx(paragraphs_before=("Tỉnh đạt 85,78 điểm",) * 20)[:1500], "corrupt"),
    ("not a zip", b"<html>saved as web page</html>", "corrupt"),
    ("zip without document.xml", rezip(drop("word/document.xml")), "corrupt"),
    ("zip without content types", rezip(drop("[Content_Types].xml")), "corrupt"),
    ("workbook named .docx", rezip(as_workbook), "corrupt"),
    ("encrypted", OLE + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 200, "password-protected"),
    ("legacy .doc", OLE + "WordDocument".encode("utf-16-le") + b"\x00" * 200, "unsupported format"),
]


@pytest.mark.parametrize(("raw", "reason"), [case[1:] for case in DOCX_REJECTIONS],
                         ids=[case[0] for case in DOCX_REJECTIONS])
def test_unreadable_docx_is_rejected(raw: bytes, reason: str) -> None:
    with pytest.raises(Unreadable) as caught:
        read_text(raw, ".docx")
    assert caught.value.reason == reason and caught.value.detail


def test_encrypted_and_legacy_ole_files_are_told_apart() -> None:
    details = []
    for _, raw, _ in DOCX_REJECTIONS[-2:]:
        with pytest.raises(Unreadable) as caught:
            read_text(raw, ".docx")
        details.append(caught.value.detail)
    assert "encrypted" in details[0] and ".doc" in details[1]


# --- PDF --------------------------------------------------------------------------------------------

def make_pdf(*pages: tuple[str, ...]) -> bytes:
    """A PDF with one text line per string, Helvetica, ASCII only; a page of () has no text."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(pages))), len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, lines in enumerate(pages):
        shown = b" ".join(b"(%s) Tj T*" % line.encode("ascii") for line in lines)
        stream = b"BT /F1 12 Tf 14 TL 72 720 Td " + shown + b" ET" if lines else b"0 0 m 100 100 l S"
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


REPORT_PAGES = (
    ("Bao cao ket qua cai cach hanh chinh nam 2023", "Chi so PAR Index dat 85,78 diem."),
    ("Ty le ho so dung han dat 98,6%.",),
)


def rewrite(raw: bytes, title: str | None = None, user_password: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    if title:
        writer.add_metadata({"/Title": title})
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_text_of_all_pages_with_title() -> None:
    read = read_text(rewrite(make_pdf(*REPORT_PAGES), title="Báo cáo CCHC 2023"), ".pdf")
    assert [line for line in read.text.splitlines() if line] == [
        "Bao cao ket qua cai cach hanh chinh nam 2023", "Chi so PAR Index dat 85,78 diem.",
        "Ty le ho so dung han dat 98,6%.",
    ]
    assert (read.title, read.notes) == ("Báo cáo CCHC 2023", ())


def test_pdf_encrypted_with_an_empty_user_password_is_read() -> None:
    read = read_text(rewrite(make_pdf(*REPORT_PAGES), user_password=""), ".pdf")
    assert "Chi so PAR Index dat 85,78 diem." in read.text


def test_pdf_encrypted_with_aes_and_an_empty_user_password_is_read() -> None:
    pytest.importorskip("cryptography")  # pypdf needs it for AES
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(*REPORT_PAGES))))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "Ty le ho so dung han dat 98,6%." in read_text(buffer.getvalue(), ".pdf").text


def test_pdf_with_some_blank_pages_notes_them() -> None:
    read = read_text(make_pdf(REPORT_PAGES[0] * 3, ()), ".pdf")
    assert read.notes == ("1 of 2 pages have no text layer",)


PDF_REJECTIONS = [
    ("password", rewrite(make_pdf(*REPORT_PAGES), user_password="secret"), "password-protected"),
    ("truncated", make_pdf(*REPORT_PAGES)[:400], "corrupt"),
    ("not a pdf", b"PK\x03\x04 a zip named .pdf %%EOF", "corrupt"),
    ("garbage body", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n", "corrupt"),
    ("scanned", make_pdf((), ()), "no text layer"),
    ("too little text", make_pdf(("p. 1",), ("p. 2",)), "no text layer"),
]


@pytest.mark.parametrize(("raw", "reason"), [case[1:] for case in PDF_REJECTIONS],
                         ids=[case[0] for case in PDF_REJECTIONS])
def test_unreadable_pdf_is_rejected(raw: bytes, reason: str) -> None:
    with pytest.raises(Unreadable) as caught:
        read_text(raw, ".pdf")
    assert caught.value.reason == reason and caught.value.detail


def test_an_indicator_table_reads_as_prose_the_extractor_understands() -> None:
    from dagster_project.extraction import DocumentContext, extract_facts

    document = docx.Document()
    document.add_paragraph("Kết quả cải cách hành chính năm 2024 của tỉnh Sơn La.")
    table = document.add_table(rows=3, cols=4)
    for row, cells in zip(table.rows, [("STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"),
                                       ("1", "Tổng số TTHC thuộc thẩm quyền giải quyết", "Thủ tục", "1.757"),
                                       ("2", "Huyện có nhiều hồ sơ nhất", "", "Mường La")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    text = read_text(buffer.getvalue(), ".docx").text
    assert "Tổng số TTHC thuộc thẩm quyền giải quyết: 1.757 thủ tục." in text.splitlines()
    facts = extract_facts(text, DocumentContext("14", 2024, "year", "report"))
    assert [(f.metric_code, f.value) for f in facts] == [("procedures_total", 1757.0)]


def test_a_few_broken_bytes_in_utf8_are_replaced_and_said_not_read_as_a_legacy_encoding() -> None:
    raw = (SENTENCE + " ") * 3
    broken = raw.encode("utf-8").replace(b" 2023", b"\x81 2023", 1).replace(b"2,15", b"2,\xff\xfe15", 1)
    read = read_text(broken, ".txt")
    assert read.text.replace("\ufffd", "").strip() == raw.strip()
    assert read.text.count("\ufffd") == 3
    assert read.notes == ("3 bytes that are not UTF-8 replaced (U+FFFD)",)
