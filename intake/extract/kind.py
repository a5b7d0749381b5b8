"""Which invoice family a document is, from the printed title, the number's shape and the QR type."""

from __future__ import annotations

from fapiao.core.models import NUMBER_ONLY_TYPES, TYPE_BY_CODE, InvoiceType
from fapiao.intake.rules.codes import type_from_code

_TICKET_RULES: tuple[tuple[str, InvoiceType], ...] = (
    ("铁路电子客票", InvoiceType.rail),
    ("航空运输电子客票行程单", InvoiceType.air),
)
"""数电 passenger tickets: their title starts with 电子发票 too, so they are told apart first."""

_TITLE_RULES: tuple[tuple[tuple[str, ...], InvoiceType], ...] = (
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
    """QR type first (the most trusted) when the invoice has the shape of that type, then the title, then the
    number's shape."""
    by_qr = qr_kind(qr_type, code)
    if by_qr is not None:
        return by_qr
    flat = flat_title(title)
    for needle, kind in _TICKET_RULES:
        if needle in flat:
            return kind
    if is_toll_title(flat):
        return InvoiceType.toll
    digital_number = bool(number and len(number) == 20 and not code)
    if digital_number or (flat.startswith("电子发票") and not code):
        return InvoiceType.digital_special if "专用" in flat else InvoiceType.digital_normal
    for needles, kind in _TITLE_RULES:
        if any(n in flat for n in needles):
            return _toll_by_code(kind, code)
    return InvoiceType.unknown


def _toll_by_code(kind: InvoiceType, code: str | None) -> InvoiceType:
    """An old 通行费 e-invoice may print the plain 增值税电子普通发票 title; its code (kind digits 12) says toll."""
    if kind is InvoiceType.e_normal and type_from_code(code) is InvoiceType.toll:
        return InvoiceType.toll
    return kind


def qr_kind(qr_type: str | None, code: str | None) -> InvoiceType | None:
    """The type a QR states, when the invoice has that type's shape: a number-only type (数电, tickets) has no
    invoice code, a coded type has one. A QR type the code contradicts (a specimen's placeholder type) is not
    believed; the QR rules report the disagreement."""
    kind = TYPE_BY_CODE.get(qr_type or "")
    if kind is None or (kind in NUMBER_ONLY_TYPES) != (not code):
        return None
    return kind


def flat_title(title: str | None) -> str:
    """The title with half-width brackets and no spaces, as the rules compare it."""
    return (title or "").replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")


def is_toll_title(flat: str) -> bool:
    """通行费 on an invoice (…通行费增值税电子普通发票), not on a receipt (江苏省车辆通行费票据（电子）)."""
    return "通行费" in flat and "发票" in flat
