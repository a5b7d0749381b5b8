"""Traits of real invoice layouts that the generator does not produce, rebuilt as small fixtures: labels
spelled out in separate text objects far apart, the ¥ sign in another font, a table header printed as one
padded run, masked tax, and OFDs whose invoice data is only in CustomTags / CustomDatas."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pymupdf
import pytest

from fapiao.core.models import FieldSource, LineItem, TextBox
from fapiao.intake.extract.assemble import assemble, group_pages, read_page
from fapiao.intake.extract.geometry import Box
from fapiao.intake.extract.items import visual_lines
from fapiao.intake.extract.text import parse_rate
from fapiao.intake.loaders import load_document
from fapiao.intake.loaders.xml_fields import convert_field
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.rules.rates import parse_rate as rule_rate
from tests.builders import OLD_LABELS, OLD_QR, OLD_VALUES, Placed, qr_png, with_qr

Fonted = tuple[float, float, str, str]


def _pdf(items: list[Fonted], width: float = 680, height: float = 400) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    for x, y, text, font in items:
        page.insert_text((x, y), text, fontname=font, fontsize=9)
    return doc.tobytes()


def _cn(placed: list[Placed]) -> list[Fonted]:
    return [(x, y, t, "china-s") for x, y, t in placed]


def _extract(data: bytes):
    doc = load_document(data, "t.pdf")
    (group,) = group_pages([read_page(p) for p in doc.pages])
    return assemble(group).invoice


def _replace(placed: list[Placed], old: str, new: list[Placed]) -> list[Placed]:
    assert any(t == old for _, _, t in placed)
    return [p for p in placed if p[2] != old] + new


def _no_totals_row(items: list[LineItem]) -> bool:
    return all(i.name.replace(" ", "") not in {"合", "计", "合计"} for i in items)


def test_total_label_in_two_far_objects_and_lone_yen_sign_give_the_totals_not_an_item() -> None:
    labels = _replace(OLD_LABELS, "合    计", [(60, 260, "合"), (100, 260, "计")])
    values = [v for v in OLD_VALUES if v[2] not in {"¥90.00", "¥5.40"}]
    spans = _cn(labels) + _cn(values)
    spans += [
        (440, 260, "¥", "helv"),
        (446, 260, "90.00", "china-s"),
        (600, 260, "¥", "helv"),
        (606, 260, "5.40", "china-s"),
    ]
    inv = _extract(_pdf(spans))
    assert (inv.total_amount, inv.total_tax, inv.amount_with_tax) == (
        Decimal("90.00"),
        Decimal("5.40"),
        Decimal("95.40"),
    )
    assert len(inv.items) == 2 and _no_totals_row(inv.items)


def test_letter_spaced_total_label_in_one_wide_run_stays_one_label() -> None:
    labels = _replace(OLD_LABELS, "合    计", [(60, 260, "合           计")])
    inv = _extract(_pdf(_cn(labels) + _cn(OLD_VALUES)))
    assert (inv.total_amount, inv.total_tax) == (Decimal("90.00"), Decimal("5.40"))
    assert len(inv.items) == 2 and _no_totals_row(inv.items)


def test_table_header_printed_as_one_padded_run_keeps_names_units_and_quantities() -> None:
    header = ["货物或应税劳务、服务名称", "规格型号", "单位"]
    labels = [p for p in OLD_LABELS if p[2] not in header]
    labels.append((30, 180, "货物或应税劳务、服务名称    规格型号    单位"))
    inv = _extract(_pdf(_cn(labels) + _cn(OLD_VALUES)))
    assert [i.name for i in inv.items] == ["*信息技术服务*软件开发服务"] * 2
    first = inv.items[0]
    assert (first.unit, first.quantity, first.unit_price, first.amount) == (
        "次",
        Decimal("2"),
        Decimal("50.00"),
        Decimal("100.00"),
    )


def test_spelled_out_column_headers_are_rejoined() -> None:
    labels = _replace(OLD_LABELS, "金额", [(436, 180, "金"), (452, 180, "额")])
    labels = _replace(labels, "数量", [(296, 180, "数"), (312, 180, "量")])
    inv = _extract(_pdf(_cn(labels) + _cn(OLD_VALUES)))
    assert [i.amount for i in inv.items] == [Decimal("100.00"), Decimal("-10.00")]
    assert inv.items[0].quantity == Decimal("2") and inv.total_amount == Decimal("90.00")


@pytest.mark.parametrize("total_label", [True, False])
def test_masked_tax_in_the_totals_row_and_the_rate_column(total_label: bool) -> None:
    """With the 合计 label, and without it (the positional totals row: ¥ amount, masked tax beside it)."""
    labels = OLD_LABELS if total_label else [p for p in OLD_LABELS if p[2] != "合    计"]
    swap = {
        "6%": "***",
        "6.00": "***",
        "-0.60": "***",
        "¥5.40": "***",
        "¥95.40": "¥90.00",
        "ⓧ玖拾伍圆肆角整": "ⓧ玖拾圆整",
    }
    values = [(x, y, swap.get(t, t)) for x, y, t in OLD_VALUES]
    inv = _extract(_pdf(_cn(labels) + _cn(values)))
    assert (inv.total_amount, inv.total_tax, inv.amount_with_tax) == (
        Decimal("90.00"),
        Decimal("0.00"),
        Decimal("90.00"),
    )
    assert [i.tax_rate for i in inv.items] == ["***", "***"] and inv.items[0].tax is None
    assert len(inv.items) == 2


def test_masked_rates_and_taxes_are_parsed() -> None:
    assert parse_rate("***") == "***" and parse_rate(" 免税 ") == "免税"
    assert rule_rate("***").kind == "masked" and not rule_rate("***").numeric
    assert convert_field("total_tax", "***") == Decimal("0.00")
    assert convert_field("total_amount", "***") is None


def test_cell_lines_keep_a_star_of_another_font_in_place() -> None:
    def box(text: str, x0: float, y0: float, y1: float) -> Box:
        return Box.of(TextBox(text=text, bbox=(x0, y0, x0 + 5 * len(text), y1), page=1, source=FieldSource.text_layer))

    # the "*" glyphs sit 0.3 pt higher than the text: sorting by rounded centre put both stars first
    cell = [
        box("运输服务", 5, 161.0, 170.1),
        box("*", 0, 159.1, 171.4),
        box("*", 25, 159.1, 171.4),
        box("客运服务费", 30, 161.0, 170.1),
    ]
    assert "".join(b.text for line in visual_lines(cell) for b in line) == "*运输服务*客运服务费"


def test_qr_of_another_invoice_is_not_applied() -> None:
    other = "01,10,044001900111,87654321,90.00,20200101,12345678901234567890,ABCD,"
    assert other != OLD_QR
    data = with_qr(_pdf(_cn(OLD_LABELS) + _cn(OLD_VALUES)), other)
    (result,) = Pipeline(PipelineOptions(ocr=False)).process_bytes(data, "t.pdf")
    assert (result.invoice.invoice_code, result.invoice.invoice_number) == ("011001900111", "12345678")
    assert "qr.other_invoice" in {f.code for f in result.findings} and result.status.value != "verified"


# ---------------------------------------------------------------- OFD

_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def _text_object(oid: int, x: float, y: float, text: str) -> str:
    return (
        f"<ofd:TextObject ID='{oid}' Boundary='{x} {y} 60 5' Size='3.5'>"
        f"<ofd:TextCode X='0' Y='4'>{text}</ofd:TextCode></ofd:TextObject>"
    )


def _ofd_package(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def _ofd_xml(custom_datas: str = "") -> str:
    return (
        f"<ofd:OFD {_NS}><ofd:DocBody><ofd:DocInfo><ofd:CustomDatas>{custom_datas}</ofd:CustomDatas></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )


def _document(page_loc: str, template_loc: str | None = None, tags: bool = False) -> str:
    tpl = f"<ofd:TemplatePage ID='9' BaseLoc='{template_loc}'/>" if template_loc else ""
    return (
        f"<ofd:Document {_NS}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox>"
        f"</ofd:PageArea>{tpl}</ofd:CommonData><ofd:Pages><ofd:Page ID='1' BaseLoc='{page_loc}'/></ofd:Pages>"
        + ("<ofd:CustomTags>Tags/CustomTags.xml</ofd:CustomTags>" if tags else "")
        + "</ofd:Document>"
    )


def _page(objects: str, template: bool = False) -> str:
    use = "<ofd:Template TemplateID='9'/>" if template else ""
    return f"<ofd:Page {_NS}>{use}<ofd:Content><ofd:Layer>{objects}</ofd:Layer></ofd:Content></ofd:Page>"


def test_digital_ofd_with_only_a_custom_tag_map_gives_its_fields() -> None:
    objects = (
        _text_object(10, 150, 10, "24112000000048542163")
        + _text_object(11, 150, 16, "2024年05月28日")
        + _text_object(12, 30, 30, "海南某某科技有限公司")
        + _text_object(13, 120, 100, "¥")
        + _text_object(14, 124, 100, "4197.17")
        + _text_object(15, 170, 100, "¥")
        + _text_object(16, 174, 100, "251.83")
        + _text_object(17, 30, 300, "off the page")
    )
    tag = (
        f"<ofd:root {_NS}><ofd:InvoiceNo><ofd:ObjectRef PageRef='1'>10</ofd:ObjectRef></ofd:InvoiceNo>"
        "<ofd:IssueDate><ofd:ObjectRef PageRef='1'>11</ofd:ObjectRef></ofd:IssueDate>"
        "<ofd:Buyer><ofd:BuyerName><ofd:ObjectRef PageRef='1'>12</ofd:ObjectRef></ofd:BuyerName></ofd:Buyer>"
        "<ofd:TaxExclusiveTotalAmount><ofd:ObjectRef PageRef='1'>13</ofd:ObjectRef>"
        "<ofd:ObjectRef PageRef='1'>14</ofd:ObjectRef></ofd:TaxExclusiveTotalAmount>"
        "<ofd:TaxTotalAmount><ofd:ObjectRef PageRef='1'>15</ofd:ObjectRef>"
        "<ofd:ObjectRef PageRef='1'>16</ofd:ObjectRef></ofd:TaxTotalAmount></ofd:root>"
    )
    data = _ofd_package(
        {
            "OFD.xml": _ofd_xml("<ofd:CustomData Name='购买方纳税人识别号'>91460300MAA92DJN95</ofd:CustomData>"),
            "Doc_0/Document.xml": _document("Pages/Page_0/Content.xml", tags=True),
            "Doc_0/Pages/Page_0/Content.xml": _page(objects),
            "Doc_0/Tags/CustomTags.xml": f"<ofd:CustomTags {_NS}><ofd:CustomTag TypeID='root'>"
            "<ofd:FileLoc>CustomTag.xml</ofd:FileLoc></ofd:CustomTag></ofd:CustomTags>",
            "Doc_0/Tags/CustomTag.xml": tag,
        }
    )
    doc = load_document(data, "inv.ofd")
    got = {k: fv.value for k, fv in doc.structured.items()}
    assert got["invoice_number"] == "24112000000048542163" and str(got["issue_date"]) == "2024-05-28"
    assert got["buyer_name"] == "海南某某科技有限公司" and got["buyer_tax_id"] == "91460300MAA92DJN95"
    assert (got["total_amount"], got["total_tax"]) == (Decimal("4197.17"), Decimal("251.83"))
    assert all("off the page" not in b.text for b in doc.pages[0].boxes)


def test_2017_tax_ticket_tags_with_temps_template_and_no_pages_folder() -> None:
    template = "".join(_text_object(20 + i, 20 + 8 * i, 30, ch) for i, ch in enumerate("名称"))
    objects = (
        _text_object(30, 40, 30, "程某某")
        + _text_object(31, 150, 10, "00000002")
        + _text_object(32, 120, 50, "大贲创新（北京）有限公司")
    )
    tag = (
        "<fp:TAX_TICKET xmlns:ofd='http://www.ofdspec.org/2016' xmlns:fp='http://www.e-invoice.gov.cn/2017'>"
        "<fp:HEAD><fp:FP_DM><ofd:ObjectRef PageRef='1'>31</ofd:ObjectRef></fp:FP_DM></fp:HEAD>"
        "<fp:BUYER><fp:GMF><fp:MC><ofd:ObjectRef PageRef='1'>30</ofd:ObjectRef></fp:MC><fp:NSRSBH/></fp:GMF></fp:BUYER>"
        "<fp:SALE><fp:XSF><fp:XSF_MC><ofd:ObjectRef PageRef='1'>32</ofd:ObjectRef></fp:XSF_MC></fp:XSF></fp:SALE>"
        "</fp:TAX_TICKET>"
    )
    data = _ofd_package(
        {
            "OFD.xml": _ofd_xml("<ofd:CustomData Name='发票号码'>2000000001</ofd:CustomData>"),
            "Doc_0/Document.xml": _document("Content_0.xml", "Temps/Temp_0/Content.xml", tags=True),
            "Doc_0/Content_0.xml": _page(objects, template=True),
            "Doc_0/Temps/Temp_0/Content.xml": _page(template),
            "Doc_0/Tags/CustomTags.xml": f"<ofd:CustomTags {_NS}><ofd:CustomTag TypeID='fp'>"
            "<ofd:FileLoc>/Doc_0/Tags/Tag_zzsfapiao.xml</ofd:FileLoc></ofd:CustomTag></ofd:CustomTags>",
            "Doc_0/Tags/Tag_zzsfapiao.xml": tag,
        }
    )
    doc = load_document(data, "inv.ofd")
    got = {k: fv.value for k, fv in doc.structured.items()}
    assert got == {
        "invoice_code": "00000002",
        "buyer_name": "程某某",
        "seller_name": "大贲创新（北京）有限公司",
        "invoice_number": "2000000001",
    }
    texts = [b.text for b in doc.pages[0].boxes]
    assert {"名", "称", "程某某"} <= set(texts)  # the template (Temps/) and the page (no Pages/ folder) both read
    page = read_page(doc.pages[0])
    assert any(lb.kind == "name" for lb in page.labels)  # 名|称 one object per character: rejoined


def test_ofd_qr_image_and_attachment_graph_code_are_read() -> None:

    members = {
        "OFD.xml": _ofd_xml(),
        "Doc_0/Document.xml": _document("Pages/Page_0/Content.xml"),
        "Doc_0/Pages/Page_0/Content.xml": _page(_text_object(1, 10, 10, "发票")),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
        zf.writestr("Doc_0/Res/image_1.png", qr_png(OLD_QR))  # 数电 OFDs: the QR only as an image
    doc = load_document(buf.getvalue(), "inv.ofd")
    assert [q.text for q in doc.pages[0].qr] == [OLD_QR]
    attach = (
        "<Invoice><InvoiceCode>011001900111</InvoiceCode><InvoiceNo>12345678</InvoiceNo>"
        f"<GraphCode>{OLD_QR}</GraphCode><TaxTotalAmount>***</TaxTotalAmount></Invoice>"
    )
    doc = load_document(_ofd_package({**members, "Doc_0/Attachs/original_invoice.xml": attach}), "inv.ofd")
    assert [q.text for q in doc.pages[0].qr] == [OLD_QR]
    assert doc.structured["total_tax"].value == Decimal("0.00")


def test_title_split_across_font_runs_is_read_whole() -> None:
    """ "电子发票（" "增值税专用" "发票）" as three runs (the middle one in another colour): the type is read
    from the whole title."""
    labels = [p for p in OLD_LABELS if p[2] != "北京增值税电子普通发票"]
    doc = pymupdf.open(stream=_pdf(_cn(labels) + _cn(OLD_VALUES)), filetype="pdf")
    for x, text, colour in (
        (250, "电子发票（", (0, 0, 0)),
        (295, "增值税专用", (0.6, 0.2, 0)),
        (340, "发票）", (0, 0, 0)),
    ):
        doc[0].insert_text((x, 40), text, fontname="china-s", fontsize=9, color=colour)
    inv = _extract(doc.tobytes())
    assert inv.title == "电子发票（增值税专用发票）" and inv.invoice_type.value == "digital_special"


def test_merged_header_cells_are_split_into_their_columns() -> None:
    labels = [p for p in OLD_LABELS if p[2] not in {"金额", "税率"}] + [(440, 180, "金额税率")]
    inv = _extract(_pdf(_cn(labels) + _cn(OLD_VALUES)))
    assert [(i.amount, i.tax_rate, i.tax) for i in inv.items] == [
        (Decimal("100.00"), "6%", Decimal("6.00")),
        (Decimal("-10.00"), "6%", Decimal("-0.60")),
    ]
    assert inv.items[0].name == "*信息技术服务*软件开发服务" and inv.total_amount == Decimal("90.00")


def test_footer_names_skip_a_colon_box_and_stop_at_the_next_label() -> None:
    labels = [p for p in OLD_LABELS if p[2] != "开票人："] + [
        (300, 370, "开票人"),
        (338, 370, "："),
        (120, 385, "收款人:"),
    ]
    values = [v for v in OLD_VALUES if v[2] != "张三"] + [(352, 370, "张三"), (160, 385, "李四;    复核人:王五;")]
    inv = _extract(_pdf(_cn(labels) + _cn(values)))
    assert (inv.drawer, inv.payee) == ("张三", "李四")


def test_amount_in_words_label_spelled_out_with_its_bracketed_tail() -> None:
    pieces = [(30, 280, "价"), (48, 280, "税"), (66, 280, "合"), (84, 280, "计（大写）")]
    inv = _extract(_pdf(_cn(_replace(OLD_LABELS, "价税合计（大写）", pieces)) + _cn(OLD_VALUES)))
    assert inv.amount_in_words == "玖拾伍圆肆角整" and inv.amount_with_tax == Decimal("95.40")
    assert inv.total_amount == Decimal("90.00") and len(inv.items) == 2
