"""Key fields the invoice's type requires (see the CLI contract): a missing one keeps it from `verified`."""

from __future__ import annotations

from fapiao.core.labels import field_label
from fapiao.core.models import TICKET_TYPES, Finding, Invoice
from fapiao.intake.rules.base import ERROR, WARNING, finding
from fapiao.intake.rules.check_code import has_check_code
from fapiao.intake.rules.codes import has_code
from fapiao.intake.rules.context import RuleContext
from fapiao.intake.rules.tax_ids import SPECIAL_TYPES

_LABELS = {
    "invoice_code": "发票代码",
    "invoice_number": "发票号码",
    "issue_date": "开票日期",
    "check_code": "校验码",
    "buyer_name": "购买方名称",
    "buyer_tax_id": "购买方纳税人识别号",
    "seller_name": "销售方名称",
    "seller_tax_id": "销售方纳税人识别号",
    "total_amount": "合计金额",
    "total_tax": "合计税额",
    "amount_with_tax": "价税合计",
}
_TICKET_LABELS = {"amount_with_tax": "票价/合计"}

TICKET_REQUIRED = ("invoice_number", "issue_date", "buyer_name", "amount_with_tax")
"""A 数电 passenger ticket prints no seller block and no 合计金额/合计税额: its number, issue date, buyer and
fare (the itinerary's 合计) make it complete."""


def required_fields(invoice: Invoice) -> tuple[str, ...]:
    """The key fields this invoice must have."""
    if invoice.invoice_type in TICKET_TYPES:
        return TICKET_REQUIRED
    names = [
        "invoice_number",
        "issue_date",
        "buyer_name",
        "seller_name",
        "seller_tax_id",
        "total_amount",
        "total_tax",
        "amount_with_tax",
    ]
    if has_code(invoice.invoice_type):
        names.append("invoice_code")
    if has_check_code(invoice.invoice_type):
        names.append("check_code")
    if not invoice.buyer_is_person:
        names.append("buyer_tax_id")
    return tuple(names)


def missing_fields(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for name in required_fields(invoice):
        value = getattr(invoice, name)
        if value is not None and value != "":
            continue
        if name == "buyer_tax_id" and invoice.invoice_type in SPECIAL_TYPES:
            continue  # tax_id.buyer_missing says it more precisely
        # A normal invoice may lack the buyer's ID (before 2017-07 companies needed none): doubt, not error.
        severity = WARNING if name == "buyer_tax_id" else ERROR
        out.append(
            finding(
                "field.missing",
                severity,
                (name,),
                f"{field_label(name, 'en')} was not found on the invoice; enter it from the document",
                f"未识别到{_label_zh(invoice, name)}，请按票面录入",
            )
        )
    return out


def _label_zh(invoice: Invoice, name: str) -> str:
    if invoice.invoice_type in TICKET_TYPES and name in _TICKET_LABELS:
        return _TICKET_LABELS[name]
    return _LABELS[name]


RULES = (missing_fields,)
CODES = ("field.missing",)
