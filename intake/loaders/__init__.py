"""Turn the bytes of any supported file into pages of positioned text (or images awaiting OCR)."""

from __future__ import annotations

from fapiao.core.errors import UnsupportedFormat
from fapiao.core.limits import check_size
from fapiao.core.messages import Message
from fapiao.intake.loaders.base import LoadedDocument, LoadedPage, LoadLimits, QrText
from fapiao.intake.loaders.image import load_image
from fapiao.intake.loaders.ofd import load_ofd
from fapiao.intake.loaders.pdf import load_pdf
from fapiao.intake.loaders.sniff import IMAGE_KINDS, DocumentKind, active_content, sniff
from fapiao.intake.loaders.xml_einvoice import load_xml
from fapiao.intake.signatures import check_ofd_signatures, check_pdf_signatures

__all__ = ["LoadLimits", "LoadedDocument", "LoadedPage", "QrText", "DocumentKind", "load_document", "sniff"]


def load_document(data: bytes, name: str, limits: LoadLimits | None = None) -> LoadedDocument:
    """Sniff ``data`` and hand it to the loader for its real type; errors name the file and what to do."""
    limits = limits or LoadLimits()
    check_size(data, name, limits.max_bytes)
    kind = sniff(data)
    active = active_content(data)
    if active:
        raise UnsupportedFormat(
            Message.of("loader_active_content", name=name, active=active),
            hint="upload the invoice itself (PDF, OFD, XML or an image)",
        )
    if kind is DocumentKind.pdf:
        doc = load_pdf(data, limits, name)
        doc.signatures = check_pdf_signatures(data)
        return doc
    if kind in IMAGE_KINDS:
        return load_image(data, kind.value, limits, name)
    if kind is DocumentKind.ofd:
        doc = load_ofd(data, limits, name)
        doc.signatures = check_ofd_signatures(data)
        return doc
    if kind is DocumentKind.xml:
        return load_xml(data, name)
    raise UnsupportedFormat(
        Message.of("loader_zip" if kind is DocumentKind.zip else "loader_unsupported", name=name),
        hint="upload the invoice file itself",
    )
