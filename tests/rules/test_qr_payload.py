"""QR payload parsing: every printed variant, and None for anything that is not an invoice QR."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fapiao.intake.qr_payload import parse_qr_payload


def test_digital_invoice() -> None:
    qr = parse_qr_payload("01,32,,24312000000136634917,0.01,20240514,,1DD6")
    assert qr is not None
    assert (qr.type_code, qr.invoice_code, qr.invoice_number, qr.amount, qr.issue_date, qr.check_code) == (
        "32",
        None,
        "24312000000136634917",
        Decimal("0.01"),
        dt.date(2024, 5, 14),
        None,
    )


def test_tax_control_invoice_with_trailing_comma_and_short_amount() -> None:
    qr = parse_qr_payload("01,10,044031900111,12345678,64.9,20190720,12345678901234567890,ABCD,")
    assert qr is not None
    assert (qr.type_code, qr.invoice_code, qr.amount, qr.check_code) == (
        "10",
        "044031900111",
        Decimal("64.90"),
        "12345678901234567890",
    )


def test_e_special_qr_type_20_is_type_08() -> None:
    qr = parse_qr_payload("01,20,011002000113,00123456,1000.00,20200801,01234567890123456789,A1B2")
    assert qr is not None and qr.type_code == "08"


def test_paper_special_without_check_code_or_tail() -> None:
    qr = parse_qr_payload(" 01,01,1100194130,12345678,100.00,20240315,\n")
    assert qr is not None and qr.check_code is None and qr.invoice_code == "1100194130"


def test_tail_in_the_check_code_field() -> None:
    qr = parse_qr_payload("01,04,011001900104,12345678,50.00,20240315,C0DE")
    assert qr is not None and qr.check_code is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "https://inv-veri.chinatax.gov.cn/",
        "02,10,011001900111,12345678,1,20240101,,",
        "01,10,011001900111,1234,1.00,20240101,,",
        "01,10,011001900111,12345678,1.00,20241340,,",
        "01,XX,011001900111,12345678,1.00,20240101,,",
    ],
)
def test_not_an_invoice_qr(text: str) -> None:
    assert parse_qr_payload(text) is None
