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


RECORDS = [
    record("24610000000000000001", amount="100.00"),
    record("24610000000000000002", amount="200.00", tax="12.00", date=dt.date(2024, 3, 9)),
    record("24610000000000000003", amount="300.00", tax="18.00", status="voided", date=dt.date(2024, 3, 10)),
    record("24610000000000000004", amount="400.00", tax="24.00", status="red_letter", date=dt.date(2024, 3, 11)),
    record("24310000000000000099", seller=OTHER_SELLER, amount="999.00", tax="59.94", date=dt.date(2024, 4, 1)),
    record("24310000000000000098", seller=OTHER_SELLER, amount="998.00", tax="59.88", date=dt.date(2023, 1, 1)),
]


def batch():
    differing = invoice(
        "24610000000000000002",
        amount="200.00",
        tax="12.00",
        date=dt.date(2024, 3, 9),
        buyer=(BUYER[0], "91330106273175535X"),
    )
    return [
        result(invoice("24610000000000000001"), "matched.pdf"),
        result(differing, "differs.pdf"),
        result(invoice("24610000000000000003", amount="300.00", tax="18.00", date=dt.date(2024, 3, 10)), "void.pdf"),
        result(invoice("24610000000000000004", amount="400.00", tax="24.00", date=dt.date(2024, 3, 11)), "red.pdf"),
        result(invoice("25990000000000012345", amount="55.00", tax="3.30", date=dt.date(2025, 1, 2)), "new.pdf"),
        result(invoice("24610000000000000001"), "again.pdf"),
        result(None, "broken.pdf", Status.rejected),
    ]
