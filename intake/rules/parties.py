"""Incoming invoices are made out to the company itself: a buyer ID that is not one of its own IDs is worth a
look. With no own IDs configured the rule is silent."""

from __future__ import annotations

from fapiao.core.models import Finding, Invoice
from fapiao.intake.rules.base import WARNING, finding
from fapiao.intake.rules.context import RuleContext


def _norm(value: str | None) -> str:
    return (value or "").replace(" ", "").upper()


def buyer_is_own(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    own = {_norm(v) for v in ctx.own_tax_ids if v}
    if not own:
        return []
    buyer = _norm(invoice.buyer_tax_id)
    if buyer in own:
        return []
    shown = invoice.buyer_tax_id or "no tax ID"
    return [
        finding(
            "parties.buyer_not_own",
            WARNING,
            ("buyer_tax_id",),
            f"The buyer ({invoice.buyer_name or '?'}, {shown}) is not one of your company's tax IDs; "
            "check that the invoice was made out to you",
            f"购买方（{invoice.buyer_name or '?'}，{invoice.buyer_tax_id or '无税号'}）不是本公司的纳税人识别号，"
            "请确认发票抬头",
        )
    ]


def distinct_parties(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    if not invoice.buyer_tax_id or _norm(invoice.buyer_tax_id) != _norm(invoice.seller_tax_id):
        return []
    return [
        finding(
            "parties.same_id",
            WARNING,
            ("buyer_tax_id", "seller_tax_id"),
            "The buyer and the seller have the same tax ID; one of them was probably read from the wrong place",
            "购买方与销售方纳税人识别号相同，可能有一方识别位置错误",
        )
    ]


RULES = (buyer_is_own, distinct_parties)
CODES = ("parties.buyer_not_own", "parties.same_id")
