"""Invoice code (发票代码) → type, region and year; invoice number format; issue date.

The code → type mapping follows the national verification site's published script. Region vs printed title
and the 数电 number's year digits are heuristics, so they only warn.
"""

from __future__ import annotations

import datetime as dt
import re

from fapiao.core.labels import type_label
from fapiao.core.models import NUMBER_ONLY_TYPES, TYPE_BY_CODE, Finding, Invoice, InvoiceType
from fapiao.intake.rules.base import ERROR, INFO, WARNING, finding
from fapiao.intake.rules.context import RuleContext
from fapiao.intake.rules.regions import region_name, title_region

EXCEPTIONAL_E_NORMAL = frozenset({"144031539110", "131001570151", "133011501118", "111001571071"})
"""Four early 电子普通发票 codes that break the 12-digit pattern; the verification site lists them as type 10."""
_SUFFIX_12 = {"11": "10", "04": "04", "05": "04", "06": "11", "07": "11", "12": "14", "13": "08", "17": "15"}
_KIND_10 = {"1": "01", "5": "01", "3": "04", "6": "04", "2": "02", "7": "02"}
EARLIEST_ISSUE = dt.date(1994, 1, 1)
"""VAT invoices exist since the 1994 tax reform; an earlier date is a misread."""


def type_code_from_code(code: str) -> str | None:
    """The type code ("01", "04", "10" …) an invoice code implies, or None when the code does not say."""
    if len(code) == 12 and code.isdigit():
        if code in EXCEPTIONAL_E_NORMAL:
            return "10"
        if code[0] == "0" and code[10:12] in _SUFFIX_12:
            return _SUFFIX_12[code[10:12]]
        if code[0] != "0" and code[7] == "2":
            return "03"
        return None
    if len(code) == 10 and code.isdigit():
        return _KIND_10.get(code[7])
    return None


def type_from_code(code: str | None) -> InvoiceType | None:
    tc = type_code_from_code(code) if code else None
    return TYPE_BY_CODE.get(tc) if tc else None


def code_region(code: str) -> str:
    return code[1:5] if len(code) == 12 else code[0:4]


def code_year(code: str) -> int:
    yy = code[5:7] if len(code) == 12 else code[4:6]
    return int(yy)


def has_code(kind: InvoiceType) -> bool:
    return kind not in NUMBER_ONLY_TYPES and kind is not InvoiceType.unknown


# ---------------------------------------------------------------- rules


