"""数电 XML invoices: every field is read directly, no geometry needed."""

from __future__ import annotations

from fapiao.core.confidence import UNSURE
from fapiao.core.errors import NotAnInvoice
from fapiao.core.messages import Message
from fapiao.core.models import FieldSource, FieldValue
from fapiao.intake.loaders.base import LoadedDocument
from fapiao.intake.loaders.xml_fields import full_text, parse_xml, structured_fields


def load_xml(data: bytes, name: str = "") -> LoadedDocument:
    root = parse_xml(data, name)
    fields, items = structured_fields(root)
    if "invoice_number" not in fields and "total_amount" not in fields:
        raise NotAnInvoice(Message.of("xml_no_invoice", name=name), hint="upload the invoice XML itself")
    text = full_text(root)
    special = "专用发票" in text or "增值税专用" in text
    fields.setdefault(
        "title",
        FieldValue(
            value="电子发票（增值税专用发票）" if special else "电子发票（普通发票）",
            source=FieldSource.xml,
            confidence=UNSURE,
        ),
    )
    return LoadedDocument(kind="xml", structured=fields, structured_items=items)
