"""The sample generator's ground truth is internally consistent and its documents say what the truth says."""

from __future__ import annotations

import io
import json
import random
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import numpy as np
import pymupdf
import pytest

from fapiao.core.models import DIGITAL_TYPES, TYPE_BY_CODE, Invoice, InvoiceType
from fapiao.intake.amount_words import parse_words
from fapiao.ocr.qr import decode_qr
from samples.generator import build_pdf, generate_set, random_invoice, render_ofd, render_pages, render_xml
from samples.generator.ids import org_check, resident_check, uscc_check
from samples.generator.truth import KINDS

OFD_NS = {"ofd": "http://www.ofdspec.org/2016"}
REGION_TITLES = {
    "1100": "北京",
    "3100": "上海",
    "4400": "广东",
    "4403": "深圳",
    "3300": "浙江",
    "3302": "宁波",
    "3200": "江苏",
    "3502": "厦门",
    "3702": "青岛",
    "2102": "大连",
    "5100": "四川",
}


def invoices(n: int = 60, seed: int = 7) -> list[Invoice]:
    rng = random.Random(seed)
    return [random_invoice(rng, KINDS[i % len(KINDS)]) for i in range(n)]


def valid_tax_id(tid: str) -> bool:
    if len(tid) == 18:
        uscc_ok = uscc_check(tid[:17]) == tid[17] and org_check(tid[8:16]) == tid[16]
        return uscc_ok or (tid[:17].isdigit() and resident_check(tid[:17]) == tid[17])
    if len(tid) == 15:
        return org_check(tid[6:14]) == tid[14]
    return False


def test_known_checksums():
    for code in ("91110000600037341L", "914403001922038216", "91100000100003962T", "9144030071526726XG"):
        assert valid_tax_id(code)
    assert uscc_check("91440300192203821") != "7"
    assert resident_check("11010519491231002") == "X"


@pytest.mark.parametrize("inv", invoices(), ids=lambda i: f"{i.invoice_type.value}-{i.invoice_number}")
def test_truth_is_consistent(inv: Invoice):
    assert TYPE_BY_CODE[inv.type_code] is inv.invoice_type
    for tid in (inv.seller_tax_id, inv.buyer_tax_id):
        assert tid is None or valid_tax_id(tid), tid
    assert inv.seller_tax_id
    amounts = [i.amount for i in inv.items]
    assert sum(amounts) == inv.total_amount
    assert sum(i.tax or 0 for i in inv.items) == inv.total_tax
    assert inv.total_amount + inv.total_tax == inv.amount_with_tax
    assert parse_words(inv.amount_in_words) == inv.amount_with_tax
    for it in inv.items:
        if it.tax is not None:
            assert abs(it.amount * Decimal(it.tax_rate[:-1]) / 100 - it.tax) <= Decimal("0.006")
        if it.quantity is not None and it.unit_price is not None:
            assert abs(it.quantity * it.unit_price - it.amount) <= Decimal("0.01")
            assert len(format(it.unit_price, "f").partition(".")[2]) <= 8
    if inv.is_red_letter:
        assert all(a <= 0 for a in amounts) and inv.amount_in_words.startswith("（负数）")
        assert "发票" in (inv.remarks or "")
    _check_code_structure(inv)


def _check_code_structure(inv: Invoice):
    year = inv.issue_date.year
    if inv.invoice_type in DIGITAL_TYPES:
        assert inv.invoice_code is None and inv.check_code is None and inv.machine_number is None
        assert re.fullmatch(r"\d{20}", inv.invoice_number) and int(inv.invoice_number[:2]) == year % 100
        assert year >= 2022
        return
    code = inv.invoice_code
    assert re.fullmatch(r"0\d{11}", code)
    assert (
        code[-2:] == {InvoiceType.e_normal: "11", InvoiceType.e_special: "13", InvoiceType.toll: "12"}[inv.invoice_type]
    )
    assert 0 < int(code[5:7]) <= year % 100
    assert re.fullmatch(r"\d{8}", inv.invoice_number) and inv.invoice_number != "00000000"
    assert re.fullmatch(r"\d{20}", inv.check_code) and re.fullmatch(r"\d{12}", inv.machine_number)
    if code[1:5] in REGION_TITLES:
        assert inv.title.startswith(REGION_TITLES[code[1:5]])


