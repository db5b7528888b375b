"""Turn the bytes of a Vietnamese text file into Unicode, and repair text that was mangled on the way.

Decoding, in order: a byte-order mark (UTF-8, UTF-16); UTF-16 without a mark (NUL in every other
byte; other NULs mean binary); strict UTF-8; a charset the file declares (HTML); and last the 8-bit
encodings Vietnamese offices used: Windows-1252, Windows-1258 and the font encodings TCVN3 (ABC)
and VNI-Windows.

Among 8-bit readings the one with the most plausible Vietnamese wins: every word that has a
non-ASCII letter scores +1 if it is a well-formed Vietnamese syllable (initial consonant, one to
three vowels carrying at most one tone mark, final consonant) and -1 if it is not. English words
are all-ASCII and score nothing, nor do one-letter words, so English text stays Windows-1252:
earlier readings win ties and the font encodings need a clear lead (``_MIN_LEGACY_SCORE``).

Text that decoded fine may still be mangled: UTF-8 read as Windows-1252 and saved again as UTF-8
("Ä‘áº¡t" for "đạt", *mojibake*), or typed in a TCVN3/VNI font so that the Unicode text is
"®¹t" or "ñaït". :func:`repair_text` undoes both, and rejects mojibake it cannot undo.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass


class Unreadable(Exception):
    """A file that cannot be read; reason is a short stable label, detail a human sentence."""

    def __init__(self, reason: str, detail: str):
        super().__init__(reason, detail)  # both in args, so that it pickles
        self.reason = reason
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"


# --- Windows-1252 as a byte view --------------------------------------------------------------------

# Windows-1252 leaves five bytes undefined; reading them as Latin-1 keeps every byte visible.
_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
_C1_TO_CP1252 = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in _CP1252_UNDEFINED}
# Character -> byte under either view, for re-encoding text that was decoded the wrong way.
_CP1252_BYTE = {chr(b): b for b in range(0x80, 0x100)} | {ch: b for b, ch in _C1_TO_CP1252.items()}


def cp1252_view(raw: bytes) -> str:
    """Bytes as Windows-1252, undefined bytes as their Latin-1 control characters; never fails."""
    return raw.decode("latin-1").translate(_C1_TO_CP1252)


# --- Plausibility of Vietnamese ----------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"[aăâeêioôơuưy]{1,3}"
    r"(?:ch|ng|nh|[cmnpt])?"
)
_SCORED_CHARS = 100_000  # a long document's head decides; scoring it all buys nothing
# Letters only Vietnamese uses: text that has them was not typed in a TCVN3 or VNI font.
_VIETNAMESE_ONLY = re.compile(r"[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")


def is_syllable(word: str) -> bool:
    """Whether a word is shaped like one Vietnamese syllable.

    >>> [is_syllable(w) for w in ("người", "Nghiêng", "café", "caûi", "đạảt")]
    [True, True, False, False, False]
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    bare = decomposed.translate(_TONE_MARKS)
    if len(decomposed) - len(bare) > 1:
        return False
    return _SYLLABLE.fullmatch(unicodedata.normalize("NFC", bare)) is not None


def vietnamese_score(text: str) -> int:
    """Well-formed minus malformed syllables among the words that have a non-ASCII letter.

    One-letter words count for nothing: a stray symbol read in a legacy font is a lone vowel.
    """
    score = 0
    for word in _WORD.findall(text[:_SCORED_CHARS]):
        if len(word) > 1 and not word.isascii():
            score += 1 if is_syllable(word) else -1
    return score


# --- TCVN3 (ABC) ----------------------------------------------------------------------------------

