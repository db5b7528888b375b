"""The text of a report file, whatever format a province published it in.

:func:`read_text` takes a file's bytes and its suffix and returns the document's text, normalised
as the extractor expects, with what the format tells of its title, date and address. A file that
cannot be read raises :class:`Unreadable` with a short stable reason ("binary", "corrupt",
"password-protected", ...) and a sentence for a person; no library exception escapes.

- ``.txt``/``.md``: decoded as :mod:`dagster_project.ingest.encodings` explains (UTF-8/16,
  Windows-1252/1258, TCVN3 and VNI converted, mojibake repaired).
- ``.html``/``.htm``: the article only, as trafilatura finds it; menus, lists of related news
  and footers are left out.
- ``.docx``: paragraphs and tables in document order, a table row per line, cells joined by " | ".
- ``.pdf``: the text layer of every page; scanned PDFs without one are rejected.
"""

from __future__ import annotations

import copy
import io
import logging
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from dagster_project.extraction import normalize_text
from dagster_project.ingest.encodings import Repair, Unreadable, decode_bytes, repair_text
from dagster_project.ingest.limits import OverALimit, check_archive, check_pages

__all__ = ["READABLE_SUFFIXES", "ReadText", "Unreadable", "read_text"]

READABLE_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".docx", ".pdf"})


@dataclass(frozen=True)
class ReadText:
    """A document's text (normalised) and what its format says about it; None where it says nothing."""

    text: str
    title: str | None = None
    published: date | None = None
    source_url: str | None = None
    notes: tuple[str, ...] = ()


def read_text(raw: bytes, suffix: str) -> ReadText:
    """The text of a file's bytes, read as its suffix says; raises Unreadable.

    >>> read_text("Tỉnh đạt 85,78 điểm.\\r\\n".encode("utf-8-sig"), ".TXT").text
    'Tỉnh đạt 85,78 điểm.\\n'
    """
    reader = _READERS.get(suffix.lower())
    if reader is None:
        raise Unreadable("unsupported format", f"extension {suffix or '(none)'}")
    if not raw or raw.isspace():
        raise Unreadable("empty", "the file is empty")
    try:
        return reader(raw)
    except (Unreadable, OverALimit, MemoryError):
        raise
    except Exception as error:  # a library's failure on a malformed file
        raise Unreadable("corrupt", f"{type(error).__name__}: {error}") from error


def _finish(
    text: str, repair: Repair, notes: list[str], title: str | None = None,
    published: date | None = None, source_url: str | None = None,
) -> ReadText:
    """Normalised text and title, or Unreadable("empty") when nothing but blanks is left."""
    text = normalize_text(text)
    if not text.strip():
        raise Unreadable("empty", "no text")
    if title:
        title = normalize_text(repair.apply(title)).strip()
    return ReadText(text, title or None, published, source_url, tuple(notes + repair.notes))


# --- Plain text --------------------------------------------------------------------------------------

def _read_plain(raw: bytes) -> ReadText:
    text, notes = decode_bytes(raw)
    text, repair = repair_text(text)
    return _finish(text, repair, notes)


# --- HTML -------------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\s*\n\s*")
_TABLE_RULE = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+[ \t]*(?:\n|$)", re.MULTILINE)
_TABLE_ROW = re.compile(r"^\|[ \t]?(.*?)[ \t]*\|[ \t]*$", re.MULTILINE)


def _read_html(raw: bytes) -> ReadText:
    import trafilatura  # the format libraries load when a file needs them, not with the definitions

    declared = _META_CHARSET.search(raw[:4096])
    html, notes = decode_bytes(raw, declared.group(1).decode("ascii") if declared else None)
    tree = trafilatura.load_html(html)
    if tree is None:
        raise Unreadable("no main text", "not an HTML page")
    _join_source_lines(tree)
    # Precision mode tells whether the page has an article at all (a list of links has none), but
    # drops a lead paragraph set in a <div class="sapo">, where the headline figure often is; the
    # balanced mode keeps it and, on an article page, still leaves out menus and related news.
    if not _has_text(_extract(tree, favor_precision=True)):
        raise Unreadable("no main text", "no article text in the page, only menus, links or scripts")
    found = _extract(tree, favor_precision=False)
    if not _has_text(found):
        found = _extract(tree, favor_precision=True)
    text, repair = repair_text(_plain_table_rows(found.text))
    return _finish(
        text, repair, notes, title=found.title,
        published=_iso_date(found.date), source_url=found.url or None,
    )


def _extract(tree, favor_precision: bool):
    import trafilatura

    with _quiet("trafilatura", "htmldate"):
        return trafilatura.bare_extraction(
            copy.deepcopy(tree), include_tables=True, include_comments=False, include_images=False,
            with_metadata=True, favor_precision=favor_precision,
        )


