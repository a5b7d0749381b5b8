"""Invoice families and traits met on real invoices, each rebuilt on the hand-placed old e-invoice layout
and run through the whole pipeline (extraction and the rules): old 通行费 with its own columns, 代开, 16 % and
17 % rates, 大写 with 元, 15-character and 81…/12… IDs, company buyers without an ID, a passenger-transport
table, the small 532 × 354 pt page and values drawn before the labels."""

from __future__ import annotations

from decimal import Decimal

import pymupdf
import pytest

from fapiao.core.models import ExtractionResult
from fapiao.intake.extract.assemble import assemble, group_pages, read_page
from fapiao.intake.loaders import load_document
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.rules.tax_ids import org_code_check_char, uscc_check_char
from tests.builders import OLD_LABELS, OLD_VALUES, Placed, placed_pdf


def _run(labels: list[Placed], values: list[Placed], **kw) -> ExtractionResult:
    (result,) = Pipeline(PipelineOptions(ocr=False)).process_bytes(placed_pdf(labels, values, **kw), "t.pdf")
    return result


def _swap(placed: list[Placed], changes: dict[str, str]) -> list[Placed]:
    assert set(changes) <= {t for _, _, t in placed}
    return [(x, y, changes.get(t, t)) for x, y, t in placed]


def _errors(result: ExtractionResult) -> list[str]:
    return [f.code for f in result.findings if f.severity.value == "error"]


def _uscc(prefix: str, region: str, org_body: str) -> str:
    first17 = prefix + region + org_body + org_code_check_char(org_body)
    return first17 + uscc_check_char(first17)


def test_old_toll_invoice_reads_its_plate_type_and_period_columns() -> None:
    header = {"货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价"}
    labels = [p for p in OLD_LABELS if p[2] not in header and p[2] != "北京增值税电子普通发票"]
    labels += [
        (230, 40, "浙江增值税电子普通发票（通行费）"),
        (30, 180, "项目名称"),
        (135, 180, "车牌号"),
        (210, 180, "类型"),
        (260, 180, "通行日期起"),
        (340, 180, "通行日期止"),
    ]
    values = [v for v in OLD_VALUES if v[1] not in (200, 212, 225) and v[2] != "011001900111"]
    values += [
        (530, 40, "033001900112"),
        (30, 200, "*经营租赁*通行费"),
        (135, 200, "浙A12345"),  # china-s prints Latin and digits full width
        (210, 200, "货车"),
        (260, 200, "20190701"),
        (340, 200, "20190710"),
        (440, 200, "90.00"),
        (525, 200, "6%"),
        (600, 200, "5.40"),
    ]
    result = _run(labels, values)
    inv = result.invoice
    assert inv.invoice_type.value == "toll" and inv.type_code == "14"
    (item,) = inv.items
    assert (item.name, item.plate_number, item.vehicle_type) == ("*经营租赁*通行费", "浙A12345", "货车")
    assert (str(item.period_start), str(item.period_end)) == ("2019-07-01", "2019-07-10")
    assert (inv.total_amount, inv.total_tax) == (Decimal("90.00"), Decimal("5.40")) and not _errors(result)


def test_dai_kai_keeps_the_printed_seller_block() -> None:
    """代开: the 销售方 block is the tax office that issued it; the real seller is only named in 备注."""
    values = _swap(
        OLD_VALUES,
        {
            "上海某某贸易有限公司": "高新自助代开七",
            "914403001922038216": "51019800DK01187",
            "订单号 123": "代开企业税号:91510100MA6CGUDX3B",
        },
    )
    result = _run(OLD_LABELS, values + [(440, 312, "代开企业名称:成都某某商贸")])
    inv = result.invoice
    assert (inv.seller_name, inv.seller_tax_id) == ("高新自助代开七", "51019800DK01187")
    assert "成都某某商贸" in inv.remarks and not _errors(result)


@pytest.mark.parametrize("rate,tax,date", [("16%", "16.00", "2018  07  20"), ("17%", "17.00", "2018  03  20")])
def test_16_and_17_percent_rates_in_their_time(rate: str, tax: str, date: str) -> None:
    total_tax = Decimal(tax) - Decimal(tax) / 10
    values = _swap(
        OLD_VALUES,
        {
            "2019  07  20": date,
            "011001900111": "011001800111",
            "6%": rate,
            "6.00": tax,
            "-0.60": f"-{Decimal(tax) / 10:.2f}",
            "¥5.40": f"¥{total_tax:.2f}",
            "¥95.40": f"¥{90 + total_tax:.2f}",
            "ⓧ玖拾伍圆肆角整": "ⓧ壹佰零伍圆叁角整" if rate == "17%" else "ⓧ壹佰零肆圆肆角整",
        },
    )
    result = _run(OLD_LABELS, values)
    assert [i.tax_rate for i in result.invoice.items] == [rate, rate]
    assert result.invoice.total_tax == total_tax and result.status.value == "verified", result.findings


