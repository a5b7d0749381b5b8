"""Hostile and broken input: each file gets a clear `rejected` result (which file, what is wrong, what to
do) within bounded time, and nothing crashes the run."""

from __future__ import annotations

import io
import resource
import struct
import time
import zipfile
import zlib

import pymupdf
import pytest
from PIL import Image

from fapiao.core.models import Status
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf

GOOD = placed_pdf(OLD_LABELS, OLD_VALUES)


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, format="JPEG")
    return buf.getvalue()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, format="PNG")
    return buf.getvalue()


def _many_pages(n: int) -> bytes:
    doc = pymupdf.open()
    for _ in range(n):
        doc.new_page(width=100, height=100)
    return doc.tobytes()


def _pixel_bomb_png() -> bytes:
    """A PNG header claiming 50,000 × 50,000 pixels (7.5 GB decoded as RGB) with a few bytes of data behind it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def _zip_bomb_ofd() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OFD.xml", "<OFD><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody></OFD>")
        zf.writestr("Doc_0/Document.xml", b"<a>" + b" " * 300_000_000 + b"</a>")  # ~300 MB unpacked, ~300 KB packed
    return buf.getvalue()


def _traversal_ofd() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("OFD.xml", "<OFD><DocBody><DocRoot>../../../../etc/passwd</DocRoot></DocBody></OFD>")
        zf.writestr("../../../../etc/passwd", "<x/>")
    return buf.getvalue()


def _encrypted() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((50, 50), "发票")
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")


def _not_an_invoice() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text(
        (50, 50), "会议纪要 2024年 本次会议讨论了年度预算与人员安排，请各部门按时提交材料。", fontname="china-s"
    )
    return doc.tobytes()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b"]><EInvoice>&lol9;</EInvoice>"
)
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><EInvoice><Header><EIid>&e;</EIid></Header></EInvoice>'

CASES = {
    "empty.pdf": (b"", "empty"),
    "truncated.pdf": (GOOD[: len(GOOD) // 3], ""),
    "truncated.jpg": (_jpeg()[:200], "cannot be decoded"),
    "truncated.png": (_png()[:60], "cannot be decoded"),
    "encrypted.pdf": (_encrypted(), "password"),
    "pages.pdf": (_many_pages(10_000), "pages"),
    "bomb.ofd": (_zip_bomb_ofd(), "bytes"),
    "pixel-bomb.png": (_pixel_bomb_png(), "too large"),
    "traversal.ofd": (_traversal_ofd(), "missing"),
    "laughs.xml": (BILLION_LAUGHS, "entities"),
    "xxe.xml": (XXE, "entities"),
    "minutes.pdf": (_not_an_invoice(), "invoice"),
    "photo.png": (_png(), ""),
    "invoice.docx": (b"PK\x03\x04" + b"\x00" * 100, ""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_is_rejected_clearly_and_quickly(name: str) -> None:
    data, expected = CASES[name]
    pipeline = Pipeline(PipelineOptions())
    start = time.monotonic()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (result,) = pipeline.process_bytes(data, name)
    elapsed = time.monotonic() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert result.status is Status.rejected
    assert name in result.error and expected in result.error
    assert elapsed < 20, f"{name} took {elapsed:.1f} s"
    assert grown_mb < 500, f"{name} grew the process by {grown_mb:.0f} MB"


def test_a_bad_file_does_not_stop_the_next_one() -> None:
    pipeline = Pipeline(PipelineOptions(ocr=False))
    results = [r for name in ("laughs.xml", "encrypted.pdf") for r in pipeline.process_bytes(CASES[name][0], name)]
    results += pipeline.process_bytes(GOOD, "good.pdf")
    assert [r.status for r in results][:2] == [Status.rejected, Status.rejected]
    assert results[2].invoice.invoice_number == "12345678"
