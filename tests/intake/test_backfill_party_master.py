"""A back-fill verifies again with the party master of the records it was given: names OCR read that the
records know for those tax IDs are confirmed; names the records know differently are shown, never replaced."""

from __future__ import annotations

from pathlib import Path

from fapiao.cli.backfill import confirm_with_records
from fapiao.core.models import ExtractionResult, Status
from fapiao.matching.records_import import parse_export
from tests.helpers.parties import OPTIONS, export_file, export_row, ocr_read, unconfirmed


def test_records_confirm_the_names_ocr_read(tmp_path: Path) -> None:
    read = ocr_read()
    assert read.status is Status.needs_review and set(unconfirmed(read)) == {"buyer_name", "seller_name"}
    parsed = parse_export(
        export_file(tmp_path / "export.csv", [export_row("00000001", "深圳某某有限公司", "上海某某信息科技有限公司")])
    )
    (again,) = confirm_with_records([read], parsed, OPTIONS)
    assert unconfirmed(again) == () and again.status is Status.verified
    assert again.invoice == read.invoice


def test_a_name_the_records_know_differently_is_shown_not_replaced(tmp_path: Path) -> None:
    read = ocr_read(seller_name="深圳某菜有限公司")
    parsed = parse_export(
        export_file(tmp_path / "export.csv", [export_row("00000001", "深圳某某有限公司", "上海某某信息科技有限公司")])
    )
    (again,) = confirm_with_records([read], parsed, OPTIONS)
    assert again.status is Status.needs_review and again.invoice.seller_name == "深圳某菜有限公司"
    assert unconfirmed(again) == ("seller_name",)
    assert any(f.code == "party.close_name" and "深圳某某有限公司" in f.message for f in again.findings)


def test_rejected_results_and_an_export_without_parties_pass_through(tmp_path: Path) -> None:
    rejected = ExtractionResult(source="x.pdf", status=Status.rejected, error="x.pdf: not an invoice")
    read = ocr_read()
    parsed = parse_export(
        export_file(tmp_path / "export.csv", [{"发票号码": "00000009", "开票日期": "2024-03-01", "价税合计": "1.00"}])
    )
    assert confirm_with_records([rejected, read], parsed, OPTIONS) == [rejected, read]
