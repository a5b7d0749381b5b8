"""A back-fill verifies again with the party master of the records it was given: names OCR read that the
records know for those tax IDs are confirmed; names the records know differently are shown, never replaced."""

from __future__ import annotations

import csv
from pathlib import Path

from fapiao.cli.backfill import confirm_with_records
from fapiao.core.models import ExtractionResult, FieldSource, FieldValue, Status
from fapiao.intake.qr_payload import parse_qr_payload
from fapiao.intake.verify import VerifyOptions, verify
from fapiao.matching.export import TAX_BUREAU_HEADERS
from fapiao.matching.records_import import parse_export
from tests.rules.helpers import TODAY, invoice

OPTIONS = VerifyOptions(today=TODAY)


def _ocr_read(**changes) -> ExtractionResult:
    """An OCR reading of the helpers' invoice with its QR (header and amount), verified with no party master."""
    inv = invoice(**changes)
    fields = {
        n: FieldValue(value=getattr(inv, n), confidence=0.99, source=FieldSource.ocr)
        for n in (
            "invoice_code",
            "invoice_number",
            "issue_date",
            "check_code",
            "buyer_name",
            "buyer_tax_id",
            "seller_name",
            "seller_tax_id",
            "total_amount",
            "total_tax",
            "amount_with_tax",
        )
    }
    qr = parse_qr_payload(f"01,10,{inv.invoice_code},{inv.invoice_number},100.00,20240315,{inv.check_code},ABCD")
    return verify(ExtractionResult(source="scan.jpg", invoice=inv, fields=fields, qr=qr), OPTIONS)


def _export(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=TAX_BUREAU_HEADERS)
        w.writeheader()
        for r in rows:
            w.writerow({h: r.get(h, "") for h in TAX_BUREAU_HEADERS})
    return path


def _row(number: str, seller: str, buyer: str) -> dict[str, str]:
    return {
        "发票代码": "011001900111",
        "发票号码": number,
        "销方识别号": "914403001922038216",
        "销方名称": seller,
        "购方识别号": "91110000600037341L",
        "购买方名称": buyer,
        "开票日期": "2024-03-01",
        "金额": "50.00",
        "税额": "3.00",
        "价税合计": "53.00",
        "发票状态": "正常",
    }


def _unconfirmed(r: ExtractionResult) -> tuple[str, ...]:
    return next((f.fields for f in r.findings if f.code == "ocr.unconfirmed"), ())


def test_records_confirm_the_names_ocr_read(tmp_path: Path) -> None:
    read = _ocr_read()
    assert read.status is Status.needs_review and set(_unconfirmed(read)) == {"buyer_name", "seller_name"}
    parsed = parse_export(
        _export(tmp_path / "export.csv", [_row("00000001", "深圳某某有限公司", "上海某某信息科技有限公司")])
    )
    (again,) = confirm_with_records([read], parsed, OPTIONS)
    assert _unconfirmed(again) == () and again.status is Status.verified
    assert again.invoice == read.invoice


def test_a_name_the_records_know_differently_is_shown_not_replaced(tmp_path: Path) -> None:
    read = _ocr_read(seller_name="深圳某菜有限公司")
    parsed = parse_export(
        _export(tmp_path / "export.csv", [_row("00000001", "深圳某某有限公司", "上海某某信息科技有限公司")])
    )
    (again,) = confirm_with_records([read], parsed, OPTIONS)
    assert again.status is Status.needs_review and again.invoice.seller_name == "深圳某菜有限公司"
    assert _unconfirmed(again) == ("seller_name",)
    assert any(f.code == "party.close_name" and "深圳某某有限公司" in f.message for f in again.findings)


def test_rejected_results_and_an_export_without_parties_pass_through(tmp_path: Path) -> None:
    rejected = ExtractionResult(source="x.pdf", status=Status.rejected, error="x.pdf: not an invoice")
    read = _ocr_read()
    parsed = parse_export(
        _export(tmp_path / "export.csv", [{"发票号码": "00000009", "开票日期": "2024-03-01", "价税合计": "1.00"}])
    )
    assert confirm_with_records([rejected, read], parsed, OPTIONS) == [rejected, read]
