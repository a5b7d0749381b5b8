"""QR against the face, the buyer against the company's own IDs, and duplicates."""

from __future__ import annotations

from decimal import Decimal

from fapiao.core.models import InvoiceType, Severity
from fapiao.intake.qr_payload import parse_qr_payload
from tests.rules.helpers import codes, found, invoice

QR = parse_qr_payload("01,10,011001900111,12345678,100.00,20240315,12345678901234567890,ABCD")


def test_qr_agrees() -> None:
    assert found(invoice(), qr=QR) == []


def test_qr_disagreements() -> None:
    fs = found(invoice(invoice_number="12345679", total_amount=Decimal("100.00")), qr=QR)
    assert [(f.code, f.fields) for f in fs] == [("qr.disagree", ("invoice_number",))]
    digital = parse_qr_payload("01,32,,24312000000136634917,106.00,20240315,,1DD6")
    inv = invoice(
        invoice_type=InvoiceType.digital_normal,
        type_code="32",
        invoice_code=None,
        check_code=None,
        title=None,
        invoice_number="24312000000136634917",
    )
    assert found(inv, qr=digital) == []  # 数电: the QR amount is 价税合计
    assert codes(inv.model_copy(update={"amount_with_tax": Decimal("106.01")}), qr=digital) >= {"qr.disagree"}


def test_buyer_is_own() -> None:
    assert found(invoice(), own_tax_ids=frozenset()) == []
    assert found(invoice(), own_tax_ids=frozenset({"91110000600037341L"})) == []
    (f,) = found(invoice(), own_tax_ids=frozenset({"91100000100003962T"}))
    assert (f.code, f.severity, f.fields) == ("parties.buyer_not_own", Severity.warning, ("buyer_tax_id",))


def test_same_party_twice() -> None:
    assert codes(invoice(seller_tax_id="91110000600037341L")) == {"parties.same_id"}


def test_duplicates() -> None:
    seen = {"011001900111:12345678": "inbox/a.pdf"}.get
    (f,) = found(invoice(), seen=seen, source="inbox/b.pdf")
    assert (f.code, f.severity) == ("duplicate.seen", Severity.warning) and "inbox/a.pdf" in f.message
    assert found(invoice(), seen=seen, source="inbox/a.pdf") == []
    assert found(invoice(invoice_number="87654321"), seen=seen) == []
