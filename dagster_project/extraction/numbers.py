"""Vietnamese number parsing: thousands dots, decimal commas, and the dot decimals reports also use."""

from __future__ import annotations

import re

NUMBER_PATTERN = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?(?:\.\d+)?"
# The same, after its first digit (so a pattern can start with a bare digit class).
NUMBER_TAIL = r"\d{0,2}(?:\.\d{3})+(?:,\d+)?|\d*(?:,\d+)?(?:\.\d+)?"
_THOUSANDS_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")

# Scale words after a number, as multipliers of the unit they precede.
COUNT_SCALES = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}
MILLION_VND_SCALES = {
    "nghìn tỷ": 1e6, "ngàn tỷ": 1e6, "nghìn tỉ": 1e6, "ngàn tỉ": 1e6,
    "tỷ": 1e3, "tỉ": 1e3, "triệu": 1.0, "nghìn": 1e-3, "ngàn": 1e-3,
}


def parse_number(text: str) -> float:
    """Parse a number as written in Vietnamese reports.

    >>> parse_number("1.044")
    1044.0
    >>> parse_number("13.514.258")
    13514258.0
    >>> parse_number("85,78")
    85.78
    >>> parse_number("11.71")
    11.71
    >>> parse_number("07")
    7.0
    >>> parse_number("1.067,5")
    1067.5
    """
    text = text.strip()
    if _THOUSANDS_DOTS.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    if "," in text:
        return float(text.replace(",", "."))
    return float(text)


def decimals(text: str) -> int:
    """Digits after the decimal separator: the precision a figure was stated with.

    >>> decimals("90,79"), decimals("1.044"), decimals("11.71"), decimals("12")
    (2, 0, 2, 0)
    """
    value = text.strip()
    if _THOUSANDS_DOTS.fullmatch(value):
        return len(value.split(",")[1]) if "," in value else 0
    for sep in ",.":
        if sep in value:
            return len(value.split(sep)[1])
    return 0


def scale_value(value: float, unit: str, scale: str | None, in_dong: bool) -> float:
    """Apply a scale word ("triệu", "tỷ", "nghìn tỷ") for the metric's unit.

    >>> scale_value(2.513, "count", "triệu", False)
    2513000.0
    >>> scale_value(1.5, "million_vnd", "nghìn tỷ", True)
    1500000.0
    >>> scale_value(500, "million_vnd", None, True)
    0.0005
    """
    scale = (scale or "").lower()
    if unit == "million_vnd":
        if scale:
            return round(value * MILLION_VND_SCALES[scale], 6)
        return value / 1e6 if in_dong else value
    if unit == "count" and scale:
        return round(value * COUNT_SCALES[scale], 6)
    return value
