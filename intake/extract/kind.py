"""Which invoice family a document is, from the printed title, the number's shape and the QR type."""

from __future__ import annotations

from fapiao.core.models import TYPE_BY_CODE, InvoiceType

_TITLE_RULES: tuple[tuple[tuple[str, ...], InvoiceType], ...] = (
    (("通行费",), InvoiceType.toll),
    (("电子发票(增值税专用发票)",), InvoiceType.digital_special),
    (("电子发票(普通发票)",), InvoiceType.digital_normal),
    (("电子专用发票",), InvoiceType.e_special),
    (("电子普通发票",), InvoiceType.e_normal),
    (("卷式", "卷票"), InvoiceType.roll),
    (("机动车销售统一发票",), InvoiceType.motor_vehicle),
    (("二手车",), InvoiceType.used_car),
    (("专用发票",), InvoiceType.special),
    (("普通发票",), InvoiceType.normal),
)


def classify(title: str | None, code: str | None, number: str | None, qr_type: str | None) -> InvoiceType:
    """QR type first (the most trusted), then the title, then the number's shape."""
    if qr_type and qr_type in TYPE_BY_CODE:
        return TYPE_BY_CODE[qr_type]
    flat = (title or "").replace("（", "(").replace("）", ")").replace(" ", "")
    digital_number = bool(number and len(number) == 20 and not code)
    if digital_number or (flat.startswith("电子发票") and not code):
        return InvoiceType.digital_special if "专用" in flat else InvoiceType.digital_normal
    for needles, kind in _TITLE_RULES:
        if any(n in flat for n in needles):
            return kind
    return InvoiceType.unknown
