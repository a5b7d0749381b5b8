"""Page images for review: the image an invoice's boxes were read from, with the scale from bbox units to
its pixels. OCR'd pages were stored when processed; digital PDF pages are rendered from the original."""

from __future__ import annotations

from dataclasses import dataclass

import pymupdf

from fapiao.core.errors import FapiaoError
from fapiao.intake.loaders.sniff import DocumentKind, sniff
from fapiao.service.context import ServiceContext
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document, ExtractedInvoice

RENDER_DPI = 150


class PageUnavailable(FapiaoError):
    code = "page_unavailable"


@dataclass(frozen=True)
class PageImage:
    png: bytes
    scale: float
    """Pixels of this image per bbox unit (bboxes of PDF pages are in points)."""


def page_image(ctx: ServiceContext, invoice_id: int, page: int) -> PageImage:
    with session_scope(ctx.sessions) as s:
        row = s.get(ExtractedInvoice, invoice_id)
        if row is None:
            raise PageUnavailable(f"no invoice {invoice_id}")
        refs = row.payload.get("page_images") or {}
        doc = s.get(Document, row.document_id)
        sha, name = doc.sha256, doc.filename
    if str(page) in refs:
        return PageImage(ctx.blobs.get(refs[str(page)]), 1.0)
    data = ctx.blobs.get(sha)
    if sniff(data) is not DocumentKind.pdf:
        raise PageUnavailable(
            f"{name}: page {page} has no stored image (OFD and XML pages are not rendered)",
            hint="download the original with GET /api/v1/documents/{id}/original",
        )
    with pymupdf.open(stream=data, filetype="pdf") as pdf:
        if not 1 <= page <= pdf.page_count:
            raise PageUnavailable(f"{name} has {pdf.page_count} page(s), not {page}")
        zoom = RENDER_DPI / 72
        png = pdf[page - 1].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False).tobytes("png")
    return PageImage(png, zoom)
