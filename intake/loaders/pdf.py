"""Read PDFs with PyMuPDF: positioned text spans from the text layer, QR codes, and page images for pages
that have no usable text layer (scanned PDFs), which go to OCR."""

from __future__ import annotations

import re

import numpy as np
import pymupdf

from fapiao.core.errors import CorruptDocument, EncryptedDocument, LimitExceeded
from fapiao.core.messages import Message
from fapiao.core.models import FieldSource, TextBox
from fapiao.intake.loaders.base import LoadedDocument, LoadedPage, LoadLimits, QrText
from fapiao.ocr.qr import decode_qr

_MIN_TEXT_CHARS = 20
"""Fewer characters than this on a page means the text layer is not usable (a scan with a stray label)."""
_QR_RENDER_DPI = 110


def load_pdf(data: bytes, limits: LoadLimits, name: str = "") -> LoadedDocument:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # PyMuPDF raises several types for broken files
        raise CorruptDocument(
            Message.of("pdf_unopenable", name=name, error=exc), hint="re-export or re-scan the file"
        ) from exc
    with doc:
        if doc.needs_pass:
            raise EncryptedDocument(
                Message.of("pdf_encrypted", name=name),
                hint="remove the password (e.g. `qpdf --decrypt in.pdf out.pdf`) and upload it again",
            )
        if doc.page_count == 0:
            raise CorruptDocument(Message.of("pdf_no_pages", name=name), hint="check that the export finished")
        if doc.page_count > limits.max_pages:
            raise LimitExceeded(
                Message.of("too_many_pages", name=name, pages=doc.page_count, limit=limits.max_pages),
                hint="split the file or raise FAPIAO_MAX_PAGES",
            )
        pages = []
        for index in range(doc.page_count):
            try:
                page = doc.load_page(index)
            except Exception as exc:  # a malformed page tree or page object
                raise CorruptDocument(
                    Message.of("page_unloadable", name=name, page=index + 1, error=exc), hint="re-export the PDF"
                ) from exc
            pages.append(_read_page(page, limits, name))
        return LoadedDocument(kind="pdf", pages=pages, damage=_damage(doc, data))


def _damage(doc: pymupdf.Document, data: bytes) -> list[tuple[str, str]]:
    """A PDF that MuPDF had to repair (broken cross-reference table, cut short) or that does not end with a
    trailer and %%EOF was damaged on its way (or altered): it is read anyway, but never taken as verified."""
    out = []
    if doc.is_repaired:
        out.append(
            ("the PDF's structure was broken and had to be repaired to open it", "PDF 结构损坏，需修复后才能打开")
        )
    if b"%%EOF" not in data[-1024:]:
        out.append(("the PDF does not end with %%EOF: it was cut short", "PDF 末尾缺少 %%EOF 结束标记：文件不完整"))
    return out


def _read_page(page: pymupdf.Page, limits: LoadLimits, name: str) -> LoadedPage:
    number = page.number + 1
    rect = page.rect
    try:
        boxes = _text_boxes(page, number)
    except Exception as exc:
        raise CorruptDocument(
            Message.of("page_unreadable", name=name, page=number, error=exc), hint="re-export the PDF"
        ) from exc
    out = LoadedPage(number=number, width=rect.width, height=rect.height, unit="pt", boxes=boxes)
    if sum(len(b.text.strip()) for b in boxes) < _MIN_TEXT_CHARS:
        out.boxes = []
        out.needs_ocr = True
        try:
            out.image = _render(page, limits, name)
        except Exception as exc:  # broken page content that MuPDF cannot draw
            raise CorruptDocument(
                Message.of("page_unrenderable", name=name, page=number, error=exc), hint="re-export the PDF"
            ) from exc
        return out
    try:
        out.qr = _page_qr(page)
    except Exception:  # the QR is a cross-check: a page whose images or drawing are broken simply has none
        out.qr = []
    return out


def _text_boxes(page: pymupdf.Page, number: int) -> list[TextBox]:
    """Text runs as drawn, rebuilt from glyphs: a run breaks where the gap to the next glyph is wider than
    ``_GAP_EM`` of the font size. MuPDF's own spans can join neighbouring table cells into one string and
    invent spaces inside letter-spaced text; glyph gaps get both right."""
    flags = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP | pymupdf.TEXT_INHIBIT_SPACES
    boxes: list[TextBox] = []
    for block in page.get_text("rawdict", flags=flags)["blocks"]:
        for line in block.get("lines", ()):
            horizontal = abs(line.get("dir", (1, 0))[0]) >= 0.5
            for span in line["spans"]:
                boxes += _runs(span, number, horizontal)
    return boxes


