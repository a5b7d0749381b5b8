"""校验码: 20 digits on the types that print one; none on paper 专票 (01) and 数电 (31/32)."""

from __future__ import annotations

import re

from fapiao.core.models import NUMBER_ONLY_TYPES, Finding, Invoice, InvoiceType
from fapiao.intake.rules.base import ERROR, WARNING, finding
from fapiao.intake.rules.context import RuleContext

HAS_CHECK_CODE = frozenset(
    {InvoiceType.normal, InvoiceType.e_special, InvoiceType.e_normal, InvoiceType.roll, InvoiceType.toll}
)
NEVER_CHECK_CODE = NUMBER_ONLY_TYPES | {InvoiceType.special}


def has_check_code(kind: InvoiceType) -> bool:
    return kind in HAS_CHECK_CODE


def check_code_format(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    value = invoice.check_code
    if not value:
        return []
    if invoice.invoice_type in NEVER_CHECK_CODE:
        return [
            finding(
                "check_code.unexpected",
                WARNING,
                ("check_code",),
                f"This invoice type prints no check code, yet {value} was read; it probably belongs to another "
                "field — remove it",
                f"该票种没有校验码，却识别到 {value}，可能取自其他字段，请删除",
            )
        ]
    if invoice.invoice_type in HAS_CHECK_CODE and not re.fullmatch(r"\d{20}", value):
        return [
            finding(
                "check_code.format",
                ERROR,
                ("check_code",),
                f"The check code {value!r} should be 20 digits; re-read it from the document",
                f"校验码 {value} 应为 20 位数字，请按票面重新录入",
            )
        ]
    return []


RULES = (check_code_format,)
CODES = ("check_code.unexpected", "check_code.format")