# TCVN 5712:1993, bytes 0xA1-0xFF. TCVN3 fonts have no capitals with tone marks (a second font,
# ".VnTimeH", draws the lowercase codes as capitals), so those come out lowercase; a few positions
# hold the VN1 capitals, harmless here. Bytes 0x80-0x9F keep their Windows-1252 meaning (quotes).
_TCVN3_HIGH = (
    "ĂÂÊÔƠƯĐăâêôơưđẰ"
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"
    "éẹềểễếệìỉỄẾỒĩíịò"
    "Ổỏõóọồổỗốộờởỡớợù"
    "ỖủũúụừửữứựỳỷỹýỵỐ"
)
TCVN3_TO_UNICODE: dict[str, str] = {chr(0xA1 + i): ch for i, ch in enumerate(_TCVN3_HIGH)}
_TCVN3_TRANSLATION = str.maketrans(TCVN3_TO_UNICODE)
_CAPITALS_WORD = re.compile(r"\b(?=(?:[^\W\d_]*[A-Z]){2})[A-Z\u0080-\u1eff]+\b")


def from_tcvn3(text: str) -> str:
    """Text typed in a TCVN3 font (seen as Windows-1252) as Unicode.

    >>> from_tcvn3("B¸O C¸O kÕt qu¶ c¶i c¸ch hµnh chÝnh")
    'BÁO CÁO kết quả cải cách hành chính'
    """
    converted = unicodedata.normalize("NFC", text.translate(_TCVN3_TRANSLATION))
    # A word whose plain letters are all capitals was set in the capitals font: capitalise it whole.
    return _CAPITALS_WORD.sub(lambda m: m.group().upper(), converted)


# --- VNI-Windows -------------------------------------------------------------------------------------

# VNI writes a vowel as its base letter followed by a modifier byte; a few letters are one byte.
_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_CIRCUMFLEX_TONES = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_BREVE_TONES = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_SINGLES = {"ô": "ơ", "ö": "ư", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ"}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(code: str, letter: str) -> None:
        letter = unicodedata.normalize("NFC", letter)
        table[code] = letter
        table[code.upper()] = letter.upper()

    for base in "aeouy":
        for modifier, tone in _TONES.items():
            if (base, modifier) != ("y", "ï"):  # ỵ has its own byte
                add(base + modifier, base + tone)
    for base, vowel in (("ô", "ơ"), ("ö", "ư")):
        for modifier, tone in _TONES.items():
            add(base + modifier, vowel + tone)
    for base in "aeo":
        for modifier, tone in _CIRCUMFLEX_TONES.items():
            add(base + modifier, base + "\u0302" + tone)
    for modifier, tone in _BREVE_TONES.items():
        add("a" + modifier, "a\u0306" + tone)
    for code, letter in _VNI_SINGLES.items():
        add(code, letter)
    return table


VNI_TO_UNICODE: dict[str, str] = _vni_table()
_VNI_CODE = re.compile("|".join(map(re.escape, sorted(VNI_TO_UNICODE, key=len, reverse=True))))


def from_vni(text: str) -> str:
    """Text typed in a VNI font (seen as Windows-1252) as Unicode.

    >>> from_vni("Keát quaû caûi caùch haønh chính cuûa tænh ñaït 85,78 ñieåm")
    'Kết quả cải cách hành chính của tỉnh đạt 85,78 điểm'
    """
    return _VNI_CODE.sub(lambda m: VNI_TO_UNICODE[m.group()], text)


_LEGACY: dict[str, Callable[[str], str]] = {"TCVN3 (ABC)": from_tcvn3, "VNI": from_vni}
_MIN_LEGACY_SCORE = 3


def _best_reading(samples: dict[str, str]) -> str:
    """Name of the reading whose sample is the most plausible Vietnamese; earlier ones win ties."""
    (best, first), *others = samples.items()
    best_score = vietnamese_score(first)
    for name, sample in others:
        score = vietnamese_score(sample)
        if score > best_score and (name not in _LEGACY or score >= _MIN_LEGACY_SCORE):
            best, best_score = name, score
    return best


# --- Decoding bytes ----------------------------------------------------------------------------------

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_MAX_CONTROL_SHARE = 0.05
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_WHATWG_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252",
                   "us-ascii": "cp1252", "windows-1252": "cp1252", "windows-1258": "cp1258"}


_UTF8_LETTERS_PER_BROKEN_BYTE = 20


