"""Normalising printed text and parsing values out of it (money, dates, rates, IDs).

Full-width and half-width forms are folded (NFKC), so "：（）￥１２" and ":()¥12" read the same; digits that
the printer or the OCR spaced out ("2019  07  20", "0110 0210 0411") are joined where the field is numeric.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"\s+")
_MONEY = re.compile(r"-?\d+(?:\.\d+)?")
_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[年\-/.\s]\s*(\d{1,2})\s*[月\-/.\s]\s*(\d{1,2})")
_DATE_COMPACT = re.compile(r"(20\d{2})(\d{2})(\d{2})")
_TAX_ID = re.compile(r"[0-9A-Z]{15,20}")


_LOOKALIKES = str.maketrans(
    {
        # Cyrillic and Greek capitals the recogniser's dictionary holds and prints for Latin letters and digits
        # ("９144０З００MA5F…": Ze for 3); invoices print none of them
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "У": "Y",
        "З": "3",
        "Ѕ": "S",
        "І": "I",
        "Ј": "J",
        "Α": "A",
        "Β": "B",
        "Ε": "E",
        "Ζ": "Z",
        "Η": "H",
        "Ι": "I",
        "Κ": "K",
        "Μ": "M",
        "Ν": "N",
        "Ο": "O",
        "Ρ": "P",
        "Τ": "T",
        "Υ": "Y",
        "Χ": "X",
    }
)


def norm(text: str) -> str:
    """NFKC (full width → half width), unify a few look-alikes; keeps spaces."""
    s = unicodedata.normalize("NFKC", text).translate(_LOOKALIKES)
    return s.replace("﹕", ":").replace("—", "-").replace("－", "-").replace("、", "、")


def compact(text: str) -> str:
    """Normalised with all whitespace removed (labels like "名 称" become "名称")."""
    return _SPACES.sub("", norm(text))


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


def parse_money(text: str) -> Decimal | None:
    """The first signed decimal in ``text`` ("¥ 1 234.56", "-12.30", "¥-5.00"); None when there is none."""
    s = compact(text).replace("¥", "").replace(",", "")
    m = _MONEY.search(s)
    if not m:
        return None
    try:
        return Decimal(m.group(0))
    except InvalidOperation:
        return None


def parse_plain_decimal(text: str) -> Decimal | None:
    s = compact(text).replace(",", "")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", s):
        return None
    return Decimal(s)


def parse_date(text: str) -> tuple[dt.date, str] | None:
    s = norm(text)
    m = _DATE.search(s) or _DATE_COMPACT.search(compact(s))
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.group(0)
    except ValueError:
        return None


def find_tax_id(text: str) -> str | None:
    s = compact(text).upper().replace("×", "X")  # the recogniser's multiplication sign for an ID's X
    m = _TAX_ID.search(s)
    return m.group(0) if m else None


def parse_rate(text: str) -> str | None:
    """Tax rate as printed: '13%', '1.5%', '免税', '不征税', '***' (masked: 免税 or 不征税, the form does not
    say which); '0.13' → '13%'."""
    s = compact(text)
    if not s:
        return None
    if is_masked(s):
        return MASKED
    for word in ("免税", "不征税", "出口零税率"):
        if word in s:
            return word
    m = re.search(r"(\d+(?:\.\d+)?)%", s)
    if m:
        return f"{Decimal(m.group(1)).normalize():f}%"
    m = re.fullmatch(r"0?\.\d+", s)
    if m:
        return f"{(Decimal(s) * 100).normalize():f}%"
    return None


MASKED = "***"


def is_masked(text: str) -> bool:
    """Tax printed as '***' (免税 / 不征税)."""
    return bool(re.fullmatch(r"\*{2,}", compact(text)))
