"""Parse the invoice QR payload ``01,<type>,<code>,<number>,<amount>,<YYYYMMDD>,<check code>,<tail>[,]``.

Real payloads vary: the trailing comma may be missing, paper 专票 and 数电 leave the check code empty (and
数电 the code too), some put the 4-character tail straight into the 7th field, amounts print short ("64.9"),
and 电子专票 use QR type 20 for invoice type 08. Anything that is not an invoice QR gives None.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from fapiao.core.models import QrPayload

QR_TYPE_ALIASES = {"20": "08"}
"""QR type → invoice type code where they differ (20 = 增值税电子专用发票)."""


def parse_qr_payload(text: str) -> QrPayload | None:
    if not text:
        return None
    raw = text.strip().lstrip("\ufeff")
    parts = [p.strip() for p in raw.replace("，", ",").split(",")]
    while len(parts) > 8 and parts[-1] == "":
        parts.pop()
    if len(parts) < 6 or parts[0] != "01":
        return None
    type_code, code, number, amount_text, date_text = parts[1:6]
    if not re.fullmatch(r"\d{2}", type_code):
        return None
    if code and not re.fullmatch(r"\d{10}|\d{12}", code):
        return None
    if not re.fullmatch(r"\d{8}|\d{20}", number):
        return None
    issue_date = _date(date_text)
    if issue_date is None:
        return None
    check = parts[6] if len(parts) > 6 else ""
    if not re.fullmatch(r"\d{5,}", check):
        check = ""  # empty, or the 4-character tail in the check code's place
    return QrPayload(
        raw=raw,
        type_code=QR_TYPE_ALIASES.get(type_code, type_code),
        invoice_code=code or None,
        invoice_number=number,
        amount=_amount(amount_text),
        issue_date=issue_date,
        check_code=check or None,
    )


def _date(text: str) -> dt.date | None:
    digits = re.sub(r"[-/.]", "", text)
    if not re.fullmatch(r"\d{8}", digits):
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def _amount(text: str) -> Decimal | None:
    if not re.fullmatch(r"-?\d+(?:\.\d*)?", text.replace(",", "")):
        return None
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