def invoice_type_known(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """Without the family we cannot tell which fields the invoice must have."""
    if invoice.invoice_type is not InvoiceType.unknown:
        return []
    return [
        finding(
            "type.unknown",
            ERROR,
            ("invoice_type",),
            "The invoice type could not be determined from the title, the invoice code or the QR code; "
            "set it from the printed title",
            "无法从标题、发票代码或二维码确定发票种类，请按票面标题选择",
        )
    ]


def code_format(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    code = invoice.invoice_code
    if not code:
        return []
    if invoice.invoice_type in NUMBER_ONLY_TYPES:
        return [
            finding(
                "code.unexpected",
                WARNING,
                ("invoice_code",),
                f"A 数电 invoice has no invoice code, yet {code} was read; remove it unless the document is "
                "a 税控 invoice",
                f"数电票没有发票代码，却识别到 {code}；除非该票为税控发票，请删除",
            )
        ]
    if not re.fullmatch(r"\d{10}|\d{12}", code):
        return [
            finding(
                "code.format",
                ERROR,
                ("invoice_code",),
                f"The invoice code {code!r} is not 10 or 12 digits; re-read it from the document",
                f"发票代码 {code} 不是 10 位或 12 位数字，请按票面重新录入",
            )
        ]
    return []


def _typed(type_code: str | None, lang: str, invoice: Invoice | None = None) -> str:
    """A type code as a person reads it: ``04（增值税普通发票）``; the invoice's own type without a code."""
    kind = TYPE_BY_CODE.get(type_code or "")
    if kind is not None:
        name = type_label(kind.value, lang)
        return f"{type_code}（{name}）" if lang == "zh" else f"{type_code} ({name})"
    if invoice is not None:
        return type_label(invoice.invoice_type.value, lang)
    return str(type_code)


def code_type(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """The type the code implies must be the type the invoice says it is."""
    code = invoice.invoice_code
    if not code or not re.fullmatch(r"\d{10}|\d{12}", code) or invoice.invoice_type in NUMBER_ONLY_TYPES:
        return []
    implied = type_code_from_code(code)
    if implied is None or invoice.invoice_type is InvoiceType.unknown:
        return []
    if implied != invoice.type_code:
        return [
            finding(
                "code.type_mismatch",
                ERROR,
                ("invoice_code", "invoice_type"),
                f"The invoice code {code} belongs to type {_typed(implied, 'en')}, but the invoice is type "
                f"{_typed(invoice.type_code, 'en', invoice)}; check the code digit by digit and the title",
                f"发票代码 {code} 对应发票种类 {_typed(implied, 'zh')}"
                f"，与票种 {_typed(invoice.type_code, 'zh', invoice)} 不符，请核对代码和标题",
            )
        ]
    return []


def code_year_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """The code's year is when the code was issued: after 2000, not after the invoice was issued, not in the future."""
    code = invoice.invoice_code
    if not code or not re.fullmatch(r"\d{10}|\d{12}", code) or invoice.invoice_type in NUMBER_ONLY_TYPES:
        return []
    yy = code_year(code)
    year = 2000 + yy
    issue_year = invoice.issue_date.year if invoice.issue_date else None
    if yy == 0 or year > ctx.today.year or (issue_year is not None and year > issue_year):
        limit = f"the issue year {issue_year}" if issue_year else f"this year {ctx.today.year}"
        return [
            finding(
                "code.year",
                ERROR,
                ("invoice_code", "issue_date"),
                f"The invoice code {code} carries year {yy:02d}, which must be after 00 and not after {limit}; "
                "check the code and the issue date",
                f"发票代码 {code} 中的年份 {yy:02d} 应大于 00 且不晚于{'开票年份' if issue_year else '当年'}"
                "，请核对代码和开票日期",
            )
        ]
    return []


def code_region_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """Heuristic: the code's region should be a known tax region and agree with the region in the title."""
    code = invoice.invoice_code
    if not code or not re.fullmatch(r"\d{10}|\d{12}", code) or invoice.invoice_type in NUMBER_ONLY_TYPES:
        return []
    region = code_region(code)
    name = region_name(region)
    if name is None:
        return [
            finding(
                "code.region",
                INFO,
                ("invoice_code",),
                f"The invoice code {code} carries region {region}, which is not a known tax region",
                f"发票代码 {code} 中的地区码 {region} 不是已知的税务地区",
            )
        ]
    printed = title_region(invoice.title)
    if printed is not None and printed != name:
        return [
            finding(
                "code.region_title",
                WARNING,
                ("invoice_code", "title"),
                f"The invoice code {code} belongs to {name}, but the title names {printed}; check both",
                f"发票代码 {code} 属于{name}，但标题为{printed}，请核对",
            )
        ]
    return []


def number_format(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    number = invoice.invoice_number
    if not number:
        return []
    kind = invoice.invoice_type
    if kind in NUMBER_ONLY_TYPES:
        ok, want, want_zh = bool(re.fullmatch(r"\d{20}", number)), "20 digits", "20 位数字"
    elif kind is InvoiceType.unknown:
        ok, want, want_zh = bool(re.fullmatch(r"\d{8}|\d{20}", number)), "8 or 20 digits", "8 位或 20 位数字"
    else:
        ok, want, want_zh = bool(re.fullmatch(r"\d{8}", number)), "8 digits", "8 位数字"
    if ok and number == "00000000":
        ok = False
    if ok:
        return []
    return [
        finding(
            "number.format",
            ERROR,
            ("invoice_number",),
            f"The invoice number {number!r} should be {want} (and not 00000000); re-read it from the document",
            f"发票号码 {number} 应为{want_zh}（且不为 00000000），请按票面重新录入",
        )
    ]


def digital_number_year(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """Heuristic: a 数电 number starts with the two-digit issue year."""
    number, date = invoice.invoice_number, invoice.issue_date
    if (
        invoice.invoice_type not in NUMBER_ONLY_TYPES
        or not number
        or not re.fullmatch(r"\d{20}", number)
        or date is None
    ):
        return []
    if number[:2] == f"{date.year % 100:02d}":
        return []
    return [
        finding(
            "number.year",
            WARNING,
            ("invoice_number", "issue_date"),
            f"The 数电 number {number} starts with year {number[:2]}, but the invoice is dated {date.isoformat()}; "
            "check the number and the date",
            f"数电票号码 {number} 的年份 {number[:2]} 与开票日期 {date.isoformat()} 不符，请核对",
        )
    ]


def issue_date_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    date = invoice.issue_date
    if date is None:
        return []
    if date > ctx.today:
        return [
            finding(
                "date.future",
                ERROR,
                ("issue_date",),
                f"The issue date {date.isoformat()} is in the future; re-read it from the document",
                f"开票日期 {date.isoformat()} 晚于今天，请按票面重新录入",
            )
        ]
    if date < EARLIEST_ISSUE:
        return [
            finding(
                "date.too_early",
                ERROR,
                ("issue_date",),
                f"The issue date {date.isoformat()} is before VAT invoices existed (1994); re-read it",
                f"开票日期 {date.isoformat()} 早于增值税发票启用（1994 年），请重新录入",
            )
        ]
    return []


RULES = (
    invoice_type_known,
    code_format,
    code_type,
    code_year_rule,
    code_region_rule,
    number_format,
    digital_number_year,
    issue_date_rule,
)
CODES = (
    "type.unknown",
    "code.unexpected",
    "code.format",
    "code.type_mismatch",
    "code.year",
    "code.region",
    "code.region_title",
    "number.format",
    "number.year",
    "date.future",
    "date.too_early",
)