def _has_text(found) -> bool:
    return found is not None and bool((found.text or "").strip())


def _join_source_lines(tree) -> None:
    """A line break in the HTML source is a space, as a browser shows it; <br> and blocks still break."""
    for element in tree.iter():
        in_pre = next(element.iterancestors("pre"), None) is not None
        if element.text and "\n" in element.text and not (in_pre or element.tag == "pre"):
            element.text = _LINE_BREAK.sub(" ", element.text)
        if element.tail and "\n" in element.tail and not in_pre:
            element.tail = _LINE_BREAK.sub(" ", element.tail)


def _plain_table_rows(text: str) -> str:
    """trafilatura's Markdown table rows ("| a | b |") as the .docx reader writes them ("a | b")."""
    text = _TABLE_RULE.sub("", text)
    return _TABLE_ROW.sub(lambda m: m.group(1).strip(), text)


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- DOCX -------------------------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")  # the stream an encrypted OOXML file holds
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _read_docx(raw: bytes) -> ReadText:
    if raw.startswith(_OLE_MAGIC):
        raise _ole_file(raw)
    try:
        names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    except zipfile.BadZipFile as error:
        raise Unreadable("corrupt", f"not a valid .docx (zip) file: {error}") from error
    if "[Content_Types].xml" not in names:
        raise Unreadable("corrupt", "a zip file without [Content_Types].xml, not an Office document")
    check_archive(raw)
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except KeyError as error:  # python-docx looks parts up by name
        raise Unreadable("corrupt", f"a part of the .docx is missing: {error.args[0]}") from error
    except ValueError as error:  # e.g. a workbook named .docx; python-docx names the type last
        content_type = str(error).rpartition("content type is ")[2]
        raise Unreadable("corrupt", f"not a Word document: content type {content_type}") from error
    lines = list(_docx_lines(document))
    text, repair = repair_text("\n".join(lines))
    return _finish(text, repair, [], title=document.core_properties.title)


def _ole_file(raw: bytes) -> Unreadable:
    if _ENCRYPTION_INFO in raw:
        return Unreadable("password-protected", "an encrypted Word file; remove the password and save again")
    return Unreadable(
        "unsupported format",
        "an OLE compound file: a legacy Word 97-2003 .doc named .docx (or one protected in the old way); "
        "save it as .docx",
    )