def test_amount_in_words_with_yuan() -> None:
    result = _run(OLD_LABELS, _swap(OLD_VALUES, {"ⓧ玖拾伍圆肆角整": "ⓧ玖拾伍元肆角整"}))
    assert result.invoice.amount_with_tax == Decimal("95.40") and result.status.value == "verified"


def test_trade_union_and_public_institution_ids_and_a_15_character_id() -> None:
    union = _uscc("81", "310115", "69416772")
    institution = _uscc("12", "110000", "40000039")
    result = _run(OLD_LABELS, _swap(OLD_VALUES, {"91110000600037341L": union, "914403001922038216": institution}))
    assert (result.invoice.buyer_tax_id, result.invoice.seller_tax_id) == (union, institution)
    assert result.status.value == "verified", result.findings
    old15 = _run(OLD_LABELS, _swap(OLD_VALUES, {"914403001922038216": "51019800DK01187"}))
    assert old15.invoice.seller_tax_id == "51019800DK01187" and not _errors(old15)


def test_company_buyer_without_an_id_on_a_normal_invoice() -> None:
    values = [v for v in OLD_VALUES if v[2] != "91110000600037341L"]
    result = _run(OLD_LABELS, values)
    assert result.invoice.buyer_name == "北京某某科技有限公司（海淀分公司）" and result.invoice.buyer_tax_id is None
    assert result.invoice.seller_tax_id == "914403001922038216" and not _errors(result)


def test_passenger_transport_table_is_not_read_as_items() -> None:
    """数电 旅客运输服务: a second table (出行人, 出行日期, 出发地 …) between the items and 合计."""
    labels = OLD_LABELS + [
        (30, 238, "出行人"),
        (100, 238, "有效身份证件号"),
        (220, 238, "出行日期"),
        (290, 238, "出发地"),
        (350, 238, "到达地"),
        (410, 238, "等级"),
        (470, 238, "交通工具类型"),
    ]
    values = [v for v in OLD_VALUES if v[1] != 225]  # one item only: the table row sits under it
    values = _swap(
        values, {"¥90.00": "¥100.00", "¥5.40": "¥6.00", "¥95.40": "¥106.00", "ⓧ玖拾伍圆肆角整": "ⓧ壹佰零陆圆整"}
    )
    values += [
        (30, 250, "张三"),
        (100, 250, "110101199001011234"),
        (220, 250, "2024-05-01"),
        (290, 250, "北京"),
        (350, 250, "上海"),
        (410, 250, "二等座"),
        (470, 250, "火车"),
    ]
    result = _run(labels, values)
    (item,) = result.invoice.items
    assert item.name == "*信息技术服务*软件开发服务" and item.amount == Decimal("100.00")
    assert result.invoice.total_amount == Decimal("100.00") and result.status.value == "verified", result.findings


def test_small_532_by_354_page() -> None:
    scale = 532 / 680
    labels = [(x * scale, y * scale, t) for x, y, t in OLD_LABELS]
    values = [(x * scale, y * scale, t) for x, y, t in OLD_VALUES]
    doc = pymupdf.open(stream=placed_pdf(labels, values, size=9 * scale, width=532, height=354), filetype="pdf")
    assert (doc[0].rect.width, doc[0].rect.height) == (532, 354)
    (result,) = Pipeline(PipelineOptions(ocr=False)).process_bytes(doc.tobytes(), "t.pdf")
    inv = result.invoice
    assert (inv.invoice_code, inv.invoice_number, inv.total_amount, inv.total_tax) == (
        "011001900111",
        "12345678",
        Decimal("90.00"),
        Decimal("5.40"),
    )
    assert len(inv.items) == 2 and result.status.value == "verified"


def test_values_drawn_before_all_labels_with_split_total_label() -> None:
    labels = [p for p in OLD_LABELS if p[2] != "合    计"] + [(60, 260, "合"), (100, 260, "计")]
    doc = load_document(placed_pdf(labels, OLD_VALUES, values_first=True), "t.pdf")
    (group,) = group_pages([read_page(p) for p in doc.pages])
    inv = assemble(group).invoice
    assert (inv.total_amount, inv.total_tax) == (Decimal("90.00"), Decimal("5.40")) and len(inv.items) == 2


def test_an_old_toll_invoice_with_the_plain_title_is_typed_by_its_code():
    """Old 通行费 e-invoices may print only 增值税电子普通发票; the code's kind digits (…12) say type 14."""
    from fapiao.core.models import InvoiceType
    from fapiao.intake.extract.kind import classify

    assert classify("湖北增值税电子普通发票", "042001900112", "12345678", None) is InvoiceType.toll
    assert classify("湖北增值税电子普通发票", "042001900111", "12345678", None) is InvoiceType.e_normal
    assert classify("湖北增值税电子专用发票", "042001900113", "12345678", None) is InvoiceType.e_special
