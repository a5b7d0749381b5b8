"""Invoice code → type, region, year; number format; issue date; check code presence."""

from __future__ import annotations

import datetime as dt

import pytest

from fapiao.core.models import InvoiceType, Severity
from fapiao.intake.rules.codes import type_code_from_code
from tests.rules.helpers import codes, found, invoice


@pytest.mark.parametrize(
    ("code", "type_code"),
    [
        ("011001900111", "10"),
        ("011001900104", "04"),
        ("011001900105", "04"),
        ("011001900106", "11"),
        ("011001900107", "11"),
        ("011001900112", "14"),
        ("011001900113", "08"),
        ("011001900117", "15"),
        ("144031539110", "10"),
        ("131001570151", "10"),
        ("133011501118", "10"),
        ("111001571071", "10"),
        ("144001820001", "03"),
        ("011001900199", None),
        ("1100194130", "01"),
        ("1100194530", "01"),
        ("1100194330", "04"),
        ("1100194630", "04"),
        ("1100194230", "02"),
        ("1100194930", None),
    ],
)
def test_code_to_type(code: str, type_code: str | None) -> None:
    assert type_code_from_code(code) == type_code


def test_valid_invoice_has_no_findings() -> None:
    assert found(invoice()) == []


def test_type_must_agree_with_code() -> None:
    assert "code.type_mismatch" in codes(invoice(invoice_code="011001900104"))


@pytest.mark.parametrize(
    ("code", "date"),
    [
        ("011000000111", dt.date(2024, 3, 15)),  # year 00
        ("011002500111", dt.date(2024, 3, 15)),  # after the issue year
        ("011002600111", dt.date(2026, 3, 15)),
    ],
)  # after this year
def test_code_year(code: str, date: dt.date) -> None:
    assert "code.year" in codes(invoice(invoice_code=code, issue_date=date))


def test_region_against_title() -> None:
    (f,) = found(invoice(invoice_code="044031900111"))  # 深圳 code, 北京 title
    assert (f.code, f.severity) == ("code.region_title", Severity.warning)
    assert found(invoice(invoice_code="044031900111", title="深圳增值税电子普通发票")) == []
    assert found(invoice(invoice_code="044031900111", title=None)) == []
    assert codes(invoice(invoice_code="099991900111", title=None)) == {"code.region"}


@pytest.mark.parametrize("number", ["00000000", "1234567", "1234567A", "123456789"])
def test_number_format(number: str) -> None:
    assert "number.format" in codes(invoice(invoice_number=number))


def _digital(**changes):
    base = dict(
        invoice_type=InvoiceType.digital_normal,
        type_code="32",
        invoice_code=None,
        check_code=None,
        title="电子发票（普通发票）",
        invoice_number="24312000000136634917",
        issue_date=dt.date(2024, 5, 14),
    )
    return invoice(**(base | changes))


def test_digital_numbers() -> None:
    assert found(_digital()) == []
    assert codes(_digital(invoice_number="12345678")) == {"number.format"}
    (f,) = found(_digital(issue_date=dt.date(2025, 1, 2)))
    assert (f.code, f.severity) == ("number.year", Severity.warning)
    assert codes(_digital(invoice_code="011001900111")) == {"code.unexpected"}


def test_issue_date() -> None:
    assert codes(invoice(issue_date=dt.date(2025, 7, 2))) == {"date.future"}
    assert "date.too_early" in codes(
        invoice(
            issue_date=dt.date(1990, 1, 1), invoice_code="1100911130", invoice_type=InvoiceType.special, type_code="01"
        )
    )
    assert codes(invoice(issue_date=None)) == {"field.missing"}


def test_unknown_type_is_an_error() -> None:
    assert "type.unknown" in codes(invoice(invoice_type=InvoiceType.unknown, type_code=None))


def test_check_code() -> None:
    assert codes(invoice(check_code="1234")) == {"check_code.format"}
    assert codes(invoice(check_code=None)) == {"field.missing"}
    (f,) = found(_digital(check_code="12345678901234567890"))
    assert (f.code, f.severity) == ("check_code.unexpected", Severity.warning)
    special = invoice(
        invoice_type=InvoiceType.special, type_code="01", invoice_code="1100194130", title="北京增值税专用发票"
    )
    assert codes(special) == {"check_code.unexpected"}
    assert found(special.model_copy(update={"check_code": None})) == []