_GAP_EM = 0.8


def _runs(span: dict, number: int, horizontal: bool) -> list[TextBox]:
    out: list[TextBox] = []
    size = span.get("size", 10) or 10
    run: list[dict] = []

    def flush() -> None:
        for glyphs in _split_padded(run):
            text = "".join(ch["c"] for ch in glyphs)
            if text.strip():
                x0 = min(ch["bbox"][0] for ch in glyphs)
                y0 = min(ch["bbox"][1] for ch in glyphs)
                x1 = max(ch["bbox"][2] for ch in glyphs)
                y1 = max(ch["bbox"][3] for ch in glyphs)
                box = TextBox(text=text.strip(), bbox=(x0, y0, x1, y1), page=number, source=FieldSource.text_layer)
                out.append(box)
        run.clear()

    prev_end: float | None = None
    for ch in span["chars"]:
        start, end = (ch["bbox"][0], ch["bbox"][2]) if horizontal else (ch["bbox"][1], ch["bbox"][3])
        if prev_end is not None and start - prev_end > _GAP_EM * size and run:
            flush()
        if ch["c"].isspace() and not run:
            continue
        run.append(ch)
        prev_end = end  # a space glyph keeps the run together: only a jump in position breaks it
    flush()
    return out


_WORD = re.compile(r"\S+(?:\s\S+)*")
_PUNCT = re.compile(r"[\s:：()（）、,，.。]")


def _split_padded(run: list[dict]) -> list[list[dict]]:
    """A run padded with two or more spaces between words is several cells printed as one string (a table
    header "项目名称      规格型号   单 位    数 量"): it is split there, each piece keeping its own glyphs.
    Only between two pieces of two characters or more: a piece of one character is part of a letter-spaced
    word ("合           计", "名    称:北京某公司"), which stays whole."""
    text = "".join(ch["c"] for ch in run)
    if len(text) != len(run):
        return [run]
    words = list(_WORD.finditer(text))
    out: list[list[dict]] = []
    start = 0
    for left, right in zip(words, words[1:], strict=False):
        if len(_PUNCT.sub("", left.group(0))) >= 2 and len(_PUNCT.sub("", right.group(0))) >= 2:
            out.append(run[start : left.end()])
            start = right.start()
    out.append(run[start:])
    return out


def _render(page: pymupdf.Page, limits: LoadLimits, name: str) -> np.ndarray:
    zoom = limits.render_dpi / 72
    pixels = page.rect.width * zoom * page.rect.height * zoom
    if pixels > limits.max_pixels:
        zoom *= (limits.max_pixels / pixels) ** 0.5
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csRGB, alpha=False)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3)
    return rgb[:, :, ::-1].copy()


def _page_qr(page: pymupdf.Page) -> list[QrText]:
    """Embedded images first (cheap); if none decodes, render the page (QR codes drawn as vector paths)."""
    found = _qr_from_images(page)
    if found:
        return found
    zoom = _QR_RENDER_DPI / 72
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY, alpha=False)
    grey = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
    return [QrText(q.text, tuple(v / zoom for v in q.bbox)) for q in decode_qr(grey)]


def _qr_from_images(page: pymupdf.Page) -> list[QrText]:
    out: list[QrText] = []
    for info in page.get_image_info(xrefs=True):
        xref = info.get("xref")
        if not xref:
            continue
        w, h = info.get("width", 0), info.get("height", 0)
        if not (20 <= w <= 2000 and 0.8 <= w / max(h, 1) <= 1.25):
            continue  # QR codes are square and small; skip photos and seals
        try:
            pix = pymupdf.Pixmap(page.parent, xref)
            if pix.n - pix.alpha != 1:
                pix = pymupdf.Pixmap(pymupdf.csGRAY, pix)
            grey = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, 0]
        except Exception:
            continue
        grey = np.pad(grey, 8, constant_values=255)  # quiet zone, in case the image is cropped tight
        for q in decode_qr(grey):
            out.append(QrText(q.text, tuple(info["bbox"])))
    return out
