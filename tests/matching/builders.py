"""Invoices and records for matching tests, built directly (no generator needed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fapiao.core.models import ExtractionResult, Invoice, InvoiceType, LineItem, Status
from fapiao.matching.records import Record

SELLER = ("上海某某贸易有限公司", "914403001922038216")
OTHER_SELLER = ("北京某某科技有限公司", "91110000600037341L")
BUYER = ("思星顺生物技术集团有限公司", "91330106273175535K")


def invoice(
    number: str,
    *,
    code: str | None = None,
    date: dt.date = dt.date(2024, 3, 8),
    seller: tuple[str, str | None] = SELLER,
    amount: str = "100.00",
    tax: str = "6.00",
    buyer: tuple[str, str | None] = BUYER,
) -> Invoice:
    a, t = Decimal(amount), Decimal(tax)
    return Invoice(
        invoice_type=InvoiceType.e_normal if code else InvoiceType.digital_normal,
        type_code="10" if code else "32",
        invoice_code=code,
        invoice_number=number,
        issue_date=date,
        seller_name=seller[0],
        seller_tax_id=seller[1],
        buyer_name=buyer[0],
        buyer_tax_id=buyer[1],
        total_amount=a,
        total_tax=t,
        amount_with_tax=a + t,
        items=[
            LineItem(
                name="*信息技术服务*软件开发服务",
                unit="次",
                quantity=Decimal("2"),
                unit_price=Decimal(amount) / 2,
                amount=a,
                tax_rate="6%",
                tax=t,
            )
        ],
    )


def result(inv: Invoice | None, source: str = "a.pdf", status: Status = Status.verified) -> ExtractionResult:
    return ExtractionResult(source=source, page=1, status=status, invoice=inv)


def record(
    number: str,
    *,
    code: str | None = None,
    date: dt.date = dt.date(2024, 3, 8),
    seller: tuple[str, str | None] = SELLER,
    amount: str = "100.00",
    tax: str = "6.00",
    status: str = "normal",
    buyer: tuple[str, str | None] = BUYER,
) -> Record:
    a, t = Decimal(amount), Decimal(tax)
    return Record(
        invoice_number=number,
        invoice_code=code,
        issue_date=date,
        seller_name=seller[0],
        seller_tax_id=seller[1],
        buyer_name=buyer[0],
        buyer_tax_id=buyer[1],
        total_amount=a,
        total_tax=t,
        amount_with_tax=a + t,
        status=status,
    )
