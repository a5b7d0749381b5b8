"""Replay canvas pages into a PDF the way e-invoice software writes one: a hand-built content stream.

Writing the stream directly (instead of one ``insert_text`` call per string) keeps generation fast and gives
the knobs real files have: one BT/ET text object per string, form before data, character spacing (Tc), a
non-embedded CJK font (tiny files) or an embedded subset, a QR code as an image or as vector rectangles.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pymupdf

from fapiao.core.models import Invoice
from samples.generator.canvas import CrossCircle, Line, PageSpec, QrCode, Text, ascii_widths
from samples.generator.layouts import Rendered, layout_invoice
from samples.generator.qr import modules, qr_png
from samples.generator.quirks import Quirks

FONT = "F1"


@dataclass
class Placement:
    """Where one invoice landed in a multi-invoice PDF."""

    invoice: Invoice
    pages: list[int]
    layout: str
    qr: str = ""
    """The QR payload printed on the invoice (empty for XML)."""


def render_pdf(invoices: list[Invoice] | Invoice, rng: random.Random, quirks: Quirks | None = None) -> bytes:
    """One or more invoices (each on its own page or pages) as PDF bytes."""
    return build_pdf(invoices, rng, quirks)[0]


def build_pdf(
    invoices: list[Invoice] | Invoice, rng: random.Random, quirks: Quirks | None = None
) -> tuple[bytes, list[Placement]]:
    """``quirks`` turns on real-invoice habits (see ``samples.generator.quirks``); none by default."""
    if isinstance(invoices, Invoice):
        invoices = [invoices]
    rendered = [layout_invoice(inv, rng, quirks=quirks) for inv in invoices]
    return write_pdf(rendered, rng)


def write_pdf(rendered: list[Rendered], rng: random.Random) -> tuple[bytes, list[Placement]]:
    doc = pymupdf.open()
    placements: list[Placement] = []
    embedded = any(r.style.embedded for r in rendered)
    font_xref = 0
    for r in rendered:
        first = doc.page_count + 1
        for spec in r.pages:
            page = doc.new_page(width=spec.width, height=spec.height)
            font_xref = _font(doc, page, embedded, font_xref)
            _draw(doc, page, spec, embedded)
        placements.append(Placement(r.invoice, list(range(first, doc.page_count + 1)), r.layout, r.qr))
    doc.set_metadata(
        {
            "producer": rng.choice(("", "iText 5.5.13", "Adobe PDF Library 15.0", "ofd2pdf")),
            "creator": "fapiao sample generator",
            "title": "",
            "author": "",
            "subject": "",
            "keywords": "",
        }
    )
    if embedded:
        doc.subset_fonts()
    data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)  # no random /ID: same seed, same bytes
    doc.close()
    return data, placements


@lru_cache(maxsize=1)
def _cjk_buffer() -> bytes:
    return pymupdf.Font("cjk").buffer


def _font(doc: pymupdf.Document, page: pymupdf.Page, embedded: bool, xref: int) -> int:
    """Register the font as /F1 on ``page``, adding it to the document only once."""
    if not xref and embedded:
        return page.insert_font(fontname=FONT, fontbuffer=_cjk_buffer())
    if not xref:
        xref = _builtin_font(doc)
    doc.xref_set_key(page.xref, "Resources", f"<</Font<</{FONT} {xref} 0 R>>>>")
    return xref


def _builtin_font(doc: pymupdf.Document) -> int:
    """A non-embedded Adobe-GB1 CID font (STSong-Light style): the viewer supplies the glyphs, files stay tiny.

    Written by hand because PyMuPDF's own builtin-CJK insertion loads a whole font per call; the /W array
    gives ASCII the widths the layouts measured with.
    """
    name = "STSong-Light"
    desc = doc.get_new_xref()
    doc.update_object(
        desc,
        f"<</Type/FontDescriptor/FontName/{name}/Flags 6/FontBBox[-25 -254 1000 880]"
        "/ItalicAngle 0/Ascent 880/Descent -120/CapHeight 880/StemV 93>>",
    )
    cid = doc.get_new_xref()
    doc.update_object(
        cid,
        f"<</Type/Font/Subtype/CIDFontType0/BaseFont/{name}"
        f"/CIDSystemInfo<</Registry(Adobe)/Ordering(GB1)/Supplement 5>>/FontDescriptor {desc} 0 R"
        f"/DW 1000/W {ascii_widths()}>>",
    )
    font = doc.get_new_xref()
    doc.update_object(
        font,
        f"<</Type/Font/Subtype/Type0/BaseFont/{name}-UniGB-UTF16-H/Encoding/UniGB-UTF16-H/DescendantFonts[{cid} 0 R]>>",
    )
    return font


def _draw(doc: pymupdf.Document, page: pymupdf.Page, spec: PageSpec, embedded: bool) -> None:
    h = spec.height
    parts: list[str] = []
    images: list[QrCode] = []
    for op in spec.ordered():
        if isinstance(op, Line):
            parts.append(_line(op, h))
        elif isinstance(op, Text):
            parts.append(_text(op, h, embedded))
        elif isinstance(op, CrossCircle):
            parts.append(_cross(op, h))
        elif isinstance(op, QrCode):
            if op.vector:
                parts.append(_vector_qr(op, h))
            else:
                images.append(op)
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    doc.update_stream(xref, "\n".join(parts).encode("latin-1"))
    doc.xref_set_key(page.xref, "Contents", f"{xref} 0 R")
    for op in images:
        page.insert_image(pymupdf.Rect(op.x, op.y, op.x + op.size, op.y + op.size), stream=qr_png(op.payload))


def _rgb(c: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.3g}" for v in c)


def _line(op: Line, h: float) -> str:
    return f"{op.width:.2f} w {_rgb(op.color)} RG {op.x0:.2f} {h - op.y0:.2f} m {op.x1:.2f} {h - op.y1:.2f} l S"


def _text(op: Text, h: float, embedded: bool) -> str:
    tc = f" {op.spacing:.2f} Tc" if op.spacing else ""
    head = f"BT /{FONT} {op.size:.2f} Tf{tc} {_rgb(op.color)} rg 1 0 0 1 {op.x:.2f} {h - op.y:.2f} Tm"
    body = [f"<{_encode(op.text, embedded)}> Tj"]
    for extra in op.lines:
        body.append(f"0 {-op.size * 1.25:.2f} Td <{_encode(extra, embedded)}> Tj")
    text = " ".join([head, *body, "ET"])
    return f"q {text} Q" if op.spacing else text  # Tc outlives ET; q/Q keeps it to this object


@lru_cache(maxsize=1)
def _cjk_font() -> pymupdf.Font:
    return pymupdf.Font("cjk")


@lru_cache(maxsize=8192)
def _glyph(ch: str) -> int:
    return _cjk_font().has_glyph(ord(ch))


def _encode(text: str, embedded: bool) -> str:
    """Hex string: glyph ids for the embedded Identity-H font, UTF-16BE for the built-in UniGB-UTF16-H one."""
    if embedded:
        return "".join(f"{_glyph(ch):04x}" for ch in text)
    return text.encode("utf-16-be").hex()


def _cross(op: CrossCircle, h: float) -> str:
    """ⓧ: a circle (four Bézier arcs) with a cross inside."""
    r = op.size * 0.42
    cx, cy = op.x + r, h - (op.y - op.size * 0.35)
    k = r * 0.5523
    d = r * 0.6
    return (
        f"0.5 w {_rgb(op.color)} RG {cx + r:.2f} {cy:.2f} m "
        f"{cx + r:.2f} {cy + k:.2f} {cx + k:.2f} {cy + r:.2f} {cx:.2f} {cy + r:.2f} c "
        f"{cx - k:.2f} {cy + r:.2f} {cx - r:.2f} {cy + k:.2f} {cx - r:.2f} {cy:.2f} c "
        f"{cx - r:.2f} {cy - k:.2f} {cx - k:.2f} {cy - r:.2f} {cx:.2f} {cy - r:.2f} c "
        f"{cx + k:.2f} {cy - r:.2f} {cx + r:.2f} {cy - k:.2f} {cx + r:.2f} {cy:.2f} c S "
        f"{cx - d:.2f} {cy - d:.2f} m {cx + d:.2f} {cy + d:.2f} l S "
        f"{cx - d:.2f} {cy + d:.2f} m {cx + d:.2f} {cy - d:.2f} l S"
    )


def _vector_qr(op: QrCode, h: float) -> str:
    """QR modules as filled rectangles, one per horizontal run of dark modules."""
    dark = modules(op.payload)
    n = dark.shape[0]
    quiet = 2
    m = op.size / (n + 2 * quiet)
    rects = []
    for row in range(n):
        y = h - (op.y + (row + quiet + 1) * m)
        bits = np.flatnonzero(np.diff(np.concatenate(([0], dark[row].astype(np.int8), [0]))))
        for start, stop in zip(bits[::2], bits[1::2], strict=True):
            rects.append(f"{op.x + (start + quiet) * m:.3f} {y:.3f} {(stop - start) * m:.3f} {m:.3f} re")
    return "0 0 0 rg " + " ".join(rects) + " f"
