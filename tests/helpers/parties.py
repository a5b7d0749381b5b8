"""OCR'd results and records exports for the party-master tests (names confirmed by the records)."""

from __future__ import annotations

import csv
from pathlib import Path

from fapiao.core.models import KEY_FIELDS, ExtractionResult, FieldSource, FieldValue
from fapiao.intake.qr_payload import parse_qr_payload
from fapiao.intake.verify import VerifyOptions, verify
from fapiao.matching.export import TAX_BUREAU_HEADERS
from tests.rules.helpers import TODAY, invoice

OPTIONS = VerifyOptions(today=TODAY)


def ocr_read(**changes) -> ExtractionResult:
    """An OCR reading of the helpers' invoice with its QR (header and amount), verified with no party master."""
    inv = invoice(**changes)
    fields = {n: FieldValue(value=getattr(inv, n), confidence=0.99, source=FieldSource.ocr) for n in KEY_FIELDS}
    qr = parse_qr_payload(f"01,10,{inv.invoice_code},{inv.invoice_number},100.00,20240315,{inv.check_code},ABCD")
    return verify(ExtractionResult(source="scan.jpg", invoice=inv, fields=fields, qr=qr), OPTIONS)


def export_file(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=TAX_BUREAU_HEADERS)
        w.writeheader()
        for r in rows:
            w.writerow({h: r.get(h, "") for h in TAX_BUREAU_HEADERS})
    return path


def export_row(number: str, seller: str, buyer: str) -> dict[str, str]:
    return {
        "发票代码": "011001900111",
        "发票号码": number,
        "销方识别号": "914403001922038216",
        "销方名称": seller,
        "购方识别号": "91110000600037341L",
        "购买方名称": buyer,
        "开票日期": "2024-03-01",
        "金额": "50.00",
        "税额": "3.00",
        "价税合计": "53.00",
        "发票状态": "正常",
    }


def unconfirmed(r: ExtractionResult) -> tuple[str, ...]:
    return next((f.fields for f in r.findings if f.code == "ocr.unconfirmed"), ())
