"""The QR code is the most trusted source on the page: read it, use it, and record any disagreement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fapiao.core.models import FieldSource, Severity, Status
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.verify import VerifyOptions
from tests.builders import OLD_LABELS, OLD_QR, OLD_VALUES, placed_pdf, with_qr

OPTIONS = PipelineOptions(ocr=False, verify=VerifyOptions(today=dt.date(2026, 11, 22)))


def test_agreeing_qr_is_read_and_the_invoice_verifies() -> None:
    data = with_qr(placed_pdf(OLD_LABELS, OLD_VALUES), OLD_QR)
    (result,) = Pipeline(OPTIONS).process_bytes(data, "ok.pdf")
    assert result.qr is not None and result.qr.invoice_number == "12345678" and result.qr.amount == Decimal("90.00")
    assert result.qr.type_code == "10" and result.qr.check_code == "12345678901234567890"
    assert not [f for f in result.findings if f.code.startswith("qr.")]
    assert result.status is Status.verified, [f.code for f in result.findings]


def test_qr_overrules_a_disagreeing_face_and_the_disagreement_is_a_finding() -> None:
    tampered_qr = OLD_QR.replace("12345678,90.00", "12345679,90.00")
    data = with_qr(placed_pdf(OLD_LABELS, OLD_VALUES), tampered_qr)
    (result,) = Pipeline(OPTIONS).process_bytes(data, "tampered.pdf")
    number = result.fields["invoice_number"]
    assert result.invoice.invoice_number == "12345679" and number.source is FieldSource.qr
    assert number.original == "12345678"
    mismatch = [f for f in result.findings if f.code == "qr.mismatch"]
    assert mismatch and mismatch[0].severity is Severity.warning and "invoice_number" in mismatch[0].fields
    assert result.status is Status.needs_review


def test_fields_missing_on_the_face_are_filled_from_the_qr() -> None:
    values = [v for v in OLD_VALUES if v[2] != "12345 67890 12345 67890"]
    data = with_qr(placed_pdf(OLD_LABELS, values), OLD_QR)
    (result,) = Pipeline(OPTIONS).process_bytes(data, "no-check-code.pdf")
    assert result.invoice.check_code == "12345678901234567890"
    assert result.fields["check_code"].source is FieldSource.qr
