"""Combine what the face says with structured data (invoice XML) and the QR code.

XML is data, not a picture of data, so its values win; the face's position is kept so a reviewer can still
be shown where the field is printed. The QR only fills fields the face lacks here: overriding and recording
disagreements is the verification stage's job (``fapiao.intake.repair``).
"""

from __future__ import annotations

from dataclasses import replace

from fapiao.core.labels import field_label
from fapiao.core.models import FieldSource, FieldValue, Finding, Invoice, LineItem, QrPayload, Severity
from fapiao.intake.extract.assemble import Extracted, finish
from fapiao.intake.loaders.base import LoadedDocument

_QR_FIELDS = ("invoice_code", "invoice_number", "issue_date", "check_code")


def structured_invoice(doc: LoadedDocument) -> Extracted:
    fields = dict(doc.structured or {})
    items = [LineItem(**row) for row in doc.structured_items or []]
    invoice = Invoice(**{k: fv.value for k, fv in fields.items() if k in Invoice.model_fields}, items=items)
    return Extracted(invoice=finish(invoice), fields=fields, pages=[])


def merge_structured(ex: Extracted, doc: LoadedDocument) -> Extracted:
    updates: dict = {}
    fields = dict(ex.fields)
    findings = list(ex.findings)
    for name, fv in (doc.structured or {}).items():
        if name not in Invoice.model_fields:
            continue
        face = fields.get(name)
        if face is not None and face.value is not None and _differs(face.value, fv.value):
            findings.append(
                Finding(
                    code="xml.face_mismatch",
                    severity=Severity.warning,
                    fields=(name,),
                    message=f"{field_label(name, 'en')}: the printed page shows {face.value!s}, "
                    f"the embedded invoice XML says {fv.value!s}; "
                    "the XML value is used — check the document for tampering",
                    message_zh=f"{field_label(name, 'zh')}：版面为 {face.value!s}，内嵌发票 XML 为 {fv.value!s}；"
                    "已采用 XML 值，请核对票面",
                )
            )
        fields[name] = fv.model_copy(update={"page": face.page if face else None, "bbox": face.bbox if face else None})
        updates[name] = fv.value
    if doc.structured_items and not ex.invoice.items:
        updates["items"] = [LineItem(**row) for row in doc.structured_items]
    return replace(ex, invoice=ex.invoice.model_copy(update=updates), fields=fields, findings=findings)


def merge_qr(ex: Extracted, qr: QrPayload) -> Extracted:
    """Fill header fields the face lacks from the QR (source ``qr``)."""
    updates: dict = {}
    fields = dict(ex.fields)
    for name in _QR_FIELDS:
        value = getattr(qr, name)
        if value in (None, "") or getattr(ex.invoice, name) not in (None, ""):
            continue
        updates[name] = value
        fields[name] = FieldValue(
            value=value, confidence=1.0, source=FieldSource.qr, page=qr.page, bbox=qr.bbox, raw=qr.raw
        )
    if not updates:
        return ex
    return replace(ex, invoice=ex.invoice.model_copy(update=updates), fields=fields)


def _differs(a, b) -> bool:
    return str(a).strip().replace(" ", "") != str(b).strip().replace(" ", "")
