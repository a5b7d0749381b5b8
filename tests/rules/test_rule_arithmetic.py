"""Arithmetic: line tax, invoice tax, quantity × price, exact totals, rates by date, discounts, red letters,
amount in words."""

from __future__ import annotations

import datetime as dt

import pytest

from fapiao.core.models import LineItem, Severity
from fapiao.intake.rules.rates import parse_rate, rate_in_force
from tests.rules.helpers import D, codes, found, invoice


def _one_line(amount: str, rate: str, tax: str | None, **changes):
    a, t = D(amount), None if tax is None else D(tax)
    tt = t or D(0)
    return invoice(
        items=[LineItem(name="x", amount=a, tax_rate=rate, tax=t)],
        total_amount=a,
        total_tax=tt,
        amount_with_tax=a + tt,
        amount_in_words=None,
        **changes,
    )


def test_line_tax_tolerance() -> None:
    assert found(_one_line("100.00", "6%", "6.06")) == []
    assert codes(_one_line("100.00", "6%", "6.07")) == {"arith.line_tax"}


def test_one_and_a_half_percent_either_formula() -> None:
    assert found(_one_line("10350.00", "1.5%", "150.00")) == []  # 金额/1.035×1.5%
    assert found(_one_line("10350.00", "1.5%", "155.25")) == []  # 金额×1.5%
    assert "arith.line_tax" in codes(_one_line("10350.00", "1.5%", "140.00"))


def test_tax_free_lines_count_as_zero() -> None:
    assert found(_one_line("100.00", "免税", None)) == []
    assert found(_one_line("100.00", "不征税", None)) == []
    assert codes(_one_line("100.00", "免税", "3.00")) == {"arith.tax_free_line"}


def test_difference_taxation_skips_the_line_check() -> None:
    assert codes(_one_line("1000.00", "6%", "30.00")) == {"arith.line_tax", "arith.invoice_tax"}
    assert found(_one_line("1000.00", "6%", "30.00", remarks="差额征税：500.00。")) == []


def test_invoice_tax_tolerance() -> None:
    items = [LineItem(name="x", amount=D("100.00"), tax_rate="13%", tax=D("13.05")) for _ in range(30)]
    inv = invoice(
        items=items,
        total_amount=D("3000.00"),
        total_tax=D("391.50"),
        amount_with_tax=D("3391.50"),
        amount_in_words=None,
    )
    assert codes(inv) == {"arith.invoice_tax"}
    assert (
        found(
            inv.model_copy(
                update={
                    "items": items[:25],
                    "total_amount": D("2500.00"),
                    "total_tax": D("326.25"),
                    "amount_with_tax": D("2826.25"),
                }
            )
        )
        == []
    )


def test_quantity_times_price() -> None:
    ok = LineItem(
        name="x", quantity=D("113"), unit_price=D("16.72566372"), amount=D("1890.00"), tax_rate="13%", tax=D("245.70")
    )
    inv = invoice(
        items=[ok], total_amount=D("1890.00"), total_tax=D("245.70"), amount_with_tax=D("2135.70"), amount_in_words=None
    )
    assert found(inv) == []
    bad = ok.model_copy(update={"quantity": D("112")})
    (f,) = found(inv.model_copy(update={"items": [bad]}))
    assert (f.code, f.severity, f.fields[0]) == ("arith.quantity_price", Severity.warning, "items[0].quantity")


def test_totals_are_exact() -> None:
    assert codes(invoice(total_amount=D("100.01"))) == {"arith.sum_amount", "arith.total"}
    assert codes(invoice(total_tax=D("6.01"), amount_with_tax=D("106.01"), amount_in_words="壹佰零陆圆零壹分")) == {
        "arith.sum_tax"
    }
    assert codes(invoice(amount_with_tax=D("106.10"), amount_in_words="壹佰零陆圆壹角")) == {"arith.total"}


