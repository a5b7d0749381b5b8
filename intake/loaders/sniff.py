"""Decide what a file really is from its bytes, never from its name."""

from __future__ import annotations

import io
import re
import zipfile
from enum import StrEnum


class DocumentKind(StrEnum):
    pdf = "pdf"
    jpeg = "jpeg"
    png = "png"
    tiff = "tiff"
    bmp = "bmp"
    webp = "webp"
    ofd = "ofd"
    xml = "xml"
    zip = "zip"
    unknown = "unknown"


IMAGE_KINDS = frozenset({DocumentKind.jpeg, DocumentKind.png, DocumentKind.tiff, DocumentKind.bmp, DocumentKind.webp})
ACCEPTED_KINDS = IMAGE_KINDS | {DocumentKind.pdf, DocumentKind.ofd, DocumentKind.xml}
"""What intake accepts (README: "Only these file types are accepted"); anything else is refused at upload."""


def sniff(data: bytes) -> DocumentKind:
    """Return the document kind by magic bytes (PDF may have junk before ``%PDF-`` in the first KiB)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return DocumentKind.pdf
    if head.startswith(b"\xff\xd8\xff"):
        return DocumentKind.jpeg
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return DocumentKind.png
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return DocumentKind.tiff
    if head.startswith(b"BM") and len(data) > 26:
        return DocumentKind.bmp
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return DocumentKind.webp
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if _looks_like_xml(head):
        return DocumentKind.xml
    return DocumentKind.unknown


def _zip_kind(data: bytes) -> DocumentKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = {n.lstrip("/") for n in zf.namelist()}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):  # a damaged archive
        return DocumentKind.unknown
    return DocumentKind.ofd if "OFD.xml" in names else DocumentKind.zip


def _looks_like_xml(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"\xff\xfe") or text.startswith(b"\xfe\xff"):
        return b"<\x00" in text[:8] or b"\x00<" in text[:8]
    return text.startswith(b"<?xml") or text.startswith(b"<")


_SVG = re.compile(rb"<svg[\s>/:]")
_HTML = re.compile(
    rb"<(?:html|script|iframe|object|embed|frameset)[\s>/]|<!doctype\s+html|<\?xml-stylesheet"
    rb"|xmlns\s*=\s*[\"']http://www\.w3\.org/1999/xhtml"
)


def active_content(data: bytes) -> str | None:
    """ "SVG" or "HTML" when ``data`` is markup a browser would render or run (images with scripts, web pages),
    which no invoice is: such uploads are refused outright, never stored or served."""
    if sniff(data) not in (DocumentKind.xml, DocumentKind.unknown):
        return None
    head = data[:4096]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 markup: look at it as bytes without the zeros
        head = head.replace(b"\x00", b"")
    head = head.lower()
    if _SVG.search(head):
        return "SVG"
    if _HTML.search(head):
        return "HTML"
    return None