def test_person_buyers_have_no_tax_id_and_only_on_normal_types():
    for inv in invoices(200, seed=3):
        if not inv.buyer_tax_id:
            assert inv.invoice_type not in (InvoiceType.e_special, InvoiceType.digital_special)
            assert inv.buyer_is_person


def test_steering_overrides():
    rng = random.Random(1)
    inv = random_invoice(rng, "e_normal", red_letter=True, n_items=3, person_buyer=True)
    assert inv.is_red_letter and len(inv.items) == 3 and inv.buyer_tax_id is None
    assert inv.remarks.startswith("对应正数发票代码:")
    inv = random_invoice(rng, "digital_special", discount=True, n_items=2)
    assert any(i.amount < 0 for i in inv.items) and not inv.is_red_letter
    d = inv.items.index(next(i for i in inv.items if i.amount < 0))
    assert inv.items[d].name == inv.items[d - 1].name and inv.items[d].tax_rate == inv.items[d - 1].tax_rate
    toll = random_invoice(rng, "toll", n_items=2)
    assert all(i.plate_number and i.period_start <= i.period_end <= toll.issue_date for i in toll.items)


def _page_image(page: pymupdf.Page) -> np.ndarray:
    pix = page.get_pixmap(dpi=150)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[:, :, :3][:, :, ::-1].copy()


@pytest.mark.parametrize("kind", [k.value for k in KINDS])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pdf_text_layer_and_qr(kind: str, seed: int):
    rng = random.Random(seed * 100 + len(kind))
    inv = random_invoice(rng, kind, n_items=rng.choice((1, 3, 12)))
    data, placements = build_pdf([inv], rng)
    doc = pymupdf.open(stream=data, filetype="pdf")
    text = "".join(p.get_text() for p in doc).replace(" ", "").replace("\n", "")
    for value in (
        inv.invoice_number,
        inv.invoice_code,
        inv.seller_tax_id,
        inv.buyer_name,
        str(inv.amount_with_tax),
        inv.amount_in_words,
    ):
        if value:
            assert value.replace(" ", "") in text, value
    first_item = inv.items[0].name
    assert first_item[:6] in text
    found = decode_qr(_page_image(doc[0]))
    assert found, "QR not decoded"
    assert found[0].text == placements[0].qr
    fields = found[0].text.split(",")
    expected_type = "20" if inv.invoice_type is InvoiceType.e_special else inv.type_code
    expected_amount = inv.amount_with_tax if inv.invoice_type in DIGITAL_TYPES else inv.total_amount
    assert fields[:4] == ["01", expected_type, inv.invoice_code or "", inv.invoice_number]
    assert Decimal(fields[4]) == expected_amount and fields[5] == inv.issue_date.strftime("%Y%m%d")
    assert fields[6] == (inv.check_code or "") and len(fields[7]) == 4


def test_pdf_labels_come_before_values():
    rng = random.Random(11)
    for _ in range(10):
        inv = random_invoice(rng, "e_normal", n_items=2)
        data, placements = build_pdf([inv], rng)
        if "joined" in placements[0].layout:
            continue
        text = pymupdf.open(stream=data, filetype="pdf")[0].get_text(sort=False)
        assert text.index("开票人") < text.index(inv.seller_name)
        return
    pytest.fail("no split layout drawn")


def test_multi_invoice_pdf_and_list_pages():
    rng = random.Random(5)
    invs = [random_invoice(rng, "e_normal", n_items=14), random_invoice(rng, "digital_normal", n_items=2)]
    data, placements = build_pdf(invs, rng)
    doc = pymupdf.open(stream=data, filetype="pdf")
    assert [p.pages for p in placements] == [[1, 2], [3]]
    assert placements[0].layout.endswith("+list")
    assert "销货清单" in doc[0].get_text() and "服务清单" in doc[1].get_text()
    assert invs[0].items[-1].name[:6] in doc[1].get_text().replace("\n", "")