@pytest.mark.parametrize(
    ("rate", "date", "ok"),
    [
        ("17%", dt.date(2018, 4, 30), True),
        ("17%", dt.date(2018, 5, 1), False),
        ("16%", dt.date(2018, 5, 1), True),
        ("16%", dt.date(2019, 3, 31), True),
        ("16%", dt.date(2019, 4, 1), False),
        ("11%", dt.date(2018, 4, 30), True),
        ("11%", dt.date(2018, 5, 1), False),
        ("10%", dt.date(2019, 3, 31), True),
        ("10%", dt.date(2019, 4, 1), False),
        ("13%", dt.date(2019, 4, 1), True),
        ("13%", dt.date(2018, 1, 1), False),
        ("13%", dt.date(2017, 6, 30), True),
        ("9%", dt.date(2019, 3, 31), False),
        ("9%", dt.date(2019, 4, 1), True),
        ("1%", dt.date(2024, 1, 1), True),
        ("0.5%", dt.date(2020, 5, 1), True),
        ("6%", dt.date(2005, 1, 1), True),
    ],
)
def test_rates_by_date(rate: str, date: dt.date, ok: bool) -> None:
    assert rate_in_force(parse_rate(rate).value, date) is ok


def test_rate_findings() -> None:
    assert codes(_one_line("100.00", "16%", "16.00")) == {"arith.rate_date"}
    assert (
        codes(_one_line("100.00", "16%", "16.00", issue_date=dt.date(2018, 6, 1), invoice_code="011001800111")) == set()
    )
    assert codes(_one_line("100.00", "7%", "7.00")) == {"arith.rate_unknown"}


def test_discount_line_is_not_red() -> None:
    items = [
        LineItem(name="x", amount=D("100.00"), tax_rate="6%", tax=D("6.00")),
        LineItem(name="折扣", amount=D("-10.00"), tax_rate="6%", tax=D("-0.60")),
    ]
    inv = invoice(
        items=items,
        total_amount=D("90.00"),
        total_tax=D("5.40"),
        amount_with_tax=D("95.40"),
        amount_in_words="玖拾伍圆肆角",
    )
    assert found(inv) == []
    wrong_rate = [items[0], items[1].model_copy(update={"tax_rate": "13%", "tax": D("-1.30")})]
    inv2 = inv.model_copy(
        update={
            "items": wrong_rate,
            "total_tax": D("4.70"),
            "amount_with_tax": D("94.70"),
            "amount_in_words": "玖拾肆圆柒角",
        }
    )
    assert codes(inv2) == {"arith.discount_line"}


def test_red_letter() -> None:
    red = _one_line("-14000.00", "0%", "0.00", is_red_letter=True, remarks="对应正数发票代码:011001900111号码:12345678")
    red = red.model_copy(update={"amount_in_words": "（负数）壹万肆仟圆整"})
    assert found(red) == []
    assert codes(red.model_copy(update={"remarks": None})) == {"arith.red_letter_remarks"}
    assert "arith.red_letter_sign" in codes(red.model_copy(update={"total_tax": D("1.00")}))


@pytest.mark.parametrize(
    ("words", "amount"),
    [("ⓧ叁仟伍佰伍拾圆零柒角整", "3550.70"), ("伍拾叁圆肆角", "53.40"), ("（负数）壹万肆仟圆整", "-14000.00")],
)
def test_amount_in_words_matches(words: str, amount: str) -> None:
    a = D(amount)
    inv = invoice(items=[], total_amount=None, total_tax=None, amount_with_tax=a, amount_in_words=words)
    assert "words.mismatch" not in codes(inv)
    (f,) = [f for f in found(inv.model_copy(update={"amount_with_tax": a + D("0.01")})) if f.code.startswith("words")]
    assert (f.code, f.severity) == ("words.mismatch", Severity.error)


def test_unreadable_words_warn() -> None:
    (f,) = found(invoice(amount_in_words="壹佰零陆圆整X整abc"))
    assert (f.code, f.severity, f.fields) == ("words.unreadable", Severity.warning, ("amount_in_words",))