def _docx_lines(document) -> Iterator[str]:
    """A line per non-empty paragraph and per table row, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for element in _body_blocks(document.element.body):
        if element.tag == f"{_W}p":
            line = Paragraph(element, document).text.strip()
            if line:
                yield line
        else:
            yield from _table_rows(Table(element, document))


def _body_blocks(parent) -> Iterator:
    """Paragraphs and tables of the body, also those inside block-level content controls."""
    for child in parent.iterchildren():
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _body_blocks(content)


def _table_rows(table) -> Iterator[str]:
    rows = [cells for cells in map(_row_cells, table.rows) if any(cells)]
    columns = indicator_columns(rows[0]) if rows else None
    for number, cells in enumerate(rows):
        if columns and number > 0 and len(cells) == len(rows[0]):
            yield indicator_line(cells, *columns)
        else:
            yield " | ".join(cells)


def _row_cells(row) -> list[str]:
    cells, previous = [], None
    for cell in row.cells:
        if previous is not None and cell._tc is previous:
            continue  # a merged cell is listed once per grid column it spans
        previous = cell._tc
        cells.append(" ".join(cell.text.split()))
    return cells


# Headers of the indicator tables reports attach ("Chỉ tiêu | Đơn vị tính | Kết quả").
_INDICATOR_HEADER = re.compile(r"(?i)^(?:chỉ tiêu|nội dung|tiêu chí|tên chỉ tiêu)$")
_UNIT_HEADER = re.compile(r"(?i)^(?:đơn vị(?: tính)?|đvt)$")
_VALUE_HEADER = re.compile(r"(?i)^(?:kết quả|số liệu|giá trị|thực hiện|kết quả thực hiện|số lượng)$")


def indicator_columns(header: list[str]) -> tuple[int, int | None, int] | None:
    """Columns (indicator, unit, value) of an indicator table's header row, or None for another table.

    >>> indicator_columns(["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"])
    (1, 2, 3)
    >>> indicator_columns(["Huyện", "2023", "2024"]) is None
    True
    """
    def find(pattern: re.Pattern[str]) -> int | None:
        return next((i for i, cell in enumerate(header) if pattern.match(cell.strip())), None)

    indicator, unit, value = find(_INDICATOR_HEADER), find(_UNIT_HEADER), find(_VALUE_HEADER)
    return None if indicator is None or value is None else (indicator, unit, value)


def indicator_line(cells: list[str], indicator: int, unit: int | None, value: int) -> str:
    """A row of an indicator table as reports write it in prose: "Chỉ tiêu: 1.757 thủ tục".

    >>> indicator_line(["1", "Tỷ lệ hồ sơ đúng hạn", "%", "97,67"], 1, 2, 3)
    'Tỷ lệ hồ sơ đúng hạn: 97,67%.'
    >>> indicator_line(["2", "Tổng số TTHC", "Thủ tục", "1.757"], 1, 2, 3)
    'Tổng số TTHC: 1.757 thủ tục.'
    """
    stated_unit = cells[unit] if unit is not None else ""
    suffix = "%" if stated_unit == "%" else f" {stated_unit.lower()}" if stated_unit else ""
    return f"{cells[indicator]}: {cells[value]}{suffix}."


# --- PDF --------------------------------------------------------------------------------------------

_MIN_CHARS_PER_PAGE = 20
_NON_SPACE = re.compile(r"\S")


def _read_pdf(raw: bytes) -> ReadText:
    if b"%PDF-" not in raw[:1024]:
        raise Unreadable("corrupt", "not a PDF: no %PDF- header")
    if b"%%EOF" not in raw[-2048:]:
        raise Unreadable("corrupt", "truncated PDF: no %%EOF marker at the end")
    from pypdf import PdfReader

    with _quiet("pypdf"):
        reader = PdfReader(io.BytesIO(raw), strict=False)
        _decrypt(reader)
        check_pages(len(reader.pages))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = _pdf_title(reader)
    if not pages:
        raise Unreadable("empty", "a PDF without pages")
    counts = [len(_NON_SPACE.findall(page)) for page in pages]
    if sum(counts) < _MIN_CHARS_PER_PAGE * len(pages):
        raise Unreadable("no text layer", "scanned PDF without a text layer; OCR it first")
    blank = sum(1 for count in counts if count == 0)
    notes = [f"{blank} of {len(pages)} pages have no text layer"] if blank else []
    text, repair = repair_text("\n".join(reflow(page) for page in pages))
    return _finish(text, repair, notes, title=title)


_LIST_ITEM = re.compile(r"\s*(?:[-–•+*]\s|\d{1,2}[.)]\s|[a-zđ][)]\s|[IVX]{1,4}\.\s)")
_FULL_LINE = 0.75  # of the page's text width: a shorter line ends its paragraph
_MIN_LINES_TO_REFLOW = 4


def reflow(page: str) -> str:
    r"""A PDF page's lines joined back into paragraphs, so that a sentence is one line again.

    A line nearly as wide as the page was wrapped by the layout and continues on the next line,
    unless that one opens a list item; short lines (headings, paragraph ends) stay as they are.

    >>> reflow("Năm 2023, tỉnh có tổng số 1.612\nTTHC cấp tỉnh.\nCHỈ THỊ\n- Một mục")
    'Năm 2023, tỉnh có tổng số 1.612 TTHC cấp tỉnh.\nCHỈ THỊ\n- Một mục'
    """
    lines = [line.rstrip() for line in page.splitlines()]
    if sum(1 for line in lines if line) < _MIN_LINES_TO_REFLOW:
        return page  # too few lines to tell the text width
    width = max(len(line) for line in lines)
    paragraphs: list[str] = []
    joining = False
    for line in lines:
        if joining and line and not _LIST_ITEM.match(line):
            paragraphs[-1] += " " + line.lstrip()
        else:
            paragraphs.append(line)
        joining = len(line) >= _FULL_LINE * width
    return "\n".join(paragraphs)


def _decrypt(reader) -> None:
    """Open a PDF encrypted with an empty user password; reject one that needs a password."""
    from pypdf.errors import DependencyError

    if not reader.is_encrypted:
        return
    try:
        opened = reader.decrypt("")
    except DependencyError as error:  # AES without the cryptography package
        raise Unreadable("password-protected", f"encrypted PDF this install cannot open: {error}") from error
    if not opened:  # PasswordType.NOT_DECRYPTED is 0
        raise Unreadable("password-protected", "the PDF needs a password to open; remove it and save again")


def _pdf_title(reader) -> str | None:
    try:
        metadata = reader.metadata
        return str(metadata.title) if metadata and metadata.title else None
    except Exception:  # a broken information dictionary costs the title, not the text
        return None


# --- Shared -----------------------------------------------------------------------------------------

@contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Silence a library's warnings about malformed input while it reads: they are ours to report."""
    saved = {name: logging.getLogger(name).level for name in loggers}
    for name in loggers:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


_READERS: dict[str, Callable[[bytes], ReadText]] = {
    ".txt": _read_plain, ".md": _read_plain,
    ".html": _read_html, ".htm": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
}
