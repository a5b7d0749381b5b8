"""The invoice QR code: its payload (as the tax system specifies it) and its module matrix."""

from __future__ import annotations

import random
from functools import lru_cache

import numpy as np
import zxingcpp

from fapiao.core.models import DIGITAL_TYPES, Invoice, InvoiceType
from samples.generator import ids

QR_TYPE = {InvoiceType.e_special: "20"}
"""电子专票 print QR type 20 instead of their invoice type 08."""


def qr_payload(inv: Invoice, rng: random.Random) -> str:
    """``01,<type>,<code>,<number>,<amount>,<YYYYMMDD>,<check>,<tail>,``; 数电 carry 价税合计, others 合计金额."""
    digital = inv.invoice_type in DIGITAL_TYPES
    amount = inv.amount_with_tax if digital else inv.total_amount
    text = f"{amount:.2f}"
    if rng.random() < 0.2:  # some issuers print short amounts: 64.9, 100
        text = text.rstrip("0").rstrip(".")
    type_code = QR_TYPE.get(inv.invoice_type, inv.type_code)
    fields = [
        "01",
        type_code,
        inv.invoice_code or "",
        inv.invoice_number or "",
        text,
        inv.issue_date.strftime("%Y%m%d"),
        inv.check_code or "",
        ids.qr_tail(rng),
    ]
    return ",".join(fields) + ("," if rng.random() < 0.85 else "")


@lru_cache(maxsize=64)
def modules(payload: str) -> np.ndarray:
    """Boolean module matrix (True = dark), without the quiet zone."""
    img = np.asarray(
        zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode).to_image(scale=1, add_quiet_zones=False)
    )
    return img < 128


def qr_png(payload: str, scale: int = 4) -> bytes:
    """A grey PNG of the code with a 2-module quiet zone, ``scale`` pixels per module."""
    import cv2

    dark = modules(payload)
    img = np.where(dark, 0, 255).astype(np.uint8)
    img = np.pad(img, 2, constant_values=255)
    img = np.kron(img, np.ones((scale, scale), np.uint8))
    ok, buf = cv2.imencode(".png", img)
    return buf.tobytes()
