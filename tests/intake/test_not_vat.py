"""Documents that are not VAT invoices (财政电子票据, ride-hailing 行程单, hotel folios) are rejected with a line that
says what they are and what to do, and no field is invented for them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fapiao.core.models import Status
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.verify import VerifyOptions
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf, with_qr
from tests.helpers.tickets import FISCAL, FOLIO, TRIP_LIST

OPTIONS = PipelineOptions(ocr=False, verify=VerifyOptions(today=dt.date(2026, 11, 22)))
REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-invoices"


def _one(data: bytes, name: str):
    (result,) = Pipeline(OPTIONS).process_bytes(data, name)
    return result


@pytest.mark.parametrize(
    ("lines", "name", "says", "todo"),
    [
        (FISCAL, "receipt.pdf", "财政电子票据（浙江省非税收入统一票据（电子））", "财政电子票据查验平台"),
        (TRIP_LIST, "didi.pdf", "行程单（滴滴出行-行程单）", "电子发票"),
        (FOLIO, "folio.pdf", "酒店账单（宾客账单/结账单）", "增值税发票"),
    ],
)
def test_non_invoices_are_rejected_saying_what_they_are(lines, name, says, todo) -> None:
    result = _one(placed_pdf(lines, [], width=600, height=360), name)
    assert result.status is Status.rejected and result.invoice is None and result.fields == {}
    assert result.error.startswith(f"{name}: 这是{says}，不是增值税发票")
    assert "not a VAT invoice" in result.error and todo in result.error


def test_a_fiscal_receipt_with_a_url_qr_is_rejected_even_without_its_footer() -> None:
    lines = [ln for ln in FISCAL if "收款单位" not in ln[2] and "交款人" not in ln[2]]
    data = with_qr(
        placed_pdf(lines, [], width=600, height=360), "http://einvoice.example.cn/page/33010124/0012345678/Ab"
    )
    assert _one(data, "r.pdf").status is Status.rejected


def test_a_vat_invoice_mentioning_trips_and_rooms_is_still_read() -> None:
    values = [*OLD_VALUES, (440, 330, "行程单 起点 终点 里程 房号 入住日期 离店日期 交款人 非税收入")]
    result = _one(placed_pdf(OLD_LABELS, values), "vat.pdf")
    assert result.status is not Status.rejected and result.invoice.invoice_number == "12345678"


@pytest.mark.skipif(not REAL.is_dir(), reason="the real invoice set ../shared/real-invoices is not present")
@pytest.mark.parametrize("name", ["other_001.pdf", "other_002.pdf"])
def test_real_fiscal_receipts_are_rejected(name: str) -> None:
    (result,) = Pipeline(OPTIONS).process_path(REAL / "files" / name, source=name)
    assert result.status is Status.rejected and result.invoice is None
    assert result.error.startswith(f"{name}: 这是财政电子票据（江苏省车辆通行费票据（电子））")
