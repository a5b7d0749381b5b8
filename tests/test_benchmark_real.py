"""benchmarks.real's scoring, on made-up results: Decimal amounts, empty truth cells, rail and other rows,
silent errors and item problems."""

from __future__ import annotations

from decimal import Decimal

from benchmarks.real import DocumentRun, field_right, score, summarise
from fapiao.core.models import ExtractionResult, Invoice, InvoiceType, LineItem, Status

TRUTH = {
    "sd_001.pdf": {
        "invoice_type": "sd_normal",
        "invoice_code": "",
        "invoice_number": "25322000000337005189",
        "issue_date": "2025-07-22",
        "check_code": "",
        "buyer_name": "某某 公司",
        "buyer_tax_id": "",
        "seller_name": "卖方",
        "seller_tax_id": "91320200796148368W",
        "total_amount": "100.00",
        "total_tax": "0.00",
        "amount_with_tax": "100.00",
    },
    "other_001.pdf": {"invoice_type": "other", **{k: "" for k in ("invoice_code", "invoice_number")}},
}


def _result(status: Status, **fields) -> ExtractionResult:
    return ExtractionResult(source="x", status=status, pages=[1], invoice=Invoice(**fields))


def test_fields_compare_as_decimal_and_without_spaces() -> None:
    assert field_right("total_amount", "100.00", Decimal("100.0"))
    assert not field_right("total_tax", "0.00", None)
    assert field_right("invoice_code", "", None) and not field_right("invoice_code", "", "123")
    assert field_right("buyer_name", "某某 公司", "某某公司")
    assert field_right("invoice_type", "sd_normal", "digital_normal")


def test_silent_errors_items_and_rejection() -> None:
    good = dict(
        invoice_type=InvoiceType.digital_normal,
        invoice_number="25322000000337005189",
        issue_date="2025-07-22",
        buyer_name="某某公司",
        seller_name="卖方",
        seller_tax_id="91320200796148368W",
        total_amount=Decimal("100.00"),
        total_tax=Decimal("0.00"),
        amount_with_tax=Decimal("100.00"),
        items=[LineItem(name="*服务*费", amount=Decimal("100.00")), LineItem(name="合计", amount=Decimal("100.00"))],
    )
    wrong = {**good, "total_tax": None}
    runs = {
        "sd_001.pdf": DocumentRun("sd_001.pdf", [_result(Status.verified, **wrong)], 0.5, 1),
        "other_001.pdf": DocumentRun("other_001.pdf", [_result(Status.rejected)], 0.1, 1),
    }
    rows = {r.file: r for r in score(runs, TRUTH)}
    sd = rows["sd_001.pdf"]
    assert sd.wrong == [("total_tax", "0.00", "∅")] and sd.silent_error
    assert any("合计 row" in p for p in sd.item_problems) and any("add up" in p for p in sd.item_problems)
    assert rows["other_001.pdf"].right == rows["other_001.pdf"].scored == 1
    summary = summarise(list(rows.values()))
    assert summary["vat"].silent_errors == ["sd_001.pdf"] and summary["all"].documents == 2
    assert summary["sd"].fields_right == 11 and summary["sd"].fields_scored == 12