def test_ofd_is_well_formed():
    rng = random.Random(4)
    for kind in ("e_normal", "digital_special"):
        inv = random_invoice(rng, kind)
        z = zipfile.ZipFile(io.BytesIO(render_ofd(inv, rng)))
        root = ET.fromstring(z.read("OFD.xml"))
        assert root.find("ofd:DocBody/ofd:DocRoot", OFD_NS).text == "Doc_0/Document.xml"
        doc = ET.fromstring(z.read("Doc_0/Document.xml"))
        loc = doc.find("ofd:Pages/ofd:Page", OFD_NS).get("BaseLoc")
        page = ET.fromstring(z.read(f"Doc_0/{loc}"))
        codes = page.findall(".//ofd:TextObject/ofd:TextCode", OFD_NS)
        texts = "".join(c.text or "" for c in codes)
        assert inv.invoice_number in texts and inv.seller_name in texts
        for obj in page.findall(".//ofd:TextObject", OFD_NS):
            assert len(obj.get("Boundary").split()) == 4
        ET.fromstring(z.read("Doc_0/PublicRes.xml"))
        if kind == "e_normal":
            att = ET.fromstring(z.read("Doc_0/Attachs/original_invoice.xml"))
            fp = {"fp": "http://www.edrm.org.cn/schema/e-invoice/2019"}
            assert att.find("fp:InvoiceCode", fp).text == inv.invoice_code
            assert att.find("fp:TaxExclusiveTotalAmount", fp).text == str(inv.total_amount)


def test_xml_einvoice_matches_truth():
    rng = random.Random(9)
    inv = random_invoice(rng, "digital_normal", n_items=3)
    root = ET.fromstring(render_xml(inv, rng))
    assert root.tag == "EInvoice"
    assert root.findtext("Header/EIid") == inv.invoice_number
    assert root.findtext("EInvoiceData/SellerInformation/SellerIdNum") == inv.seller_tax_id
    assert root.findtext("EInvoiceData/BuyerInformation/BuyerName") == inv.buyer_name
    assert root.findtext("EInvoiceData/BasicInformation/TotalTax-includedAmount") == str(inv.amount_with_tax)
    items = root.findall("EInvoiceData/IssuItemInformation")
    assert [i.findtext("Amount") for i in items] == [str(i.amount) for i in inv.items]
    assert root.findtext("TaxSupervisionInfo/InvoiceNumber") == inv.invoice_number
    with pytest.raises(ValueError):
        render_xml(random_invoice(rng, "e_normal"))


def test_render_pages():
    rng = random.Random(2)
    pdf = build_pdf([random_invoice(rng, "e_special", n_items=1)], rng)[0]
    pages = render_pages(pdf, dpi=72)
    assert len(pages) == 1 and pages[0][:8] == b"\x89PNG\r\n\x1a\n"


def test_generate_set_is_deterministic(tmp_path):
    a = generate_set(tmp_path / "a", 8, seed=3, formats=("pdf", "ofd", "xml", "png"))
    b = generate_set(tmp_path / "b", 8, seed=3, formats=("pdf", "ofd", "xml", "png"))
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b, strict=True):
        ta = json.loads(pa.with_name(pa.name + ".truth.json").read_text())
        tb = json.loads(pb.with_name(pb.name + ".truth.json").read_text())
        assert ta == tb
        assert ta["file"] == pa.name and ta["format"] == pa.suffix[1:]
        for entry in ta["invoices"]:
            Invoice.model_validate(entry["invoice"])


def test_text_stays_on_the_page_and_spacing_does_not_leak():
    rng = random.Random(21)
    for i in range(25):
        inv = random_invoice(rng, KINDS[i % len(KINDS)])
        doc = pymupdf.open(stream=build_pdf([inv], rng)[0], filetype="pdf")
        for page in doc:
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", ()):
                    for span in line["spans"]:
                        assert span["bbox"][2] <= page.rect.width - 1, span
                        chars = span["chars"]
                        if chars and all("\u4e00" <= c["c"] <= "\u9fff" for c in chars) and len(chars) > 1:
                            advance = (chars[-1]["origin"][0] - chars[0]["origin"][0]) / (len(chars) - 1)
                            assert advance == pytest.approx(span["size"], rel=0.05), "".join(c["c"] for c in chars)