def decode_bytes(raw: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Text and notes on how it was decoded; ``declared`` is a charset the file names (HTML).

    >>> decode_bytes("Tỉnh đạt".encode("utf-16"))
    ('Tỉnh đạt', ['decoded as UTF-16'])
    """
    text, notes = _decode(raw, declared)
    _reject_control_characters(text)
    return text, notes


def _decode(raw: bytes, declared: str | None) -> tuple[str, list[str]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), []
        except UnicodeDecodeError:
            raw = raw[3:]
    if raw.startswith(_UTF16_BOMS):
        try:
            return raw.decode("utf-16"), ["decoded as UTF-16"]
        except UnicodeDecodeError as error:
            raise Unreadable("binary", f"UTF-16 byte-order mark, invalid UTF-16 ({error.reason})") from None
    if b"\x00" in raw:
        text = _utf16_without_bom(raw)
        if text is None:
            raise Unreadable("binary", "NUL bytes: a binary file, not text")
        return text, ["decoded as UTF-16 (no byte-order mark)"]
    try:
        # Before a declared charset: bytes that are valid UTF-8 are UTF-8 whatever a page says.
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    if declared and (text := _decode_declared(raw, declared)) is not None:
        return text, []
    if mostly := _mostly_utf8(raw):
        return mostly
    return _decode_8bit(raw)


def _mostly_utf8(raw: bytes) -> tuple[str, list[str]] | None:
    """UTF-8 with a few broken bytes (a truncated copy, a stray Windows byte): the broken bytes are
    replaced (U+FFFD) and said, rather than the whole file read in a legacy encoding, which would
    damage every valid letter. Legacy bytes decode to few valid UTF-8 letters and many broken ones."""
    text = raw.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - raw.count("\ufffd".encode())
    letters = sum(1 for ch in text if ch > "\x7f" and ch != "\ufffd")
    if letters < _UTF8_LETTERS_PER_BROKEN_BYTE * broken:
        return None
    return text, [f"{broken} bytes that are not UTF-8 replaced (U+FFFD)"]


def _decode_declared(raw: bytes, declared: str) -> str | None:
    encoding = _WHATWG_ALIASES.get(declared.lower(), declared)
    if encoding.lower().startswith(("utf-16", "utf16")):
        return None  # a charset readable in ASCII cannot be UTF-16 (as browsers reason)
    try:
        return raw.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None  # unknown or wrong: guess as for any file


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 whose mark is missing: ASCII makes every other byte NUL, on one side only."""
    if len(raw) % 2:
        return None
    sample = raw[:4096]
    even, odd = sample[0::2], sample[1::2]
    for encoding, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high.count(0) >= 0.3 * len(high) and low.count(0) == 0:
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _decode_8bit(raw: bytes) -> tuple[str, list[str]]:
    view = cp1252_view(raw)
    readings = {"Windows-1252": view}
    with contextlib.suppress(UnicodeDecodeError):  # bytes Windows-1258 leaves undefined
        decoded = raw.decode("cp1258")
        vietnamese = unicodedata.normalize("NFC", decoded)
        # Its combining tone marks read in Windows-1252 as letters that still look like syllables
        # ("caÒi" for "cải"): when they combine with letters, the Windows-1258 reading goes first.
        if len(vietnamese) < len(decoded):
            readings = {"Windows-1258": vietnamese, **readings}
        else:
            readings["Windows-1258"] = vietnamese
    sample = view[:_SCORED_CHARS]
    name = _best_reading(readings | {name: convert(sample) for name, convert in _LEGACY.items()})
    if name in _LEGACY:
        return _LEGACY[name](view), [f"converted from {name}"]
    return readings[name], [f"decoded as {name} (not UTF-8)"]


def _reject_control_characters(text: str) -> None:
    sample = text[:_SCORED_CHARS]
    # C0 controls only: C1 ones are what mojibake and Windows-1252's undefined bytes leave behind.
    controls = sum(1 for ch in sample if (ch < " " or ch == "\x7f") and ch not in _ALLOWED_CONTROLS)
    if "\x00" in sample or controls > _MAX_CONTROL_SHARE * max(len(sample), 1):
        raise Unreadable("binary", f"{controls} control characters in {len(sample)}: a binary file, not text")


# --- Repairing decoded text --------------------------------------------------------------------------

_CONTINUATION = "".join(re.escape(ch) for ch, byte in _CP1252_BYTE.items() if byte < 0xC0)
# A UTF-8 sequence spelled out in Windows-1252 characters: lead byte, then continuation bytes.
_UTF8_AS_CP1252 = re.compile(
    f"[\xc2-\xdf][{_CONTINUATION}]|[\xe0-\xef][{_CONTINUATION}]{{2}}|[\xf0-\xf4][{_CONTINUATION}]{{3}}"
)
# What is left of a Vietnamese sequence whose last byte was lost: "á»" of "á»\x9d" (ờ), "Æ" of "Æ°".
_BROKEN_SEQUENCE = re.compile(f"[ÃÄÅÆ][{_CONTINUATION}]|á[º»]")
_MAX_BROKEN = 2


def _plausible(text: str) -> bool:
    """Characters mojibake of Vietnamese or Western text decodes to, not e.g. Cyrillic from "Ô”".

    C1 controls count: text mangled twice holds them ("Â\x9d") until the second pass.
    """
    return all(
        0x80 <= (o := ord(ch)) <= 0x24F or 0x300 <= o <= 0x36F or 0x1E00 <= o <= 0x1EFF
        or 0x2000 <= o <= 0x20CF or o in (0x2116, 0x2122)
        for ch in text
    )


def _undo_utf8_as_cp1252(match: re.Match[str]) -> str:
    try:
        repaired = bytes(_CP1252_BYTE[ch] for ch in match.group()).decode("utf-8")
    except UnicodeDecodeError:
        return match.group()
    return repaired if _plausible(repaired) else match.group()


def _repair_mojibake(text: str) -> str:
    for _ in range(2):  # text mangled twice gets a second pass
        repaired = _UTF8_AS_CP1252.sub(_undo_utf8_as_cp1252, text)
        if repaired == text:
            break
        text = repaired
    return text


@dataclass(frozen=True)
class Repair:
    """What :func:`repair_text` did to a text, to be done alike to its title."""

    mojibake: bool = False
    legacy: str | None = None  # "TCVN3 (ABC)" or "VNI"

    @property
    def notes(self) -> list[str]:
        notes = ["repaired mojibake (UTF-8 read as cp1252)"] if self.mojibake else []
        return notes + ([f"converted from {self.legacy}"] if self.legacy else [])

    def apply(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        if self.mojibake:
            text = _repair_mojibake(text)
        if self.legacy and not _VIETNAMESE_ONLY.search(text):  # a title may be typed in Unicode
            text = _LEGACY[self.legacy](text)
        return text


def repair_text(text: str) -> tuple[str, Repair]:
    """Undo mojibake and legacy-font text; raise Unreadable("mojibake") where undoing fails.

    >>> repair_text("Tá»‰nh Ä‘áº¡t 85,78 Ä‘iá»ƒm")[0]
    'Tỉnh đạt 85,78 điểm'
    """
    text = unicodedata.normalize("NFC", text)  # words are split at combining marks otherwise
    repaired = _repair_mojibake(text)
    mojibake = repaired != text
    broken = len(_BROKEN_SEQUENCE.findall(repaired[:_SCORED_CHARS]))
    if broken > _MAX_BROKEN or (mojibake and broken):
        raise Unreadable(
            "mojibake", f"UTF-8 read as Windows-1252 and saved again; {broken} broken sequence(s) remain"
        )
    legacy = None
    if not _VIETNAMESE_ONLY.search(repaired):
        sample = repaired[:_SCORED_CHARS]
        name = _best_reading({"as is": sample} | {name: convert(sample) for name, convert in _LEGACY.items()})
        legacy = name if name in _LEGACY else None
    repair = Repair(mojibake=mojibake, legacy=legacy)
    return (_LEGACY[legacy](repaired) if legacy else repaired), repair
