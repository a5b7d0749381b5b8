"""Hostile and broken files, each with the words its rejection must contain. Built on first use and kept for
the session (the 10,000-page PDF and the 300 MB zip bomb take seconds and memory; collection builds nothing).
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import pymupdf
from PIL import Image

from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf


@functools.cache
def good_pdf() -> bytes:
    """A digital invoice that reads cleanly (invoice number 12345678)."""
    return placed_pdf(OLD_LABELS, OLD_VALUES)


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, format="JPEG")
    return buf.getvalue()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, format="PNG")
    return buf.getvalue()


def _many_pages(n: int) -> bytes:
    """An n-page PDF of empty pages, written directly (pymupdf takes tens of seconds to make 10,000 pages)."""
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Count %d /Kids [%s] >>" % (n, kids)]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>"] * n
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


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
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:  # the fast level: 2 s, not 5
        zf.writestr("OFD.xml", "<OFD><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody></OFD>")
        with zf.open("Doc_0/Document.xml", "w") as member:  # ~300 MB unpacked, ~1.3 MB packed
            member.write(b"<a>")
            for _ in range(300):
                member.write(b" " * 1_000_000)
            member.write(b"</a>")
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


def _billion_laughs() -> bytes:
    entities = b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    return b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + entities + b"]><EInvoice>&lol9;</EInvoice>"


def _xxe() -> bytes:
    return (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<EInvoice><Header><EIid>&e;</EIid></Header></EInvoice>"
    )


CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty.pdf": (lambda: b"", "empty"),
    "truncated.pdf": (lambda: good_pdf()[: len(good_pdf()) // 3], "cannot be opened"),
    "truncated.jpg": (lambda: _jpeg()[:200], "cannot be decoded"),
    "truncated.png": (lambda: _png()[:60], "cannot be decoded"),
    "encrypted.pdf": (_encrypted, "password"),
    "pages.pdf": (lambda: _many_pages(10_000), "pages"),
    "bomb.ofd": (_zip_bomb_ofd, "bytes"),
    "pixel-bomb.png": (_pixel_bomb_png, "too large"),
    "traversal.ofd": (_traversal_ofd, "missing"),
    "laughs.xml": (_billion_laughs, "entities"),
    "xxe.xml": (_xxe, "entities"),
    "minutes.pdf": (_not_an_invoice, "invoice"),
    "photo.png": (_png, "no text was found"),
    "invoice.docx": (lambda: b"PK\x03\x04" + b"\x00" * 100, "not a PDF, image"),
}
"""File name → (its bytes, words its rejection message must contain)."""


@functools.cache
def hostile_bytes(name: str) -> bytes:
    return CASES[name][0]()


def expected_reason(name: str) -> str:
    return CASES[name][1]
