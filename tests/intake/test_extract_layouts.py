"""Extraction on hand-built layouts that the generator does not make: label-anchored pairing must survive
other coordinates, label wordings, value offsets and reading orders."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pymupdf
import pytest

from fapiao.intake.extract.assemble import assemble, group_pages, read_page
from fapiao.intake.loaders import load_document
from tests.builders import OLD_LABELS, OLD_VALUES, Placed, placed_pdf


def _extract(data: bytes):
    doc = load_document(data, "t.pdf")
    groups = group_pages([read_page(p) for p in doc.pages])
    return [assemble(g) for g in groups]


@pytest.mark.parametrize("values_first", [False, True])
def test_old_layout_every_field(values_first: bool) -> None:
    (ex,) = _extract(placed_pdf(OLD_LABELS, OLD_VALUES, values_first=values_first))
    inv = ex.invoice
    assert inv.invoice_type.value == "e_normal" and inv.type_code == "10"
    assert (inv.invoice_code, inv.invoice_number) == ("011001900111", "12345678")
    assert inv.issue_date == dt.date(2019, 7, 20)
    assert inv.check_code == "12345678901234567890"
    assert inv.buyer_name == "北京某某科技有限公司（海淀分公司）" and inv.buyer_tax_id == "91110000600037341L"
    assert inv.seller_name == "上海某某贸易有限公司" and inv.seller_tax_id == "914403001922038216"
    assert (inv.total_amount, inv.total_tax, inv.amount_with_tax) == (
        Decimal("90.00"),
        Decimal("5.40"),
        Decimal("95.40"),
    )
    assert inv.amount_in_words == "玖拾伍圆肆角整"
    assert [i.name for i in inv.items] == ["*信息技术服务*软件开发服务"] * 2
    first, discount = inv.items
    assert (first.quantity, first.unit_price, first.amount, first.tax_rate, first.tax, first.unit) == (
        Decimal("2"),
        Decimal("50.00"),
        Decimal("100.00"),
        "6%",
        Decimal("6.00"),
        "次",
    )
    assert discount.amount == Decimal("-10.00") and discount.tax == Decimal("-0.60") and not inv.is_red_letter
    assert inv.remarks == "订单号 123" and inv.drawer == "张三"


def test_every_field_carries_its_bbox() -> None:
    (ex,) = _extract(placed_pdf(OLD_LABELS, OLD_VALUES))
    for name in (
        "invoice_code",
        "invoice_number",
        "issue_date",
        "buyer_name",
        "seller_tax_id",
        "total_amount",
        "amount_with_tax",
    ):
        fv = ex.fields[name]
        assert fv.bbox is not None and fv.page == 1 and fv.source.value == "text_layer", name
    x0, y0, x1, y1 = ex.fields["seller_tax_id"].bbox
    assert 105 <= x0 <= 115 and 300 <= y1 <= 320


def test_shuffled_drawing_order_and_jitter_do_not_change_the_result() -> None:
    rng = random.Random(3)
    for _ in range(5):
        dx, dy = rng.uniform(-30, 30), rng.uniform(-10, 10)
        labels = [(x + dx, y + dy, t) for x, y, t in OLD_LABELS]
        values = [(x + dx + rng.uniform(-3, 3), y + dy + rng.uniform(-2, 2), t) for x, y, t in OLD_VALUES]
        rng.shuffle(labels)
        rng.shuffle(values)
        (ex,) = _extract(placed_pdf(labels, values, width=720, height=440))
        inv = ex.invoice
        assert inv.invoice_number == "12345678" and inv.seller_tax_id == "914403001922038216"
        assert inv.buyer_name == "北京某某科技有限公司（海淀分公司）" and inv.amount_with_tax == Decimal("95.40")
        assert len(inv.items) == 2 and inv.items[0].name == "*信息技术服务*软件开发服务"


SIDE_BY_SIDE_LABELS: list[Placed] = [
    (240, 40, "电子发票（增值税专用发票）"),
    (440, 50, "发票号码:"),
    (440, 65, "开票日期:"),
    (18, 95, "购"),
    (18, 105, "买"),
    (18, 115, "方"),
    (18, 125, "信"),
    (18, 135, "息"),
    (30, 105, "名称:"),
    (30, 125, "统一社会信用代码/纳税人识别号:"),
    (340, 95, "销"),
    (340, 105, "售"),
    (340, 115, "方"),
    (340, 125, "信"),
    (340, 135, "息"),
    (352, 105, "名称:"),
    (352, 125, "统一社会信用代码/纳税人识别号:"),
    (30, 160, "项目名称"),
    (170, 160, "规格型号"),
    (240, 160, "单位"),
    (290, 160, "数量"),
    (350, 160, "单价"),
    (430, 160, "金额"),
    (500, 160, "税率/征收率"),
    (600, 160, "税额"),
    (40, 240, "合计"),
    (30, 262, "价税合计（大写）"),
    (420, 262, "（小写）"),
    (30, 290, "备注"),
    (30, 330, "开票人:"),
]
SIDE_BY_SIDE_VALUES: list[Placed] = [
    (488, 50, "24442000000012345678"),
    (488, 65, "2024年05月14日"),
    (60, 105, "个人"),
    (380, 105, "深圳市测试电子股份有限公司"),
    (480, 125, "91440300MA5DCTEST4"),
    (30, 180, "*电子计算机*笔记本电脑"),
    (170, 180, "X1"),
    (240, 180, "台"),
    (290, 180, "1"),
    (340, 180, "5000.00000000"),
    (430, 180, "5000.00"),
    (505, 180, "13%"),
    (600, 180, "650.00"),
    (430, 240, "¥5000.00"),
    (600, 240, "¥650.00"),
    (140, 262, "伍仟陆佰伍拾圆整"),
    (460, 262, "¥5650.00"),
    (80, 330, "李四"),
]


def test_digital_side_by_side_parties_and_private_buyer() -> None:
    (ex,) = _extract(placed_pdf(SIDE_BY_SIDE_LABELS, SIDE_BY_SIDE_VALUES))
    inv = ex.invoice
    assert inv.invoice_type.value == "digital_special" and inv.type_code == "31"
    assert inv.invoice_code is None and inv.invoice_number == "24442000000012345678"
    assert inv.issue_date == dt.date(2024, 5, 14)
    assert inv.buyer_name == "个人" and inv.buyer_tax_id is None and inv.buyer_is_person
    assert inv.seller_name == "深圳市测试电子股份有限公司" and inv.seller_tax_id == "91440300MA5DCTEST4"
    assert inv.items[0].unit_price == Decimal("5000.00000000") and inv.items[0].tax_rate == "13%"
    assert (inv.total_amount, inv.total_tax, inv.amount_with_tax) == (
        Decimal("5000.00"),
        Decimal("650.00"),
        Decimal("5650.00"),
    )
    assert inv.drawer == "李四"


def test_inline_label_value_spans_and_full_width_punctuation() -> None:
    labels = [
        (200, 30, "增值税电子普通发票"),
        (40, 110, "名称：个人"),
        (40, 300, "名称：广州测试餐饮管理有限公司"),
        (40, 315, "纳税人识别号：91440101MA59TEST1X"),
        (20, 110, "购买方"),
        (20, 300, "销售方"),
        (470, 40, "发票代码：044001900111"),
        (470, 55, "发票号码：00012345"),
        (470, 70, "开票日期：2020年01月02日"),
    ]
    (ex,) = _extract(placed_pdf(labels, []))
    inv = ex.invoice
    assert inv.buyer_name == "个人" and inv.seller_name == "广州测试餐饮管理有限公司"
    assert inv.seller_tax_id == "91440101MA59TEST1X"
    assert (inv.invoice_code, inv.invoice_number, inv.issue_date) == ("044001900111", "00012345", dt.date(2020, 1, 2))


def test_two_invoices_in_one_pdf_give_two_results() -> None:
    doc = pymupdf.open()
    for number in ("11111111", "22222222"):
        page = doc.new_page(width=680, height=400)
        for x, y, t in OLD_LABELS + [(v[0], v[1], number if v[2] == "12345678" else v[2]) for v in OLD_VALUES]:
            page.insert_text((x, y), t, fontname="china-s", fontsize=9)
    results = _extract(doc.tobytes())
    assert [r.invoice.invoice_number for r in results] == ["11111111", "22222222"]
    assert [r.pages for r in results] == [[1], [2]]
