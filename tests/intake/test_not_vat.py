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

OPTIONS = PipelineOptions(ocr=False, verify=VerifyOptions(today=dt.date(2026, 11, 22)))
REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-invoices"

FISCAL = [
    (150, 40, "浙江省非税收入统一票据（电子）"),
    (30, 70, "票据代码：33010124"),
    (340, 70, "票据号码：0012345678"),
    (30, 82, "交款人：北京某某科技有限公司"),
    (340, 82, "开票日期：2024-05-14"),
    (30, 110, "项目名称"),
    (300, 110, "金额（元）"),
    (30, 125, "考试费"),
    (300, 125, "10.00"),
    (30, 240, "金额合计（大写）壹拾元整"),
    (300, 240, "（小写）10.00"),
    (30, 340, "收款单位（章）："),
]
TRIP_LIST = [
    (200, 40, "滴滴出行-行程单"),
    (30, 70, "申请时间：2024-05-20"),
    (30, 82, "行程起止日期：2024-05-01 至 2024-05-19"),
    (30, 94, "共2笔行程，合计56.30元"),
    (30, 120, "序号"),
    (70, 120, "车型"),
    (130, 120, "上车时间"),
    (230, 120, "城市"),
    (280, 120, "起点"),
    (400, 120, "终点"),
    (500, 120, "里程"),
    (560, 120, "金额"),
    (30, 135, "1"),
    (70, 135, "快车"),
    (130, 135, "05-01 08:12"),
    (560, 135, "26.10"),
]
FOLIO = [
    (250, 40, "宾客账单 GUEST FOLIO"),
    (30, 70, "客人姓名：王小明"),
    (340, 70, "房号：1208"),
    (30, 82, "入住日期：2024-05-01"),
    (340, 82, "离店日期：2024-05-03"),
    (30, 110, "房费"),
    (300, 110, "658.00"),
]


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
