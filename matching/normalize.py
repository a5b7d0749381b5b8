"""Normalising what people and OCR write differently but mean the same: company names, invoice numbers, tax
IDs, money and dates as they appear in exports. Everything that compares names goes through ``company_key``."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from fapiao.core.messages import BadValue, Message

_PUNCT = re.compile(r"[\s·•．.,，、'\"“”‘’_\-—]+")
_BRACKETED_BRANCH = re.compile(
    r"[(（\[【〔]([^()（）\[\]【】〔〕]*?(?:分公司|营业部|分店|办事处|分部|分厂|分行|支行))[)）\]】〕]$"
)
_BRACKETS = re.compile(r"[()\[\]{}<>（）【】〔〕《》]")
_LEGAL_FORMS = re.compile(r"(股份有限公司|有限责任公司|有限公司|股份公司|集团公司|公司)")
_BRANCH_TAIL = re.compile(r"(公司)[^公司]{0,16}?(分公司|营业部|分店|办事处|分部|分厂|分行|支行)$")


def fold(text: str | None) -> str:
    """Full width → half width (NFKC), upper case, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


def company_key(name: str | None) -> str:
    """Full/half width folded, punctuation and brackets dropped (their content kept), legal forms unified:
    "科晟建筑（南京）股份有限公司" and "科晟建筑(南京)有限公司" give the same key."""
    if not name:
        return ""
    s = _PUNCT.sub("", unicodedata.normalize("NFKC", name)).upper()
    s = _BRACKETS.sub("", s)
    return _LEGAL_FORMS.sub("公司", s)


def head_office_key(name: str | None) -> str:
    """The company key without a branch suffix ("…有限公司北京分公司", "…公司（海淀分公司）"), so a branch's
    invoice can be matched to the head office's record and vice versa."""
    if not name:
        return ""
    s = _PUNCT.sub("", unicodedata.normalize("NFKC", name)).upper()
    s = _BRACKETED_BRANCH.sub("", s)
    s = _LEGAL_FORMS.sub("公司", _BRACKETS.sub("", s))
    return _BRANCH_TAIL.sub(r"\1", s)


_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "Z": "2", "S": "5", "B": "8"})


def invoice_number(value: object) -> str:
    """Digits of an invoice code or number; letters OCR confuses with digits are mapped back (O→0, l→1…).
    A number a spreadsheet stored as a number has lost its leading zeros: they are restored to the standard
    lengths (8-digit numbers, 10/12-digit codes)."""
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        value = repr(value)  # NaN, infinite or fractional: read as text, so the row is refused, never truncated
    if isinstance(value, int | float) and not isinstance(value, bool):
        s = str(int(value))
        return s.zfill(8) if len(s) < 8 else s.zfill(len(s) + 1) if len(s) in (9, 11) else s
    s = unicodedata.normalize("NFKC", str(value or "")).strip()
    if s.endswith(".0"):  # a number that went through a spreadsheet as a float
        s = s[:-2]
    return re.sub(r"[^0-9A-Z]", "", s.translate(_OCR_DIGITS).upper())


def tax_id(value: str | None) -> str:
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", value or "").upper())


def invoice_key(code: str | None, number: str | None) -> str | None:
    """As ``Invoice.key``: ``code:number``, or the number alone (数电 20-digit numbers have no code)."""
    if not number:
        return None
    return f"{code}:{number}" if code else number


MAX_DIGITS = 16
"""Amounts are stored as Numeric(18, 2): 10¹⁶ or more is a misread (or "1e30"), never an amount."""


def money(value: object) -> Decimal:
    """A money cell as Decimal (two decimals): "1,234.50", "¥1234.5", 1234.5 (a spreadsheet float) are read;
    anything else raises ``BadValue`` (a ValueError) with the value."""
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        d = Decimal(str(value))
    else:
        s = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("¥", "").replace("￥", "")
        s = s.replace("元", "").replace(" ", "")
        if s.startswith("(") and s.endswith(")"):
            s = "-" + s[1:-1]
        try:
            d = Decimal(s)
        except InvalidOperation:
            raise BadValue(Message.of("not_an_amount", value=value)) from None
    if not d.is_finite():
        raise BadValue(Message.of("not_an_amount", value=value))
    if not d.is_zero() and d.adjusted() >= MAX_DIGITS:  # (compared by exponent: abs() can overflow)
        raise BadValue(Message.of("amount_too_large", value=value))
    return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\d{6})?$"),
)


def date(value: object) -> dt.date:
    """A date cell: a spreadsheet date/datetime, 2024-03-15, 2024/3/15, 2024年03月15日, 20240315 (a time part is
    ignored); anything else raises ``BadValue`` (a ValueError)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if s.endswith(".0"):
        s = s[:-2]
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
    raise BadValue(Message.of("not_a_date", value=value))


STATUS_ALIASES: dict[str, str] = {
    "正常": "normal",
    "normal": "normal",
    "valid": "normal",
    "有效": "normal",
    "": "normal",
    "作废": "voided",
    "已作废": "voided",
    "void": "voided",
    "voided": "voided",
    "cancelled": "voided",
    "canceled": "voided",
    "红冲": "red_letter",
    "已红冲": "red_letter",
    "红字": "red_letter",
    "全额红冲": "red_letter",
    "部分红冲": "red_letter",
    "red": "red_letter",
    "red_letter": "red_letter",
    "reversed": "red_letter",
    # ERP ledgers: a posting state rather than the tax bureau's invoice state
    "posted": "normal",
    "booked": "normal",
    "open": "normal",
    "已过账": "normal",
    "已记账": "normal",
    "已入账": "normal",
    "已审核": "normal",
    "已取消": "voided",
    "credit": "red_letter",
    "credited": "red_letter",
    "credit note": "red_letter",
    "creditnote": "red_letter",
    "冲销": "red_letter",
    "已冲销": "red_letter",
}


def status(value: object) -> str:
    """正常 / 作废 / 红冲 (and English words) → normal / voided / red_letter; anything else raises ValueError."""
    s = fold(str(value or "")).lower()
    if s in STATUS_ALIASES:
        return STATUS_ALIASES[s]
    raise BadValue(Message.of("not_a_status", value=value))
