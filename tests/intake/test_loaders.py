"""Loaders: the real type from the bytes, clear errors for bad input, positioned text out."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from decimal import Decimal

import numpy as np
import pymupdf
import pytest
from PIL import Image

from fapiao.core.errors import CorruptDocument, EncryptedDocument, LimitExceeded, UnsupportedFormat
from fapiao.intake.loaders import LoadLimits, load_document, sniff
from fapiao.intake.loaders.sniff import DocumentKind
from tests.helpers.documents import EINVOICE_XML


def _pdf_with_text(text: str, pages: int = 1) -> bytes:
    doc = pymupdf.open()
    for _ in range(pages):
        page = doc.new_page(width=680, height=397)
        page.insert_text((40, 60), text, fontname="china-s", fontsize=10)
    return doc.tobytes()


def _png(w: int = 40, h: int = 30) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), "white").save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", DocumentKind.pdf),
        (b"\xff\xd8\xff\xe0rest", DocumentKind.jpeg),
        (b"\x89PNG\r\n\x1a\nrest", DocumentKind.png),
        (b"II*\x00rest", DocumentKind.tiff),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", DocumentKind.webp),
        (b"\xef\xbb\xbf<?xml version='1.0'?><EInvoice/>", DocumentKind.xml),
        (b"hello world", DocumentKind.unknown),
    ],
)
def test_sniff_reads_magic_bytes(data: bytes, kind: DocumentKind) -> None:
    assert sniff(data) is kind


def test_sniff_tells_ofd_from_plain_zip() -> None:
    def zipped(names: list[str]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for n in names:
                zf.writestr(n, "<x/>")
        return buf.getvalue()

    assert sniff(zipped(["OFD.xml", "Doc_0/Document.xml"])) is DocumentKind.ofd
    assert sniff(zipped(["a.pdf"])) is DocumentKind.zip


def test_pdf_named_jpg_is_read_as_pdf() -> None:
    doc = load_document(_pdf_with_text("发票号码：12345678 名称：测试有限公司"), "invoice.jpg")
    assert doc.kind == "pdf"
    texts = [b.text for b in doc.pages[0].boxes]
    assert any("12345678" in t for t in texts)
    box = doc.pages[0].boxes[0]
    assert 0 <= box.x0 < box.x1 <= 680 and 0 <= box.y0 < box.y1 <= 397


def test_pdf_without_text_layer_goes_to_ocr() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=200)
    page.insert_image(pymupdf.Rect(10, 10, 290, 190), stream=_png(280, 180))
    loaded = load_document(doc.tobytes(), "scan.pdf")
    assert loaded.pages[0].needs_ocr and loaded.pages[0].image is not None
    assert loaded.pages[0].image.ndim == 3


def test_encrypted_pdf_says_how_to_fix() -> None:
    doc = pymupdf.open()
    doc.new_page().insert_text((50, 50), "secret")
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    with pytest.raises(EncryptedDocument) as info:
        load_document(data, "locked.pdf")
    assert "locked.pdf" in str(info.value) and "password" in str(info.value)


def test_too_many_pages_is_refused() -> None:
    with pytest.raises(LimitExceeded) as info:
        load_document(_pdf_with_text("x", pages=4), "big.pdf", LoadLimits(max_pages=3))
    assert "big.pdf" in str(info.value)


def test_truncated_pdf_is_a_clear_error() -> None:
    data = _pdf_with_text("发票号码：12345678")
    with pytest.raises((CorruptDocument, UnsupportedFormat)):
        load_document(data[:200], "cut.pdf")


def test_empty_and_unknown_files() -> None:
    with pytest.raises(UnsupportedFormat, match="empty"):
        load_document(b"", "empty.pdf")
    with pytest.raises(UnsupportedFormat, match="notes.txt"):
        load_document(b"just some notes", "notes.txt")


def test_multi_page_tiff_gives_one_page_each() -> None:
    frames = [Image.new("RGB", (50, 40), c) for c in ("white", "black", "red")]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    doc = load_document(buf.getvalue(), "scan.tif")
    assert doc.kind == "tiff" and [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.pages[1].image.shape == (40, 50, 3) and int(doc.pages[1].image.max()) == 0
    assert all(p.needs_ocr for p in doc.pages)


@pytest.mark.parametrize("fmt", ["JPEG", "BMP", "WEBP"])
def test_other_image_formats_decode(fmt: str) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 30)).save(buf, format=fmt)
    page = load_document(buf.getvalue(), f"x.{fmt.lower()}").pages[0]
    assert page.image.shape == (48, 64, 3)
    b, g, r = (int(v) for v in page.image[24, 32])
    assert g > 150 and r < 60 and b < 90  # BGR order


def test_decompression_bomb_header_is_refused_before_decoding() -> None:
    # A PNG header claiming 50,000 × 50,000 pixels with no real pixel data behind it.
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )
    with pytest.raises(LimitExceeded) as info:
        load_document(png, "bomb.png")
    assert "bomb.png" in str(info.value)


def test_einvoice_xml_fields_are_read_directly() -> None:
    doc = load_document(EINVOICE_XML, "inv.xml")
    f = doc.structured
    assert f["invoice_number"].value == "24312000000136634917"
    assert f["seller_tax_id"].value == "91110000600037341L"
    assert f["buyer_name"].value == "深圳测试贸易有限公司"
    assert f["total_amount"].value == Decimal("100.00") and f["amount_with_tax"].value == Decimal("106.00")
    assert str(f["issue_date"].value) == "2024-05-14"
    assert doc.structured_items[0]["tax_rate"] == "6%" and doc.structured_items[0]["tax"] == Decimal("6.00")


def test_xml_with_entities_is_refused() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><EInvoice>&b;</EInvoice>'  # noqa: E501
    with pytest.raises(CorruptDocument, match="entities"):
        load_document(evil, "evil.xml")


def _ofd(content_xml: str, extra: dict[str, str] | None = None) -> bytes:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "OFD.xml",
            f"<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        zf.writestr(
            "Doc_0/Document.xml",
            f"<ofd:Document {ns}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:PageArea>"  # noqa: E501
            f"</ofd:CommonData><ofd:Pages><ofd:Page ID='1' BaseLoc='Pages/Page_0/Content.xml'/></ofd:Pages></ofd:Document>",  # noqa: E501
        )
        zf.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            f"<ofd:Page {ns}><ofd:Content><ofd:Layer>{content_xml}</ofd:Layer></ofd:Content></ofd:Page>",
        )
        for name, body in (extra or {}).items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_ofd_text_codes_become_positioned_boxes_in_points() -> None:
    content = (
        "<ofd:TextObject ID='2' Boundary='140 10 30 5' Size='3.5'><ofd:TextCode X='0' Y='4'>发票号码：</ofd:TextCode></ofd:TextObject>"  # noqa: E501
        "<ofd:TextObject ID='3' Boundary='160 10 30 5' Size='3.5'><ofd:TextCode X='0' Y='4' DeltaX='g 7 1.8'>12345678</ofd:TextCode></ofd:TextObject>"  # noqa: E501
    )
    doc = load_document(_ofd(content), "inv.ofd")
    page = doc.pages[0]
    assert doc.kind == "ofd" and page.width == pytest.approx(210 * 72 / 25.4)
    label, value = page.boxes
    assert value.text == "12345678" and value.x0 == pytest.approx(160 * 72 / 25.4)
    assert label.x1 <= value.x0 + 1 and abs(label.cy - value.cy) < 1


def test_ofd_attachment_xml_gives_structured_fields() -> None:
    attach = "<Invoice><InvoiceCode>011002100411</InvoiceCode><InvoiceNo>12345678</InvoiceNo><IssueDate>2021年07月20日</IssueDate></Invoice>"  # noqa: E501
    doc = load_document(_ofd("", {"Doc_0/Attachs/original_invoice.xml": attach}), "inv.ofd")
    assert doc.structured["invoice_code"].value == "011002100411"
    assert str(doc.structured["issue_date"].value) == "2021-07-20"


def test_ofd_path_traversal_names_are_never_followed() -> None:
    data = _ofd("", {"../../etc/evil.xml": "<x/>"})
    doc = load_document(data, "inv.ofd")  # the odd member is ignored, nothing is written anywhere
    assert doc.kind == "ofd"


def test_image_array_is_contiguous_bgr() -> None:
    page = load_document(_png(), "a.png").pages[0]
    assert page.image.flags["C_CONTIGUOUS"] and page.image.dtype == np.uint8
