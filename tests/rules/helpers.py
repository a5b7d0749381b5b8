"""Small builders for rule unit tests: a valid e-normal invoice to vary one field at a time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fapiao.core.models import Invoice, InvoiceType, LineItem
from fapiao.intake.rules import RuleContext, run_rules

TODAY = dt.date(2025, 7, 1)
D = Decimal


def invoice(**changes) -> Invoice:
    base = Invoice(
        invoice_type=InvoiceType.e_normal,
        type_code="10",
        title="北京增值税电子普通发票",
        invoice_code="011001900111",
        invoice_number="12345678",
        issue_date=dt.date(2024, 3, 15),
        check_code="12345678901234567890",
        buyer_name="上海某某信息科技有限公司",
        buyer_tax_id="91110000600037341L",
        seller_name="深圳某某有限公司",
        seller_tax_id="914403001922038216",
        total_amount=D("100.00"),
        total_tax=D("6.00"),
        amount_with_tax=D("106.00"),
        amount_in_words="壹佰零陆圆整",
        items=[LineItem(name="*信息技术服务*软件服务费", amount=D("100.00"), tax_rate="6%", tax=D("6.00"))],
    )
    return base.model_copy(update=changes)


def codes(inv: Invoice, **ctx) -> set[str]:
    return {f.code for f in run_rules(inv, RuleContext(today=TODAY, **ctx))}


def found(inv: Invoice, **ctx):
    return run_rules(inv, RuleContext(today=TODAY, **ctx))
