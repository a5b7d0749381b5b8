"""The QR code against the face: type, code, number, date, check code and amount must agree.

The amount in the QR is the tax-exclusive total (合计金额) for 税控 invoices and 价税合计 for 数电 31/32 and the
数电 passenger tickets (51 rail: the fare; 61 air: the itinerary's 合计).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fapiao.core.labels import field_label, type_label
from fapiao.core.models import NUMBER_ONLY_TYPES, TYPE_BY_CODE, Finding, Invoice, QrPayload
from fapiao.intake.rules.base import ERROR, finding
from fapiao.intake.rules.context import RuleContext

HEADER_FIELDS = ("invoice_code", "invoice_number", "issue_date", "check_code")


def qr_amount_field(qr: QrPayload, invoice: Invoice) -> str:
    """Which face total the QR amount is: 价税合计 for 数电 invoices and tickets, 合计金额 otherwise."""
    qr_kind = TYPE_BY_CODE.get(qr.type_code or "")
    digital = qr_kind in NUMBER_ONLY_TYPES or (qr.type_code is None and invoice.invoice_type in NUMBER_ONLY_TYPES)
    return "amount_with_tax" if digital else "total_amount"


def qr_values(qr: QrPayload, invoice: Invoice) -> dict[str, Any]:
    """Face field name → the QR's value, for every field the QR states."""
    out: dict[str, Any] = {name: getattr(qr, name) for name in HEADER_FIELDS if getattr(qr, name) not in (None, "")}
    if qr.amount is not None:
        out[qr_amount_field(qr, invoice)] = qr.amount
    return out


def agrees(name: str, face: Any, qr_value: Any) -> bool:
    if isinstance(qr_value, Decimal):
        return face is not None and Decimal(face) == qr_value
    if name == "check_code" and face and len(str(qr_value)) < len(str(face)):
        return str(face).endswith(str(qr_value))  # some QR codes carry only the tail of the check code
    return face == qr_value


def qr_face_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    qr = ctx.qr
    if qr is None:
        return []
    out: list[Finding] = []
    qr_type = TYPE_BY_CODE.get(qr.type_code or "")
    if qr_type is not None and qr_type is not invoice.invoice_type:
        out.append(
            finding(
                "qr.disagree",
                ERROR,
                ("invoice_type",),
                f"The QR code says type {qr.type_code} ({type_label(qr_type.value, 'en')}), the face says "
                f"{type_label(invoice.invoice_type.value, 'en')}; trust the QR unless it belongs to another invoice",
                f"二维码票种为 {qr.type_code}（{type_label(qr_type.value, 'zh')}），票面为"
                f"{type_label(invoice.invoice_type.value, 'zh')}；除非二维码属于其他发票，以二维码为准",
            )
        )
    for name, value in qr_values(qr, invoice).items():
        face = getattr(invoice, name)
        if face is None or not agrees(name, face, value):
            out.append(
                finding(
                    "qr.disagree",
                    ERROR,
                    (name,),
                    f"{field_label(name, 'en')}: the face shows {face}, the QR code says {value}; "
                    "check which one is right",
                    f"{field_label(name, 'zh')}：票面为 {face}，二维码为 {value}，请核对",
                )
            )
    return out


RULES = (qr_face_rule,)
CODES = ("qr.disagree",)
