"""The same (code, number) — or the same 20-digit 数电 number — seen twice is a duplicate, whatever the file."""

from __future__ import annotations

from fapiao.core.models import Finding, Invoice
from fapiao.intake.rules.base import WARNING, finding
from fapiao.intake.rules.context import RuleContext


def duplicate_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    key = invoice.key
    if ctx.seen is None or key is None:
        return []
    earlier = ctx.seen(key)
    if not earlier or earlier == ctx.source:
        return []
    fields = ("invoice_code", "invoice_number") if invoice.invoice_code else ("invoice_number",)
    shown = key.replace(":", " / ")
    return [
        finding(
            "duplicate.seen",
            WARNING,
            fields,
            f"Invoice {shown} was already received in {earlier}; do not book it twice",
            f"发票 {shown} 已在 {earlier} 中收到过，请勿重复入账",
        )
    ]


RULES = (duplicate_rule,)
CODES = ("duplicate.seen",)
